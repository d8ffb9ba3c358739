package wasmprocessor

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
)

// The synthetic busy host of test/fixtures/generate.ts (written by `make fixtures`) and the
// default profile's processors; test/optimizer/guarantees.test.ts checks the TS host the same
// way and compares its decisions with the summary this test writes.
const (
	fixtureFile   = "../../build/fixtures/host.jsonl"
	summaryFile   = "../../build/fixtures/summary-go.json"
	defaultConfig = "../../configs/balanced/agent.yaml"
)

// profileChain builds the wasm processors of the default profile's ingest pipeline, in order, with
// their settings from configs/balanced/agent.yaml.
func profileChain(t testing.TB, next consumer.Metrics) processor.Metrics {
	cm, err := confmaptest.LoadConf(defaultConfig)
	require.NoError(t, err)
	ids, ok := cm.Get("service::pipelines::metrics/ingest::processors").([]any)
	require.True(t, ok, "the default profile has an ingest pipeline")
	for i := len(ids) - 1; i >= 0; i-- {
		id, _ := ids[i].(string)
		name, ok := strings.CutPrefix(id, "wasm/")
		if !ok {
			continue
		}
		sub, err := cm.Sub("processors::" + id + "::config")
		require.NoError(t, err)
		cfg := createDefaultConfig().(*Config)
		cfg.Module = filepath.Join(wasmDir, name+".wasm")
		cfg.ModuleConfig = sub.ToStringMap()
		p, err := NewFactory().CreateMetrics(context.Background(), processortest.NewNopSettings(component.MustNewType(typeStr)), cfg, next)
		require.NoError(t, err, "run `make wasm` first")
		t.Cleanup(func() { require.NoError(t, p.Shutdown(context.Background())) })
		next = p
	}
	return next.(processor.Metrics)
}

func readFixture(t testing.TB) []pmetric.Metrics {
	f, err := os.Open(fixtureFile)
	require.NoError(t, err, "run `make fixtures` first")
	defer f.Close()
	var out []pmetric.Metrics
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 1<<30)
	var u pmetric.JSONUnmarshaler
	for sc.Scan() {
		md, err := u.UnmarshalMetrics(sc.Bytes())
		require.NoError(t, err)
		out = append(out, md)
	}
	require.NoError(t, sc.Err())
	return out
}

func attrStr(rm pmetric.ResourceMetrics, key string) (string, bool) {
	v, ok := rm.Resource().Attributes().Get(key)
	if !ok {
		return "", false
	}
	return v.AsString(), true
}

func metricTotal(md pmetric.Metrics, name string) float64 {
	total := 0.0
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		total += resourceTotal(rms.At(i), name)
	}
	return total
}

func resourceTotal(rm pmetric.ResourceMetrics, name string) float64 {
	total := 0.0
	sms := rm.ScopeMetrics()
	for s := 0; s < sms.Len(); s++ {
		ms := sms.At(s).Metrics()
		for m := 0; m < ms.Len(); m++ {
			if ms.At(m).Name() != name {
				continue
			}
			var dps pmetric.NumberDataPointSlice
			if ms.At(m).Type() == pmetric.MetricTypeSum {
				dps = ms.At(m).Sum().DataPoints()
			} else {
				dps = ms.At(m).Gauge().DataPoints()
			}
			for i := 0; i < dps.Len(); i++ {
				total += numberValue(dps.At(i))
			}
		}
	}
	return total
}

// summarize is the host-independent listing of one optimized batch (checks.ts summary()).
func summarize(md pmetric.Metrics) []string {
	var out []string
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		rm := rms.At(i)
		pid, ok := attrStr(rm, "process.pid")
		if !ok {
			pid = "other"
		}
		tier, _ := attrStr(rm, attrTier)
		score := ""
		if v, ok := rm.Resource().Attributes().Get(attrScore); ok {
			score = fmt.Sprintf("%.9f", v.Double())
		}
		count, _ := attrStr(rm, attrRollupCount)
		out = append(out, pid+":"+tier+":"+score+":"+count)
	}
	sort.Strings(out)
	return out
}

func topPIDs(md pmetric.Metrics, metric string, n int) []string {
	type pv struct {
		pid string
		v   float64
	}
	var all []pv
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		if v := resourceTotal(rms.At(i), metric); v > 0 {
			pid, _ := attrStr(rms.At(i), "process.pid")
			all = append(all, pv{pid, v})
		}
	}
	sort.SliceStable(all, func(a, b int) bool { return all[a].v > all[b].v })
	var out []string
	for i := 0; i < n && i < len(all); i++ {
		out = append(out, all[i].pid)
	}
	return out
}

func TestOptimizerGuaranteesAtDefaultProfile(t *testing.T) {
	input := readFixture(t)
	require.GreaterOrEqual(t, len(input), 10)
	sink := new(consumertest.MetricsSink)
	chain := profileChain(t, sink)

	inPoints, outPoints := 0, 0
	var summaries [][]string
	for i, md := range input {
		in := pmetric.NewMetrics()
		md.CopyTo(in)
		require.GreaterOrEqual(t, in.ResourceMetrics().Len(), 1000)
		require.NoError(t, chain.ConsumeMetrics(context.Background(), md))
		out := sink.AllMetrics()[i]
		inPoints += in.DataPointCount()
		outPoints += out.DataPointCount()

		kept := map[string]bool{}
		for r := 0; r < out.ResourceMetrics().Len(); r++ {
			if pid, ok := attrStr(out.ResourceMetrics().At(r), "process.pid"); ok {
				kept[pid] = true
			}
		}
		for r := 0; r < in.ResourceMetrics().Len(); r++ {
			rm := in.ResourceMetrics().At(r)
			name, _ := attrStr(rm, "process.executable.name")
			pid, _ := attrStr(rm, "process.pid")
			if name == "postgres" || name == "mysqld" || name == "redis-server" {
				assert.True(t, kept[pid], "interval %d: critical %s (pid %s) missing", i, name, pid)
			}
		}
		for _, pid := range append(topPIDs(in, "process.cpu.time", 5), topPIDs(in, "process.memory.usage", 5)...) {
			assert.True(t, kept[pid], "interval %d: top consumer pid %s missing", i, pid)
		}
		for _, m := range []string{"process.cpu.time", "process.memory.usage", "process.disk.io"} {
			want, got := metricTotal(in, m), metricTotal(out, m)
			assert.LessOrEqual(t, math.Abs(got-want), 0.005*math.Abs(want), "interval %d %s: %v vs %v", i, m, got, want)
		}
		summaries = append(summaries, summarize(out))
	}
	reduction := 1 - float64(outPoints)/float64(inPoints)
	t.Logf("reduction %.1f%% (%d -> %d points over %d intervals)", reduction*100, inPoints, outPoints, len(input))
	assert.GreaterOrEqual(t, reduction, 0.9)

	b, err := json.Marshal(summaries)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(summaryFile, b, 0o600))
}
