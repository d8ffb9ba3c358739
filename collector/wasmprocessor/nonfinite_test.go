package wasmprocessor

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// TestNonFiniteValuesNeverReachTheRollup: one +Inf CPU value made the host's `other` +Inf, and
// +Inf with -Inf made it NaN. Non-finite values are left out of the sums and counted.
func TestNonFiniteValuesNeverReachTheRollup(t *testing.T) {
	p, tel, sink := telemetryProcessor(t, scriptedConfig())
	md := processBatch("roll-a", "roll-b", "roll-c", "keep")
	cpu := func(i, state int) pmetric.NumberDataPoint {
		return md.ResourceMetrics().At(i).ScopeMetrics().At(0).Metrics().At(0).Sum().DataPoints().At(state)
	}
	in := pmetric.NewMetrics()
	md.CopyTo(in)
	cpu(0, 0).SetDoubleValue(math.Inf(1))
	cpu(1, 0).SetDoubleValue(math.Inf(-1))
	cpu(2, 1).SetDoubleValue(math.NaN())
	require.NoError(t, p.ConsumeMetrics(context.Background(), md))

	other, ok := resourceByName(sink.AllMetrics()[0], otherName)
	require.True(t, ok)
	dps := other.ScopeMetrics().At(0).Metrics().At(0).Sum().DataPoints()
	require.Equal(t, "process.cpu.time", other.ScopeMetrics().At(0).Metrics().At(0).Name())
	byState := map[string]float64{}
	for i := 0; i < dps.Len(); i++ {
		v := dps.At(i).DoubleValue()
		assert.False(t, math.IsNaN(v) || math.IsInf(v, 0), "point %d is %v", i, v)
		s, _ := dps.At(i).Attributes().Get("state")
		byState[s.Str()] = v
	}
	inCPU := func(i, state int) float64 {
		return in.ResourceMetrics().At(i).ScopeMetrics().At(0).Metrics().At(0).Sum().DataPoints().At(state).DoubleValue()
	}
	assert.InDelta(t, inCPU(2, 0), byState["user"], 1e-9, "only roll-c's user value was finite")
	assert.InDelta(t, inCPU(0, 1)+inCPU(1, 1), byState["system"], 1e-9, "roll-c's NaN system value left out")
	assert.InDelta(t, inCPU(0, 2)+inCPU(1, 2)+inCPU(2, 2), byState["wait"], 1e-9)
	assert.Equal(t, int64(3), counter(t, tel, "nonfinite_values"))
}

// TestAllNonFinitePointsLeaveNoPoint: when every value of a point in the roll-up is non-finite,
// the roll-up has no such point rather than an invented 0.
func TestAllNonFinitePointsLeaveNoPoint(t *testing.T) {
	md := processBatch("roll-a")
	md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Sum().DataPoints().At(0).SetDoubleValue(math.NaN())
	b := newTestBuilder(t)
	rms := md.ResourceMetrics()
	b.measure(rms)
	out := testApplier(t).apply(rms, allRolledUp(1), &b.read)
	assert.Equal(t, int64(1), out.nonfinite)
	cpu := rms.At(0).ScopeMetrics().At(0).Metrics().At(0)
	require.Equal(t, "process.cpu.time", cpu.Name())
	assert.Equal(t, 2, cpu.Sum().DataPoints().Len(), "system and wait; no user point")
}
