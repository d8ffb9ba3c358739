package wasmprocessor

import (
	"bufio"
	"context"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

func heapObjectBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// fixtureInterval reads one interval of the synthetic busy host without decoding the others.
func fixtureInterval(t *testing.T, n int) pmetric.Metrics {
	f, err := os.Open(fixtureFile)
	require.NoError(t, err, "run `make fixtures` first")
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 1<<30)
	for i := 0; i <= n; i++ {
		require.True(t, sc.Scan())
	}
	var u pmetric.JSONUnmarshaler
	md, err := u.UnmarshalMetrics(sc.Bytes())
	require.NoError(t, err)
	return md
}

// keptProcess is what the backend sees of a kept process.
type keptProcess struct {
	tier  string
	score float64
}

// TestMemoryPressureShedsInOrder drives the real heap of the test process up to each degradation
// level against a small configured memory_pressure_limit_mib, and runs the synthetic host's batch
// through the real optimize.wasm (the default profile's config) at each: low scores go first,
// then a fraction of the rest, then everything but critical; every critical process is kept at
// every level; otelcol_processor_wasm_degradation_level says which level the module applied. No
// GOMEMLIMIT is set. The levels are the default profile's less its min_score 0.6
// level: on this batch that one already sheds every non-critical process, which would leave the
// keep_fraction level nothing to show.
func TestMemoryPressureShedsInOrder(t *testing.T) {
	cm, err := confmaptest.LoadConf(defaultConfig)
	require.NoError(t, err)
	sub, err := cm.Sub("processors::wasm/optimize::config")
	require.NoError(t, err)
	batch := fixtureInterval(t, 2)
	moduleConfig := sub.ToStringMap()
	moduleConfig["degradation"] = []any{
		map[string]any{"pressure": 0.6, "min_score": 0.3},
		map[string]any{"pressure": 0.7, "keep_fraction": 0.5},
		map[string]any{"pressure": 0.9, "critical_only": true},
	}

	runtime.GC()
	limitMiB := max(uint32(128), uint32(2*heapObjectBytes()>>20)+1) // today's heap is at most 0.5 of it
	limit := float64(uint64(limitMiB) << 20)
	targets := []float64{0, 0.65, 0.8, 0.95}
	kept := make([]map[string]keptProcess, len(targets))
	var ballast [][]byte
	for i, target := range targets {
		cfg := createDefaultConfig().(*Config)
		cfg.Module = filepath.Join(wasmDir, "optimize.wasm")
		cfg.ModuleConfig = moduleConfig
		cfg.ScoreAttribute = attrScore
		cfg.MemoryPressureLimitMiB = limitMiB
		p, tel, sink := telemetryProcessor(t, cfg)
		_, err := tel.GetMetric(metricPrefix + "degradation_level")
		require.Error(t, err, "no level before the module reports one")

		ballast = nil
		runtime.GC()
		for float64(heapObjectBytes()) < target*limit {
			ballast = append(ballast, make([]byte, 256<<10))
		}
		runtime.GC()
		md := pmetric.NewMetrics()
		batch.CopyTo(md)
		require.NoError(t, p.ConsumeMetrics(context.Background(), md))
		m, err := tel.GetMetric(metricPrefix + "memory_pressure")
		require.NoError(t, err)
		pressure := m.Data.(metricdata.Gauge[float64]).DataPoints[0].Value
		if target == 0 {
			require.Less(t, pressure, 0.6, "no level applies at the start")
		} else {
			require.InDelta(t, target, pressure, 0.04, "the heap was driven to %.2f of %d MiB", target, limitMiB)
		}
		m, err = tel.GetMetric(metricPrefix + "degradation_level")
		require.NoError(t, err, "the module reported its level")
		level := m.Data.(metricdata.Gauge[float64]).DataPoints
		require.Len(t, level, 1)
		assert.Equal(t, float64(i), level[0].Value, "at pressure %.2f the level in force is index + 1 of the highest reached", pressure)
		proc, _ := level[0].Attributes.Value("processor")
		assert.Equal(t, "wasm", proc.AsString())
		kept[i] = map[string]keptProcess{}
		rms := sink.AllMetrics()[0].ResourceMetrics()
		for r := 0; r < rms.Len(); r++ {
			attrs := rms.At(r).Resource().Attributes()
			pid, isProcess := attrs.Get("process.pid")
			if !isProcess {
				continue // the roll-up
			}
			name, _ := attrs.Get("process.executable.name")
			tier, _ := attrs.Get(attrTier)
			score, _ := attrs.Get(attrScore)
			kept[i][pid.AsString()+" "+name.Str()] = keptProcess{tier: tier.Str(), score: score.Double()}
		}
	}
	runtime.KeepAlive(ballast)

	critical := func(k map[string]keptProcess) (c, rest map[string]keptProcess) {
		c, rest = map[string]keptProcess{}, map[string]keptProcess{}
		for id, kp := range k {
			if kp.tier == "critical" {
				c[id] = kp
			} else {
				rest[id] = kp
			}
		}
		return c, rest
	}
	crit0, rest0 := critical(kept[0])
	require.NotEmpty(t, crit0)
	scores := rest0 // a process's score at pressure 0 (fresh state each run, same batch)
	var rests []map[string]keptProcess
	for i := range targets {
		c, rest := critical(kept[i])
		assert.Equal(t, len(crit0), len(c), "every critical process is kept at %.2f", targets[i])
		for id := range crit0 {
			assert.Contains(t, c, id)
		}
		rests = append(rests, rest)
		if i == 0 {
			continue
		}
		prev := rests[i-1]
		assert.Less(t, len(rest), len(prev), "fewer non-critical processes at %.2f than at %.2f", targets[i], targets[i-1])
		for id := range rest {
			assert.Contains(t, prev, id, "%s kept at %.2f was shed at a lower pressure", id, targets[i])
		}
	}
	shedBelow := func(i int, minScore float64) {
		for id := range rests[i-1] {
			if _, ok := rests[i][id]; !ok {
				assert.Less(t, scores[id].score, minScore, "%s (score %.3f) shed at %.2f", id, scores[id].score, targets[i])
			}
		}
		for id := range rests[i] {
			assert.GreaterOrEqual(t, scores[id].score, minScore)
		}
	}
	shedBelow(1, 0.3) // low scores first
	assert.NotEmpty(t, rests[2], "keep_fraction keeps some")
	assert.Empty(t, rests[3], "critical only")
	t.Logf("limit %d MiB; non-critical kept per level: %d %d %d %d; critical %d", limitMiB,
		len(rests[0]), len(rests[1]), len(rests[2]), len(rests[3]), len(crit0))
}

