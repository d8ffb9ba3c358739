package wasmprocessor

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
	case "log", "now_ms", "memory_pressure", "report_gauge":
		return true
	}
	return false
}

// guestGauges are the names a module may report with nrdot.report_gauge (abi.md): each is an
// instrument of its own, otelcol_processor_wasm_<name>, declared in metadata.yaml. The host gives
// the values no meaning; a fixed list keeps what a module can add to the collector's telemetry
// bounded. Other names are ignored (logged once each).
var guestGauges = []string{gaugeDegradationLevel}

const gaugeDegradationLevel = "degradation_level"

// maxUnknownGauges bounds the names remembered for the once-per-name log.
const maxUnknownGauges = 16

// hostFuncs implements the import module "nrdot" (docs/reference/abi.md, "Provided by the host").
type hostFuncs struct {
	logger *zap.Logger
	module string
	// pressure returns the memory pressure in [0, 1]; replaceable in tests.
	pressure func() float64
	// gauges holds the last value the module reported (float64 bits), by the index of its name
	// in guestGauges; NaN, which a report never stores, until the first report. One atomic word
	// each, so telemetry reads a value and whether there is one without waiting for the module.
	gauges  []atomic.Uint64
	mu      sync.Mutex
	unknown map[string]bool // names reported that guestGauges does not have, already logged
}

func newHostFuncs(logger *zap.Logger, module string, pressure func() float64) *hostFuncs {
	h := &hostFuncs{logger: logger, module: module, pressure: pressure, gauges: make([]atomic.Uint64, len(guestGauges))}
	for i := range h.gauges {
		h.gauges[i].Store(math.Float64bits(math.NaN()))
	}
	return h
}

// gauge returns the last value reported for name, and whether one was.
func (h *hostFuncs) gauge(name string) (float64, bool) {
	for i, n := range guestGauges {
		if n == name {
			v := math.Float64frombits(h.gauges[i].Load())
			return v, !math.IsNaN(v)
		}
	}
	return 0, false
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
		// report_gauge(i32 name_ptr, i32 name_len, f64 value)
		NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(h.reportGauge), []api.ValueType{i32, i32, f64}, nil).Export("report_gauge").
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

// reportGauge sets the gauge the name stands for to value. A bad pointer, a non-finite value and a
// name the host does not export are ignored: the guest's bug never stops a batch.
func (h *hostFuncs) reportGauge(_ context.Context, mod api.Module, stack []uint64) {
	ptr, n, v := api.DecodeU32(stack[0]), api.DecodeU32(stack[1]), api.DecodeF64(stack[2])
	name, ok := mod.Memory().Read(ptr, n)
	if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	for i, g := range guestGauges {
		if g == string(name) {
			h.gauges[i].Store(math.Float64bits(v))
			return
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.unknown[string(name)] || len(h.unknown) >= maxUnknownGauges {
		return
	}
	if h.unknown == nil {
		h.unknown = map[string]bool{}
	}
	h.unknown[string(name)] = true
	h.logger.Warn("the module reports a gauge this collector does not export; it is ignored",
		zap.String("module", h.module), zap.String("gauge", string(name)), zap.Strings("exported", guestGauges))
}

func (h *hostFuncs) nowMs(_ context.Context, _ api.Module, stack []uint64) {
	stack[0] = api.EncodeF64(float64(time.Now().UnixNano()) / 1e6)
}

func (h *hostFuncs) memoryPressure(_ context.Context, _ api.Module, stack []uint64) {
	stack[0] = api.EncodeF64(h.pressure())
}

// newMemoryPressure reports the Go heap (bytes in heap objects, the number memory_limiter checks)
// as a fraction of limit, clamped to [0, 1]; 0 when limit is 0. The processor reads it once per
// batch and hands the guest that reading (nrdot.memory_pressure), so it is not cached here.
func newMemoryPressure(limit uint64) func() float64 {
	return func() float64 {
		if limit == 0 {
			return 0
		}
		samples := [1]metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		metrics.Read(samples[:])
		if samples[0].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return math.Min(1, float64(samples[0].Value.Uint64())/float64(limit))
	}
}

// Where the memory limit comes from, for the log line that says it.
const (
	limitFromConfig     = "memory_pressure_limit_mib"
	limitFromGOMEMLIMIT = "GOMEMLIMIT"
	limitFromCgroup     = "cgroup memory limit"
)

// cgroupFiles are read in order for the container's memory limit: the process's own cgroup v2
// (its path from /proc/self/cgroup), the cgroup v2 root as a container sees it, cgroup v1.
var cgroupRoot = "/sys/fs/cgroup"

// memoryLimit returns the limit memory pressure is relative to, and where it came from: the
// processor's memory_pressure_limit_mib, else GOMEMLIMIT when set, else the cgroup's memory limit,
// else 0 ("").
func memoryLimit(configMiB uint32) (uint64, string) {
	if configMiB > 0 {
		return uint64(configMiB) << 20, limitFromConfig
	}
	if l := debug.SetMemoryLimit(-1); l > 0 && l < math.MaxInt64 {
		return uint64(l), limitFromGOMEMLIMIT
	}
	if l := cgroupMemoryLimit(); l > 0 {
		return l, limitFromCgroup
	}
	return 0, ""
}

func cgroupMemoryLimit() uint64 {
	var files []string
	if b, err := os.ReadFile("/proc/self/cgroup"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "0::"); ok && rest != "/" && rest != "" {
				files = append(files, filepath.Join(cgroupRoot, rest, "memory.max"))
			}
		}
	}
	files = append(files, filepath.Join(cgroupRoot, "memory.max"), filepath.Join(cgroupRoot, "memory", "memory.limit_in_bytes"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
		if err != nil || v == 0 || v >= 1<<60 { // "max", or cgroup v1's "unlimited"
			continue
		}
		return v
	}
	return 0
}
