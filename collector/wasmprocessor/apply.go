package wasmprocessor

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// Resource attributes written by the host.
const (
	attrTier        = "nrdot.tier"
	attrScore       = "nrdot.score"
	attrRollup      = "nrdot.rollup"
	attrRollupCount = "nrdot.rollup.count"
	attrExecName    = "process.executable.name"
	attrHostName    = "host.name"
	otherName       = "other"
)

// outcome counts what applyDecisions did, for the processor's telemetry.
type outcome struct {
	kept, dropped, rolledUp, invalid int64
}

// applyDecisions applies one decision record per resource, in order. Invalid records leave their
// resource untouched. Rolled-up resources are summed into one "other" per host (host.name), in
// the order the hosts first appear, from the values the table pass read (rd).
func applyDecisions(rms pmetric.ResourceMetricsSlice, records []byte, rd *readings) outcome {
	var out outcome
	var others []*rollup
	var byHost map[string]*rollup
	var last *rollup
	for i := 0; i < rms.Len(); i++ {
		if d := decodeDecision(records[i*decisionSize:]); !d.valid() || d.action != actionRollup {
			continue
		}
		host := rd.hosts[i]
		if last == nil || last.host != host {
			if byHost == nil {
				byHost = map[string]*rollup{}
			}
			last = byHost[host]
			if last == nil {
				last = newRollup(host, rms.At(i), len(rd.shapes.points))
				byHost[host] = last
				others = append(others, last)
			}
		}
		last.add(rd.row(i))
	}
	i := 0
	rms.RemoveIf(func(rm pmetric.ResourceMetrics) bool {
		d := decodeDecision(records[i*decisionSize:])
		i++
		switch {
		case !d.valid():
			out.invalid++
			return false
		case d.action == actionDrop:
			out.dropped++
			return true
		case d.action == actionRollup:
			out.rolledUp++
			return true
		}
		out.kept++
		markResource(rm.Resource().Attributes(), d)
		return false
	})
	for _, other := range others {
		other.finish(rd.shapes)
		other.rm.MoveTo(rms.AppendEmpty())
	}
	return out
}

func markResource(attrs pcommon.Map, d decision) {
	if d.tier != 0 {
		attrs.PutStr(attrTier, tierNames[d.tier])
	}
	if d.score == d.score { // not NaN
		attrs.PutDouble(attrScore, d.score)
	}
}

// rollup sums the points of resources that are not kept into one "other" resource, so the
// totals over all processes stay exact. Points with the same metric and attribute set (the same
// point shape) are summed; the sums live in Go fields and are written into pdata once, by finish.
type rollup struct {
	host  string
	rm    pmetric.ResourceMetrics
	count int64
	sums  []pointSum // by point shape
	used  []bool
	order []int32 // point shapes in the order they were first summed
}

// pointSum is one point of "other" while it is being summed.
type pointSum struct {
	isInt    bool
	i        int64
	f        float64
	start, t pcommon.Timestamp
}

// newRollup starts the "other" of a host from its first rolled-up resource: it keeps what
// identifies the host (host.name, k8s.node.name, …), not the process, nor what an earlier stage
// wrote about that one process (nrdot.*).
func newRollup(host string, first pmetric.ResourceMetrics, nShapes int) *rollup {
	r := &rollup{host: host, rm: pmetric.NewResourceMetrics(), sums: make([]pointSum, nShapes), used: make([]bool, nShapes)}
	attrs := r.rm.Resource().Attributes()
	first.Resource().Attributes().Range(func(k string, v pcommon.Value) bool {
		if !strings.HasPrefix(k, "process.") && !strings.HasPrefix(k, "nrdot.") {
			v.CopyTo(attrs.PutEmpty(k))
		}
		return true
	})
	attrs.PutStr(attrExecName, otherName)
	attrs.PutBool(attrRollup, true)
	attrs.PutStr(attrTier, tierNames[tierSampled])
	sm := r.rm.ScopeMetrics().AppendEmpty()
	if sms := first.ScopeMetrics(); sms.Len() > 0 {
		sms.At(0).Scope().CopyTo(sm.Scope())
	}
	return r
}

func (r *rollup) add(points []cachedPoint) {
	r.count++
	for k := range points {
		cp := &points[k]
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

// finish writes the sums into the "other" resource: metrics in the order they were first summed,
// each with its points in the order they were first summed.
func (r *rollup) finish(s *shapes) {
	dst := r.rm.ScopeMetrics().At(0).Metrics()
	made := make([]int32, len(s.metrics)) // index+1 into dst of each metric shape made
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
		if ps.isInt {
			dp.SetIntValue(ps.i)
		} else {
			dp.SetDoubleValue(ps.f)
		}
	}
	r.rm.Resource().Attributes().PutInt(attrRollupCount, r.count)
}

func newMetric(dst pmetric.Metric, ms *metricShape) {
	dst.SetName(ms.key.name)
	dst.SetUnit(ms.unit)
	dst.SetDescription(ms.description)
	if ms.key.typ == pmetric.MetricTypeSum {
		sum := dst.SetEmptySum()
		sum.SetAggregationTemporality(ms.temporality)
		sum.SetIsMonotonic(ms.monotonic)
	} else {
		dst.SetEmptyGauge()
	}
}
