package wasmprocessor

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// maxShapes bounds the registry: a source that invents new metric names or point attribute sets
// every batch must not grow it forever, so it starts over when it gets this large.
const maxShapes = 4096

// shapes names every (metric, data point attribute set) seen, so the table pass can record a
// point as a small integer and the roll-up can sum by it without reading pdata a second time.
// The process scraper emits the same metrics, in the same order, with the same point attributes
// (state, direction) for every process: lookups are by position first, then by name or set.
type shapes struct {
	metrics []metricShape
	points  []pointShape
	byName  map[metricKey]int32
	order   []int32 // order[pos]: the metric shape last seen at position pos of a resource
}

// metricKey identifies a metric: a sum's temporality and monotonicity are part of it, because
// they decide whether the roll-up may sum its points.
type metricKey struct {
	name        string
	typ         pmetric.MetricType
	temporality pmetric.AggregationTemporality
	monotonic   bool
}

func keyOf(m pmetric.Metric) metricKey {
	key := metricKey{name: m.Name(), typ: m.Type()}
	if key.typ == pmetric.MetricTypeSum {
		key.temporality = m.Sum().AggregationTemporality()
		key.monotonic = m.Sum().IsMonotonic()
	}
	return key
}

// metricShape is what the roll-up resource copies from a metric: its identity and metadata.
type metricShape struct {
	key         metricKey
	unit        string
	description string
	points      []int32 // the metric's point shapes, in the order they were first seen
}

// pointShape is one data point attribute set of one metric.
type pointShape struct {
	metric int32
	attrs  pcommon.Map // an owned copy, written into the roll-up
	keys   []string    // attrs in order, for the positional comparison
	values []pcommon.Value
}

func (s *shapes) reset() {
	s.metrics = s.metrics[:0]
	s.points = s.points[:0]
	s.byName = map[metricKey]int32{}
	s.order = s.order[:0]
}

// metricAt returns the shape of m, the pos-th metric of its resource.
func (s *shapes) metricAt(m pmetric.Metric, pos int) int32 {
	key := keyOf(m)
	if pos < len(s.order) {
		if id := s.order[pos]; id >= 0 && s.metrics[id].key == key {
			return id
		}
	}
	id, ok := s.byName[key]
	if !ok {
		id = int32(len(s.metrics))
		s.metrics = append(s.metrics, metricShape{key: key, unit: m.Unit(), description: m.Description()})
		s.byName[key] = id
	}
	for len(s.order) <= pos {
		s.order = append(s.order, -1)
	}
	s.order[pos] = id
	return id
}

// pointOf returns the shape of a point of metric shape id with attributes attrs, the k-th point
// of its metric.
func (s *shapes) pointOf(id int32, k int, attrs pcommon.Map) int32 {
	known := s.metrics[id].points
	if k >= 0 && k < len(known) && s.points[known[k]].sameInOrder(attrs) {
		return known[k]
	}
	for _, p := range known {
		if s.points[p].attrs.Equal(attrs) {
			return p
		}
	}
	p := pointShape{metric: id, attrs: pcommon.NewMap()}
	attrs.CopyTo(p.attrs)
	p.attrs.Range(func(k string, v pcommon.Value) bool {
		p.keys = append(p.keys, k)
		p.values = append(p.values, v)
		return true
	})
	pid := int32(len(s.points))
	s.points = append(s.points, p)
	s.metrics[id].points = append(s.metrics[id].points, pid)
	return pid
}

// sameInOrder reports whether attrs holds exactly this shape's attributes in the same order: the
// common case, checked without hashing. A false answer only means "compare as sets".
func (p *pointShape) sameInOrder(attrs pcommon.Map) bool {
	if attrs.Len() != len(p.keys) {
		return false
	}
	i, same := 0, true
	attrs.Range(func(k string, v pcommon.Value) bool {
		same = k == p.keys[i] && sameValue(v, p.values[i])
		i++
		return same
	})
	return same
}

func sameValue(a, b pcommon.Value) bool {
	if a.Type() != b.Type() {
		return false
	}
	if a.Type() == pcommon.ValueTypeStr {
		return a.Str() == b.Str()
	}
	return a.Equal(b)
}

// adopt returns the id in s of point shape id of other, registering it when s lacks it.
func (s *shapes) adopt(other *shapes, id int32) int32 {
	ps := &other.points[id]
	om := &other.metrics[ps.metric]
	mid, ok := s.byName[om.key]
	if !ok {
		mid = int32(len(s.metrics))
		s.metrics = append(s.metrics, metricShape{key: om.key, unit: om.unit, description: om.description})
		s.byName[om.key] = mid
	}
	// Same position in the metric first: both parts usually saw the points in the same order.
	return s.pointOf(mid, indexOf(om.points, id), ps.attrs)
}

func indexOf(ids []int32, id int32) int {
	for i, v := range ids {
		if v == id {
			return i
		}
	}
	return -1
}

// summable reports whether the roll-up sums points of shape id (see summable in apply.go).
func (s *shapes) summable(id int32) bool {
	return s.summableMetric(s.points[id].metric)
}

// summableMetric reports whether the roll-up sums the points of metric shape id.
func (s *shapes) summableMetric(id int32) bool {
	k := &s.metrics[id].key
	return k.typ != pmetric.MetricTypeSum || summableSum(k.temporality, k.monotonic)
}
