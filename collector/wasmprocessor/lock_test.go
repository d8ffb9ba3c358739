package wasmprocessor

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
)

// newProcessorWithID creates (not starts) a processor over the scripted module with this id.
func newProcessorWithID(t *testing.T, id string, cfg *Config) processor.Metrics {
	t.Helper()
	set := processortest.NewNopSettings(component.MustNewType(typeStr))
	set.ID = mustID(id)
	p, err := NewFactory().CreateMetrics(context.Background(), set, cfg, new(consumertest.MetricsSink))
	require.NoError(t, err)
	return p
}

// requireLockedOut checks that err is the refusal of a second processor on dir.
func requireLockedOut(t *testing.T, err error, dir, lockFile string) {
	t.Helper()
	require.Error(t, err, "a second processor on the same state directory must not start")
	assert.ErrorIs(t, err, errStateLocked)
	for _, want := range []string{dir, lockFile, "another running collector", "stop that collector", "state_directory"} {
		assert.Contains(t, err.Error(), want)
	}
}

// TestSecondProcessorOnTheStateDirectoryFailsAtStart: two collectors given the same state
// directory run the same processor ids; the second fails start at once, naming the directory,
// the lock file and the holder, and starts once the first has shut down. Processors with other
// ids (classify and optimize of one collector) share a directory.
func TestSecondProcessorOnTheStateDirectoryFailsAtStart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	host := componenttest.NewNopHost()
	first := newProcessorWithID(t, "wasm/optimize", stateConfig(dir))
	require.NoError(t, first.Start(context.Background(), host))
	lockFile := filepath.Join(dir, "wasm_optimize.lock")

	second := newProcessorWithID(t, "wasm/optimize", stateConfig(dir))
	began := time.Now()
	err := second.Start(context.Background(), host)
	assert.Less(t, time.Since(began), time.Second, "fails at once, without waiting for the lock")
	requireLockedOut(t, err, dir, lockFile)
	assert.Contains(t, err.Error(), fmt.Sprintf("(pid %d)", os.Getpid()), "names the holder")
	require.NoError(t, second.Shutdown(context.Background()))

	other := newProcessorWithID(t, "wasm/classify", stateConfig(dir))
	require.NoError(t, other.Start(context.Background(), host), "another processor id has its own lock")
	require.NoError(t, other.Shutdown(context.Background()))

	require.NoError(t, first.Shutdown(context.Background()))
	third := newProcessorWithID(t, "wasm/optimize", stateConfig(dir))
	require.NoError(t, third.Start(context.Background(), host), "shutdown releases the lock")
	require.NoError(t, third.Shutdown(context.Background()))
}

// TestLockHolderProcess is not a test on its own: TestKilledHolderReleasesTheLock runs the test
// binary with NRDOT_TEST_LOCK_DIR to get a second process that starts a processor on that
// directory, says "locked" and waits to be killed.
func TestLockHolderProcess(t *testing.T) {
	dir := os.Getenv("NRDOT_TEST_LOCK_DIR")
	if dir == "" {
		t.Skip("run by TestKilledHolderReleasesTheLock")
	}
	p := newProcessorWithID(t, "wasm/optimize", stateConfig(dir))
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	fmt.Println("locked")
	time.Sleep(time.Minute)
}

// TestKilledHolderReleasesTheLock: a collector killed with SIGKILL never runs its shutdown; the
// kernel releases its lock, so the next start succeeds at once despite the lock file left behind.
func TestKilledHolderReleasesTheLock(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHolderProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "NRDOT_TEST_LOCK_DIR="+dir)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "locked\n", line)

	lockFile := filepath.Join(dir, "wasm_optimize.lock")
	p := newProcessorWithID(t, "wasm/optimize", stateConfig(dir))
	err = p.Start(context.Background(), componenttest.NewNopHost())
	requireLockedOut(t, err, dir, lockFile)
	assert.Contains(t, err.Error(), "(pid "+strconv.Itoa(cmd.Process.Pid)+")", "names the other process")
	require.NoError(t, p.Shutdown(context.Background()))

	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
	_, err = os.Stat(lockFile)
	require.NoError(t, err, "the lock file stays behind")
	p = newProcessorWithID(t, "wasm/optimize", stateConfig(dir))
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()), "the kernel released the killed holder's lock")
	require.NoError(t, p.Shutdown(context.Background()))
	b, err := os.ReadFile(lockFile)
	require.NoError(t, err)
	assert.Equal(t, strconv.Itoa(os.Getpid()), strings.TrimSpace(string(b)), "the new holder's pid")
}
