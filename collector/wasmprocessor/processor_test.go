package wasmprocessor

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

func TestCreateRefusesBadModules(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.wasm")
	require.NoError(t, os.WriteFile(corrupt, []byte("\x00asm\x01\x00\x00\x00garbage"), 0o600))
	notWasm := filepath.Join(dir, "classify.wasm")
	require.NoError(t, os.WriteFile(notWasm, []byte("#!/bin/sh\necho not wasm\n"), 0o600))

	tests := []struct {
		name, module, config string
		want                 []string
	}{
		{"missing file", filepath.Join(dir, "missing.wasm"), "", []string{"missing.wasm", "cannot read"}},
		{"corrupt file", corrupt, "", []string{"corrupt.wasm", "not a valid WebAssembly module"}},
		{"not wasm", notWasm, "", []string{"classify.wasm", "not a valid WebAssembly module"}},
		{"foreign import", "testdata/modules/foreign_import.wasm", "", []string{"foreign_import.wasm", "imports env.seed"}},
		{"wrong version", "testdata/modules/wrong_version.wasm", "", []string{"wrong_version.wasm", "ABI version 2"}},
		{"refused config", scriptedModule, "refuse", []string{"scripted.wasm", "refuse: this test module was told to refuse its config"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := scriptedConfig()
			cfg.Module = tt.module
			if tt.config != "" {
				cfg.ModuleConfig = map[string]any{tt.config: true}
			}
			_, err := newTestProcessor(t, cfg, new(consumertest.MetricsSink))
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestDecisionsAreApplied(t *testing.T) {
	p, sink := startedProcessor(t, scriptedConfig(), componenttest.NewNopHost())
	md := processBatch("keep", "crit-db", "drop-me", "roll-a", "roll-b")
	in := pmetric.NewMetrics()
	md.CopyTo(in)
	require.NoError(t, p.ConsumeMetrics(context.Background(), md))

	out := sink.AllMetrics()[0]
	assert.Equal(t, 3, out.ResourceMetrics().Len(), "keep, crit-db and one other")

	keep, ok := resourceByName(out, "keep")
	require.True(t, ok)
	assertAttr(t, keep, attrTier, "standard")
	score, _ := keep.Resource().Attributes().Get(attrScore)
	assert.InDelta(t, 1.5+1+0.5, score.Double(), 1e-9, "score is process.cpu.time summed over states")

	crit, ok := resourceByName(out, "crit-db")
	require.True(t, ok)
	assertAttr(t, crit, attrTier, "critical")

	_, ok = resourceByName(out, "drop-me")
	assert.False(t, ok)

	other, ok := resourceByName(out, otherName)
	require.True(t, ok)
	assertAttr(t, other, attrTier, "sampled")
	count, _ := other.Resource().Attributes().Get(attrRollupCount)
	assert.Equal(t, int64(2), count.Int())
	host, _ := other.Resource().Attributes().Get("host.name")
	assert.Equal(t, "test-host", host.Str())
	_, hasPid := other.Resource().Attributes().Get("process.pid")
	assert.False(t, hasPid, "the other resource is not a process")

	// The rolled-up sums equal the sums of the two resources they replace.
	for _, metric := range []string{"process.cpu.time", "process.memory.usage", "process.memory.virtual", "process.disk.io"} {
		want := sumMetric(t, in, metric, "roll-a") + sumMetric(t, in, metric, "roll-b")
		assert.InDelta(t, want, sumMetric(t, out, metric, otherName), 1e-9, metric)
	}
}

func TestTrapPassesBatchThroughAndRecovers(t *testing.T) {
	cfg := scriptedConfig()
	p, sink := startedProcessor(t, cfg, componenttest.NewNopHost())
	ctx := context.Background()

	// Two good batches, then a checkpoint by shutdown-free means: a zero interval checkpoints
	// after every batch.
	cfg.CheckpointInterval = 0
	require.NoError(t, p.ConsumeMetrics(ctx, processBatch("count")))
	require.NoError(t, p.ConsumeMetrics(ctx, processBatch("count")))

	trapping := processBatch("keep", "trap-now", "drop-me")
	want := pmetric.NewMetrics()
	trapping.CopyTo(want)
	require.NoError(t, p.ConsumeMetrics(ctx, trapping))
	got := sink.AllMetrics()[2]
	assert.Equal(t, want, got, "a trapped batch passes through unchanged")

	// The instance was re-created from the last snapshot (2 batches seen), so the next batch is
	// the third one it counts.
	require.NoError(t, p.ConsumeMetrics(ctx, processBatch("count")))
	counted, ok := resourceByName(sink.AllMetrics()[3], "count")
	require.True(t, ok)
	score, _ := counted.Resource().Attributes().Get(attrScore)
	assert.Equal(t, 3.0, score.Double())
}

func TestInvalidDecisionKeepsRowUnchanged(t *testing.T) {
	p, sink := startedProcessor(t, scriptedConfig(), componenttest.NewNopHost())
	require.NoError(t, p.ConsumeMetrics(context.Background(), processBatch("bad-action", "keep")))
	out := sink.AllMetrics()[0]
	bad, ok := resourceByName(out, "bad-action")
	require.True(t, ok)
	_, marked := bad.Resource().Attributes().Get(attrTier)
	assert.False(t, marked)
	_, ok = resourceByName(out, "keep")
	assert.True(t, ok)
}

func TestEmptyBatch(t *testing.T) {
	p, sink := startedProcessor(t, scriptedConfig(), componenttest.NewNopHost())
	require.NoError(t, p.ConsumeMetrics(context.Background(), pmetric.NewMetrics()))
	assert.Equal(t, 0, sink.DataPointCount())
}

func TestMissingStorageExtensionFailsStart(t *testing.T) {
	cfg := scriptedConfig()
	id := mustID("file_storage/absent")
	cfg.Storage = &id
	p, err := newTestProcessor(t, cfg, new(consumertest.MetricsSink))
	require.NoError(t, err)
	err = p.Start(context.Background(), componenttest.NewNopHost())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "file_storage/absent")
	require.NoError(t, p.Shutdown(context.Background()))
}

func assertAttr(t *testing.T, rm pmetric.ResourceMetrics, key, want string) {
	t.Helper()
	v, ok := rm.Resource().Attributes().Get(key)
	require.True(t, ok, "missing %s", key)
	assert.Equal(t, want, v.Str(), key)
}

// sumMetric adds up every data point of metric in the resource named name.
func sumMetric(t *testing.T, md pmetric.Metrics, metric, name string) float64 {
	t.Helper()
	rm, ok := resourceByName(md, name)
	require.True(t, ok, "no resource %s", name)
	total := 0.0
	sms := rm.ScopeMetrics()
	for s := 0; s < sms.Len(); s++ {
		ms := sms.At(s).Metrics()
		for m := 0; m < ms.Len(); m++ {
			if ms.At(m).Name() == metric {
				dps := ms.At(m).Sum().DataPoints()
				for i := 0; i < dps.Len(); i++ {
					total += numberValue(dps.At(i))
				}
			}
		}
	}
	return total
}

func TestOneOtherPerHost(t *testing.T) {
	p, sink := startedProcessor(t, scriptedConfig(), componenttest.NewNopHost())
	md := processBatch("roll-a", "roll-b", "roll-c", "keep")
	md.ResourceMetrics().At(1).Resource().Attributes().PutStr("host.name", "other-host")
	md.ResourceMetrics().At(0).Resource().Attributes().PutDouble(attrScore, 0.7)
	require.NoError(t, p.ConsumeMetrics(context.Background(), md))
	out := sink.AllMetrics()[0]
	require.Equal(t, 3, out.ResourceMetrics().Len(), "keep, then one other for each of the two hosts")
	for i, want := range []struct {
		host  string
		count int64
	}{{"test-host", 2}, {"other-host", 1}} {
		rm := out.ResourceMetrics().At(1 + i)
		host, _ := rm.Resource().Attributes().Get("host.name")
		count, _ := rm.Resource().Attributes().Get(attrRollupCount)
		assert.Equal(t, want.host, host.Str())
		assert.Equal(t, want.count, count.Int())
		_, hasScore := rm.Resource().Attributes().Get(attrScore)
		assert.False(t, hasScore, "other carries no process's score")
	}
}
