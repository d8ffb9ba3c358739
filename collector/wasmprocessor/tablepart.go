package wasmprocessor

import (
	"math"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// tablePart reads one range of rows into the table builder's arrays (its own rows of nums,
// offsets, hosts and rowEnd) and into its own string columns, shapes and points, so two parts
// can read concurrently without sharing anything they write.
type tablePart struct {
	colBlocks  [][]byte // per string column, this part's rows, in order
	shapes     shapes
	metricCols [][]int // the number columns fed by each metric shape
	points     []cachedPoint
	// attrOrder remembers, by position in a resource's attributes, the last key seen there and
	// what it feeds: the scraper writes the same keys in the same order for every process.
	attrOrder []attrSlot
	found     []bool   // per string column: seen in the current row
	groupVals []string // per declared group key: its value in the current row
}

// attrSlot is what an attribute key feeds: a string column and a roll-up group key (-1 for none).
type attrSlot struct {
	key   string
	col   int
	group int
}

func (t *tablePart) readRows(b *tableBuilder, rms pmetric.ResourceMetricsSlice, from, to int) {
	nStr := len(b.cols.attrs)
	if len(t.shapes.points) > maxShapes || t.shapes.byName == nil {
		t.shapes.reset()
		t.metricCols = t.metricCols[:0]
	}
	t.points = t.points[:0]
	for len(t.colBlocks) < nStr {
		t.colBlocks = append(t.colBlocks, nil)
	}
	for s := range nStr {
		t.colBlocks[s] = t.colBlocks[s][:0]
	}
	t.found = resize(t.found, nStr)
	t.groupVals = resize(t.groupVals, len(b.rollup.group))
	rows, withPoints := rms.Len(), len(b.cols.metrics) > 0
	// Row by row, so each resource is visited once while it is in cache.
	for r := from; r < to; r++ {
		rm := rms.At(r)
		if withPoints {
			t.readPoints(b, rm, r, rows)
		}
		b.read.groups[r] = t.readAttrs(b, rm.Resource().Attributes(), r, rows)
	}
}

// readPoints reads the row's points (readMetrics) and records where they are.
func (t *tablePart) readPoints(b *tableBuilder, rm pmetric.ResourceMetrics, row, rows int) {
	b.read.rowStart[row] = int32(len(t.points))
	b.read.unsummable[row] = t.readMetrics(b, rm, row, rows)
	b.read.rowEnd[row] = int32(len(t.points))
}

// readMetrics walks every number data point of a resource once: it records the point for the
// roll-up and reduces it into the row's number columns. It reports whether the resource has a
// metric the roll-up cannot sum.
func (t *tablePart) readMetrics(b *tableBuilder, rm pmetric.ResourceMetrics, row, rows int) (unsummable bool) {
	sms := rm.ScopeMetrics()
	pos := 0
	for s := 0; s < sms.Len(); s++ {
		ms := sms.At(s).Metrics()
		for m := 0; m < ms.Len(); m++ {
			metric := ms.At(m)
			var dps pmetric.NumberDataPointSlice
			switch metric.Type() {
			case pmetric.MetricTypeSum:
				dps = metric.Sum().DataPoints()
			case pmetric.MetricTypeGauge:
				dps = metric.Gauge().DataPoints()
			case pmetric.MetricTypeEmpty:
				pos++
				continue
			default:
				pos++
				unsummable = true
				continue // the process scraper emits only sums and gauges
			}
			id := t.shapes.metricAt(metric, pos)
			pos++
			unsummable = unsummable || !t.shapes.summableMetric(id)
			idx := t.columnsOf(b.cols, id)
			for p := 0; p < dps.Len(); p++ {
				dp := dps.At(p)
				t.points = append(t.points, readPoint(t.shapes.pointOf(id, p, dp.Attributes()), dp))
				cp := &t.points[len(t.points)-1]
				for _, c := range idx {
					reduce(&b.nums[c*rows+row], b.cols.metrics[c].reduce, cp)
				}
			}
		}
	}
	return unsummable
}

// columnsOf returns the number columns fed by metric shape id.
func (t *tablePart) columnsOf(cols *columns, id int32) []int {
	for len(t.metricCols) < len(t.shapes.metrics) {
		t.metricCols = append(t.metricCols, cols.byMetric[t.shapes.metrics[len(t.metricCols)].key.name])
	}
	return t.metricCols[id]
}

// reduce folds one point into a number column. A point whose value is NaN or ±Inf is read as
// absent, timestamps included: a column is then NaN only when the metric has no finite point in
// the resource, so the module reads NaN as "absent" and nothing else, and one NaN point cannot
// empty the sum of the points before it.
func reduce(slot *float64, how reduction, cp *cachedPoint) {
	v := cp.value()
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	switch how {
	case reduceStartTime:
		if cp.start == 0 {
			return
		}
		v = float64(cp.start) / 1e9
		if math.IsNaN(*slot) || v < *slot {
			*slot = v
		}
		return
	case reduceTime:
		v = float64(cp.t) / 1e9
		if math.IsNaN(*slot) || v > *slot {
			*slot = v
		}
		return
	}
	switch {
	case math.IsNaN(*slot):
		*slot = v
	case how == reduceSum:
		*slot += v
	case how == reduceMax && v > *slot:
		*slot = v
	}
}

// readAttrs appends the row's string columns in one walk over its attributes and returns its
// roll-up group key.
func (t *tablePart) readAttrs(b *tableBuilder, attrs pcommon.Map, row, rows int) string {
	for s := range t.found {
		b.offsets[s*(rows+1)+row] = uint32(len(t.colBlocks[s]))
		t.found[s] = false
	}
	clear(t.groupVals)
	i := 0
	attrs.Range(func(k string, v pcommon.Value) bool {
		slot := t.attrSlot(b, i, k)
		i++
		if slot.group >= 0 {
			t.groupVals[slot.group] = v.AsString()
		}
		if slot.col >= 0 && !t.found[slot.col] {
			t.found[slot.col] = true
			t.colBlocks[slot.col] = appendValue(t.colBlocks[slot.col], v)
		}
		return true
	})
	return groupKey(t.groupVals)
}

// groupKey is one string per tuple of group values. One value (host.name) is its own key, so
// the common case does not allocate; more are length-prefixed so no two tuples share a key.
func groupKey(vals []string) string {
	switch len(vals) {
	case 0:
		return ""
	case 1:
		return vals[0]
	}
	var sb strings.Builder
	for _, v := range vals {
		sb.WriteString(strconv.Itoa(len(v)))
		sb.WriteByte(':')
		sb.WriteString(v)
	}
	return sb.String()
}

// attrSlot returns what the key at position pos feeds, by position first.
func (t *tablePart) attrSlot(b *tableBuilder, pos int, key string) attrSlot {
	if pos < len(t.attrOrder) && t.attrOrder[pos].key == key {
		return t.attrOrder[pos]
	}
	slot := attrSlot{key: key, col: -1, group: b.rollup.groupIndex(key)}
	for s, k := range b.cols.attrs {
		if k == key {
			slot.col = s
			break
		}
	}
	for len(t.attrOrder) <= pos {
		t.attrOrder = append(t.attrOrder, attrSlot{col: -1, group: -1})
	}
	t.attrOrder[pos] = slot
	return slot
}

// appendValue appends the value as UTF-8 without allocating for strings, ints and doubles.
func appendValue(dst []byte, v pcommon.Value) []byte {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return append(dst, v.Str()...)
	case pcommon.ValueTypeInt:
		return strconv.AppendInt(dst, v.Int(), 10)
	case pcommon.ValueTypeDouble:
		return strconv.AppendFloat(dst, v.Double(), 'f', -1, 64)
	default:
		return append(dst, v.AsString()...)
	}
}

// translateShapes renames this part's point shapes into canonical's, registering there the ones
// it lacks, so the roll-up sums both parts' points by one set of ids.
func (t *tablePart) translateShapes(canonical *shapes) {
	ids := make([]int32, len(t.shapes.points))
	same := len(t.shapes.points) <= len(canonical.points)
	for i := range t.shapes.points {
		ids[i] = canonical.adopt(&t.shapes, int32(i))
		same = same && ids[i] == int32(i)
	}
	if same {
		return
	}
	for k := range t.points {
		t.points[k].shape = ids[t.points[k].shape]
	}
}
