package wasmprocessor

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
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
