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
// the order the hosts first appear.
func applyDecisions(rms pmetric.ResourceMetricsSlice, records []byte) outcome {
	var out outcome
	var others []*rollup
	byHost := map[string]*rollup{}
	for i := 0; i < rms.Len(); i++ {
		if d := decodeDecision(records[i*decisionSize:]); d.valid() && d.action == actionRollup {
			host := hostKey(rms.At(i))
			other, ok := byHost[host]
			if !ok {
				other = newRollup()
				byHost[host] = other
				others = append(others, other)
			}
			other.add(rms.At(i))
		}
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
		other.finish()
		other.rm.MoveTo(rms.AppendEmpty())
	}
	return out
}

// hostKey identifies the host a resource comes from, so each host gets its own "other".
func hostKey(rm pmetric.ResourceMetrics) string {
	if v, ok := rm.Resource().Attributes().Get(attrHostName); ok {
		return v.AsString()
	}
	return ""
}

func markResource(attrs pcommon.Map, d decision) {
	if d.tier != 0 {
		attrs.PutStr(attrTier, tierNames[d.tier])
	}
	if d.score == d.score { // not NaN
		attrs.PutDouble(attrScore, d.score)
	}
}

// rollup sums the metrics of resources that are not kept into one "other" resource, so the
// totals over all processes stay exact.
type rollup struct {
	rm      pmetric.ResourceMetrics
	metrics pmetric.MetricSlice
	count   int64
	byName  map[string]*accumulator
	// order remembers the accumulator of the i-th metric of the last resource: the scraper emits
	// the same metrics in the same order for every process, so the map is rarely consulted.
	order []*accumulator
}

// accumulator is one metric of "other" and its points, one per data point attribute set (a
// handful: state, direction), so finding a point is a short scan, not a hash of its attributes.
type accumulator struct {
	metric pmetric.Metric
	points []pointSum
}

// pointSum is one point of "other" while it is being summed: the sums live in Go fields and are
// written into pdata once, by finish (each pdata value write allocates).
type pointSum struct {
	dp       pmetric.NumberDataPoint // carries the attribute set
	isInt    bool
	i        int64
	f        float64
	start, t pcommon.Timestamp
}

func newRollup() *rollup {
	rm := pmetric.NewResourceMetrics()
	return &rollup{
		rm:      rm,
		metrics: rm.ScopeMetrics().AppendEmpty().Metrics(),
		byName:  map[string]*accumulator{},
	}
}

func (r *rollup) add(src pmetric.ResourceMetrics) {
	if r.count == 0 {
		// Keep what identifies the host (host.name, k8s.node.name, …), not the process, nor what
		// an earlier stage wrote about that one process (nrdot.*).
		attrs := r.rm.Resource().Attributes()
		src.Resource().Attributes().Range(func(k string, v pcommon.Value) bool {
			if !strings.HasPrefix(k, "process.") && !strings.HasPrefix(k, "nrdot.") {
				v.CopyTo(attrs.PutEmpty(k))
			}
			return true
		})
		attrs.PutStr(attrExecName, otherName)
		attrs.PutBool(attrRollup, true)
		attrs.PutStr(attrTier, tierNames[tierSampled])
		sms := src.ScopeMetrics()
		if sms.Len() > 0 {
			sms.At(0).Scope().CopyTo(r.rm.ScopeMetrics().At(0).Scope())
		}
	}
	r.count++
	sms := src.ScopeMetrics()
	i := 0
	for s := 0; s < sms.Len(); s++ {
		ms := sms.At(s).Metrics()
		for m := 0; m < ms.Len(); m++ {
			r.addMetric(ms.At(m), i)
			i++
		}
	}
}

func (r *rollup) addMetric(src pmetric.Metric, i int) {
	var dps pmetric.NumberDataPointSlice
	switch src.Type() {
	case pmetric.MetricTypeSum:
		dps = src.Sum().DataPoints()
	case pmetric.MetricTypeGauge:
		dps = src.Gauge().DataPoints()
	default:
		return // the process scraper emits only sums and gauges
	}
	acc := r.accumulatorFor(src, i)
	for p := 0; p < dps.Len(); p++ {
		acc.add(dps.At(p))
	}
}

func (r *rollup) accumulatorFor(src pmetric.Metric, i int) *accumulator {
	if i < len(r.order) && r.order[i] != nil && r.order[i].metric.Name() == src.Name() {
		return r.order[i]
	}
	acc, ok := r.byName[src.Name()]
	if !ok {
		dst := r.metrics.AppendEmpty()
		dst.SetName(src.Name())
		dst.SetUnit(src.Unit())
		dst.SetDescription(src.Description())
		if src.Type() == pmetric.MetricTypeSum {
			s := dst.SetEmptySum()
			s.SetAggregationTemporality(src.Sum().AggregationTemporality())
			s.SetIsMonotonic(src.Sum().IsMonotonic())
		} else {
			dst.SetEmptyGauge()
		}
		acc = &accumulator{metric: dst}
		r.byName[src.Name()] = acc
	}
	for len(r.order) <= i {
		r.order = append(r.order, nil)
	}
	r.order[i] = acc
	return acc
}

func (a *accumulator) add(dp pmetric.NumberDataPoint) {
	for k := range a.points {
		if a.points[k].dp.Attributes().Equal(dp.Attributes()) {
			a.points[k].merge(dp)
			return
		}
	}
	var acc pmetric.NumberDataPoint
	if a.metric.Type() == pmetric.MetricTypeSum {
		acc = a.metric.Sum().DataPoints().AppendEmpty()
	} else {
		acc = a.metric.Gauge().DataPoints().AppendEmpty()
	}
	dp.Attributes().CopyTo(acc.Attributes())
	ps := pointSum{dp: acc, isInt: dp.ValueType() == pmetric.NumberDataPointValueTypeInt, start: dp.StartTimestamp(), t: dp.Timestamp()}
	if ps.isInt {
		ps.i = dp.IntValue()
	} else {
		ps.f = dp.DoubleValue()
	}
	a.points = append(a.points, ps)
}

// merge adds dp: values summed (ints stay ints while every point is an int), the earliest start
// and the latest time kept.
func (ps *pointSum) merge(dp pmetric.NumberDataPoint) {
	if st := dp.StartTimestamp(); st != 0 && (ps.start == 0 || st < ps.start) {
		ps.start = st
	}
	if t := dp.Timestamp(); t > ps.t {
		ps.t = t
	}
	if ps.isInt && dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
		ps.i += dp.IntValue()
		return
	}
	if ps.isInt {
		ps.isInt, ps.f = false, float64(ps.i)
	}
	ps.f += numberValue(dp)
}

// finish writes the sums into the "other" resource's points.
func (r *rollup) finish() {
	for _, acc := range r.byName {
		for k := range acc.points {
			ps := &acc.points[k]
			ps.dp.SetStartTimestamp(ps.start)
			ps.dp.SetTimestamp(ps.t)
			if ps.isInt {
				ps.dp.SetIntValue(ps.i)
			} else {
				ps.dp.SetDoubleValue(ps.f)
			}
		}
	}
	r.rm.Resource().Attributes().PutInt(attrRollupCount, r.count)
}
