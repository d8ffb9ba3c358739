package wasmprocessor

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"

	"github.com/nrdot/nrdot/collector/wasmprocessor/internal/metadata"
	"go.opentelemetry.io/otel/metric"
)

const metricPrefix = "otelcol_processor_wasm_"

// telemetry is the processor's own metrics (metadata.yaml, generated into internal/metadata by
// mdatagen), exported through the collector's meter (so they appear on the collector's internal
// metrics endpoint, e.g. :8888), every one with attribute processor = the component ID. Nothing
// here waits for the module: the gauges read atomics.
type telemetry struct {
	rowsIn, rowsKept, rowsDropped, rowsRolledUp, rowsPassed metric.Int64Counter
	traps, deadlines, moduleErrors                          metric.Int64Counter
	breakerTransitions, stateResets, nonfinite              metric.Int64Counter
	callDuration                                            metric.Float64Histogram
	builder                                                 *metadata.TelemetryBuilder
	attrs, openAttrs, closedAttrs                           metric.MeasurementOption
}

// newTelemetry creates the instruments; breakerOpen, pressure and guest (the gauges the module
// reports, by name: value and whether it has reported one) are read when the gauges are
// collected.
func newTelemetry(set component.TelemetrySettings, id component.ID, breakerOpen func() int64, pressure func() float64,
	guest func(name string) (float64, bool)) (*telemetry, error) {
	b, err := metadata.NewTelemetryBuilder(set)
	if err != nil {
		return nil, err
	}
	proc := attribute.String("processor", id.String())
	procSet := attribute.NewSet(proc)
	t := &telemetry{
		builder:     b,
		attrs:       metric.WithAttributeSet(procSet),
		openAttrs:   metric.WithAttributeSet(attribute.NewSet(proc, attribute.String("state", "open"))),
		closedAttrs: metric.WithAttributeSet(attribute.NewSet(proc, attribute.String("state", "closed"))),
		rowsIn:      b.ProcessorWasmRowsIn, rowsKept: b.ProcessorWasmRowsKept, rowsDropped: b.ProcessorWasmRowsDropped,
		rowsRolledUp: b.ProcessorWasmRowsRolledUp, rowsPassed: b.ProcessorWasmRowsPassedThrough,
		traps: b.ProcessorWasmTraps, deadlines: b.ProcessorWasmDeadlines, moduleErrors: b.ProcessorWasmModuleErrors,
		breakerTransitions: b.ProcessorWasmBreakerTransitions, stateResets: b.ProcessorWasmStateResets,
		nonfinite: b.ProcessorWasmNonfiniteValues, callDuration: b.ProcessorWasmCallDuration,
	}
	// Every counter exists from the start at 0, so rules and `nrdot status` see a series before
	// the first event.
	for _, c := range []metric.Int64Counter{t.rowsIn, t.rowsKept, t.rowsDropped, t.rowsRolledUp, t.rowsPassed,
		t.traps, t.deadlines, t.moduleErrors, t.stateResets, t.nonfinite} {
		c.Add(context.Background(), 0, t.attrs)
	}
	t.breakerTransitions.Add(context.Background(), 0, t.openAttrs) // always with its state
	t.breakerTransitions.Add(context.Background(), 0, t.closedAttrs)
	err = b.RegisterProcessorWasmBreakerOpenCallback(func(_ context.Context, o metric.Int64Observer) error {
		o.Observe(breakerOpen(), metric.WithAttributeSet(procSet))
		return nil
	})
	if err == nil {
		err = b.RegisterProcessorWasmMemoryPressureCallback(func(_ context.Context, o metric.Float64Observer) error {
			o.Observe(pressure(), metric.WithAttributeSet(procSet))
			return nil
		})
	}
	if err == nil {
		// Observed once the module has reported it: a module that does not report a level
		// (classify) shows none rather than a made-up 0.
		err = b.RegisterProcessorWasmDegradationLevelCallback(func(_ context.Context, o metric.Float64Observer) error {
			if v, ok := guest(gaugeDegradationLevel); ok {
				o.Observe(v, metric.WithAttributeSet(procSet))
			}
			return nil
		})
	}
	if err != nil {
		b.Shutdown()
		return nil, err
	}
	return t, nil
}

func (t *telemetry) add(ctx context.Context, c metric.Int64Counter, n int64) {
	if n != 0 {
		c.Add(ctx, n, t.attrs)
	}
}

// record counts what the module decided for a batch it processed.
func (t *telemetry) record(ctx context.Context, out outcome, d time.Duration) {
	t.add(ctx, t.rowsKept, out.kept)
	t.add(ctx, t.rowsDropped, out.dropped)
	t.add(ctx, t.rowsRolledUp, out.rolledUp)
	t.add(ctx, t.rowsPassed, out.invalid)
	t.add(ctx, t.nonfinite, out.nonfinite)
	if out.invalid > 0 {
		t.moduleErrors.Add(ctx, 1, t.attrs)
	}
	t.callDuration.Record(ctx, float64(d)/float64(time.Millisecond), t.attrs)
}

func (t *telemetry) transition(ctx context.Context, open bool) {
	if open {
		t.breakerTransitions.Add(ctx, 1, t.openAttrs)
	} else {
		t.breakerTransitions.Add(ctx, 1, t.closedAttrs)
	}
}

func (t *telemetry) close() {
	t.builder.Shutdown()
}
