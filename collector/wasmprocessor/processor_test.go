package wasmprocessor

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
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
		{"wrong version", "testdata/modules/wrong_version.wasm", "", []string{"wrong_version.wasm", "exports ABI version 3, this collector supports version 2"}},
		{"ABI v1 module", "testdata/modules/abi_v1.wasm", "", []string{"abi_v1.wasm", "does not export nrdot_rollup"}},
		{"unknown roll-up line", scriptedModule, "bad_rollup", []string{"scripted.wasm", `roll-up declaration line 2: "sum everything"`}},
		{"unknown column line", scriptedModule, "bad_columns", []string{"scripted.wasm", `column declaration line 2: unknown reduction "median"`}},
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
	cfg := scriptedConfig()
	cfg.ScoreAttribute = attrScore
	p, sink := startedProcessor(t, cfg, componenttest.NewNopHost())
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
	assertRollupCount(t, other, 2)
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
	cfg.ScoreAttribute = attrScore // the guest's count is its score
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
		assert.Equal(t, want.host, host.Str())
		assertRollupCount(t, rm, want.count)
		_, hasScore := rm.Resource().Attributes().Get(attrScore)
		assert.False(t, hasScore, "other carries no process's score")
	}
}

// assertRollupCount checks the roll-up's count: an int gauge point, not a resource attribute
// (which would make a new series whenever the count changes).
func assertRollupCount(t *testing.T, other pmetric.ResourceMetrics, want int64) {
	t.Helper()
	_, isAttr := other.Resource().Attributes().Get(attrRollupCount)
	assert.False(t, isAttr, "the count is a data point, not an attribute")
	ms := other.ScopeMetrics().At(0).Metrics()
	count := ms.At(ms.Len() - 1)
	require.Equal(t, attrRollupCount, count.Name(), "the count is the last metric")
	require.Equal(t, pmetric.MetricTypeGauge, count.Type())
	assert.Equal(t, "{process}", count.Unit())
	dps := count.Gauge().DataPoints()
	require.Equal(t, 1, dps.Len())
	assert.Equal(t, pmetric.NumberDataPointValueTypeInt, dps.At(0).ValueType())
	assert.Equal(t, want, dps.At(0).IntValue())
	assert.Equal(t, 0, dps.At(0).Attributes().Len())
	assert.Equal(t, pcommon.Timestamp(0), dps.At(0).StartTimestamp())
	assert.Equal(t, pcommon.NewTimestampFromTime(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)), dps.At(0).Timestamp(),
		"the latest time of the points summed")
}

func TestScoreIsWrittenOnlyToTheConfiguredAttribute(t *testing.T) {
	for _, attr := range []string{"", "nrdot.score", "importance"} {
		t.Run("score_attribute="+attr, func(t *testing.T) {
			cfg := scriptedConfig()
			cfg.ScoreAttribute = attr
			p, sink := startedProcessor(t, cfg, componenttest.NewNopHost())
			require.NoError(t, p.ConsumeMetrics(context.Background(), processBatch("keep", "roll-a")))
			keep, ok := resourceByName(sink.AllMetrics()[0], "keep")
			require.True(t, ok)
			attrs := keep.Resource().Attributes()
			// processBatch's host.name, process.pid, .executable.name, .command_line, .owner, then nrdot.tier.
			wantLen := 6
			if attr != "" {
				wantLen++
				score, ok := attrs.Get(attr)
				require.True(t, ok, "score in %s", attr)
				assert.InDelta(t, 3.0, score.Double(), 1e-9)
			}
			assert.Equal(t, wantLen, attrs.Len(), "%v", attrs.AsRaw())
		})
	}
}

