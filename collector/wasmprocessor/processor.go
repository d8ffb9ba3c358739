package wasmprocessor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor"
	"go.uber.org/zap"
)

// wasmProcessor runs one guest module over every metrics batch. A guest instance keeps state, so
// calls are serialized by mu; a trapped instance is replaced from the last snapshot.
type wasmProcessor struct {
	id         component.ID
	cfg        *Config
	logger     *zap.Logger
	tel        *telemetry
	module     *wasmModule
	configJSON []byte
	cols       *columns
	apply      applier
	state      *stateStore
	warned     map[string]bool // metrics already logged as kept on a rolled-up resource

	mu             sync.Mutex
	inst           *instance // nil after a trap until re-instantiation succeeds
	table          tableBuilder
	lastSnapshot   []byte
	lastCheckpoint time.Time
}

func newWasmProcessor(ctx context.Context, set processor.Settings, cfg *Config) (*wasmProcessor, error) {
	configJSON, err := json.Marshal(orEmpty(cfg.ModuleConfig))
	if err != nil {
		return nil, fmt.Errorf("wasm processor %s: config cannot be encoded as JSON: %w", set.ID, err)
	}
	tel, err := newTelemetry(set.TelemetrySettings, set.ID)
	if err != nil {
		return nil, err
	}
	host := newHostFuncs(set.Logger, cfg.Module)
	mod, err := loadModule(ctx, cfg.Module, cfg.MemoryLimitMiB, host)
	if err != nil {
		return nil, err
	}
	p := &wasmProcessor{id: set.ID, cfg: cfg, logger: set.Logger, tel: tel, module: mod, configJSON: configJSON}
	inst, err := p.newInstance(ctx)
	if err != nil {
		_ = mod.close(ctx)
		return nil, err
	}
	decl, err := readDeclarations(ctx, inst)
	if err != nil {
		inst.close(ctx)
		_ = mod.close(ctx)
		return nil, moduleError(cfg.Module, "%v", err)
	}
	p.inst = inst
	p.cols = decl.cols
	p.table.cols, p.table.rollup = decl.cols, decl.rollup
	p.apply = applier{rollup: decl.rollup, scoreAttr: cfg.ScoreAttribute, unsummable: p.warnUnsummable}
	return p, nil
}

// declarations are what a configured module declares once: its columns and its roll-up.
type declarations struct {
	cols   *columns
	rollup *rollupDecl
}

func readDeclarations(ctx context.Context, inst *instance) (declarations, error) {
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

// newInstance instantiates and configures a fresh guest.
func (p *wasmProcessor) newInstance(ctx context.Context) (*instance, error) {
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
		return nil, moduleError(p.cfg.Module, "%v", err)
	}
	return inst, nil
}

func (p *wasmProcessor) start(ctx context.Context, host component.Host) error {
	if p.cfg.Storage == nil {
		return nil
	}
	store, err := openStateStore(ctx, host, *p.cfg.Storage, p.id, p.module.path)
	if err != nil {
		return err
	}
	p.state = store
	snap, err := store.load(ctx)
	if err != nil {
		p.logger.Warn("cannot read the module's saved state; starting fresh", zap.Error(err))
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.restore(ctx, snap)
	return nil
}

// restore loads a snapshot into the current instance; a snapshot the guest refuses is logged
// and the guest starts fresh.
func (p *wasmProcessor) restore(ctx context.Context, snap []byte) {
	if len(snap) == 0 {
		return
	}
	err := p.inst.restore(ctx, snap)
	if err == nil {
		p.lastSnapshot = snap
		return
	}
	p.logger.Warn("the module refused its saved state; starting fresh", zap.String("module", p.cfg.Module), zap.Error(err))
	p.inst.close(ctx)
	p.inst, err = p.newInstance(ctx)
	if err != nil {
		p.logger.Error("cannot re-create the module instance; batches pass through", zap.Error(err))
	}
}

func (p *wasmProcessor) shutdown(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var errs []error
	if p.inst != nil {
		errs = append(errs, p.checkpoint(ctx))
		p.inst.close(ctx)
		p.inst = nil
	}
	if p.state != nil {
		errs = append(errs, p.state.close(ctx))
	}
	errs = append(errs, p.module.close(ctx))
	return errors.Join(errs...)
}

func (p *wasmProcessor) processMetrics(ctx context.Context, md pmetric.Metrics) (pmetric.Metrics, error) {
	rms := md.ResourceMetrics()
	if rms.Len() == 0 {
		return md, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.inst == nil && !p.recover(ctx) {
		p.tel.moduleErrors.Add(ctx, int64(rms.Len()), p.tel.attrs)
		return md, nil // fail open: nothing is lost while the module is unavailable
	}
	began, rows := time.Now(), rms.Len()
	records, err := p.decide(ctx, rms)
	if err != nil {
		p.failOpen(ctx, err, rows)
		return md, nil
	}
	p.table.readRolledUp(rms, records)
	out := p.apply.apply(rms, records, &p.table.read)
	p.tel.record(ctx, rows, out, time.Since(began))
	if time.Since(p.lastCheckpoint) >= p.cfg.CheckpointInterval {
		if err := p.checkpoint(ctx); err != nil {
			p.logger.Warn("checkpoint failed", zap.Error(err))
		}
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

// failOpen handles a failed call: the batch passes through unchanged; after a trap the instance
// is replaced from the last snapshot.
func (p *wasmProcessor) failOpen(ctx context.Context, err error, rows int) {
	if !errors.Is(err, errTrap) {
		p.tel.moduleErrors.Add(ctx, int64(rows), p.tel.attrs)
		p.logger.Warn("wasm module returned an error; batch passed through unchanged",
			zap.String("module", p.cfg.Module), zap.Error(err))
		return
	}
	p.tel.traps.Add(ctx, 1, p.tel.attrs)
	p.logger.Error("wasm module trapped; batch passed through unchanged, re-creating the instance from its last snapshot",
		zap.String("module", p.cfg.Module), zap.Error(err))
	p.inst.close(ctx)
	p.inst = nil
	p.recover(ctx)
}

// recover re-creates the instance from the last snapshot; it reports whether one is ready.
func (p *wasmProcessor) recover(ctx context.Context) bool {
	inst, err := p.newInstance(ctx)
	if err != nil {
		p.logger.Error("cannot re-create the wasm instance; batches pass through", zap.Error(err))
		return false
	}
	p.inst = inst
	p.restore(ctx, p.lastSnapshot)
	return p.inst != nil
}

// checkpoint snapshots the guest's state into memory and, when configured, into storage.
func (p *wasmProcessor) checkpoint(ctx context.Context) error {
	p.lastCheckpoint = time.Now()
	snap, err := p.inst.snapshot(ctx)
	if err != nil {
		if errors.Is(err, errTrap) {
			p.failOpen(ctx, err, 0)
		}
		return err
	}
	p.lastSnapshot = snap
	if p.state == nil {
		return nil
	}
	return p.state.save(ctx, snap)
}
