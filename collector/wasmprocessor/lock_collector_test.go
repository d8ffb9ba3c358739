package wasmprocessor

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const collectorBinary = "../../bin/nrdot-collector"

// collectorConfig is a minimal collector whose wasm/optimize keeps its state in dir.
func collectorConfig(t *testing.T, dir string) string {
	module, err := filepath.Abs(filepath.Join(wasmDir, "optimize.wasm"))
	require.NoError(t, err)
	f := filepath.Join(t.TempDir(), "collector.yaml")
	require.NoError(t, os.WriteFile(f, []byte(fmt.Sprintf(`receivers:
  otlp:
    protocols:
      grpc: {endpoint: "127.0.0.1:0"}
processors:
  wasm/optimize:
    module: %q
    state_directory: %q
exporters:
  debug: {verbosity: basic}
service:
  telemetry:
    metrics: {level: none}
  pipelines:
    metrics: {receivers: [otlp], processors: [wasm/optimize], exporters: [debug]}
`, module, dir)), 0o600))
	return f
}

// startCollector runs the built collector and waits until it is ready.
func startCollector(t *testing.T, config string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(collectorBinary, "--config", config)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "Everything is ready") {
				ready <- nil
				_, _ = io.Copy(io.Discard, stderr)
				return
			}
		}
		ready <- fmt.Errorf("the collector ended before it was ready")
	}()
	select {
	case err := <-ready:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("the collector was not ready within 30 s")
	}
	return cmd
}

// TestSecondCollectorOnTheStateDirectoryIsRefused runs two real collector processes (without
// scripts/run.sh) on one state directory: the second exits at once with a message naming the
// directory and the lock file; after the first is killed with SIGKILL, a new one starts.
func TestSecondCollectorOnTheStateDirectoryIsRefused(t *testing.T) {
	bin, err := os.ReadFile(collectorBinary)
	if err != nil {
		t.Skipf("%s: %v; run `make build`", collectorBinary, err)
	}
	if !bytes.Contains(bin, []byte("is used by another running collector")) {
		t.Skipf("%s predates the state directory lock; run `make build`", collectorBinary)
	}
	bin = nil
	dir := filepath.Join(t.TempDir(), "state")
	config := collectorConfig(t, dir)
	first := startCollector(t, config)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	began := time.Now()
	out, err := exec.CommandContext(ctx, collectorBinary, "--config", config).CombinedOutput()
	require.Error(t, err, "the second collector must not run: %s", out)
	assert.Less(t, time.Since(began), 15*time.Second, "it fails at start, without waiting")
	lockFile := filepath.Join(dir, "wasm_optimize.lock")
	for _, want := range []string{dir + " is used by another running collector", fmt.Sprintf("(pid %d)", first.Process.Pid), lockFile, "stop that collector first"} {
		assert.Contains(t, string(out), want)
	}

	require.NoError(t, first.Process.Signal(syscall.SIGKILL))
	_ = first.Wait()
	next := startCollector(t, config)
	time.Sleep(time.Second) // the collector handles SIGTERM only just after it says it is ready
	require.NoError(t, next.Process.Signal(syscall.SIGTERM))
	require.NoError(t, next.Wait(), "shuts down cleanly")
}
