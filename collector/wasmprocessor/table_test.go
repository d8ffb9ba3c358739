package wasmprocessor

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// testColumns is a declaration like optimize's: string and number columns of every reduction.
const testColumns = "attr process.pid\nattr process.executable.name\nattr process.owner\n" +
	"metric process.cpu.time sum\nmetric process.cpu.time start_time\nmetric process.cpu.time time\n" +
	"metric process.memory.usage max\n"

func newTestBuilder(t *testing.T) *tableBuilder {
	cols, err := parseColumns(testColumns)
	require.NoError(t, err)
	return &tableBuilder{cols: cols, rollup: testApplier(t).rollup}
}

func manyProcesses(n int) pmetric.Metrics {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("proc-%d", i%37)
	}
	return processBatch(names...)
}

// tableBytes measures and encodes rms with the given split.
func tableBytes(b *tableBuilder, rms pmetric.ResourceMetricsSlice, split int) []byte {
	buf := make([]byte, b.measureSplit(rms, split))
	b.encode(buf, rms.Len())
	return buf
}

// allRolledUp returns decision records that roll up every row.
func allRolledUp(rows int) []byte {
	records := make([]byte, rows*decisionSize)
	for i := 0; i < rows; i++ {
		records[i*decisionSize] = byte(actionRollup)
	}
	return records
}

func TestTableIsTheSameReadInOneOrTwoParts(t *testing.T) {
	rms := manyProcesses(3001).ResourceMetrics()
	one := tableBytes(newTestBuilder(t), rms, rms.Len())
	for _, split := range []int{1, 1500, 3000} {
		assert.Equal(t, one, tableBytes(newTestBuilder(t), rms, split), "split at %d", split)
	}
}

func TestRollupIsTheSameReadInOneOrTwoParts(t *testing.T) {
	rollUp := func(split int) pmetric.Metrics {
		md := manyProcesses(3000)
		// Rows of the second half carry a metric and a point attribute set the first half lacks,
		// so the second part's shapes must be added to the first's.
		for i := 2000; i < 3000; i++ {
			rm := md.ResourceMetrics().At(i)
			threads := rm.ScopeMetrics().At(0).Metrics().AppendEmpty()
			threads.SetName("process.threads")
			threads.SetEmptyGauge().DataPoints().AppendEmpty().SetIntValue(int64(i))
			cpu := rm.ScopeMetrics().At(0).Metrics().At(0).Sum().DataPoints().AppendEmpty()
			cpu.Attributes().PutStr("state", "steal")
			cpu.SetDoubleValue(0.5)
		}
		b := newTestBuilder(t)
		rms := md.ResourceMetrics()
		b.measureSplit(rms, split)
		out := testApplier(t).apply(rms, allRolledUp(rms.Len()), &b.read)
		require.Equal(t, int64(3000), out.rolledUp)
		return md
	}
	want := rollUp(3000)
	for _, split := range []int{1000, 2500} {
		got := rollUp(split)
		assert.Equal(t, want, got, "split at %d", split)
	}
	other := want.ResourceMetrics().At(0)
	ms := other.ScopeMetrics().At(0).Metrics()
	threads := ms.At(ms.Len() - 2) // before the count
	require.Equal(t, "process.threads", threads.Name())
	assert.Equal(t, int64(2000+2999)*1000/2, threads.Gauge().DataPoints().At(0).IntValue())
	cpu := ms.At(0)
	require.Equal(t, "process.cpu.time", cpu.Name())
	assert.Equal(t, 4, cpu.Sum().DataPoints().Len(), "user, system, wait and steal")
}

