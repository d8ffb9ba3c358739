package wasmprocessor

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor/processortest"
)

// The golden vectors are shared with the TypeScript host (test/vectors/README.md).
const (
	vectorsDir = "../../test/vectors"
	wasmDir    = "../../build/wasm"
)

type vector struct {
	Description string         `json:"description"`
	Module      string         `json:"module"`
	Config      map[string]any `json:"config"`
	Rows        []struct {
		Attrs   map[string]string  `json:"attrs"`
		Metrics map[string]float64 `json:"metrics"`
	} `json:"rows"`
	Expected []struct {
		Action string   `json:"action"`
		Tier   string   `json:"tier"`
		Score  *float64 `json:"score"`
	} `json:"expected"`
}

var actionNames = map[action]string{actionKeep: "keep", actionDrop: "drop", actionRollup: "rollup"}

func TestGoldenVectors(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(vectorsDir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no golden vectors in %s", vectorsDir)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			var v vector
			raw, err := os.ReadFile(file)
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(raw, &v))
			require.Len(t, v.Expected, len(v.Rows), "expected must have one entry per row")

			module := filepath.Join(wasmDir, v.Module+".wasm")
			_, err = os.Stat(module)
			require.NoError(t, err, "run `make wasm` first")
			cfg := createDefaultConfig().(*Config)
			cfg.Module = module
			cfg.ModuleConfig = v.Config
			p, err := newWasmProcessor(context.Background(), processortest.NewNopSettings(component.MustNewType(typeStr)), cfg)
			require.NoError(t, err)
			defer func() { require.NoError(t, p.shutdown(context.Background())) }()

			md := vectorMetrics(v)
			records, err := p.decide(context.Background(), md.ResourceMetrics())
			require.NoError(t, err)
			for i, want := range v.Expected {
				got := decodeDecision(records[i*decisionSize:])
				assert.Equal(t, want.Action, actionNames[got.action], "row %d action", i)
				assert.Equal(t, want.Tier, tierNames[got.tier], "row %d tier", i)
				if want.Score == nil {
					assert.True(t, math.IsNaN(got.score), "row %d score: want none, got %v", i, got.score)
				} else {
					assert.InDelta(t, *want.Score, got.score, 1e-9, "row %d score", i)
				}
			}
		})
	}
}

// vectorMetrics turns vector rows into resources whose metrics reduce to the given values:
// "name:sum" and "name:max" become the value of one point, "name:start_time" and "name:time" its
// start and end timestamps.
func vectorMetrics(v vector) pmetric.Metrics {
	md := pmetric.NewMetrics()
	for _, row := range v.Rows {
		rm := md.ResourceMetrics().AppendEmpty()
		for k, val := range row.Attrs {
			rm.Resource().Attributes().PutStr(k, val)
		}
		ms := rm.ScopeMetrics().AppendEmpty().Metrics()
		points := map[string]pmetric.NumberDataPoint{}
		for key, val := range row.Metrics {
			name, how, _ := strings.Cut(key, ":")
			dp, ok := points[name]
			if !ok {
				m := ms.AppendEmpty()
				m.SetName(name)
				dp = m.SetEmptySum().DataPoints().AppendEmpty()
				points[name] = dp
			}
			switch how {
			case "start_time":
				dp.SetStartTimestamp(pcommon.Timestamp(val * 1e9))
			case "time":
				dp.SetTimestamp(pcommon.Timestamp(val * 1e9))
			default:
				dp.SetDoubleValue(val)
			}
		}
	}
	return md
}

// appliedVector is an applied golden vector (test/vectors/README.md, "Applied vectors"):
// consecutive batches through the real module with their decisions and applied output, shared
// with the TS host (test/host/applied-vectors.test.ts).
type appliedVector struct {
	Description    string         `json:"description"`
	Module         string         `json:"module"`
	Config         map[string]any `json:"config"`
	ScoreAttribute string         `json:"score_attribute"`
	Batches        []struct {
		Input     json.RawMessage `json:"input"`
		Decisions []struct {
			Action string   `json:"action"`
			Tier   string   `json:"tier"`
			Score  *float64 `json:"score"`
		} `json:"decisions"`
		Output json.RawMessage `json:"output"`
	} `json:"batches"`
}

