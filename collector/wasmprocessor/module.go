package wasmprocessor

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// abiVersion is the ABI this host implements (docs/reference/abi.md).
const abiVersion = 2

// hostModuleName is the only import module a guest may use.
const hostModuleName = "nrdot"

var errBadModule = errors.New("wasm module refused")

// closeOnContextDone makes guest calls interruptible; only the benchmark turns it off, to
// measure what it costs.
var closeOnContextDone = true

// requiredExports lists every function of the ABI with its signature.
var requiredExports = map[string]struct{ params, results []api.ValueType }{
	"nrdot_abi_version": {nil, []api.ValueType{api.ValueTypeI32}},
	"nrdot_buffer":      {[]api.ValueType{api.ValueTypeI32}, []api.ValueType{api.ValueTypeI32}},
	"nrdot_output_ptr":  {nil, []api.ValueType{api.ValueTypeI32}},
	"nrdot_configure":   {[]api.ValueType{api.ValueTypeI32, api.ValueTypeI32}, []api.ValueType{api.ValueTypeI32}},
	"nrdot_columns":     {nil, []api.ValueType{api.ValueTypeI32}},
	"nrdot_rollup":      {nil, []api.ValueType{api.ValueTypeI32}},
	"nrdot_process":     {[]api.ValueType{api.ValueTypeI32, api.ValueTypeI32}, []api.ValueType{api.ValueTypeI32}},
	"nrdot_snapshot":    {nil, []api.ValueType{api.ValueTypeI32}},
	"nrdot_restore":     {[]api.ValueType{api.ValueTypeI32, api.ValueTypeI32}, []api.ValueType{api.ValueTypeI32}},
	"nrdot_error":       {nil, []api.ValueType{api.ValueTypeI32}},
}

// moduleError names the module file and what is wrong with it.
func moduleError(path, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", errBadModule, path, fmt.Sprintf(format, args...))
}

// wasmModule is a compiled and checked guest module inside its own wazero runtime.
type wasmModule struct {
	path     string
	runtime  wazero.Runtime
	compiled wazero.CompiledModule
}

// loadModule reads, compiles and checks the module at path: it must compile, import nothing but
// functions of the host module, and export memory and every ABI function with the right types.
// The version export is checked by the first instantiation.
func loadModule(ctx context.Context, path string, memoryLimitMiB uint32, host *hostFuncs) (*wasmModule, error) {
	code, err := os.ReadFile(path)
	if err != nil {
		return nil, moduleError(path, "cannot read: %v", err)
	}
	// WithCloseOnContextDone compiles a check into every loop of the guest that leaves native code
	// and looks at the call's context: without it a guest that never returns cannot be stopped,
	// and the Go runtime cannot preempt it either (compiled code is not async-preemptible), so the
	// next stop-the-world (a GC, at the latest the forced one every 2 minutes) freezes the whole
	// process behind it. Its cost is measured in docs/benchmarks.md.
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().
		WithCloseOnContextDone(closeOnContextDone).
		WithMemoryLimitPages(memoryLimitMiB*16)) // 64 KiB pages
	compiled, err := rt.CompileModule(ctx, code)
	if err != nil {
		_ = rt.Close(ctx)
		return nil, moduleError(path, "not a valid WebAssembly module (%v); rebuild it with `make wasm`", err)
	}
	if err = checkModuleShape(compiled); err != nil {
		_ = rt.Close(ctx)
		return nil, moduleError(path, "%v", err)
	}
	if _, err = host.instantiate(ctx, rt); err != nil {
		_ = rt.Close(ctx)
		return nil, fmt.Errorf("nrdot host module: %w", err)
	}
	return &wasmModule{path: path, runtime: rt, compiled: compiled}, nil
}

func checkModuleShape(compiled wazero.CompiledModule) error {
	for _, def := range compiled.ImportedFunctions() {
		mod, name, _ := def.Import()
		if mod != hostModuleName || !isHostFunction(name) {
			return fmt.Errorf("imports %s.%s, but only %s.{log,now_ms,memory_pressure} are provided (build with --runtime stub and --use abort=…)", mod, name, hostModuleName)
		}
	}
	if mems := compiled.ImportedMemories(); len(mems) > 0 {
		mod, name, _ := mems[0].Import()
		return fmt.Errorf("imports memory %s.%s; the module must define and export its own memory", mod, name)
	}
	if _, ok := compiled.ExportedMemories()["memory"]; !ok {
		return errors.New(`does not export its memory as "memory"`)
	}
	exports := compiled.ExportedFunctions()
	for name, sig := range requiredExports {
		def, ok := exports[name]
		if !ok {
			return fmt.Errorf("does not export %s: not an NRDOT ABI v%d module", name, abiVersion)
		}
		if !sameTypes(def.ParamTypes(), sig.params) || !sameTypes(def.ResultTypes(), sig.results) {
			return fmt.Errorf("export %s has the wrong signature", name)
		}
	}
	return nil
}

func sameTypes(a, b []api.ValueType) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (m *wasmModule) close(ctx context.Context) error {
	return m.runtime.Close(ctx)
}
