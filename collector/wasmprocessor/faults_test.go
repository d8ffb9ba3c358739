package wasmprocessor

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// faultProcessor is a started processor over the scripted module with its telemetry, logs and the
// component statuses it reported.
type faultProcessor struct {
	processor.Metrics
	tel    *componenttest.Telemetry
	logs   *observer.ObservedLogs
	sink   *consumertest.MetricsSink
	host   *statusHost
	closed bool
}

// statusHost records the component status events reported to it, as the collector's host does.
type statusHost struct {
	component.Host
	mu     sync.Mutex
	events []componentstatus.Status
}

func (h *statusHost) Report(ev *componentstatus.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, ev.Status())
}

func (h *statusHost) statuses() []componentstatus.Status {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]componentstatus.Status(nil), h.events...)
}

func newFaultProcessor(t *testing.T, cfg *Config) *faultProcessor {
	t.Helper()
	f := &faultProcessor{tel: componenttest.NewTelemetry(), sink: new(consumertest.MetricsSink),
		host: &statusHost{Host: componenttest.NewNopHost()}}
	t.Cleanup(func() { require.NoError(t, f.tel.Shutdown(context.Background())) })
	core, logs := observer.New(zap.DebugLevel)
	f.logs = logs
	set := processortest.NewNopSettings(component.MustNewType(typeStr))
	set.TelemetrySettings = f.tel.NewTelemetrySettings()
	set.Logger = zap.New(core)
	p, err := NewFactory().CreateMetrics(context.Background(), set, cfg, f.sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), f.host))
	f.Metrics = p
	t.Cleanup(func() {
		if !f.closed {
			require.NoError(t, p.Shutdown(context.Background()))
		}
	})
	return f
}

func (f *faultProcessor) counter(t *testing.T, name string) int64 { return counter(t, f.tel, name) }

// gauge reads an int gauge of the processor's telemetry.
func (f *faultProcessor) gauge(t *testing.T, name string) int64 {
	t.Helper()
	m, err := f.tel.GetMetric(metricPrefix + name)
	require.NoError(t, err)
	return m.Data.(metricdata.Gauge[int64]).DataPoints[0].Value
}

// consumeUnchanged sends md and checks it comes out unchanged.
func (f *faultProcessor) consumeUnchanged(t *testing.T, md pmetric.Metrics) {
	t.Helper()
	want := pmetric.NewMetrics()
	md.CopyTo(want)
	require.NoError(t, f.ConsumeMetrics(context.Background(), md))
	all := f.sink.AllMetrics()
	assert.Equal(t, want, all[len(all)-1], "the batch passed through unchanged")
}

// lastCount runs a "count" row and returns how many batches the guest says it has seen.
func (f *faultProcessor) lastCount(t *testing.T) float64 {
	t.Helper()
	require.NoError(t, f.ConsumeMetrics(context.Background(), processBatch("count")))
	all := f.sink.AllMetrics()
	rm, ok := resourceByName(all[len(all)-1], "count")
	require.True(t, ok)
	v, ok := rm.Resource().Attributes().Get(attrScore)
	require.True(t, ok, "the count row was processed")
	return v.Double()
}

func withScore(cfg *Config) *Config {
	cfg.ScoreAttribute = attrScore
	return cfg
}

