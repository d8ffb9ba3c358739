package wasmprocessor

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
)

const scriptedModule = "testdata/modules/scripted.wasm"

// Names the test modules declare (scripted.ts, like optimize and classify): the host itself knows
// none of them but nrdot.tier.
const (
	attrScore       = "nrdot.score" // what the tests configure as score_attribute
	attrRollupCount = "nrdot.rollup.count"
	otherName       = "other"
)

// testRollup is the roll-up scripted.ts declares.
const testRollup = "group host.name\nstrip process.\nstrip nrdot.\nset process.executable.name string other\n" +
	"set nrdot.rollup bool true\nset nrdot.tier string sampled\ncount nrdot.rollup.count\n"

// testApplier applies decisions as a processor over scripted.wasm with score_attribute set does.
func testApplier(t testing.TB) *applier {
	t.Helper()
	decl, err := parseRollup(testRollup)
	require.NoError(t, err)
	return &applier{rollup: decl, scoreAttr: attrScore}
}

func confmapFrom(m map[string]any) *confmap.Conf { return confmap.NewFromStringMap(m) }

var testStart = pcommon.NewTimestampFromTime(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))

// processBatch builds what the hostmetrics process scraper emits after cumulative_to_delta (as
// the generated configs run it before the wasm processor): one resource per process,
// process.cpu.time by state and disk io by direction (monotonic delta sums), memory usage and
// virtual (non-monotonic cumulative sums).
func processBatch(names ...string) pmetric.Metrics {
	md := pmetric.NewMetrics()
	now := pcommon.NewTimestampFromTime(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
	for i, name := range names {
		rm := md.ResourceMetrics().AppendEmpty()
		attrs := rm.Resource().Attributes()
		attrs.PutStr("host.name", "test-host")
		attrs.PutInt("process.pid", int64(1000+i))
		attrs.PutStr("process.executable.name", name)
		attrs.PutStr("process.command_line", "/usr/bin/"+name+" --serve")
		attrs.PutStr("process.owner", "svc")
		sm := rm.ScopeMetrics().AppendEmpty()
		sm.Scope().SetName("github.com/open-telemetry/opentelemetry-collector-contrib/receiver/hostmetricsreceiver/internal/scraper/processscraper")
		cpu := sm.Metrics().AppendEmpty()
		cpu.SetName("process.cpu.time")
		cpu.SetUnit("s")
		sum := cpu.SetEmptySum()
		sum.SetIsMonotonic(true)
		sum.SetAggregationTemporality(pmetric.AggregationTemporalityDelta)
		for j, state := range []string{"user", "system", "wait"} {
			dp := sum.DataPoints().AppendEmpty()
			dp.SetStartTimestamp(testStart + pcommon.Timestamp(i)*1e9)
			dp.SetTimestamp(now)
			dp.SetDoubleValue(float64(i+1) * float64(3-j) / 2)
			dp.Attributes().PutStr("state", state)
		}
		for _, m := range []struct {
			name string
			v    int64
		}{{"process.memory.usage", int64(1+i) << 20}, {"process.memory.virtual", int64(4+i) << 20}} {
			mem := sm.Metrics().AppendEmpty()
			mem.SetName(m.name)
			mem.SetUnit("By")
			s := mem.SetEmptySum()
			s.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
			dp := s.DataPoints().AppendEmpty()
			dp.SetStartTimestamp(testStart)
			dp.SetTimestamp(now)
			dp.SetIntValue(m.v)
		}
		io := sm.Metrics().AppendEmpty()
		io.SetName("process.disk.io")
		io.SetUnit("By")
		s := io.SetEmptySum()
		s.SetIsMonotonic(true)
		s.SetAggregationTemporality(pmetric.AggregationTemporalityDelta)
		for _, dir := range []string{"read", "write"} {
			dp := s.DataPoints().AppendEmpty()
			dp.SetStartTimestamp(testStart)
			dp.SetTimestamp(now)
			dp.SetIntValue(int64(1+i) * 4096)
			dp.Attributes().PutStr("direction", dir)
		}
	}
	return md
}

// newTestProcessor creates the processor through its factory, as the collector does.
func newTestProcessor(t testing.TB, cfg *Config, next *consumertest.MetricsSink) (processor.Metrics, error) {
	t.Helper()
	set := processortest.NewNopSettings(component.MustNewType(typeStr))
	return NewFactory().CreateMetrics(context.Background(), set, cfg, next)
}

func scriptedConfig() *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.Module = scriptedModule
	return cfg
}

// startedProcessor returns a started processor over the scripted test module, and its sink.
func startedProcessor(t testing.TB, cfg *Config, host component.Host) (processor.Metrics, *consumertest.MetricsSink) {
	t.Helper()
	sink := new(consumertest.MetricsSink)
	p, err := newTestProcessor(t, cfg, sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), host))
	t.Cleanup(func() { require.NoError(t, p.Shutdown(context.Background())) })
	return p, sink
}

// resourceByName finds the resource whose process.executable.name is name.
func resourceByName(md pmetric.Metrics, name string) (pmetric.ResourceMetrics, bool) {
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		if v, ok := rms.At(i).Resource().Attributes().Get("process.executable.name"); ok && v.Str() == name {
			return rms.At(i), true
		}
	}
	return pmetric.ResourceMetrics{}, false
}

func mustID(s string) component.ID {
	var id component.ID
	if err := id.UnmarshalText([]byte(s)); err != nil {
		panic(err)
	}
	return id
}

func numberValue(dp pmetric.NumberDataPoint) float64 {
	if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
		return float64(dp.IntValue())
	}
	return dp.DoubleValue()
}

// asScraped makes the monotonic sums of md cumulative again, as the process scraper emits them
// when nothing runs cumulative_to_delta first.
func asScraped(md pmetric.Metrics) pmetric.Metrics {
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		ms := rms.At(i).ScopeMetrics().At(0).Metrics()
		for m := 0; m < ms.Len(); m++ {
			if ms.At(m).Type() == pmetric.MetricTypeSum && ms.At(m).Sum().IsMonotonic() {
				ms.At(m).Sum().SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
			}
		}
	}
	return md
}
