package wasmprocessor

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
)

// TestModulesAreInstrumented: every module of this tree is rewritten (instrument.go), not left to
// the slower WithCloseOnContextDone.
func TestModulesAreInstrumented(t *testing.T) {
	files, err := filepath.Glob("testdata/modules/*.wasm")
	require.NoError(t, err)
	for _, m := range []string{"classify.wasm", "optimize.wasm"} {
		files = append(files, filepath.Join(wasmDir, m))
	}
	for _, f := range files {
		code, err := os.ReadFile(f)
		require.NoError(t, err)
		_, _, err = instrumentLoops(code)
		assert.NoError(t, err, f)
	}
	mod, err := loadModule(context.Background(), scriptedModule, 16, newHostFuncs(zap.NewNop(), scriptedModule, func() float64 { return 0 }))
	require.NoError(t, err)
	defer func() { require.NoError(t, mod.close(context.Background())) }()
	assert.Equal(t, interruptLoops, mod.interrupt)
}

// TestSpinningGuestIsStoppedEitherWay runs the spinning-guest test with each way of interrupting a
// call: the rewritten loops (the default) and wazero's WithCloseOnContextDone (the fallback).
func TestSpinningGuestIsStoppedEitherWay(t *testing.T) {
	for _, mode := range []interruptMode{interruptLoops, interruptWazero} {
		old := interruption
		interruption = mode
		cfg := scriptedConfig()
		cfg.CallTimeout = 300 * time.Millisecond
		f := newFaultProcessor(t, cfg)
		began := time.Now()
		f.consumeUnchanged(t, processBatch("spin"))
		assert.Less(t, time.Since(began), 2*time.Second)
		assert.Equal(t, int64(1), f.counter(t, "deadlines"))
		require.NoError(t, f.ConsumeMetrics(context.Background(), processBatch("keep")))
		interruption = old
	}
}

func TestUninstrumentableModuleFallsBack(t *testing.T) {
	_, _, err := instrumentLoops([]byte("\x00asm\x01\x00\x00\x00\x0a\x05\x01\x03\x00\xfd\x0b")) // a SIMD opcode
	assert.ErrorIs(t, err, errUninstrumentable)
}

// TestSpinningStartFunctionFailsCreation: a module whose start function never returns is refused
// at call_timeout, in both ways of interrupting it (the rewriter turns the start section into an
// export the host calls under the deadline).
func TestSpinningStartFunctionFailsCreation(t *testing.T) {
	for _, mode := range []interruptMode{interruptLoops, interruptWazero} {
		old := interruption
		interruption = mode
		cfg := scriptedConfig()
		cfg.Module = "testdata/modules/spin_start.wasm"
		cfg.CallTimeout = 200 * time.Millisecond
		done := make(chan error, 1)
		go func() {
			_, err := newTestProcessor(t, cfg, nil)
			done <- err
		}()
		select {
		case err := <-done:
			require.Error(t, err)
			assert.Contains(t, err.Error(), "spin_start.wasm")
			assert.Contains(t, err.Error(), "deadline")
		case <-time.After(5 * time.Second):
			t.Fatalf("creating a processor over a module whose start function spins hangs (mode %d)", mode)
		}
		interruption = old
	}
}

// TestInstrumentNeverPanics: damaged modules are refused (or rewritten into something the
// compiler then refuses), never a panic or an endless loop.
func TestInstrumentNeverPanics(t *testing.T) {
	code, err := os.ReadFile(scriptedModule)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3000; i++ {
		b := append([]byte(nil), code...)
		for k := 0; k < 1+rng.IntN(4); k++ {
			b[8+rng.IntN(len(b)-8)] = byte(rng.IntN(256))
		}
		if rng.IntN(4) == 0 {
			b = b[:8+rng.IntN(len(b)-8)]
		}
		_, _, _ = instrumentLoops(b)
	}
}
