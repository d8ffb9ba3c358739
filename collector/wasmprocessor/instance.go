package wasmprocessor

import (
	"context"
	"errors"
	"fmt"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// Status codes returned by the guest (docs/reference/abi.md, "Status codes").
const (
	statusOK          = 0
	statusBadConfig   = 1
	statusBadTable    = 2
	statusBadSnapshot = 3
)

// errTrap marks a failure inside the guest (trap, out of memory, bad pointer): the instance may be
// half-updated and must be thrown away.
var errTrap = errors.New("wasm guest trapped")

// errDeadline marks a call stopped at its deadline (call_timeout); wazero has closed the instance.
var errDeadline = errors.New("wasm guest call passed its deadline")

// errStopped marks a call stopped because the processor is shutting down; not the guest's fault.
var errStopped = errors.New("wasm guest call stopped: the processor is shutting down")

// statusError is a non-zero status returned by the guest with its message; the instance is fine.
type statusError struct {
	call    string
	status  uint32
	message string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s returned status %d: %s", e.call, e.status, e.message)
}

// instance is one instantiated guest. It is not goroutine-safe: the processor serializes calls.
type instance struct {
	mod   api.Module
	mem   api.Memory
	fns   map[string]api.Function
	stack []uint64 // reused by every call: CallWithStack avoids per-call allocations
	// stop is the instrumented module's stop global (instrument.go); nil under WithCloseOnContextDone.
	stop api.MutableGlobal
}

func (m *wasmModule) instantiate(ctx context.Context) (*instance, error) {
	cfg := wazero.NewModuleConfig().WithName("")
	if m.interrupt == interruptLoops {
		cfg = cfg.WithStartFunctions() // no exported _start run where nothing can stop it
	}
	mod, err := m.runtime.InstantiateModule(ctx, m.compiled, cfg)
	if err != nil {
		return nil, moduleError(m.path, "cannot instantiate: %v", err)
	}
	in := &instance{mod: mod, mem: mod.Memory(), fns: map[string]api.Function{}, stack: make([]uint64, 2)}
	for name := range requiredExports {
		in.fns[name] = mod.ExportedFunction(name)
	}
	if m.interrupt == interruptLoops {
		g, ok := mod.ExportedGlobal(stopGlobalExport).(api.MutableGlobal)
		if !ok {
			_ = mod.Close(ctx)
			return nil, moduleError(m.path, "the instrumented module has no %s global", stopGlobalExport)
		}
		in.stop = g
	}
	if m.callStart {
		in.fns[startExport] = mod.ExportedFunction(startExport)
		if _, err = in.call(ctx, startExport); err != nil {
			in.close(ctx)
			return nil, fmt.Errorf("%w: %s: its start function failed: %w", errBadModule, m.path, err)
		}
	}
	v, err := in.call(ctx, "nrdot_abi_version")
	if err != nil {
		in.close(ctx)
		return nil, moduleError(m.path, "nrdot_abi_version trapped: %v", err)
	}
	if v != abiVersion {
		in.close(ctx)
		return nil, moduleError(m.path, "exports ABI version %d, this collector supports version %d", v, abiVersion)
	}
	return in, nil
}

func (in *instance) close(ctx context.Context) {
	_ = in.mod.Close(ctx)
}

// call invokes an export with up to two i32 params and returns its i32 result.
func (in *instance) call(ctx context.Context, name string, params ...uint32) (uint32, error) {
	for i, p := range params {
		in.stack[i] = api.EncodeU32(p)
	}
	var release func() bool
	if in.stop != nil && ctx.Done() != nil {
		release = context.AfterFunc(ctx, func() { in.stop.Set(1) }) // the guest traps at its next check
	}
	err := in.fns[name].CallWithStack(ctx, in.stack)
	stopped := release != nil && !release() // the context ended during the call
	if err != nil || stopped {
		switch cerr := ctx.Err(); {
		case errors.Is(cerr, context.DeadlineExceeded):
			return 0, fmt.Errorf("%w: %s", errDeadline, name)
		case cerr != nil:
			return 0, fmt.Errorf("%w: %s", errStopped, name)
		}
		return 0, fmt.Errorf("%w: %s: %v", errTrap, name, err)
	}
	return api.DecodeU32(in.stack[0]), nil
}

// status calls an export returning a status code and turns a non-zero status into a statusError.
func (in *instance) status(ctx context.Context, name string, params ...uint32) error {
	st, err := in.call(ctx, name, params...)
	if err != nil || st == statusOK {
		return err
	}
	return &statusError{call: name, status: st, message: in.lastError(ctx)}
}

func (in *instance) lastError(ctx context.Context) string {
	n, err := in.call(ctx, "nrdot_error")
	if err != nil {
		return "(nrdot_error trapped)"
	}
	b, err := in.output(ctx, n)
	if err != nil {
		return "(nrdot_error returned a bad length)"
	}
	return string(b)
}

// buffer asks the guest for n bytes of input space and returns a view of guest memory; the view
// is only valid until the next call into the guest.
func (in *instance) buffer(ctx context.Context, n int) (uint32, []byte, error) {
	ptr, err := in.call(ctx, "nrdot_buffer", uint32(n))
	if err != nil {
		return 0, nil, err
	}
	if ptr == 0 && n > 0 {
		return 0, nil, fmt.Errorf("%w: nrdot_buffer could not allocate %d bytes", errTrap, n)
	}
	view, ok := in.mem.Read(ptr, uint32(n))
	if !ok {
		return 0, nil, fmt.Errorf("%w: nrdot_buffer returned %d bytes at %#x, outside memory", errTrap, n, ptr)
	}
	return ptr, view, nil
}

// output returns a view of n bytes at nrdot_output_ptr.
func (in *instance) output(ctx context.Context, n uint32) ([]byte, error) {
	ptr, err := in.call(ctx, "nrdot_output_ptr")
	if err != nil {
		return nil, err
	}
	view, ok := in.mem.Read(ptr, n)
	if !ok {
		return nil, fmt.Errorf("%w: output of %d bytes at %#x is outside memory", errTrap, n, ptr)
	}
	return view, nil
}

// input copies b into a fresh guest buffer and calls name(ptr, len).
func (in *instance) input(ctx context.Context, name string, b []byte) error {
	ptr, view, err := in.buffer(ctx, len(b))
	if err != nil {
		return err
	}
	copy(view, b)
	return in.status(ctx, name, ptr, uint32(len(b)))
}

func (in *instance) configure(ctx context.Context, configJSON []byte) error {
	return in.input(ctx, "nrdot_configure", configJSON)
}

// declaration returns the text a declaration export (nrdot_columns, nrdot_rollup) writes.
func (in *instance) declaration(ctx context.Context, name string) (string, error) {
	n, err := in.call(ctx, name)
	if err != nil {
		return "", err
	}
	b, err := in.output(ctx, n)
	return string(b), err
}

// snapshot returns a copy of the guest's state.
func (in *instance) snapshot(ctx context.Context) ([]byte, error) {
	n, err := in.call(ctx, "nrdot_snapshot")
	if err != nil {
		return nil, err
	}
	if int32(n) < 0 {
		return nil, &statusError{call: "nrdot_snapshot", status: uint32(-int32(n)), message: in.lastError(ctx)}
	}
	b, err := in.output(ctx, n)
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), b...), nil
}

func (in *instance) restore(ctx context.Context, snap []byte) error {
	return in.input(ctx, "nrdot_restore", snap)
}