// TestMemoryLimitIsDerived: the configured limit, else GOMEMLIMIT, else the cgroup's, else none
// (and the processor warns once that degradation cannot apply).
func TestMemoryLimitIsDerived(t *testing.T) {
	oldRoot, oldLimit := cgroupRoot, debug.SetMemoryLimit(-1)
	t.Cleanup(func() { cgroupRoot = oldRoot; debug.SetMemoryLimit(oldLimit) })
	cgroupRoot = t.TempDir()
	debug.SetMemoryLimit(math.MaxInt64)

	limit, from := memoryLimit(0)
	assert.Equal(t, uint64(0), limit, "nothing known")
	assert.Equal(t, "", from)
	require.NoError(t, os.WriteFile(filepath.Join(cgroupRoot, "memory.max"), []byte("max\n"), 0o600))
	limit, _ = memoryLimit(0)
	assert.Equal(t, uint64(0), limit, "an unlimited cgroup is no limit")
	require.NoError(t, os.WriteFile(filepath.Join(cgroupRoot, "memory.max"), []byte("536870912\n"), 0o600))
	limit, from = memoryLimit(0)
	assert.Equal(t, uint64(512<<20), limit)
	assert.Equal(t, limitFromCgroup, from)
	debug.SetMemoryLimit(360 << 20)
	limit, from = memoryLimit(0)
	assert.Equal(t, uint64(360<<20), limit)
	assert.Equal(t, limitFromGOMEMLIMIT, from)
	limit, from = memoryLimit(300)
	assert.Equal(t, uint64(300<<20), limit)
	assert.Equal(t, limitFromConfig, from)

	require.NoError(t, os.Remove(filepath.Join(cgroupRoot, "memory.max")))
	debug.SetMemoryLimit(math.MaxInt64)
	core, logs := observer.New(zap.WarnLevel)
	set := processortest.NewNopSettings(component.MustNewType(typeStr))
	set.Logger = zap.New(core)
	p, err := NewFactory().CreateMetrics(context.Background(), set, scriptedConfig(), new(consumertest.MetricsSink))
	require.NoError(t, err)
	require.NoError(t, p.Shutdown(context.Background()))
	assert.Len(t, logs.FilterMessageSnippet("no memory limit is known").All(), 1)
}
