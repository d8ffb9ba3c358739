package wasmprocessor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor"
	"go.uber.org/zap"
)

// shutdownSnapshotTimeout bounds the last snapshot at shutdown, whatever call_timeout says, so
// shutdown finishes within seconds whatever the guest does.
const shutdownSnapshotTimeout = 5 * time.Second

// wasmProcessor runs one guest module over every metrics batch. A guest instance keeps state, so
// calls are serialized by mu; every call has a deadline (call_timeout), and a failed instance is
// replaced from the last snapshot. Telemetry never takes mu.
type wasmProcessor struct {
	id         component.ID
	cfg        *Config
	logger     *zap.Logger
	tel        *telemetry
	module     *wasmModule
	configJSON []byte
	cols       *columns
	apply      applier
	pressure   func() float64 // reads the heap
	// handed is the pressure of the current batch (float64 bits): read once when the batch
	// takes mu, before the processor allocates for it, and what nrdot.memory_pressure returns.
	handed atomic.Uint64
	// life is cancelled at shutdown: a call running then stops at its next loop iteration.
	life       context.Context
	stop       context.CancelFunc
	statusHost atomic.Pointer[component.Host]

	mu             sync.Mutex
	closed         bool
	lock           *stateLock // the state directory's lock for this processor, start to shutdown
	state          *stateFile // nil: snapshots in memory only
	inst           *instance  // nil after a failure until re-instantiation succeeds
	table          tableBuilder
	breaker        breaker
	lastSnapshot   []byte
	lastCheckpoint time.Time
	warned         map[string]bool // metrics already logged as kept on a rolled-up resource
}

func newWasmProcessor(ctx context.Context, set processor.Settings, cfg *Config) (*wasmProcessor, error) {
	configJSON, err := json.Marshal(orEmpty(cfg.ModuleConfig))
	if err != nil {
		return nil, fmt.Errorf("wasm processor %s: config cannot be encoded as JSON: %w", set.ID, err)
	}
	limit, source := memoryLimit(cfg.MemoryPressureLimitMiB)
	if limit == 0 {
		set.Logger.Warn("no memory limit is known, so the memory pressure handed to the module is always 0 and its degradation levels never apply; "+
			"set memory_pressure_limit_mib, or GOMEMLIMIT, or run in a cgroup with a memory limit", zap.String("module", cfg.Module))
	} else {
		set.Logger.Info("memory pressure is the Go heap relative to a limit", zap.String("module", cfg.Module),
			zap.Uint64("limit_bytes", limit), zap.String("limit_from", source))
	}
	p := &wasmProcessor{id: set.ID, cfg: cfg, logger: set.Logger, configJSON: configJSON,
		pressure: newMemoryPressure(limit),
		breaker:  breaker{threshold: cfg.CircuitBreaker.Failures, coolDown: cfg.CircuitBreaker.CoolDown}}
	p.life, p.stop = context.WithCancel(context.Background())
	p.handed.Store(math.Float64bits(p.pressure()))
	host := newHostFuncs(set.Logger, cfg.Module, p.handedPressure)
	p.tel, err = newTelemetry(set.TelemetrySettings, set.ID, p.breaker.openBit, p.handedPressure, host.gauge)
	if err != nil {
		return nil, err
	}
	mod, err := loadModule(ctx, cfg.Module, cfg.MemoryLimitMiB, host)
	if err != nil {
		p.tel.close()
		return nil, err
	}
	p.module = mod
	if mod.notInstrumented != nil {
		set.Logger.Info("calls into this module are made interruptible by wazero's WithCloseOnContextDone, which is slower",
			zap.String("module", cfg.Module), zap.NamedError("reason", mod.notInstrumented))
	}
	inst, err := p.newInstance()
	if err == nil {
		var decl declarations
		if decl, err = p.readDeclarations(inst); err != nil {
			inst.close(ctx)
			err = moduleError(cfg.Module, "%v", err)
		} else {
			p.inst, p.cols = inst, decl.cols
			p.table.cols, p.table.rollup = decl.cols, decl.rollup
			p.apply = applier{rollup: decl.rollup, scoreAttr: cfg.ScoreAttribute, unsummable: p.warnUnsummable}
		}
	}
	if err != nil {
		_ = mod.close(ctx)
		p.tel.close()
		return nil, err
	}
	return p, nil
}

