package wasmprocessor

import (
	"math"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// readings is what the table pass read from every resource that the roll-up needs again: each
// data point's value and times, and the row's roll-up group. Rolling up from here instead of from pdata saves a
// second walk over the batch, whose cost at 10k processes is cache misses, not arithmetic.
type readings struct {
	shapes   *shapes // the point shapes the points refer to
	split    int     // rows before split were read into parts[0], the others into parts[1]
	parts    [2][]cachedPoint
	rowStart []int32  // the points of row r are parts[p][rowStart[r]:rowEnd[r]]
	rowEnd   []int32  //
	groups   []string // each row's roll-up group key (groupKey of the declared group attributes)
	// unsummable says of each row whose points were read that it has a metric the roll-up
	// cannot sum (see summable in apply.go), which it keeps when the row is rolled up.
	unsummable []bool
	// complete is false when the table pass skipped the points (the module reads no metric):
	// they are then read only for the rows rolled up, after the module has decided.
	complete bool
}

// cachedPoint is one number data point as read by the table pass.
type cachedPoint struct {
	shape    int32 // pointShape id
	isInt    bool
	bits     uint64 // the int64 or the float64's bits
	start, t pcommon.Timestamp
}

func readPoint(shape int32, dp pmetric.NumberDataPoint) cachedPoint {
	cp := cachedPoint{shape: shape, start: dp.StartTimestamp(), t: dp.Timestamp()}
	if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
		cp.isInt, cp.bits = true, uint64(dp.IntValue())
	} else {
		cp.bits = math.Float64bits(dp.DoubleValue())
	}
	return cp
}

func (p *cachedPoint) value() float64 {
	if p.isInt {
		return float64(int64(p.bits))
	}
	return math.Float64frombits(p.bits)
}

func (rd *readings) begin(rows int) {
	rd.rowStart = resize(rd.rowStart, rows)
	rd.rowEnd = resize(rd.rowEnd, rows)
	rd.groups = resize(rd.groups, rows)
	rd.unsummable = resize(rd.unsummable, rows)
}

// row returns the points of row r.
func (rd *readings) row(r int) []cachedPoint {
	part := 0
	if r >= rd.split {
		part = 1
	}
	return rd.parts[part][rd.rowStart[r]:rd.rowEnd[r]]
}
