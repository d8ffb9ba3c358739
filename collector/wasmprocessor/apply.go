package wasmprocessor

import (
	"math"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// attrTier is the resource attribute the tier of a kept resource is written to.
const attrTier = "nrdot.tier"

// countUnit is the unit of the roll-up's count metric.
const countUnit = "{process}"

// outcome counts what apply did, for the processor's telemetry.
type outcome struct {
	kept, dropped, rolledUp, invalid int64
	// nonfinite counts the NaN and infinite values left out of the roll-ups' sums.
	nonfinite int64
}

// applier applies decision records as the module declared (its roll-up) and the processor's
// config says (the score attribute).
type applier struct {
	rollup *rollupDecl
	// scoreAttr is the resource attribute a kept resource's score is written to; "" writes none,
	// so a score that changes every scrape does not make a new series every scrape.
	scoreAttr string
	// unsummable is told the name of every metric that kept a rolled-up resource in the output
	// (nil: not told).
	unsummable func(metric string)
}

// apply applies one decision record per resource, in order, decoding each once. Invalid records
// leave their resource untouched. Rolled-up resources are summed into one resource per roll-up
// group, appended in the order the groups first appear, from the values the table pass read (rd).
// A rolled-up resource that has metrics which cannot be summed stays, with only those metrics.
func (a *applier) apply(rms pmetric.ResourceMetricsSlice, records []byte, rd *readings) outcome {
	var out outcome
	var g groups
	i := 0
	rms.RemoveIf(func(rm pmetric.ResourceMetrics) bool {
		row := i
		i++
		d := decodeDecision(records[row*decisionSize:])
		switch {
		case !d.valid():
			out.invalid++
			return false
		case d.action == actionDrop:
			out.dropped++
			return true
		case d.action == actionRollup:
			out.rolledUp++
			// Summed before keepUnsummable strips the resource or mark writes its tier: the
			// group's resource starts from this one's attributes when it is the group's first.
			g.of(rd.groups[row], rm, a.rollup, len(rd.shapes.points)).add(rd.row(row), rd.shapes)
			if !rd.unsummable[row] || !a.keepUnsummable(rm) {
				return true // the common case: nothing to keep, the resource just goes
			}
			a.mark(rm.Resource().Attributes(), d, false)
			return false
		}
		out.kept++
		a.mark(rm.Resource().Attributes(), d, true)
		return false
	})
	for _, r := range g.order {
		out.nonfinite += r.nonfinite
		r.finish(rd.shapes, a.rollup.count)
		r.rm.MoveTo(rms.AppendEmpty())
	}
	return out
}

// groups are the roll-ups of one batch, by group key and in the order their groups first appear.
type groups struct {
	byKey map[string]*rollup
	order []*rollup
	last  *rollup // rows of one group usually come together
}

// of returns the roll-up of group, started from first when the group is new.
func (g *groups) of(group string, first pmetric.ResourceMetrics, decl *rollupDecl, nShapes int) *rollup {
	if g.last != nil && g.last.group == group {
		return g.last
	}
	if g.byKey == nil {
		g.byKey = map[string]*rollup{}
	}
	g.last = g.byKey[group]
	if g.last == nil {
		g.last = newRollup(group, first, decl, nShapes)
		g.byKey[group] = g.last
		g.order = append(g.order, g.last)
	}
	return g.last
}

// mark writes the tier (when set) and, when asked and configured, the score (when not NaN).
func (a *applier) mark(attrs pcommon.Map, d decision, withScore bool) {
	if d.tier != 0 {
		attrs.PutStr(attrTier, tierNames[d.tier])
	}
	if withScore && a.scoreAttr != "" && d.score == d.score { // not NaN
		attrs.PutDouble(a.scoreAttr, d.score)
	}
}

// keepUnsummable strips a rolled-up resource down to the metrics the roll-up did not sum and
// reports whether any are left: those must reach the backend as they are, or a counter would go
// down (or a distribution be lost) when its process is rolled up.
func (a *applier) keepUnsummable(rm pmetric.ResourceMetrics) bool {
	kept := false
	rm.ScopeMetrics().RemoveIf(func(sm pmetric.ScopeMetrics) bool {
		sm.Metrics().RemoveIf(func(m pmetric.Metric) bool {
			if summable(m) {
				return true
			}
			if a.unsummable != nil {
				a.unsummable(m.Name())
			}
			return false
		})
		kept = kept || sm.Metrics().Len() > 0
		return sm.Metrics().Len() == 0
	})
	return kept
}

// summable reports whether the roll-up sums the metric's points: gauges, delta sums and
// non-monotonic cumulative sums (a sum of current values is a current value). A monotonic
// cumulative sum is not: its sum drops whenever a process leaves the roll-up. Histograms,
// exponential histograms and summaries are not number points.
func summable(m pmetric.Metric) bool {
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		return true
	case pmetric.MetricTypeSum:
		return summableSum(m.Sum().AggregationTemporality(), m.Sum().IsMonotonic())
	case pmetric.MetricTypeEmpty:
		return true // nothing to keep
	}
	return false
}

func summableSum(t pmetric.AggregationTemporality, monotonic bool) bool {
	return !monotonic || t != pmetric.AggregationTemporalityCumulative
}