func (p *wasmProcessor) handedPressure() float64 { return math.Float64frombits(p.handed.Load()) }

// callContext is the context of one call into the guest (or a few, for one batch): it ends at
// call_timeout, or at shutdown.
func (p *wasmProcessor) callContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(p.life, p.cfg.CallTimeout)
}

// declarations are what a configured module declares once: its columns and its roll-up.
type declarations struct {
	cols   *columns
	rollup *rollupDecl
}

func (p *wasmProcessor) readDeclarations(inst *instance) (declarations, error) {
	ctx, cancel := p.callContext()
	defer cancel()
	var d declarations
	text, err := inst.declaration(ctx, "nrdot_columns")
	if err == nil {
		d.cols, err = parseColumns(text)
	}
	if err != nil {
		return d, err
	}
	text, err = inst.declaration(ctx, "nrdot_rollup")
	if err == nil {
		d.rollup, err = parseRollup(text)
	}
	return d, err
}

// warnUnsummable logs, once per metric name, that a rolled-up resource was kept because of the
// metric: its points cannot be summed, and the backend sees one series per process for it.
func (p *wasmProcessor) warnUnsummable(metric string) {
	if p.warned[metric] {
		return
	}
	if p.warned == nil {
		p.warned = map[string]bool{}
	}
	p.warned[metric] = true
	p.logger.Warn("a rolled-up resource keeps a metric the roll-up cannot sum (a monotonic cumulative sum, histogram or summary); "+
		"put it through cumulative_to_delta before this processor, or drop it",
		zap.String("module", p.cfg.Module), zap.String("metric", metric))
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// newInstance instantiates and configures a fresh guest, within call_timeout.
func (p *wasmProcessor) newInstance() (*instance, error) {
	ctx, cancel := p.callContext()
	defer cancel()
	inst, err := p.module.instantiate(ctx)
	if err != nil {
		return nil, err
	}
	if err = inst.configure(ctx, p.configJSON); err != nil {
		inst.close(ctx)
		var se *statusError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("%s: the processor's `config` was refused by the module: %s", p.cfg.Module, se.message)
		}
		return nil, fmt.Errorf("%w: %s: nrdot_configure: %w", errBadModule, p.cfg.Module, err)
	}
	return inst, nil
}

