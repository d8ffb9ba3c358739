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
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
)

// The synthetic busy host of test/fixtures/generate.ts (written by `make fixtures`: after
// cumulative_to_delta, and as the scraper records it) and the default profile's processors.
// test/optimizer/guarantees.test.ts checks the TS host the same way; both compare their decisions
// with the checked-in vector, so neither needs the other to have run.
const (
	fixtureFile           = "../../build/fixtures/host.jsonl"
	cumulativeFixtureFile = "../../build/fixtures/host.cumulative.jsonl"
	summaryVector         = "../../test/fixtures/guarantees-summary.json"
	defaultConfig         = "../../configs/balanced/agent.yaml"
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
	return readJSONLines(t, fixtureFile)
}

func readJSONLines(t testing.TB, file string) []pmetric.Metrics {
	f, err := os.Open(file)
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

// summarize is the host-independent listing of one optimized batch's decisions (checks.ts
// summary()): pid ("other" for a roll-up), tier, and for a roll-up how many it stands for.
func summarize(md pmetric.Metrics) []string {
	var out []string
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		rm := rms.At(i)
		pid, ok := attrStr(rm, "process.pid")
		if !ok {
			pid = "other"
		}
		tier, _ := attrStr(rm, "nrdot.tier")
		out = append(out, pid+":"+tier+":"+rollupCount(rm))
	}
	sort.Strings(out)
	return out
}

// rollupCount is the count data point of a roll-up: an int gauge (abi.md, "nrdot_rollup"); ""
// for a resource without one.
func rollupCount(rm pmetric.ResourceMetrics) string {
	sms := rm.ScopeMetrics()
	for s := 0; s < sms.Len(); s++ {
		ms := sms.At(s).Metrics()
		for m := 0; m < ms.Len(); m++ {
			if ms.At(m).Name() == attrRollupCount && ms.At(m).Type() == pmetric.MetricTypeGauge {
				if dps := ms.At(m).Gauge().DataPoints(); dps.Len() > 0 {
					return strconv.FormatInt(dps.At(0).IntValue(), 10)
				}
			}
		}
	}
	return ""
}

// exactTotal is a metric's total over a batch: int points summed exactly, double points in order
// with the sum of their magnitudes and their number, which bound the rounding.
type exactTotal struct {
	ints               int64
	doubles, magnitude float64
	terms              int
}

func metricExactTotal(md pmetric.Metrics, name string) exactTotal {
	var t exactTotal
	eachPoint(md, func(_ pmetric.ResourceMetrics, m pmetric.Metric, dp pmetric.NumberDataPoint) {
		if m.Name() != name {
			return
		}
		if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
			t.ints += dp.IntValue()
			return
		}
		t.doubles += dp.DoubleValue()
		t.magnitude += math.Abs(dp.DoubleValue())
		t.terms++
	})
	return t
}

// totalsDiffer says how the output's total of a metric differs from the input's, or "" when they
// are equal as the README claims: int points (memory, disk bytes) to the unit. Double points (CPU
// seconds) cannot be: `other` adds its members in one order and the input total adds every process
// in another, and float addition rounds. Summing n terms rounds by at most (n-1)·2⁻⁵³·Σ|xᵢ|
// (Higham, Accuracy and Stability of Numerical Algorithms, §4.2); the input total is one such sum,
// the output's another whose terms include the roll-up's own sums, so the two may differ by at most
// 2n·2⁻⁵³·Σ|xᵢ|, and by nothing more: not one process's share is missing.
func totalsDiffer(in, out pmetric.Metrics, name string) string {
	want, got := metricExactTotal(in, name), metricExactTotal(out, name)
	if got.ints != want.ints {
		return fmt.Sprintf("ints %d vs %d", got.ints, want.ints)
	}
	bound := 2 * float64(max(want.terms, 1)) * math.Ldexp(1, -53) * want.magnitude
	if math.Abs(got.doubles-want.doubles) > bound {
		return fmt.Sprintf("doubles %v vs %v (rounding allows ±%v)", got.doubles, want.doubles, bound)
	}
	return ""
}

