package wasmprocessor

import (
	"encoding/binary"
	"math"
	"runtime"
	"sync"

	"go.opentelemetry.io/collector/pdata/pmetric"
)

const tableHeaderSize = 16

// tableVersion is the table layout's own version field: still 1 under ABI v2.
const tableVersion = 1

// parallelRows is the batch size from which the table is read by two goroutines. Reading is
// bound by cache misses on pdata (pointers to points, attributes, strings), so two cores halve
// the time the processor holds a batch; below this size the goroutine is not worth it.
const parallelRows = 2048

// tableBuilder lays resources out as the ABI's resource table. It keeps its scratch space between
// batches so the per-row path does not allocate.
type tableBuilder struct {
	cols    *columns
	rollup  *rollupDecl // its group keys are read with the string columns
	nums    []float64   // column-major N×R, filled by the parts
	offsets []uint32    // S×(R+1) offsets into block
	block   []byte      // the string block, column-major
	parts   [2]tablePart
	read    readings
}

// measure reads every resource once (in two halves when the batch is large): its metrics reduced
// into b.nums, its attributes laid out as the string block, its points kept for the roll-up. It
// returns the table size in bytes.
func (b *tableBuilder) measure(rms pmetric.ResourceMetricsSlice) int {
	rows := rms.Len()
	split := rows
	if rows >= parallelRows && runtime.GOMAXPROCS(0) > 1 {
		split = rows / 2
	}
	return b.measureSplit(rms, split)
}

// measureSplit is measure with rows [0, split) read by this goroutine and [split, rows) by another.
func (b *tableBuilder) measureSplit(rms pmetric.ResourceMetricsSlice, split int) int {
	rows, nNum, nStr := rms.Len(), len(b.cols.metrics), len(b.cols.attrs)
	b.nums = resize(b.nums, rows*nNum)
	for i := range b.nums {
		b.nums[i] = math.NaN()
	}
	b.offsets = resize(b.offsets, nStr*(rows+1))
	b.read.begin(rows)
	b.read.split = split
	b.read.complete = nNum > 0
	first, second := &b.parts[0], &b.parts[1]
	if split < rows {
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			second.readRows(b, rms, split, rows)
		}()
		first.readRows(b, rms, 0, split)
		wg.Wait()
		second.translateShapes(&first.shapes)
	} else {
		first.readRows(b, rms, 0, rows)
		second.points = second.points[:0]
	}
	b.read.shapes = &first.shapes
	b.read.parts = [2][]cachedPoint{first.points, second.points}
	b.joinBlock(rows, split)
	return tableHeaderSize + 8*nNum*rows + 4*len(b.offsets) + len(b.block)
}

// readRolledUp reads the points of the rows rolled up when the table pass skipped them (a module
// that reads no metric, such as classify, does not pay for a roll-up it rarely asks for).
func (b *tableBuilder) readRolledUp(rms pmetric.ResourceMetricsSlice, records []byte) {
	if b.read.complete {
		return
	}
	t, rows := &b.parts[0], rms.Len()
	t.points = t.points[:0]
	for r := 0; r < rows; r++ {
		if d := decodeDecision(records[r*decisionSize:]); d.valid() && d.action == actionRollup {
			t.readPoints(b, rms.At(r), r, rows)
		} else {
			b.read.rowStart[r], b.read.rowEnd[r] = 0, 0
		}
	}
	b.read.split = rows
	b.read.parts = [2][]cachedPoint{t.points, nil}
	b.read.complete = true
}

// joinBlock concatenates the parts' string columns into the ABI's block, column by column, and
// makes the offsets relative to the block.
func (b *tableBuilder) joinBlock(rows, split int) {
	b.block = b.block[:0]
	for s := range b.cols.attrs {
		col := b.offsets[s*(rows+1) : (s+1)*(rows+1)]
		bounds := [3]int{0, split, rows}
		for p := range b.parts {
			base := uint32(len(b.block))
			for r := bounds[p]; r < bounds[p+1]; r++ {
				col[r] += base
			}
			if bounds[p] < bounds[p+1] {
				b.block = append(b.block, b.parts[p].colBlocks[s]...)
			}
		}
		col[rows] = uint32(len(b.block))
	}
}

// resize returns s with length n, reusing its array when it is large enough.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// encode writes the table measure prepared into dst, which must be exactly measure's size.
func (b *tableBuilder) encode(dst []byte, rows int) {
	le := binary.LittleEndian
	le.PutUint32(dst[0:], tableVersion)
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
