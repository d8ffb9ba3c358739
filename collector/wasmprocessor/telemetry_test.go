package wasmprocessor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// counter returns the value of an int64 sum the processor exported through the collector's meter.
func counter(t *testing.T, tel *componenttest.Telemetry, name string) int64 {
	t.Helper()
	m, err := tel.GetMetric(name)
	require.NoError(t, err, name)
	total := int64(0)
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		total += dp.Value
	}
	return total
}

func TestTelemetryCountsRowsAndTraps(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	set := processortest.NewNopSettings(component.MustNewType(typeStr))
	set.TelemetrySettings = tel.NewTelemetrySettings()
	p, err := NewFactory().CreateMetrics(context.Background(), set, scriptedConfig(), new(consumertest.MetricsSink))
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(t, p.Shutdown(context.Background())) }()

	ctx := context.Background()
	require.NoError(t, p.ConsumeMetrics(ctx, processBatch("keep", "drop-x", "roll-a", "roll-b", "bad-row")))
	require.NoError(t, p.ConsumeMetrics(ctx, processBatch("trap-now")))

	assert.Equal(t, int64(5), counter(t, tel, "otelcol_processor_wasm_rows_in"))
	assert.Equal(t, int64(1), counter(t, tel, "otelcol_processor_wasm_rows_kept"))
	assert.Equal(t, int64(1), counter(t, tel, "otelcol_processor_wasm_rows_dropped"))
	assert.Equal(t, int64(2), counter(t, tel, "otelcol_processor_wasm_rows_rolled_up"))
	assert.Equal(t, int64(1), counter(t, tel, "otelcol_processor_wasm_module_errors"), "the invalid decision")
	assert.Equal(t, int64(1), counter(t, tel, "otelcol_processor_wasm_traps"))
	_, err = tel.GetMetric("otelcol_processor_wasm_call_duration")
	assert.NoError(t, err)
}