// rollup sums the points of resources that are not kept into one resource, so the totals over
// all rows stay exact. Points with the same metric and attribute set (the same point shape) are
// summed; the sums live in Go fields and are written into pdata once, by finish.
type rollup struct {
	group string
	rm    pmetric.ResourceMetrics
	count int64
	sums  []pointSum // by point shape
	used  []bool
	order []int32 // point shapes in the order they were first summed
	// nonfinite counts the points left out because their value was NaN or ±Inf: one such value
	// would make the group's sum NaN or infinite, and the backend's host totals with it.
	nonfinite int64
}

// pointSum is one point of the roll-up while it is being summed.
type pointSum struct {
	isInt    bool
	i        int64
	f        float64
	start, t pcommon.Timestamp
}

// newRollup starts a group's roll-up from its first rolled-up resource: its attributes without
// the declared prefixes (what identifies the row, or what an earlier stage wrote about it), then
// the declared attributes.
func newRollup(group string, first pmetric.ResourceMetrics, decl *rollupDecl, nShapes int) *rollup {
	r := &rollup{group: group, rm: pmetric.NewResourceMetrics(), sums: make([]pointSum, nShapes), used: make([]bool, nShapes)}
	attrs := r.rm.Resource().Attributes()
	first.Resource().Attributes().Range(func(k string, v pcommon.Value) bool {
		if !decl.stripped(k) {
			v.CopyTo(attrs.PutEmpty(k))
		}
		return true
	})
	for k := range decl.set {
		decl.set[k].putInto(attrs)
	}
	sm := r.rm.ScopeMetrics().AppendEmpty()
	if sms := first.ScopeMetrics(); sms.Len() > 0 {
		sms.At(0).Scope().CopyTo(sm.Scope())
	}
	return r
}

// add sums one row's summable points; a NaN or infinite value is left out (and counted), as if
// the point were absent: its time does not count either.
func (r *rollup) add(points []cachedPoint, s *shapes) {
	r.count++
	for k := range points {
		cp := &points[k]
		if !s.summable(cp.shape) {
			continue
		}
		if !cp.isInt {
			if v := cp.value(); math.IsNaN(v) || math.IsInf(v, 0) {
				r.nonfinite++
				continue
			}
		}
		if !r.used[cp.shape] {
			r.used[cp.shape] = true
			r.order = append(r.order, cp.shape)
			ps := pointSum{isInt: cp.isInt, start: cp.start, t: cp.t}
			if cp.isInt {
				ps.i = int64(cp.bits)
			} else {
				ps.f = cp.value()
			}
			r.sums[cp.shape] = ps
			continue
		}
		r.sums[cp.shape].merge(cp)
	}
}

// merge adds cp: values summed (ints stay ints while every point is an int), the earliest start
// and the latest time kept.
func (ps *pointSum) merge(cp *cachedPoint) {
	if cp.start != 0 && (ps.start == 0 || cp.start < ps.start) {
		ps.start = cp.start
	}
	if cp.t > ps.t {
		ps.t = cp.t
	}
	if ps.isInt && cp.isInt {
		ps.i += int64(cp.bits)
		return
	}
	if ps.isInt {
		ps.isInt, ps.f = false, float64(ps.i)
	}
	ps.f += cp.value()
}

// finish writes the sums into the roll-up resource: metrics in the order they were first summed,
// each with its points in the order they were first summed, then the count metric (when
// declared): an int gauge of the resources rolled up, at the latest time summed.
func (r *rollup) finish(s *shapes, countMetric string) {
	dst := r.rm.ScopeMetrics().At(0).Metrics()
	made := make([]int32, len(s.metrics)) // index+1 into dst of each metric shape made
	var latest pcommon.Timestamp
	for _, id := range r.order {
		shape := &s.points[id]
		if made[shape.metric] == 0 {
			newMetric(dst.AppendEmpty(), &s.metrics[shape.metric])
			made[shape.metric] = int32(dst.Len())
		}
		m := dst.At(int(made[shape.metric]) - 1)
		var dp pmetric.NumberDataPoint
		if m.Type() == pmetric.MetricTypeSum {
			dp = m.Sum().DataPoints().AppendEmpty()
		} else {
			dp = m.Gauge().DataPoints().AppendEmpty()
		}
		shape.attrs.CopyTo(dp.Attributes())
		ps := &r.sums[id]
		dp.SetStartTimestamp(ps.start)
		dp.SetTimestamp(ps.t)
		latest = max(latest, ps.t)
		if ps.isInt {
			dp.SetIntValue(ps.i)
		} else {
			dp.SetDoubleValue(ps.f)
		}
	}
	if countMetric == "" {
		return
	}
	m := dst.AppendEmpty()
	m.SetName(countMetric)
	m.SetUnit(countUnit)
	dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
	dp.SetTimestamp(latest)
	dp.SetIntValue(r.count)
}

func newMetric(dst pmetric.Metric, ms *metricShape) {
	dst.SetName(ms.key.name)
	dst.SetUnit(ms.unit)
	dst.SetDescription(ms.description)
	if ms.key.typ == pmetric.MetricTypeSum {
		sum := dst.SetEmptySum()
		sum.SetAggregationTemporality(ms.key.temporality)
		sum.SetIsMonotonic(ms.key.monotonic)
	} else {
		dst.SetEmptyGauge()
	}
}