// TestSpinningGuestIsStoppedAtItsDeadline: a guest whose nrdot_process never returns. The batch
// passes through once call_timeout has passed, a deadline is counted, the instance is rebuilt; and
// while the guest spins, telemetry can be read and the garbage collector can stop the world (a
// guest that cannot be interrupted blocks every stop-the-world, which froze the whole collector
// at the next GC).
func TestSpinningGuestIsStoppedAtItsDeadline(t *testing.T) {
	cfg := withScore(scriptedConfig())
	cfg.CallTimeout = 2 * time.Second
	f := newFaultProcessor(t, cfg)
	require.Equal(t, 1.0, f.lastCount(t))

	done := make(chan time.Duration)
	go func() {
		began := time.Now()
		f.consumeUnchanged(t, processBatch("keep", "spin-forever"))
		done <- time.Since(began)
	}()
	time.Sleep(200 * time.Millisecond) // the guest is spinning now
	meanwhile := make(chan struct{})
	go func() {
		runtime.GC() // stops the world, as the collector's runtime metrics on :8888 may
		_, _ = f.tel.GetMetric(metricPrefix + "rows_in")
		_ = f.gauge(t, "breaker_open")
		close(meanwhile)
	}()
	select {
	case <-meanwhile:
	case <-done:
		t.Fatal("the spinning batch returned before the test could look at telemetry while it ran")
	case <-time.After(time.Second):
		t.Fatal("telemetry and the garbage collector are blocked behind the running guest")
	}
	select {
	case took := <-done:
		assert.GreaterOrEqual(t, took, cfg.CallTimeout)
		assert.Less(t, took, cfg.CallTimeout+time.Second, "the batch passes through at its deadline")
	case <-time.After(10 * time.Second):
		t.Fatal("the spinning guest was not stopped at its deadline")
	}
	assert.Equal(t, int64(1), f.counter(t, "deadlines"))
	assert.Equal(t, int64(2), f.counter(t, "rows_passed_through"))
	assert.Equal(t, int64(0), f.counter(t, "traps"))
	assert.Equal(t, 2.0, f.lastCount(t), "the instance was rebuilt from its last snapshot (1 batch seen)")
}

// TestShutdownIsBoundedWhateverTheGuestDoes: shutdown while a batch spins, and with a guest whose
// snapshot (taken at shutdown) spins or traps or fails, returns within seconds and without panic.
func TestShutdownIsBoundedWhateverTheGuestDoes(t *testing.T) {
	t.Run("batch spinning", func(t *testing.T) {
		cfg := scriptedConfig()
		cfg.CallTimeout = time.Minute
		f := newFaultProcessor(t, cfg)
		done := make(chan struct{})
		go func() {
			f.consumeUnchanged(t, processBatch("spin"))
			close(done)
		}()
		time.Sleep(200 * time.Millisecond)
		began := time.Now()
		require.NoError(t, f.Shutdown(context.Background()))
		f.closed = true
		assert.Less(t, time.Since(began), 10*time.Second)
		<-done
		assert.Zero(t, f.counter(t, "deadlines"), "stopped by shutdown, not by its deadline")
	})
	for _, mode := range []string{"spin_snapshot", "snapshot_traps", "snapshot_fails"} {
		t.Run(mode, func(t *testing.T) {
			cfg := scriptedConfig()
			cfg.CallTimeout = time.Minute
			cfg.ModuleConfig = map[string]any{mode: true}
			f := newFaultProcessor(t, cfg)
			began := time.Now()
			require.NoError(t, f.Shutdown(context.Background()))
			f.closed = true
			assert.Less(t, time.Since(began), 10*time.Second)
			assert.Len(t, f.logs.FilterMessageSnippet("last snapshot failed at shutdown").All(), 1)
			require.NoError(t, f.ConsumeMetrics(context.Background(), processBatch("keep")), "a batch after shutdown passes through")
		})
	}
}

