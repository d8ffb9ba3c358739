package wasmprocessor

import (
	"encoding/binary"
	"math"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

const tableHeaderSize = 16

// tableBuilder lays resources out as the ABI's resource table. It keeps its scratch space between
// batches so the per-row path does not allocate.
type tableBuilder struct {
	cols      *columns
	nums      []float64 // column-major N×R, filled by measure
	block     []byte    // the string block, column-major, filled by measure
	offsets   []uint32  // S×(R+1) offsets into block, filled by measure
	colBlocks [][]byte  // per string column, filled row by row, then joined into block
	scratch   []byte    // decimal rendering of int attributes
	// order remembers, by position in a resource, the last metric name seen and its columns: the
	// scraper emits the same metrics in the same order for every process, so the map is rarely
	// consulted.
	order []metricSlot
}

type metricSlot struct {
	name string
	idx  []int
}

// measure reads every resource once: its metrics reduced into b.nums, its attributes appended to
// the string block. It returns the table size in bytes.
func (b *tableBuilder) measure(rms pmetric.ResourceMetricsSlice) int {
	rows, nNum, nStr := rms.Len(), len(b.cols.metrics), len(b.cols.attrs)
	b.nums = resize(b.nums, rows*nNum)
	for i := range b.nums {
		b.nums[i] = math.NaN()
	}
	b.offsets = resize(b.offsets, nStr*(rows+1))
	for len(b.colBlocks) < nStr {
		b.colBlocks = append(b.colBlocks, nil)
	}
	for s := range nStr {
		b.colBlocks[s] = b.colBlocks[s][:0]
	}
	// Row by row, so each resource is visited once while it is in cache.
	for r := 0; r < rows; r++ {
		rm := rms.At(r)
		if nNum > 0 {
			b.reduceMetrics(rm, r, rows)
		}
		attrs := rm.Resource().Attributes()
		for s, key := range b.cols.attrs {
			b.offsets[s*(rows+1)+r] = uint32(len(b.colBlocks[s]))
			b.colBlocks[s] = append(b.colBlocks[s], b.attrBytes(attrs, key)...)
		}
	}
	// Join the columns into the ABI's block; offsets become relative to the block.
	b.block = b.block[:0]
	for s := range nStr {
		base := uint32(len(b.block))
		col := b.offsets[s*(rows+1) : (s+1)*(rows+1)]
		for r := 0; r < rows; r++ {
			col[r] += base
		}
		b.block = append(b.block, b.colBlocks[s]...)
		col[rows] = uint32(len(b.block))
	}
	return tableHeaderSize + 8*nNum*rows + 4*len(b.offsets) + len(b.block)
}

// resize returns s with length n, reusing its array when it is large enough.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

func (b *tableBuilder) reduceMetrics(rm pmetric.ResourceMetrics, row, rows int) {
	sms := rm.ScopeMetrics()
	pos := 0
	for s := 0; s < sms.Len(); s++ {
		ms := sms.At(s).Metrics()
		for m := 0; m < ms.Len(); m++ {
			metric := ms.At(m)
			idx := b.columnsOf(metric.Name(), pos)
			pos++
			if len(idx) == 0 {
				continue
			}
			var dps pmetric.NumberDataPointSlice
			switch metric.Type() {
			case pmetric.MetricTypeSum:
				dps = metric.Sum().DataPoints()
			case pmetric.MetricTypeGauge:
				dps = metric.Gauge().DataPoints()
			default:
				continue
			}
			for _, c := range idx {
				slot := &b.nums[c*rows+row]
				reduce(slot, b.cols.metrics[c].reduce, dps)
			}
		}
	}
}

// columnsOf returns the number columns of a metric, by its position first.
func (b *tableBuilder) columnsOf(name string, pos int) []int {
	if pos < len(b.order) && b.order[pos].name == name {
		return b.order[pos].idx
	}
	idx := b.cols.byMetric[name]
	for len(b.order) <= pos {
		b.order = append(b.order, metricSlot{})
	}
	b.order[pos] = metricSlot{name: name, idx: idx}
	return idx
}

func reduce(slot *float64, how reduction, dps pmetric.NumberDataPointSlice) {
	for i := 0; i < dps.Len(); i++ {
		dp := dps.At(i)
		var v float64
		switch how {
		case reduceStartTime:
			if dp.StartTimestamp() == 0 {
				continue
			}
			v = float64(dp.StartTimestamp()) / 1e9
			if math.IsNaN(*slot) || v < *slot {
				*slot = v
			}
			continue
		case reduceTime:
			v = float64(dp.Timestamp()) / 1e9
			if math.IsNaN(*slot) || v > *slot {
				*slot = v
			}
			continue
		default:
			v = numberValue(dp)
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
}

func numberValue(dp pmetric.NumberDataPoint) float64 {
	if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
		return float64(dp.IntValue())
	}
	return dp.DoubleValue()
}

// attrBytes returns the attribute's value as UTF-8 bytes without allocating for strings, ints
// and doubles; the result is only valid until the next call.
func (b *tableBuilder) attrBytes(attrs pcommon.Map, key string) []byte {
	v, ok := attrs.Get(key)
	if !ok {
		return nil
	}
	switch v.Type() {
	case pcommon.ValueTypeStr:
		b.scratch = append(b.scratch[:0], v.Str()...)
	case pcommon.ValueTypeInt:
		b.scratch = strconv.AppendInt(b.scratch[:0], v.Int(), 10)
	case pcommon.ValueTypeDouble:
		b.scratch = strconv.AppendFloat(b.scratch[:0], v.Double(), 'f', -1, 64)
	default:
		b.scratch = append(b.scratch[:0], v.AsString()...)
	}
	return b.scratch
}

// encode writes the table measure prepared into dst, which must be exactly measure's size.
func (b *tableBuilder) encode(dst []byte, rows int) {
	le := binary.LittleEndian
	le.PutUint32(dst[0:], abiVersion)
	le.PutUint32(dst[4:], uint32(rows))
	le.PutUint32(dst[8:], uint32(len(b.cols.attrs)))
	le.PutUint32(dst[12:], uint32(len(b.cols.metrics)))
	off := tableHeaderSize
	for _, v := range b.nums {
		le.PutUint64(dst[off:], math.Float64bits(v))
		off += 8
	}
	for _, o := range b.offsets {
		le.PutUint32(dst[off:], o)
		off += 4
	}
	copy(dst[off:], b.block)
}