func TestRollupSumsPointsByAttributeSetWhateverTheOrder(t *testing.T) {
	md := processBatch("a", "b", "c")
	rms := md.ResourceMetrics()
	for i := 0; i < 3; i++ {
		dps := rms.At(i).ScopeMetrics().At(0).Metrics().At(0).Sum().DataPoints()
		for p := 0; p < dps.Len(); p++ {
			attrs := dps.At(p).Attributes()
			state, _ := attrs.Get("state")
			s := state.Str()
			attrs.Clear()
			// Row 1 writes the same set in another order; row 2 has a different set.
			switch i {
			case 0:
				attrs.PutStr("state", s)
				attrs.PutStr("cpu", "0")
			case 1:
				attrs.PutStr("cpu", "0")
				attrs.PutStr("state", s)
			case 2:
				attrs.PutStr("state", s)
				attrs.PutStr("cpu", "1")
			}
		}
	}
	b := newTestBuilder(t)
	b.measure(rms)
	testApplier(t).apply(rms, allRolledUp(3), &b.read)
	require.Equal(t, 1, rms.Len())
	cpu := rms.At(0).ScopeMetrics().At(0).Metrics().At(0)
	require.Equal(t, "process.cpu.time", cpu.Name())
	dps := cpu.Sum().DataPoints()
	require.Equal(t, 6, dps.Len(), "3 states × 2 cpus")
	first := dps.At(0)
	cpuAttr, _ := first.Attributes().Get("cpu")
	assert.Equal(t, "0", cpuAttr.Str())
	// processBatch gives row i the value (i+1)*(3-j)/2 for state j: rows 0 and 1 summed, "user".
	assert.InDelta(t, 1.5+3.0, first.DoubleValue(), 1e-9)
}

func TestShapesStartOverWhenTooMany(t *testing.T) {
	b := newTestBuilder(t)
	md := processBatch("a")
	dps := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Sum().DataPoints()
	for i := 0; i < maxShapes+10; i++ {
		dp := dps.AppendEmpty()
		dp.Attributes().PutInt("unique", int64(i))
	}
	b.measure(md.ResourceMetrics())
	require.Greater(t, len(b.parts[0].shapes.points), maxShapes)
	b.measure(processBatch("a").ResourceMetrics())
	assert.Len(t, b.parts[0].shapes.points, 7, "3 cpu states, 2 memory metrics, 2 disk directions: only this batch's shapes")
}

func TestRollupWhenTheModuleReadsNoMetric(t *testing.T) {
	// A module with string columns only (classify) has no points read by the table pass: the rows
	// it rolls up are read afterwards, and the result is the same.
	rollUp := func(decl string, split int) pmetric.Metrics {
		md := manyProcesses(3000)
		cols, err := parseColumns(decl)
		require.NoError(t, err)
		b := &tableBuilder{cols: cols, rollup: testApplier(t).rollup}
		rms := md.ResourceMetrics()
		b.measureSplit(rms, split)
		records := allRolledUp(rms.Len())
		records[7*decisionSize] = byte(actionKeep) // a kept row is not read again
		b.readRolledUp(rms, records)
		out := testApplier(t).apply(rms, records, &b.read)
		require.Equal(t, int64(2999), out.rolledUp)
		return md
	}
	want := rollUp(testColumns, 3000)
	assert.Equal(t, want, rollUp("attr process.pid\n", 3000))
	assert.Equal(t, want, rollUp("attr process.pid\n", 1500))
}

// TestNonFinitePointsAreAbsentInTheTable: NaN in a number column means the metric has no finite
// point in the resource, never a value. A NaN point mid-sum used to make the slot NaN, so the
// next point started the sum again and the points before it were lost.
func TestNonFinitePointsAreAbsentInTheTable(t *testing.T) {
	md := processBatch("mixed", "all-nan")
	cpu := func(row, state int) pmetric.NumberDataPoint {
		return md.ResourceMetrics().At(row).ScopeMetrics().At(0).Metrics().At(0).Sum().DataPoints().At(state)
	}
	cpu(0, 0).SetDoubleValue(3)
	cpu(0, 1).SetDoubleValue(math.NaN())
	cpu(0, 1).SetTimestamp(cpu(0, 1).Timestamp() + 60e9) // a left-out point's time does not count either
	cpu(0, 1).SetStartTimestamp(1e9)
	cpu(0, 2).SetDoubleValue(5)
	for state, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		cpu(1, state).SetDoubleValue(v)
	}
	b := newTestBuilder(t)
	b.measure(md.ResourceMetrics())
	num := func(col, row int) float64 { return b.nums[col*2+row] }
	assert.Equal(t, 8.0, num(0, 0), "3 + NaN + 5: the NaN is left out")
	assert.Equal(t, float64(cpu(0, 0).StartTimestamp())/1e9, num(1, 0), "start_time of the finite points")
	assert.Equal(t, float64(cpu(0, 0).Timestamp())/1e9, num(2, 0), "time of the finite points")
	for col := 0; col < 3; col++ {
		assert.True(t, math.IsNaN(num(col, 1)), "column %d of a resource whose CPU points are all non-finite is absent", col)
	}
	assert.False(t, math.IsNaN(num(3, 1)), "its memory is still read")
}
