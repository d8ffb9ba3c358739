package wasmprocessor

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

const scopeName = "github.com/nrdot/nrdot/collector/wasmprocessor"

// telemetry is the processor's own metrics, exported through the collector's meter (so they
// appear on the collector's internal metrics endpoint, e.g. :8888).
type telemetry struct {
	rowsIn, rowsKept, rowsDropped, rowsRolledUp metric.Int64Counter
	traps, moduleErrors                         metric.Int64Counter
	callDuration                                metric.Float64Histogram
	attrs                                       metric.MeasurementOption
}

func newTelemetry(set component.TelemetrySettings, id component.ID) (*telemetry, error) {
	meter := set.MeterProvider.Meter(scopeName)
	t := &telemetry{attrs: metric.WithAttributeSet(attribute.NewSet(attribute.String("processor", id.String())))}
	var err error
	counter := func(name, desc string) metric.Int64Counter {
		if err != nil {
			return nil
		}
		var c metric.Int64Counter
		c, err = meter.Int64Counter("otelcol_processor_wasm_"+name, metric.WithDescription(desc), metric.WithUnit("{rows}"))
		return c
	}
	t.rowsIn = counter("rows_in", "Resources (rows) handed to the WASM module.")
	t.rowsKept = counter("rows_kept", "Resources the module kept.")
	t.rowsDropped = counter("rows_dropped", "Resources the module dropped.")
	t.rowsRolledUp = counter("rows_rolled_up", "Resources the module rolled up into the other resource.")
	t.traps = counter("traps", "Calls that trapped; the batch passed through unchanged and the instance was re-created.")
	t.moduleErrors = counter("module_errors", "Calls that returned an error status or invalid decisions; the rows passed through unchanged.")
	if err != nil {
		return nil, err
	}
	t.callDuration, err = meter.Float64Histogram("otelcol_processor_wasm_call_duration",
		metric.WithDescription("Time to build the table, run the module and apply its decisions, per batch."),
		metric.WithUnit("ms"))
	return t, err
}

func (t *telemetry) record(ctx context.Context, rows int, out outcome, d time.Duration) {
	t.rowsIn.Add(ctx, int64(rows), t.attrs)
	t.rowsKept.Add(ctx, out.kept, t.attrs)
	t.rowsDropped.Add(ctx, out.dropped, t.attrs)
	t.rowsRolledUp.Add(ctx, out.rolledUp, t.attrs)
	if out.invalid > 0 {
		t.moduleErrors.Add(ctx, out.invalid, t.attrs)
	}
	t.callDuration.Record(ctx, float64(d)/float64(time.Millisecond), t.attrs)
}
