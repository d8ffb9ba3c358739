package wasmprocessor

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor/processortest"
)

// benchNames mixes catalog hits and misses the way a real host does.
var benchNames = []string{"postgres", "nginx", "python3", "java", "kworker/3:1", "bash", "sshd", "node", "my-app-worker", "containerd"}

func benchBatch(rows int) pmetric.Metrics {
	names := make([]string, rows)
	for i := range names {
		names[i] = benchNames[i%len(benchNames)]
	}
	return processBatch(names...)
}

// BenchmarkBatch measures one batch through the processor (table in, module, decisions applied)
// against copying the batch alone, the floor any processor pays in this harness.
// Run: make bench (results in docs/benchmarks.md).
func BenchmarkBatch(b *testing.B) {
	for _, rows := range []int{1000, 10000} {
		src := benchBatch(rows)
		b.Run(fmt.Sprintf("rows=%d/copy_only", rows), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				md := pmetric.NewMetrics()
				src.CopyTo(md)
			}
		})
		b.Run(fmt.Sprintf("rows=%d/classify", rows), func(b *testing.B) {
			cfg := createDefaultConfig().(*Config)
			cfg.Module = filepath.Join(wasmDir, "classify.wasm")
			p, err := NewFactory().CreateMetrics(context.Background(), processortest.NewNopSettings(component.MustNewType(typeStr)), cfg, consumertest.NewNop())
			require.NoError(b, err)
			defer func() { require.NoError(b, p.Shutdown(context.Background())) }()
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				md := pmetric.NewMetrics()
				src.CopyTo(md)
				if err := p.ConsumeMetrics(context.Background(), md); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecide measures the ABI fast path alone: build the table in guest memory, run the
// module, read the decisions. It must not allocate per row on the Go side.
func BenchmarkDecide(b *testing.B) {
	for _, rows := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			cfg := createDefaultConfig().(*Config)
			cfg.Module = filepath.Join(wasmDir, "classify.wasm")
			p, err := newWasmProcessor(context.Background(), processortest.NewNopSettings(component.MustNewType(typeStr)), cfg)
			require.NoError(b, err)
			defer func() { require.NoError(b, p.shutdown(context.Background())) }()
			rms := benchBatch(rows).ResourceMetrics()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := p.decide(context.Background(), rms); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// scaledFixture returns the fixture's intervals with every process repeated `times` times under
// new pids, for batches of ~1k and ~10k processes.
func scaledFixture(b testing.TB, times int) []pmetric.Metrics {
	var out []pmetric.Metrics
	for _, md := range readFixture(b) {
		scaled := pmetric.NewMetrics()
		for k := 0; k < times; k++ {
			rms := md.ResourceMetrics()
			for i := 0; i < rms.Len(); i++ {
				rm := scaled.ResourceMetrics().AppendEmpty()
				rms.At(i).CopyTo(rm)
				if pid, ok := rm.Resource().Attributes().Get("process.pid"); ok {
					pid.SetInt(pid.Int() + int64(k)*1_000_000)
				}
			}
		}
		out = append(out, scaled)
	}
	return out
}

// BenchmarkOptimizerChain runs the default profile's wasm/optimize over the fixture's intervals
// (in order, so state and hysteresis work as in production) and reports the per-batch latency
// distribution of the processor alone (p50-ms, p99-ms). Each batch is decoded from OTLP protobuf
// before it is timed, as the collector's receiver does: the benchmark keeps only bytes alive, so
// the garbage collector sees a collector's heap, not a heap of a hundred thousand decoded
// resources. read_once is the baseline measured in the same run: one walk over every attribute
// and data point of the same batches, the least any processor that looks at every process pays.
// Run: make bench.
func BenchmarkOptimizerChain(b *testing.B) {
	for _, times := range []int{1, 10} {
		encoded := encodeBatches(b, scaledFixture(b, times))
		rows := decodeBatch(b, encoded[0]).ResourceMetrics().Len()
		b.Run(fmt.Sprintf("rows=%d/read_once", rows), func(b *testing.B) {
			latencies(b, encoded, func(md pmetric.Metrics) error {
				readOnce(md)
				return nil
			})
		})
		b.Run(fmt.Sprintf("rows=%d/optimizer", rows), func(b *testing.B) {
			chain := profileChain(b, consumertest.NewNop())
			latencies(b, encoded, func(md pmetric.Metrics) error {
				return chain.ConsumeMetrics(context.Background(), md)
			})
		})
		// The same with guest calls that cannot be interrupted, and with wazero's way: what
		// interruptible guest calls cost (instrument.go).
		for _, mode := range []struct {
			name string
			mode interruptMode
		}{{"uninterruptible", interruptNone}, {"wazero_interrupt", interruptWazero}} {
			b.Run(fmt.Sprintf("rows=%d/optimizer_%s", rows, mode.name), func(b *testing.B) {
				old := interruption
				interruption = mode.mode
				defer func() { interruption = old }()
				chain := profileChain(b, consumertest.NewNop())
				latencies(b, encoded, func(md pmetric.Metrics) error {
					return chain.ConsumeMetrics(context.Background(), md)
				})
			})
		}
	}
}

// latencies times f on each batch in turn, decoded untimed, and reports p50-ms and p99-ms.
func latencies(b *testing.B, encoded [][]byte, f func(pmetric.Metrics) error) {
	b.ReportAllocs()
	lat := make([]float64, 0, b.N)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		md := decodeBatch(b, encoded[i%len(encoded)])
		b.StartTimer()
		start := time.Now()
		if err := f(md); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, float64(time.Since(start))/float64(time.Millisecond))
	}
	sort.Float64s(lat)
	b.ReportMetric(lat[len(lat)/2], "p50-ms")
	b.ReportMetric(lat[min(len(lat)-1, len(lat)*99/100)], "p99-ms")
}

var readSink float64

// readOnce touches every resource attribute and every number data point (value, times and
// attributes) once.
func readOnce(md pmetric.Metrics) {
	total := 0.0
	rms := md.ResourceMetrics()
	for r := 0; r < rms.Len(); r++ {
		rm := rms.At(r)
		rm.Resource().Attributes().Range(func(_ string, v pcommon.Value) bool {
			if v.Type() == pcommon.ValueTypeStr && v.Str() != "" {
				total += float64(v.Str()[0]) // the string's bytes, not only its header
			}
			return true
		})
		sms := rm.ScopeMetrics()
		for s := 0; s < sms.Len(); s++ {
			ms := sms.At(s).Metrics()
			for m := 0; m < ms.Len(); m++ {
				var dps pmetric.NumberDataPointSlice
				switch metric := ms.At(m); metric.Type() {
				case pmetric.MetricTypeSum:
					dps = metric.Sum().DataPoints()
				case pmetric.MetricTypeGauge:
					dps = metric.Gauge().DataPoints()
				default:
					continue
				}
				for p := 0; p < dps.Len(); p++ {
					dp := dps.At(p)
					total += numberValue(dp) + float64(dp.Timestamp()-dp.StartTimestamp()) + float64(dp.Attributes().Len())
				}
			}
		}
	}
	readSink = total
}

func encodeBatches(t testing.TB, batches []pmetric.Metrics) [][]byte {
	var m pmetric.ProtoMarshaler
	out := make([][]byte, len(batches))
	for i, md := range batches {
		buf, err := m.MarshalMetrics(md)
		require.NoError(t, err)
		out[i] = buf
	}
	return out
}

func decodeBatch(t testing.TB, buf []byte) pmetric.Metrics {
	var u pmetric.ProtoUnmarshaler
	md, err := u.UnmarshalMetrics(buf)
	require.NoError(t, err)
	return md
}

// BenchmarkInterrupt measures what making guest calls interruptible costs on the real optimize
// module, three ways: none (a call that never returns would freeze the process: the floor),
// wazero (WithCloseOnContextDone: a visit to Go at every loop iteration, and a goroutine per call
// watching the context) and loops (the default: the module's loops rewritten, instrument.go).
// Each batch of the synthetic host (1k and 10k processes, in order, so the module's state works as
// in production) is decided (table in, module run, decisions read) under the processor's call
// context. Run: go test -run '^$' -bench Interrupt -benchtime 50x -count 10 (docs/benchmarks.md).
func BenchmarkInterrupt(b *testing.B) {
	for _, times := range []int{1, 10} {
		batches := scaledFixture(b, times)
		rows := batches[0].ResourceMetrics().Len()
		for _, mode := range []struct {
			name string
			mode interruptMode
		}{{"none", interruptNone}, {"wazero", interruptWazero}, {"loops", interruptLoops}} {
			b.Run(fmt.Sprintf("rows=%d/interrupt=%s", rows, mode.name), func(b *testing.B) {
				old := interruption
				interruption = mode.mode
				defer func() { interruption = old }()
				cfg := createDefaultConfig().(*Config)
				cfg.Module = filepath.Join(wasmDir, "optimize.wasm")
				cfg.ModuleConfig = profileModuleConfig(b, "wasm/optimize")
				p, err := newWasmProcessor(context.Background(), processortest.NewNopSettings(component.MustNewType(typeStr)), cfg)
				require.NoError(b, err)
				defer func() { require.NoError(b, p.shutdown(context.Background())) }()
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					ctx, cancel := p.callContext()
					if _, err := p.decide(ctx, batches[i%len(batches)].ResourceMetrics()); err != nil {
						b.Fatal(err)
					}
					cancel()
				}
			})
		}
	}
}

// profileModuleConfig is the module config of processor id in the default profile.
func profileModuleConfig(b testing.TB, id string) map[string]any {
	cm, err := confmaptest.LoadConf(defaultConfig)
	require.NoError(b, err)
	sub, err := cm.Sub("processors::" + id + "::config")
	require.NoError(b, err)
	return sub.ToStringMap()
}