func TestAppliedVectors(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(vectorsDir, "applied", "*.json"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 2, "no applied vectors in %s/applied", vectorsDir)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			var v appliedVector
			raw, err := os.ReadFile(file)
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(raw, &v))
			require.GreaterOrEqual(t, len(v.Batches), 3, "consecutive batches")

			cfg := createDefaultConfig().(*Config)
			cfg.Module = filepath.Join(wasmDir, v.Module+".wasm")
			cfg.ModuleConfig = v.Config
			cfg.ScoreAttribute = v.ScoreAttribute
			p, err := newWasmProcessor(context.Background(), processortest.NewNopSettings(component.MustNewType(typeStr)), cfg)
			require.NoError(t, err, "run `make wasm` first")
			defer func() { require.NoError(t, p.shutdown(context.Background())) }()

			var u pmetric.JSONUnmarshaler
			for i, b := range v.Batches {
				md, err := u.UnmarshalMetrics(b.Input)
				require.NoError(t, err)
				rms := md.ResourceMetrics()
				require.Len(t, b.Decisions, rms.Len())
				// The steps of processMetrics, with the decisions looked at on the way.
				records, err := p.decide(context.Background(), rms)
				require.NoError(t, err)
				for r, want := range b.Decisions {
					got := decodeDecision(records[r*decisionSize:])
					assert.Equal(t, want.Action, actionNames[got.action], "batch %d row %d action", i, r)
					assert.Equal(t, want.Tier, tierNames[got.tier], "batch %d row %d tier", i, r)
					if want.Score == nil {
						assert.True(t, math.IsNaN(got.score), "batch %d row %d score: want none, got %v", i, r, got.score)
					} else {
						assert.Equal(t, *want.Score, got.score, "batch %d row %d score", i, r)
					}
				}
				p.table.readRolledUp(rms, records)
				p.apply.apply(rms, records, &p.table.read)

				var want, got any
				require.NoError(t, json.Unmarshal(b.Output, &want))
				gotJSON, err := json.Marshal(canonical(md))
				require.NoError(t, err)
				require.NoError(t, json.Unmarshal(gotJSON, &got))
				assert.Equal(t, want, got, "batch %d output", i)
			}
		})
	}
}

// canonical is the applied output in the vectors' host-independent form (test/host/canonical.ts):
// attributes as [key, type, value] with ints as decimal strings, every type explicit.
func canonical(md pmetric.Metrics) []any {
	out := []any{}
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		rm := rms.At(i)
		scopes := []any{}
		for s := 0; s < rm.ScopeMetrics().Len(); s++ {
			sm := rm.ScopeMetrics().At(s)
			metrics := []any{}
			for m := 0; m < sm.Metrics().Len(); m++ {
				metrics = append(metrics, canonicalMetric(sm.Metrics().At(m)))
			}
			scopes = append(scopes, map[string]any{"name": sm.Scope().Name(), "version": sm.Scope().Version(), "metrics": metrics})
		}
		out = append(out, map[string]any{"attributes": canonicalAttrs(rm.Resource().Attributes()), "scopes": scopes})
	}
	return out
}

func canonicalAttrs(attrs pcommon.Map) []any {
	out := []any{}
	attrs.Range(func(k string, v pcommon.Value) bool {
		switch v.Type() {
		case pcommon.ValueTypeStr:
			out = append(out, []any{k, "string", v.Str()})
		case pcommon.ValueTypeBool:
			out = append(out, []any{k, "bool", v.Bool()})
		case pcommon.ValueTypeInt:
			out = append(out, []any{k, "int", strconv.FormatInt(v.Int(), 10)})
		case pcommon.ValueTypeDouble:
			out = append(out, []any{k, "double", v.Double()})
		default:
			out = append(out, []any{k, "other", v.AsString()})
		}
		return true
	})
	return out
}

var temporalityNames = map[pmetric.AggregationTemporality]string{
	pmetric.AggregationTemporalityUnspecified: "unspecified",
	pmetric.AggregationTemporalityDelta:       "delta",
	pmetric.AggregationTemporalityCumulative:  "cumulative",
}

func canonicalMetric(m pmetric.Metric) map[string]any {
	c := map[string]any{"name": m.Name(), "unit": m.Unit(), "description": m.Description(), "points": []any{}}
	var dps pmetric.NumberDataPointSlice
	switch m.Type() {
	case pmetric.MetricTypeSum:
		c["type"] = "sum"
		c["temporality"] = temporalityNames[m.Sum().AggregationTemporality()]
		c["monotonic"] = m.Sum().IsMonotonic()
		dps = m.Sum().DataPoints()
	case pmetric.MetricTypeGauge:
		c["type"] = "gauge"
		dps = m.Gauge().DataPoints()
	default:
		t := m.Type().String()
		c["type"] = strings.ToLower(t[:1]) + t[1:] // histogram, exponentialHistogram, summary, empty
		return c
	}
	points := []any{}
	for i := 0; i < dps.Len(); i++ {
		dp := dps.At(i)
		p := map[string]any{
			"attributes": canonicalAttrs(dp.Attributes()),
			"start":      strconv.FormatUint(uint64(dp.StartTimestamp()), 10),
			"time":       strconv.FormatUint(uint64(dp.Timestamp()), 10),
		}
		switch dp.ValueType() {
		case pmetric.NumberDataPointValueTypeInt:
			p["int"] = strconv.FormatInt(dp.IntValue(), 10)
		case pmetric.NumberDataPointValueTypeDouble:
			p["double"] = dp.DoubleValue()
		}
		points = append(points, p)
	}
	c["points"] = points
	return c
}
