package wasmprocessor

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

const scopeName = "github.com/nrdot/nrdot/collector/wasmprocessor"

// instrument is one of the processor's own metrics; metadata.yaml lists the same (a test checks).
type instrument struct {
	name, unit, kind, description string // kind: counter, gauge_int, gauge_double, histogram
}

// instruments are the processor's telemetry. Rows are counted per row and calls per call, never
// mixed: rows_in = rows_kept + rows_dropped + rows_rolled_up + rows_passed_through.
var instruments = []instrument{
	{"rows_in", "{rows}", "counter", "Resources (rows) handed to the processor, also those that passed through unprocessed."},
	{"rows_kept", "{rows}", "counter", "Rows the module kept."},
	{"rows_dropped", "{rows}", "counter", "Rows the module dropped."},
	{"rows_rolled_up", "{rows}", "counter", "Rows the module rolled up into their group's roll-up resource."},
	{"rows_passed_through", "{rows}", "counter", "Rows that went through unprocessed: breaker open, trap, deadline, module error, invalid decision, no instance."},
	{"traps", "{calls}", "counter", "Calls into the module that trapped; the batch passed through and the instance is rebuilt."},
	{"deadlines", "{calls}", "counter", "Calls into the module stopped at call_timeout; the batch passed through and the instance is rebuilt."},
	{"module_errors", "{calls}", "counter", "Calls that returned a non-zero status or invalid decisions, or an instance that could not be rebuilt."},
	{"breaker_open", "1", "gauge_int", "1 while the circuit breaker is open (the module is not called), else 0."},
	{"breaker_transitions", "{events}", "counter", "Circuit breaker state changes; attribute state = open or closed."},
	{"memory_pressure", "1", "gauge_double", "The memory pressure handed to the module, 0 to 1 (0 when no memory limit is known)."},
	{"state_resets", "{events}", "counter", "Saved state that was unreadable, damaged or refused by the module: the module started fresh."},
	{"nonfinite_values", "{points}", "counter", "NaN or infinite values left out of a roll-up's sums."},
	{"call_duration", "ms", "histogram", "Time to build the table, run the module and apply its decisions, per batch."},
}

const metricPrefix = "otelcol_processor_wasm_"

// telemetry is the processor's own metrics, exported through the collector's meter (so they
// appear on the collector's internal metrics endpoint, e.g. :8888). Nothing here waits for the
// module: the gauges read atomics.
type telemetry struct {
	rowsIn, rowsKept, rowsDropped, rowsRolledUp, rowsPassed metric.Int64Counter
	traps, deadlines, moduleErrors                          metric.Int64Counter
	breakerTransitions, stateResets, nonfinite              metric.Int64Counter
	callDuration                                            metric.Float64Histogram
	registration                                            metric.Registration
	attrs, openAttrs, closedAttrs                           metric.MeasurementOption
}

// newTelemetry creates the instruments; breakerOpen and pressure are read when the gauges are
// collected.
func newTelemetry(set component.TelemetrySettings, id component.ID, breakerOpen func() int64, pressure func() float64) (*telemetry, error) {
	meter := set.MeterProvider.Meter(scopeName)
	proc := attribute.String("processor", id.String())
	t := &telemetry{
		attrs:       metric.WithAttributeSet(attribute.NewSet(proc)),
		openAttrs:   metric.WithAttributeSet(attribute.NewSet(proc, attribute.String("state", "open"))),
		closedAttrs: metric.WithAttributeSet(attribute.NewSet(proc, attribute.String("state", "closed"))),
	}
	counters := map[string]*metric.Int64Counter{
		"rows_in": &t.rowsIn, "rows_kept": &t.rowsKept, "rows_dropped": &t.rowsDropped, "rows_rolled_up": &t.rowsRolledUp,
		"rows_passed_through": &t.rowsPassed, "traps": &t.traps, "deadlines": &t.deadlines, "module_errors": &t.moduleErrors,
		"breaker_transitions": &t.breakerTransitions, "state_resets": &t.stateResets, "nonfinite_values": &t.nonfinite,
	}
	var openGauge metric.Int64ObservableGauge
	var pressureGauge metric.Float64ObservableGauge
	for _, in := range instruments {
		name, desc, unit := metricPrefix+in.name, metric.WithDescription(in.description), metric.WithUnit(in.unit)
		var err error
		switch in.kind {
		case "counter":
			*counters[in.name], err = meter.Int64Counter(name, desc, unit)
		case "gauge_int":
			openGauge, err = meter.Int64ObservableGauge(name, desc, unit)
		case "gauge_double":
			pressureGauge, err = meter.Float64ObservableGauge(name, desc, unit)
		case "histogram":
			t.callDuration, err = meter.Float64Histogram(name, desc, unit)
		}
		if err != nil {
			return nil, err
		}
	}
	// Every counter exists from the start at 0, so rules and `nrdot status` see a series before
	// the first event.
	for name, c := range counters {
		if name != "breaker_transitions" { // always with its state
			(*c).Add(context.Background(), 0, t.attrs)
		}
	}
	t.breakerTransitions.Add(context.Background(), 0, t.openAttrs)
	t.breakerTransitions.Add(context.Background(), 0, t.closedAttrs)
	reg, err := meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		o.ObserveInt64(openGauge, breakerOpen(), metric.WithAttributeSet(attribute.NewSet(proc)))
		o.ObserveFloat64(pressureGauge, pressure(), metric.WithAttributeSet(attribute.NewSet(proc)))
		return nil
	}, openGauge, pressureGauge)
	if err != nil {
		return nil, err
	}
	t.registration = reg
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
	if t.registration != nil {
		_ = t.registration.Unregister()
	}
}