func TestCumulativeMetricsOfRolledUpResourcesAreNotSummed(t *testing.T) {
	core, logs := observer.New(zap.WarnLevel)
	set := processortest.NewNopSettings(component.MustNewType(typeStr))
	set.Logger = zap.New(core)
	sink := new(consumertest.MetricsSink)
	p, err := NewFactory().CreateMetrics(context.Background(), set, scriptedConfig(), sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, p.Shutdown(context.Background())) })

	// As scraped: process.cpu.time and process.disk.io are monotonic cumulative sums.
	for range 2 {
		md := asScraped(processBatch("keep", "roll-a", "roll-b"))
		in := pmetric.NewMetrics()
		md.CopyTo(in)
		require.NoError(t, p.ConsumeMetrics(context.Background(), md))
		out := sink.AllMetrics()[len(sink.AllMetrics())-1]
		names := func(rm pmetric.ResourceMetrics) []string {
			var n []string
			for m := 0; m < rm.ScopeMetrics().At(0).Metrics().Len(); m++ {
				n = append(n, rm.ScopeMetrics().At(0).Metrics().At(m).Name())
			}
			return n
		}
		require.Equal(t, 4, out.ResourceMetrics().Len(), "keep, roll-a and roll-b with their counters, other")
		for _, name := range []string{"roll-a", "roll-b"} {
			rm, ok := resourceByName(out, name)
			require.True(t, ok, "%s stays with its counters", name)
			assert.Equal(t, []string{"process.cpu.time", "process.disk.io"}, names(rm), name)
			assertAttr(t, rm, attrTier, "standard")
			for _, metric := range []string{"process.cpu.time", "process.disk.io"} {
				assert.Equal(t, sumMetric(t, in, metric, name), sumMetric(t, out, metric, name), "%s %s unchanged", name, metric)
			}
		}
		other, ok := resourceByName(out, otherName)
		require.True(t, ok)
		assert.Equal(t, []string{"process.memory.usage", "process.memory.virtual", attrRollupCount}, names(other))
		assertRollupCount(t, other, 2)
	}
	warned := map[string]int{}
	for _, e := range logs.FilterMessageSnippet("roll-up cannot sum").All() {
		warned[e.ContextMap()["metric"].(string)]++
		assert.Contains(t, e.Message, "cumulative_to_delta")
	}
	assert.Equal(t, map[string]int{"process.cpu.time": 1, "process.disk.io": 1}, warned, "one warning per metric name")
}

func TestHistogramsAndSummariesOfRolledUpResourcesAreKept(t *testing.T) {
	md := processBatch("roll-a", "roll-b")
	sm := md.ResourceMetrics().At(0).ScopeMetrics().At(0)
	h := sm.Metrics().AppendEmpty()
	h.SetName("latency")
	h.SetEmptyHistogram().DataPoints().AppendEmpty().SetCount(3)
	e := sm.Metrics().AppendEmpty()
	e.SetName("latency.exp")
	e.SetEmptyExponentialHistogram().DataPoints().AppendEmpty().SetCount(4)
	s := sm.Metrics().AppendEmpty()
	s.SetName("latency.quantiles")
	s.SetEmptySummary().DataPoints().AppendEmpty().SetCount(5)
	b := newTestBuilder(t)
	rms := md.ResourceMetrics()
	b.measure(rms)
	out := testApplier(t).apply(rms, allRolledUp(2), &b.read)
	assert.Equal(t, int64(2), out.rolledUp)
	require.Equal(t, 2, rms.Len(), "roll-a with its distributions, other")
	kept := rms.At(0).ScopeMetrics().At(0).Metrics()
	require.Equal(t, 3, kept.Len())
	assert.Equal(t, []string{"latency", "latency.exp", "latency.quantiles"}, []string{kept.At(0).Name(), kept.At(1).Name(), kept.At(2).Name()})
	assert.Equal(t, uint64(3), kept.At(0).Histogram().DataPoints().At(0).Count())
	name, _ := rms.At(1).Resource().Attributes().Get("process.executable.name")
	assert.Equal(t, otherName, name.Str())
	assertRollupCount(t, rms.At(1), 2)
}