func eachPoint(md pmetric.Metrics, f func(pmetric.ResourceMetrics, pmetric.Metric, pmetric.NumberDataPoint)) {
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		sms := rms.At(i).ScopeMetrics()
		for s := 0; s < sms.Len(); s++ {
			ms := sms.At(s).Metrics()
			for m := 0; m < ms.Len(); m++ {
				var dps pmetric.NumberDataPointSlice
				switch ms.At(m).Type() {
				case pmetric.MetricTypeSum:
					dps = ms.At(m).Sum().DataPoints()
				case pmetric.MetricTypeGauge:
					dps = ms.At(m).Gauge().DataPoints()
				default:
					continue
				}
				for p := 0; p < dps.Len(); p++ {
					f(rms.At(i), ms.At(m), dps.At(p))
				}
			}
		}
	}
}

// attrKey is equal for two attribute maps exactly when they hold the same keys with values of
// the same type and value; skipNRDOT leaves out the attributes NRDOT writes (nrdot.*).
func attrKey(m pcommon.Map, skipNRDOT bool) string {
	var kvs []string
	m.Range(func(k string, v pcommon.Value) bool {
		if !skipNRDOT || !strings.HasPrefix(k, "nrdot.") {
			kvs = append(kvs, strconv.Quote(k)+"="+v.Type().String()+":"+strconv.Quote(v.AsString()))
		}
		return true
	})
	sort.Strings(kvs)
	return strings.Join(kvs, ",")
}

// counterViolations is every place a backend would see a counter go down (checks.ts
// counterViolations): a monotonic cumulative series (resource attributes, metric, point attributes,
// start time) below its previous value, or a monotonic delta series re-accumulated as
// deltatocumulative does whose running sum goes down. nrdot.* attributes do not make a series of
// their own: a count or a score that changes every interval must not hide an `other` going down.
func counterViolations(batches []pmetric.Metrics) []string {
	last := map[string]float64{}
	var out []string
	for i, md := range batches {
		eachPoint(md, func(rm pmetric.ResourceMetrics, m pmetric.Metric, dp pmetric.NumberDataPoint) {
			if m.Type() != pmetric.MetricTypeSum || !m.Sum().IsMonotonic() {
				return
			}
			cumulative := m.Sum().AggregationTemporality() == pmetric.AggregationTemporalityCumulative
			series := attrKey(rm.Resource().Attributes(), true) + "|" + m.Name() + "|" + attrKey(dp.Attributes(), false)
			if cumulative {
				series += "|" + strconv.FormatUint(uint64(dp.StartTimestamp()), 10)
			}
			prev := last[series]
			now := prev + numberValue(dp)
			if cumulative {
				now = numberValue(dp)
			}
			if now < prev {
				pid, ok := attrStr(rm, "process.pid")
				if !ok {
					pid = "other"
				}
				out = append(out, fmt.Sprintf("interval %d: %s of %s went from %v to %v", i, m.Name(), pid, prev, now))
			}
			last[series] = now
		})
	}
	return out
}

// processStart is the earliest set start time of a resource's cumulative sums: the process's
// creation, which cumulative_to_delta leaves on the sums it does not convert (totals.ts).
func processStart(rm pmetric.ResourceMetrics) string {
	var earliest pcommon.Timestamp
	eachPoint(singleResource(rm), func(_ pmetric.ResourceMetrics, m pmetric.Metric, dp pmetric.NumberDataPoint) {
		if m.Type() == pmetric.MetricTypeSum && m.Sum().AggregationTemporality() == pmetric.AggregationTemporalityCumulative {
			if s := dp.StartTimestamp(); s > 0 && (earliest == 0 || s < earliest) {
				earliest = s
			}
		}
	})
	if earliest == 0 {
		return ""
	}
	return strconv.FormatUint(uint64(earliest), 10)
}