func (p *wasmProcessor) start(_ context.Context, host component.Host) error {
	p.statusHost.Store(&host)
	dir := p.cfg.StateDirectory
	if p.cfg.Storage != nil {
		var err error
		if dir, err = storageDirectory(host, *p.cfg.Storage); err != nil {
			return fmt.Errorf("wasm processor %s (module %s): %w", p.id, p.cfg.Module, err)
		}
		p.logger.Warn("`storage` is deprecated: the state file is kept in the storage extension's directory, not in its database; "+
			"replace `storage` with `state_directory`", zap.String("state_directory", dir))
	}
	if dir == "" {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	// A second collector on the same directory would overwrite this one's state file: it fails
	// here, at once, naming the directory and the lock file.
	lock, err := lockStateDirectory(dir, p.id)
	switch {
	case errors.Is(err, errStateLocked):
		return fmt.Errorf("wasm processor %s (module %s): %w", p.id, p.cfg.Module, err)
	case err != nil:
		p.logger.Warn("the state directory cannot be locked; going on without the lock", zap.String("module", p.cfg.Module), zap.Error(err))
	}
	p.lock = lock
	p.state = newStateFile(dir, p.id)
	snap, err := p.state.load()
	if err != nil {
		p.tel.stateResets.Add(context.Background(), 1, p.tel.attrs)
		p.logger.Warn("the module's saved state cannot be used; starting fresh", zap.String("module", p.cfg.Module), zap.Error(err))
		return nil
	}
	if snap != nil && p.inst != nil {
		p.restore(snap)
	}
	return nil
}

// restore loads a snapshot into the current instance; a snapshot the guest refuses is logged
// and counted, and the guest starts fresh.
func (p *wasmProcessor) restore(snap []byte) {
	if len(snap) == 0 {
		return
	}
	ctx, cancel := p.callContext()
	err := p.inst.restore(ctx, snap)
	cancel()
	if err == nil {
		p.lastSnapshot = snap
		return
	}
	p.tel.stateResets.Add(context.Background(), 1, p.tel.attrs)
	p.logger.Warn("the module refused its saved state; starting fresh", zap.String("module", p.cfg.Module), zap.Error(err))
	p.lastSnapshot = nil
	p.inst.close(context.Background())
	p.inst, err = p.newInstance()
	if err != nil {
		p.logger.Error("cannot re-create the module instance; batches pass through", zap.Error(err))
	}
}

// shutdown stops a running call first (it ends at its next loop iteration), then takes a last
// snapshot within a few seconds, whatever the guest does.
func (p *wasmProcessor) shutdown(context.Context) error {
	p.stop()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	if p.inst != nil {
		ctx, cancel := context.WithTimeout(context.Background(), min(p.cfg.CallTimeout, shutdownSnapshotTimeout))
		if err := p.checkpoint(ctx); err != nil {
			p.logger.Warn("the module's last snapshot failed at shutdown; the previous one is kept", zap.String("module", p.cfg.Module), zap.Error(err))
		}
		cancel()
		if p.inst != nil {
			p.inst.close(context.Background())
			p.inst = nil
		}
	}
	p.lock.release() // after the last save
	p.lock = nil
	p.tel.close()
	return p.module.close(context.Background())
}

func (p *wasmProcessor) processMetrics(ctx context.Context, md pmetric.Metrics) (pmetric.Metrics, error) {
	rms := md.ResourceMetrics()
	rows := rms.Len()
	if rows == 0 {
		return md, nil
	}
	p.tel.rowsIn.Add(ctx, int64(rows), p.tel.attrs)
	p.mu.Lock()
	defer p.mu.Unlock()
	// Under mu, so a batch waiting for the mutex cannot change the pressure of the batch the
	// guest is deciding.
	p.handed.Store(math.Float64bits(p.pressure()))
	began := time.Now()
	if p.closed || !p.breaker.allow(began) {
		p.tel.rowsPassed.Add(ctx, int64(rows), p.tel.attrs)
		return md, nil // fail open: nothing is lost while the module is not called
	}
	if p.inst == nil {
		if err := p.recover(); err != nil {
			p.failed(ctx, err, rows)
			return md, nil
		}
	}
	cctx, cancel := p.callContext()
	records, err := p.decide(cctx, rms)
	cancel()
	if err != nil {
		p.failed(ctx, err, rows)
		return md, nil
	}
	p.table.readRolledUp(rms, records)
	out := p.apply.apply(rms, records, &p.table.read)
	p.tel.record(ctx, out, time.Since(began))
	if out.invalid > 0 {
		p.failure(ctx, fmt.Errorf("%d invalid decisions", out.invalid))
	} else {
		p.success(ctx)
	}
	if time.Since(p.lastCheckpoint) >= p.cfg.CheckpointInterval {
		cctx, cancel := p.callContext()
		if err := p.checkpoint(cctx); err != nil {
			p.logger.Warn("checkpoint failed", zap.String("module", p.cfg.Module), zap.Error(err))
		}
		cancel()
	}
	return md, nil
}

// decide builds the table in guest memory, runs nrdot_process and returns a view of the
// decisions, valid until the next call into the guest.
func (p *wasmProcessor) decide(ctx context.Context, rms pmetric.ResourceMetricsSlice) ([]byte, error) {
	size := p.table.measure(rms)
	ptr, view, err := p.inst.buffer(ctx, size)
	if err != nil {
		return nil, err
	}
	p.table.encode(view, rms.Len())
	if err = p.inst.status(ctx, "nrdot_process", ptr, uint32(size)); err != nil {
		return nil, err
	}
	return p.inst.output(ctx, uint32(rms.Len()*decisionSize))
}

// failed handles a batch the module did not process: it passes through unchanged and is counted;
// after a trap or a deadline the instance is thrown away (rebuilt from the last snapshot before
// the next call); the failure counts towards the circuit breaker.
func (p *wasmProcessor) failed(ctx context.Context, err error, rows int) {
	p.tel.rowsPassed.Add(ctx, int64(rows), p.tel.attrs)
	p.count(ctx, err)
	if errors.Is(err, errStopped) {
		return // shutting down: not the module's failure
	}
	log := p.logger.Warn
	if p.breaker.open.Load() {
		log = p.logger.Debug // the breaker said it once
	}
	switch {
	case errors.Is(err, errDeadline):
		log("wasm module passed its call_timeout; batch passed through unchanged, the instance is rebuilt",
			zap.String("module", p.cfg.Module), zap.Duration("call_timeout", p.cfg.CallTimeout), zap.Error(err))
	case errors.Is(err, errTrap):
		log("wasm module trapped; batch passed through unchanged, the instance is rebuilt from its last snapshot",
			zap.String("module", p.cfg.Module), zap.Error(err))
	default:
		log("wasm module failed the batch; batch passed through unchanged",
			zap.String("module", p.cfg.Module), zap.Error(err))
	}
	p.failure(ctx, err)
}

// count counts a failed call by its kind and throws away an instance that cannot be trusted.
func (p *wasmProcessor) count(ctx context.Context, err error) {
	switch {
	case errors.Is(err, errStopped):
		// interrupted mid-call by shutdown: not counted, but not usable either
	case errors.Is(err, errDeadline):
		p.tel.deadlines.Add(ctx, 1, p.tel.attrs)
	case errors.Is(err, errTrap):
		p.tel.traps.Add(ctx, 1, p.tel.attrs)
	default:
		p.tel.moduleErrors.Add(ctx, 1, p.tel.attrs)
		return
	}
	if p.inst != nil {
		p.inst.close(context.Background())
		p.inst = nil
	}
}

func (p *wasmProcessor) failure(ctx context.Context, err error) {
	if !p.breaker.failure(time.Now()) {
		return
	}
	p.tel.transition(ctx, true)
	p.logger.Error("circuit breaker open: the wasm module failed too many times in a row; batches pass through unchanged until it is probed again",
		zap.String("module", p.cfg.Module), zap.Int("consecutive_failures", p.breaker.failures),
		zap.Duration("cool_down", p.cfg.CircuitBreaker.CoolDown), zap.Error(err))
	p.reportStatus(componentstatus.NewRecoverableErrorEvent(
		fmt.Errorf("circuit breaker open after %d consecutive failures of %s: %w", p.breaker.failures, p.cfg.Module, err)))
}

func (p *wasmProcessor) success(ctx context.Context) {
	if !p.breaker.success() {
		return
	}
	p.tel.transition(ctx, false)
	p.logger.Info("circuit breaker closed: the wasm module processed a batch again", zap.String("module", p.cfg.Module))
	p.reportStatus(componentstatus.NewEvent(componentstatus.StatusOK))
}

func (p *wasmProcessor) reportStatus(ev *componentstatus.Event) {
	if h := p.statusHost.Load(); h != nil && *h != nil {
		componentstatus.ReportStatus(*h, ev)
	}
}

// recover re-creates the instance from the last snapshot.
func (p *wasmProcessor) recover() error {
	inst, err := p.newInstance()
	if err != nil {
		return err
	}
	p.inst = inst
	p.restore(p.lastSnapshot)
	if p.inst == nil {
		return errors.New("the instance could not be re-created after its snapshot was refused")
	}
	return nil
}

// checkpoint snapshots the guest's state into memory and, when configured, into the state file.
func (p *wasmProcessor) checkpoint(ctx context.Context) error {
	p.lastCheckpoint = time.Now()
	snap, err := p.inst.snapshot(ctx)
	if err != nil {
		p.count(ctx, err)
		return err
	}
	p.lastSnapshot = snap
	if p.state == nil {
		return nil
	}
	return p.state.save(snap)
}
