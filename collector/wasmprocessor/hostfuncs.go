package wasmprocessor

import (
	"context"
	"math"
	"runtime/metrics"
	"sync"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"go.uber.org/zap"
)

// Guest log levels of nrdot.log.
const (
	logDebug = 0
	logInfo  = 1
	logWarn  = 2
)

func isHostFunction(name string) bool {
	switch name {
	case "log", "now_ms", "memory_pressure":
		return true
	}
	return false
}

// hostFuncs implements the import module "nrdot" (docs/reference/abi.md, "Provided by the host").
type hostFuncs struct {
	logger *zap.Logger
	module string
	// pressure returns the memory pressure in [0, 1]; replaceable in tests.
	pressure func() float64
}

func newHostFuncs(logger *zap.Logger, module string) *hostFuncs {
	return &hostFuncs{logger: logger, module: module, pressure: newMemoryPressure(time.Second)}
}

func (h *hostFuncs) instantiate(ctx context.Context, rt wazero.Runtime) (api.Module, error) {
	i32, f64 := api.ValueTypeI32, api.ValueTypeF64
	return rt.NewHostModuleBuilder(hostModuleName).
		// log(i32 level, i32 ptr, i32 len)
		NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(h.log), []api.ValueType{i32, i32, i32}, nil).Export("log").
		// now_ms() -> f64
		NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(h.nowMs), nil, []api.ValueType{f64}).Export("now_ms").
		// memory_pressure() -> f64
		NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(h.memoryPressure), nil, []api.ValueType{f64}).Export("memory_pressure").
		Instantiate(ctx)
}

func (h *hostFuncs) log(_ context.Context, mod api.Module, stack []uint64) {
	level, ptr, n := api.DecodeI32(stack[0]), api.DecodeU32(stack[1]), api.DecodeU32(stack[2])
	msg, ok := mod.Memory().Read(ptr, n)
	if !ok {
		return // a bad pointer is the guest's bug; never panic the collector for it
	}
	fields := []zap.Field{zap.String("module", h.module), zap.String("message", string(msg))}
	switch level {
	case logDebug:
		h.logger.Debug("wasm guest", fields...)
	case logInfo:
		h.logger.Info("wasm guest", fields...)
	case logWarn:
		h.logger.Warn("wasm guest", fields...)
	default:
		h.logger.Error("wasm guest", fields...)
	}
}

func (h *hostFuncs) nowMs(_ context.Context, _ api.Module, stack []uint64) {
	stack[0] = api.EncodeF64(float64(time.Now().UnixNano()) / 1e6)
}

func (h *hostFuncs) memoryPressure(_ context.Context, _ api.Module, stack []uint64) {
	stack[0] = api.EncodeF64(h.pressure())
}

// newMemoryPressure reports the Go heap in use as a fraction of the process's soft memory limit
// (GOMEMLIMIT, which the memory_limiter's limit is normally paired with), or 0 with no limit.
// Readings are cached for ttl because guests may ask once per batch.
func newMemoryPressure(ttl time.Duration) func() float64 {
	var (
		mu      sync.Mutex
		next    time.Time
		cached  float64
		samples = []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/gomemlimit:bytes"}}
	)
	return func() float64 {
		mu.Lock()
		defer mu.Unlock()
		if now := time.Now(); now.After(next) {
			next = now.Add(ttl)
			metrics.Read(samples)
			p := 0.0
			if samples[0].Value.Kind() == metrics.KindUint64 && samples[1].Value.Kind() == metrics.KindUint64 {
				live, limit := samples[0].Value.Uint64(), samples[1].Value.Uint64()
				if limit > 0 && limit < math.MaxInt64 {
					p = math.Min(1, float64(live)/float64(limit))
				}
			}
			cached = p
		}
		return cached
	}
}