// TestCircuitBreaker: after `failures` consecutive failures the module is not called for the
// cool-down (batches pass through), which is logged once, counted, and reported as a recoverable
// error; a failed probe keeps it open without another log; a good probe closes it.
func TestCircuitBreaker(t *testing.T) {
	cfg := scriptedConfig()
	cfg.CircuitBreaker = BreakerConfig{Failures: 3, CoolDown: time.Second}
	f := newFaultProcessor(t, cfg)
	opened := func() int { return len(f.logs.FilterMessageSnippet("circuit breaker open").All()) }
	closed := func() int { return len(f.logs.FilterMessageSnippet("circuit breaker closed").All()) }

	f.consumeUnchanged(t, processBatch("trap-a"))
	f.consumeUnchanged(t, processBatch("status-b")) // failures of any kind add up
	assert.Zero(t, f.gauge(t, "breaker_open"))
	f.consumeUnchanged(t, processBatch("trap-c"))
	assert.Equal(t, int64(1), f.gauge(t, "breaker_open"))
	assert.Equal(t, 1, opened())
	assert.Equal(t, []componentstatus.Status{componentstatus.StatusRecoverableError}, f.host.statuses())

	for range 5 {
		f.consumeUnchanged(t, processBatch("keep", "trap-d")) // not called while open
	}
	assert.Equal(t, int64(2), f.counter(t, "traps"), "the module was not called while open")
	assert.Equal(t, int64(3+5*2), f.counter(t, "rows_passed_through"))
	assert.Equal(t, 1, opened(), "logged once")
	logsWhileOpen := len(f.logs.FilterLevelExact(zap.WarnLevel).All()) + len(f.logs.FilterLevelExact(zap.ErrorLevel).All())

	time.Sleep(cfg.CircuitBreaker.CoolDown)
	f.consumeUnchanged(t, processBatch("trap-probe")) // the probe fails: open for another cool-down
	assert.Equal(t, int64(3), f.counter(t, "traps"))
	assert.Equal(t, int64(1), f.gauge(t, "breaker_open"))
	assert.Equal(t, 1, opened())
	assert.Equal(t, logsWhileOpen, len(f.logs.FilterLevelExact(zap.WarnLevel).All())+len(f.logs.FilterLevelExact(zap.ErrorLevel).All()),
		"a failed probe logs nothing above debug")
	f.consumeUnchanged(t, processBatch("keep"))

	time.Sleep(cfg.CircuitBreaker.CoolDown)
	require.NoError(t, f.ConsumeMetrics(context.Background(), processBatch("keep")))
	assert.Equal(t, int64(0), f.gauge(t, "breaker_open"))
	assert.Equal(t, 1, closed())
	assert.Equal(t, []componentstatus.Status{componentstatus.StatusRecoverableError, componentstatus.StatusOK}, f.host.statuses())
	m, err := f.tel.GetMetric(metricPrefix + "breaker_transitions")
	require.NoError(t, err)
	byState := map[string]int64{}
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		s, _ := dp.Attributes.Value("state")
		byState[s.AsString()] += dp.Value
	}
	assert.Equal(t, map[string]int64{"open": 1, "closed": 1}, byState)
}

// TestGuestErrorPaths are the failures the TS host's tests cover, in the Go host.
func TestGuestErrorPaths(t *testing.T) {
	t.Run("non-zero status from nrdot_process", func(t *testing.T) {
		f := newFaultProcessor(t, withScore(scriptedConfig()))
		f.consumeUnchanged(t, processBatch("keep", "status-x"))
		assert.Equal(t, int64(1), f.counter(t, "module_errors"))
		assert.Zero(t, f.counter(t, "traps"))
		require.Len(t, f.logs.FilterMessageSnippet("failed the batch").All(), 1)
		assert.Contains(t, f.logs.FilterMessageSnippet("failed the batch").All()[0].ContextMap()["error"], "told to fail the batch")
		assert.Equal(t, 2.0, f.lastCount(t), "the instance is kept (it counted the failed batch)")
	})
	for _, tt := range []struct{ name, row, want string }{
		{"nrdot_buffer returns 0", "bufzero", "could not allocate"},
		{"nrdot_buffer returns an address outside memory", "bufout", "outside memory"},
		{"output outside memory", "outbad", "outside memory"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFaultProcessor(t, withScore(scriptedConfig()))
			require.Equal(t, 1.0, f.lastCount(t))
			if tt.row == "outbad" {
				f.consumeUnchanged(t, processBatch("keep", tt.row))
			} else {
				require.NoError(t, f.ConsumeMetrics(context.Background(), processBatch(tt.row))) // arms the next buffer
				f.consumeUnchanged(t, processBatch("keep"))
			}
			assert.Equal(t, int64(1), f.counter(t, "traps"))
			trapped := f.logs.FilterMessageSnippet("trapped").All()
			require.Len(t, trapped, 1)
			assert.Contains(t, trapped[0].ContextMap()["error"], tt.want)
			assert.Greater(t, f.lastCount(t), 1.0, "a rebuilt instance processes the next batch")
		})
	}
	t.Run("bad log pointer", func(t *testing.T) {
		f := newFaultProcessor(t, scriptedConfig())
		require.NoError(t, f.ConsumeMetrics(context.Background(), processBatch("logbad", "keep")))
		out := f.sink.AllMetrics()[0]
		_, ok := resourceByName(out, "logbad")
		assert.True(t, ok, "processed")
		assert.Zero(t, f.counter(t, "traps")+f.counter(t, "module_errors"))
		assert.Len(t, f.logs.FilterMessage("wasm guest").All(), 1, "only the good log line")
	})
}
