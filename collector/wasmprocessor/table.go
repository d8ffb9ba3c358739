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
	cols    *columns
	nums    []float64 // column-major N×R, filled by measure
	block   []byte    // the string block, column-major, filled by measure
	offsets []uint32  // S×(R+1) offsets into block, filled by measure
	scratch []byte    // decimal rendering of int attributes
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
	b.block = b.block[:0]
	for r := 0; r < rows; r++ {
		rm := rms.At(r)
		if nNum > 0 {
			b.reduceMetrics(rm, r, rows)
		}
	}
	// Column by column, so the block comes out in the ABI's layout.
	for s, key := range b.cols.attrs {
		col := b.offsets[s*(rows+1):]
		for r := 0; r < rows; r++ {
			col[r] = uint32(len(b.block))
			b.block = append(b.block, b.attrBytes(rms.At(r).Resource().Attributes(), key)...)
		}
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
	for s := 0; s < sms.Len(); s++ {
		ms := sms.At(s).Metrics()
		for m := 0; m < ms.Len(); m++ {
			metric := ms.At(m)
			idx, ok := b.cols.byMetric[metric.Name()]
			if !ok {
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
