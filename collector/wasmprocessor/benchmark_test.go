package wasmprocessor

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumertest"
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
