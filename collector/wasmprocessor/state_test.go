package wasmprocessor

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/filestorage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// storageHost is a host whose only extension is a real file_storage.
type storageHost struct {
	component.Host
	exts map[component.ID]component.Component
}

func (h storageHost) GetExtensions() map[component.ID]component.Component { return h.exts }

func startFileStorage(t *testing.T, dir string) (storageHost, component.ID) {
	t.Helper()
	f := filestorage.NewFactory()
	cfg := f.CreateDefaultConfig().(*filestorage.Config)
	cfg.Directory = dir
	id := component.NewID(f.Type())
	ext, err := f.Create(context.Background(), extensiontest.NewNopSettings(f.Type()), cfg)
	require.NoError(t, err)
	require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, ext.Shutdown(context.Background())) })
	return storageHost{Host: componenttest.NewNopHost(), exts: map[component.ID]component.Component{id: ext}}, id
}

// stateRun is one collector run over a state configuration: what the guest counted and what the
// processor said and counted about its saved state.
type stateRun struct {
	count  float64
	resets int64
	warns  []observer.LoggedEntry
}

// runOnce runs one batch through a fresh processor configured by cfg on host and returns how many
// batches the guest says it has seen, then shuts the processor down (which checkpoints).
func runOnce(t *testing.T, cfg *Config, host component.Host) stateRun {
	t.Helper()
	cfg.ScoreAttribute = attrScore // the guest's count is its score
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	core, logs := observer.New(zap.WarnLevel)
	set := processortest.NewNopSettings(component.MustNewType(typeStr))
	set.TelemetrySettings = tel.NewTelemetrySettings()
	set.Logger = zap.New(core)
	sink := new(consumertest.MetricsSink)
	p, err := NewFactory().CreateMetrics(context.Background(), set, cfg, sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), host), "a state file never stops a start")
	require.NoError(t, p.ConsumeMetrics(context.Background(), processBatch("count")))
	require.NoError(t, p.Shutdown(context.Background()))
	rm, ok := resourceByName(sink.AllMetrics()[0], "count")
	require.True(t, ok)
	v, _ := rm.Resource().Attributes().Get(attrScore)
	run := stateRun{count: v.Double(), warns: logs.FilterMessageSnippet("saved state").All()}
	if m, err := tel.GetMetric(metricPrefix + "state_resets"); err == nil {
		run.resets = sumOf(m)
	}
	return run
}

func stateConfig(dir string) *Config {
	cfg := scriptedConfig()
	cfg.StateDirectory = dir
	return cfg
}

func TestStateSurvivesRestart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state") // created on first save
	for want := 1.0; want <= 3; want++ {
		run := runOnce(t, stateConfig(dir), componenttest.NewNopHost())
		assert.Equal(t, want, run.count, "each run resumes from the last run's snapshot")
		assert.Zero(t, run.resets)
	}
	_, err := os.Stat(filepath.Join(dir, "wasm.state"))
	assert.NoError(t, err, "the state file is named after the component")
}

// TestStorageKeyUsesTheExtensionsDirectory: the deprecated `storage` key keeps state across
// restarts in the file_storage directory, in the processor's own file: a damaged file_storage
// database there is never opened.
func TestStorageKeyUsesTheExtensionsDirectory(t *testing.T) {
	dir := t.TempDir()
	// What file_storage would have named the processor's bbolt database, damaged.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "processor_wasm_"), []byte("random bytes, not a bbolt database"), 0o600))
	host, id := startFileStorage(t, dir)
	for want := 1.0; want <= 2; want++ {
		cfg := scriptedConfig()
		cfg.Storage = &id
		assert.Equal(t, want, runOnce(t, cfg, host).count)
	}
	_, err := os.Stat(filepath.Join(dir, "wasm.state"))
	assert.NoError(t, err)
}

// TestDamagedStateStartsFresh writes each kind of damaged state file where the processor keeps
// its state: the processor starts, says which file and why, moves it aside, counts a reset, and
// the next run resumes from the fresh state it saved.
func TestDamagedStateStartsFresh(t *testing.T) {
	good := encodeState([]byte("NRD1\x05\x00\x00\x00")) // a valid file: 5 batches seen
	badCRC := append([]byte(nil), good...)
	badCRC[len(badCRC)-1] ^= 0xff
	wrongVersion := append([]byte(nil), good...)
	binary.LittleEndian.PutUint16(wrongVersion[4:], 9)
	tests := []struct {
		name, want string
		content    []byte
		movedAside bool
	}{
		{"empty", "empty", []byte{}, true},
		{"truncated header", "shorter than its header", good[:10], true},
		{"truncated payload", "truncated", good[:len(good)-3], true},
		{"random bytes", "magic", []byte("\x8f\x1c random bytes that are no state file at all \x00\xff"), true},
		{"bad checksum", "checksum", badCRC, true},
		{"wrong version", "version 9", wrongVersion, true},
		{"refused by the module", "not an NRD1 snapshot", encodeState([]byte("not a snapshot")), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "wasm.state")
			require.NoError(t, os.WriteFile(file, tt.content, 0o600))
			run := runOnce(t, stateConfig(dir), componenttest.NewNopHost())
			assert.Equal(t, 1.0, run.count, "started fresh")
			assert.Equal(t, int64(1), run.resets)
			require.Len(t, run.warns, 1)
			msg := run.warns[0].ContextMap()["error"].(string)
			assert.Contains(t, msg, tt.want)
			if tt.movedAside {
				assert.Contains(t, msg, file, "the warning names the file")
				aside, _ := filepath.Glob(file + ".corrupt-*")
				require.Len(t, aside, 1, "the damaged file is kept aside")
				assert.Contains(t, msg, aside[0])
				kept, err := os.ReadFile(aside[0])
				require.NoError(t, err)
				assert.Equal(t, tt.content, kept)
			}
			assert.Equal(t, 2.0, runOnce(t, stateConfig(dir), componenttest.NewNopHost()).count, "the fresh state was saved")
		})
	}
	t.Run("valid", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "wasm.state"), good, 0o600))
		assert.Equal(t, 6.0, runOnce(t, stateConfig(dir), componenttest.NewNopHost()).count)
	})
}

// TestUnusableStateDirectoryStartsFresh: a state_directory that cannot be read or created (here:
// a regular file where the directory should be, which fails even for root) or a state file that
// cannot be read (a directory in its place) starts the processor in memory, with a warning.
func TestUnusableStateDirectoryStartsFresh(t *testing.T) {
	notDir := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(notDir, []byte("x"), 0o600))
	dirAsFile := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dirAsFile, "wasm.state"), 0o700))
	for name, dir := range map[string]string{"directory is a file": filepath.Join(notDir, "state"), "state file is a directory": dirAsFile} {
		t.Run(name, func(t *testing.T) {
			run := runOnce(t, stateConfig(dir), componenttest.NewNopHost())
			assert.Equal(t, 1.0, run.count)
			assert.Equal(t, int64(1), run.resets)
			require.Len(t, run.warns, 1)
			assert.True(t, strings.Contains(run.warns[0].ContextMap()["error"].(string), dir), "names %s", dir)
		})
	}
	if os.Geteuid() != 0 {
		t.Run("unreadable directory", func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "wasm.state"), encodeState([]byte("NRD1\x01\x00\x00\x00")), 0o600))
			require.NoError(t, os.Chmod(dir, 0))
			t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
			run := runOnce(t, stateConfig(dir), componenttest.NewNopHost())
			assert.Equal(t, 1.0, run.count)
			assert.Equal(t, int64(1), run.resets)
		})
	}
}
