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

// How guest calls are made interruptible (see instrument.go).
type interruptMode int

const (
	// interruptLoops rewrites the module's loops (instrument.go); a module the rewriter does not
	// understand falls back to interruptWazero.
	interruptLoops interruptMode = iota
	// interruptWazero compiles with wazero's WithCloseOnContextDone: a visit to Go at every loop
	// iteration.
	interruptWazero
	// interruptNone is for the benchmark only: a call that never returns freezes the process.
	interruptNone
)

// interruption is how this process makes guest calls interruptible; benchmarks change it.
var interruption = interruptLoops

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
	// interrupt is how its calls are stopped at their deadline; notInstrumented says why the
	// loops could not be rewritten, when they could not.
	interrupt       interruptMode
	notInstrumented error
	// callStart: the module's start function is the export startExport, which the host calls
	// after instantiating it.
	callStart bool
}

// loadModule reads, compiles and checks the module at path: it must compile, import nothing but
// functions of the host module, and export memory and every ABI function with the right types.
// The version export is checked by the first instantiation.
func loadModule(ctx context.Context, path string, memoryLimitMiB uint32, host *hostFuncs) (*wasmModule, error) {
	code, err := os.ReadFile(path)
	if err != nil {
		return nil, moduleError(path, "cannot read: %v", err)
	}
	// A guest that never returns must be stoppable, and must not block the Go runtime's
	// stop-the-world (compiled code cannot be preempted): instrument.go.
	mode, notInstrumented, original, callStart := interruption, error(nil), code, false
	if mode == interruptLoops {
		if rewritten, hasStart, ierr := instrumentLoops(code); ierr == nil {
			code, callStart = rewritten, hasStart
		} else {
			mode, notInstrumented = interruptWazero, ierr
		}
	}
	rt, compiled, err := compileModule(ctx, code, mode, memoryLimitMiB)
	if err != nil && mode == interruptLoops { // the rewrite's fault, or the module's: try it as it is
		notInstrumented = fmt.Errorf("%w: the rewritten module does not compile: %v", errUninstrumentable, err)
		mode, callStart = interruptWazero, false
		rt, compiled, err = compileModule(ctx, original, mode, memoryLimitMiB)
	}
	if err != nil {
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
	return &wasmModule{path: path, runtime: rt, compiled: compiled, interrupt: mode, notInstrumented: notInstrumented, callStart: callStart}, nil
}

func compileModule(ctx context.Context, code []byte, mode interruptMode, memoryLimitMiB uint32) (wazero.Runtime, wazero.CompiledModule, error) {
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().
		WithCloseOnContextDone(mode == interruptWazero).
		WithMemoryLimitPages(memoryLimitMiB*16)) // 64 KiB pages
	compiled, err := rt.CompileModule(ctx, code)
	if err != nil {
		_ = rt.Close(ctx)
		return nil, nil, err
	}
	return rt, compiled, nil
}

func checkModuleShape(compiled wazero.CompiledModule) error {
	for _, def := range compiled.ImportedFunctions() {
		mod, name, _ := def.Import()
		if mod != hostModuleName || !isHostFunction(name) {
			return fmt.Errorf("imports %s.%s, but only %s.{log,now_ms,memory_pressure,report_gauge} are provided (build with --runtime stub and --use abort=…)", mod, name, hostModuleName)
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
