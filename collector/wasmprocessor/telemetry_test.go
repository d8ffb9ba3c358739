package wasmprocessor

import (
	"context"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.yaml.in/yaml/v3"
)

// sumOf adds up the points of an int64 sum.
func sumOf(m metricdata.Metrics) int64 {
	total := int64(0)
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		total += dp.Value
	}
	return total
}

// counter returns the value of an int64 sum the processor exported through the collector's meter
// (0 when nothing was counted yet).
func counter(t *testing.T, tel *componenttest.Telemetry, name string) int64 {
	t.Helper()
	m, err := tel.GetMetric(metricPrefix + name)
	if err != nil {
		return 0
	}
	return sumOf(m)
}

// telemetryProcessor is a started processor whose telemetry the test reads.
func telemetryProcessor(t *testing.T, cfg *Config) (processor.Metrics, *componenttest.Telemetry, *consumertest.MetricsSink) {
	t.Helper()
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	set := processortest.NewNopSettings(component.MustNewType(typeStr))
	set.TelemetrySettings = tel.NewTelemetrySettings()
	sink := new(consumertest.MetricsSink)
	p, err := NewFactory().CreateMetrics(context.Background(), set, cfg, sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, p.Shutdown(context.Background())) })
	return p, tel, sink
}

func TestTelemetryCountsRowsAndCalls(t *testing.T) {
	p, tel, _ := telemetryProcessor(t, scriptedConfig())
	ctx := context.Background()
	for _, name := range metadataMetrics(t) {
		_, err := tel.GetMetric(name)
		assert.NoError(t, err, "%s exists from the start", name)
	}
	require.NoError(t, p.ConsumeMetrics(ctx, processBatch("keep", "drop-x", "roll-a", "roll-b", "bad-row")))
	require.NoError(t, p.ConsumeMetrics(ctx, processBatch("trap-now", "keep")))
	require.NoError(t, p.ConsumeMetrics(ctx, processBatch("status-fail", "keep", "keep")))

	assert.Equal(t, int64(10), counter(t, tel, "rows_in"), "every row handed to the processor")
	assert.Equal(t, int64(1), counter(t, tel, "rows_kept"))
	assert.Equal(t, int64(1), counter(t, tel, "rows_dropped"))
	assert.Equal(t, int64(2), counter(t, tel, "rows_rolled_up"))
	assert.Equal(t, int64(1+2+3), counter(t, tel, "rows_passed_through"), "the invalid decision's row, the trapped batch, the failed batch")
	assert.Equal(t, counter(t, tel, "rows_in"), counter(t, tel, "rows_kept")+counter(t, tel, "rows_dropped")+
		counter(t, tel, "rows_rolled_up")+counter(t, tel, "rows_passed_through"), "rows add up")
	assert.Equal(t, int64(2), counter(t, tel, "module_errors"), "calls: the invalid decision's batch and the error status")
	assert.Equal(t, int64(1), counter(t, tel, "traps"))
	_, err := tel.GetMetric(metricPrefix + "call_duration")
	assert.NoError(t, err)
	for _, gauge := range []string{"breaker_open", "memory_pressure"} {
		_, err := tel.GetMetric(metricPrefix + gauge)
		assert.NoError(t, err, gauge)
	}
}

// metadataMetrics are the names of the processor's metrics that metadata.yaml lists (counters and
// gauges: a histogram appears with its first batch, a gauge the guest reports with its first
// report).
func metadataMetrics(t *testing.T) []string {
	b, err := os.ReadFile("metadata.yaml")
	require.NoError(t, err)
	var raw map[string]any
	require.NoError(t, yaml.Unmarshal(b, &raw))
	sub, err := confmap.NewFromStringMap(raw).Sub("telemetry::metrics")
	require.NoError(t, err)
	var names []string
	for name, v := range sub.ToStringMap() {
		if v.(map[string]any)["histogram"] == nil && !slices.Contains(guestGauges, strings.TrimPrefix(name, "processor_wasm_")) {
			names = append(names, "otelcol_"+name)
		}
	}
	sort.Strings(names)
	require.Len(t, names, 13)
	return names
}
