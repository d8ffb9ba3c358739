package wasmprocessor

import (
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
	otherName       = "other"
)

// outcome counts what applyDecisions did, for the processor's telemetry.
type outcome struct {
	kept, dropped, rolledUp, invalid int64
}

// applyDecisions applies one decision record per resource, in order. Invalid records leave their
// resource untouched.
func applyDecisions(rms pmetric.ResourceMetricsSlice, records []byte) outcome {
	var out outcome
	var other *rollup
	for i := 0; i < rms.Len(); i++ {
		if d := decodeDecision(records[i*decisionSize:]); d.valid() && d.action == actionRollup {
			if other == nil {
				other = newRollup()
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
	if other != nil {
		other.rm.Resource().Attributes().PutInt(attrRollupCount, other.count)
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

// rollup sums the metrics of resources that are not kept into one "other" resource, so the
// totals over all processes stay exact.
type rollup struct {
	rm      pmetric.ResourceMetrics
	metrics pmetric.MetricSlice
	count   int64
	byName  map[string]pmetric.Metric
	points  map[string]pmetric.NumberDataPoint
	key     []byte
}

func newRollup() *rollup {
	rm := pmetric.NewResourceMetrics()
	return &rollup{
		rm:      rm,
		metrics: rm.ScopeMetrics().AppendEmpty().Metrics(),
		byName:  map[string]pmetric.Metric{},
		points:  map[string]pmetric.NumberDataPoint{},
	}
}

func (r *rollup) add(src pmetric.ResourceMetrics) {
	if r.count == 0 {
		// Keep what identifies the host (host.name, k8s.node.name, …), not the process.
		attrs := r.rm.Resource().Attributes()
		src.Resource().Attributes().Range(func(k string, v pcommon.Value) bool {
			if len(k) < 8 || k[:8] != "process." {
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
	for s := 0; s < sms.Len(); s++ {
		ms := sms.At(s).Metrics()
		for m := 0; m < ms.Len(); m++ {
			r.addMetric(ms.At(m))
		}
	}
}

func (r *rollup) addMetric(src pmetric.Metric) {
	var dps pmetric.NumberDataPointSlice
	switch src.Type() {
	case pmetric.MetricTypeSum:
		dps = src.Sum().DataPoints()
	case pmetric.MetricTypeGauge:
		dps = src.Gauge().DataPoints()
	default:
		return // the process scraper emits only sums and gauges
	}
	dst, ok := r.byName[src.Name()]
	if !ok {
		dst = r.metrics.AppendEmpty()
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
		r.byName[src.Name()] = dst
	}
	for i := 0; i < dps.Len(); i++ {
		r.addPoint(dst, dps.At(i))
	}
}

func (r *rollup) addPoint(dst pmetric.Metric, dp pmetric.NumberDataPoint) {
	r.key = append(r.key[:0], dst.Name()...)
	dp.Attributes().Range(func(k string, v pcommon.Value) bool {
		r.key = append(r.key, 0)
		r.key = append(r.key, k...)
		r.key = append(r.key, '=')
		if v.Type() == pcommon.ValueTypeStr {
			r.key = append(r.key, v.Str()...) // the scraper's point attributes (state, direction)
		} else {
			r.key = append(r.key, v.AsString()...)
		}
		return true
	})
	acc, ok := r.points[string(r.key)]
	if !ok {
		if dst.Type() == pmetric.MetricTypeSum {
			acc = dst.Sum().DataPoints().AppendEmpty()
		} else {
			acc = dst.Gauge().DataPoints().AppendEmpty()
		}
		dp.CopyTo(acc)
		r.points[string(r.key)] = acc
		return
	}
	if dp.StartTimestamp() != 0 && (acc.StartTimestamp() == 0 || dp.StartTimestamp() < acc.StartTimestamp()) {
		acc.SetStartTimestamp(dp.StartTimestamp())
	}
	if dp.Timestamp() > acc.Timestamp() {
		acc.SetTimestamp(dp.Timestamp())
	}
	if acc.ValueType() == pmetric.NumberDataPointValueTypeInt && dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
		acc.SetIntValue(acc.IntValue() + dp.IntValue())
		return
	}
	acc.SetDoubleValue(numberValue(acc) + numberValue(dp))
}