func singleResource(rm pmetric.ResourceMetrics) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm.CopyTo(md.ResourceMetrics().AppendEmpty())
	return md
}

// seriesPerProcess is the number of distinct resource attribute sets each exported identity (a
// process: host, pid and start time; a resource without a pid, the roll-up: its host) was exported
// under over the run, averaged over identities (totals.ts seriesPerProcess).
func seriesPerProcess(batches []pmetric.Metrics) float64 {
	sets := map[string]map[string]bool{}
	for _, md := range batches {
		rms := md.ResourceMetrics()
		for i := 0; i < rms.Len(); i++ {
			rm := rms.At(i)
			host, _ := attrStr(rm, "host.name")
			id := host + "|host"
			if pid, ok := attrStr(rm, "process.pid"); ok {
				id = host + "|" + pid + "|" + processStart(rm)
			}
			if sets[id] == nil {
				sets[id] = map[string]bool{}
			}
			sets[id][attrKey(rm.Resource().Attributes(), false)] = true
		}
	}
	if len(sets) == 0 {
		return 1
	}
	n := 0
	for _, s := range sets {
		n += len(s)
	}
	return float64(n) / float64(len(sets))
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

// optimizeAll runs batches through a fresh chain and returns its output, one batch per input.
func optimizeAll(t *testing.T, batches []pmetric.Metrics) []pmetric.Metrics {
	sink := new(consumertest.MetricsSink)
	chain := profileChain(t, sink)
	for _, md := range batches {
		require.NoError(t, chain.ConsumeMetrics(context.Background(), md))
	}
	require.Len(t, sink.AllMetrics(), len(batches))
	return sink.AllMetrics()
}

func TestOptimizerGuaranteesAtDefaultProfile(t *testing.T) {
	fixture := readFixture(t)
	require.GreaterOrEqual(t, len(fixture), 10)
	var input []pmetric.Metrics
	for _, md := range fixture {
		in := pmetric.NewMetrics()
		md.CopyTo(in)
		require.GreaterOrEqual(t, in.ResourceMetrics().Len(), 1000)
		input = append(input, in)
	}
	output := optimizeAll(t, fixture)

	inPoints, outPoints := 0, 0
	var summaries [][]string
	for i, in := range input {
		out := output[i]
		inPoints += in.DataPointCount()
		outPoints += out.DataPointCount()

		kept := map[string]bool{}
		others := 0
		for r := 0; r < out.ResourceMetrics().Len(); r++ {
			if pid, ok := attrStr(out.ResourceMetrics().At(r), "process.pid"); ok {
				kept[pid] = true
			}
			if v, ok := out.ResourceMetrics().At(r).Resource().Attributes().Get("nrdot.rollup"); ok && v.AsString() == "true" {
				others++
			}
		}
		assert.Equal(t, 1, others, "interval %d: one other per host", i)
		for r := 0; r < in.ResourceMetrics().Len(); r++ {
			rm := in.ResourceMetrics().At(r)
			name, _ := attrStr(rm, "process.executable.name")
			pid, _ := attrStr(rm, "process.pid")
			if name == "postgres" || name == "mysqld" || name == "redis-server" {
				assert.True(t, kept[pid], "interval %d: critical %s (pid %s) missing", i, name, pid)
			}
		}
		// A top consumer is one of the five that used the most CPU seconds (memory bytes) in the
		// interval. The optimizer ranks CPU by rate over each point's window, which for a process
		// born during the interval is shorter than the interval (guarantees.test.ts).
		for _, pid := range append(topPIDs(in, "process.cpu.time", 5), topPIDs(in, "process.memory.usage", 5)...) {
			assert.True(t, kept[pid], "interval %d: top consumer pid %s missing", i, pid)
		}
		for _, m := range []string{"process.cpu.time", "process.memory.usage", "process.disk.io"} {
			assert.Empty(t, totalsDiffer(in, out, m), "interval %d %s: totals differ", i, m)
		}
		summaries = append(summaries, summarize(out))
	}
	reduction := 1 - float64(outPoints)/float64(inPoints)
	t.Logf("reduction %.1f%% (%d -> %d points over %d intervals)", reduction*100, inPoints, outPoints, len(input))
	assert.GreaterOrEqual(t, reduction, 0.9)

	// A backend never sees a counter go down.
	assert.Empty(t, counterViolations(output))

	// One series per process: a score or a count in an attribute makes a new one every interval.
	spp := seriesPerProcess(output)
	t.Logf("series per process %.3f", spp)
	assert.Equal(t, 1.0, seriesPerProcess(input))
	assert.LessOrEqual(t, spp, 1.05, "series per process")

	// The same decisions as the checked-in vector the TS host is checked against too.
	b, err := os.ReadFile(summaryVector)
	require.NoError(t, err)
	var want [][]string
	require.NoError(t, json.Unmarshal(b, &want))
	require.Len(t, summaries, len(want))
	for i := range want {
		assert.Equal(t, want[i], summaries[i], "interval %d", i)
	}
}

// The checks above fail when they should: on a crafted stream, on a total one unit short.
func TestGuaranteeChecksCanFail(t *testing.T) {
	sum := func(temporality pmetric.AggregationTemporality, v float64) pmetric.Metrics {
		md := pmetric.NewMetrics()
		rm := md.ResourceMetrics().AppendEmpty()
		rm.Resource().Attributes().PutInt("process.pid", 1)
		m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		m.SetName("c")
		m.SetEmptySum().SetIsMonotonic(true)
		m.Sum().SetAggregationTemporality(temporality)
		dp := m.Sum().DataPoints().AppendEmpty()
		dp.SetStartTimestamp(1)
		dp.SetTimestamp(2)
		dp.SetDoubleValue(v)
		return md
	}
	cum, delta := pmetric.AggregationTemporalityCumulative, pmetric.AggregationTemporalityDelta
	assert.Len(t, counterViolations([]pmetric.Metrics{sum(cum, 5), sum(cum, 7), sum(cum, 6)}), 1)
	assert.Len(t, counterViolations([]pmetric.Metrics{sum(delta, 5), sum(delta, 0), sum(delta, -1)}), 1)
	assert.Empty(t, counterViolations([]pmetric.Metrics{sum(cum, 5), sum(cum, 5), sum(delta, 3)}))

	assert.NotEmpty(t, totalsDiffer(sum(delta, 1), sum(delta, 1-1e-9), "c"))
	assert.Empty(t, totalsDiffer(sum(delta, 1), sum(delta, 1), "c"))
	in, out := pmetric.NewMetrics(), pmetric.NewMetrics()
	for _, md := range []pmetric.Metrics{in, out} {
		m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		m.SetName("mem")
		m.SetEmptyGauge().DataPoints().AppendEmpty().SetIntValue(1 << 40)
	}
	out.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Gauge().DataPoints().At(0).SetIntValue(1<<40 - 1)
	assert.NotEmpty(t, totalsDiffer(in, out, "mem"))

	a, b := pmetric.NewMetrics(), pmetric.NewMetrics()
	for i, md := range []pmetric.Metrics{a, b} {
		rm := md.ResourceMetrics().AppendEmpty()
		rm.Resource().Attributes().PutInt("process.pid", 1)
		rm.Resource().Attributes().PutDouble("nrdot.score", float64(i))
	}
	assert.Equal(t, 2.0, seriesPerProcess([]pmetric.Metrics{a, b}))
}

// Fed the scraper's cumulative counters directly (no cumulative_to_delta), the optimizer must
// not make a counter go down either: summing the counters of whichever processes are rolled up
// in each interval would go down whenever one of them leaves `other`.
func TestOptimizerGuaranteesOnCumulativeCounters(t *testing.T) {
	output := optimizeAll(t, readJSONLines(t, cumulativeFixtureFile))
	v := counterViolations(output)
	assert.Empty(t, v[:min(len(v), 5)], "%d violations", len(v))
}
