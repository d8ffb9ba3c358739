package wasmprocessor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

func TestParseRollup(t *testing.T) {
	d, err := parseRollup("group host.name\ngroup k8s.node.name\nstrip process.\nset a string two words \nset b bool false\n" +
		"set c int -9223372036854775808\ncount n\n")
	require.NoError(t, err)
	assert.Equal(t, &rollupDecl{
		group: []string{"host.name", "k8s.node.name"},
		strip: []string{"process."},
		set: []setAttr{
			{key: "a", typ: pcommon.ValueTypeStr, str: "two words "},
			{key: "b", typ: pcommon.ValueTypeBool},
			{key: "c", typ: pcommon.ValueTypeInt, whole: -9223372036854775808},
		},
		count: "n",
	}, d)

	empty, err := parseRollup("")
	require.NoError(t, err)
	assert.Equal(t, &rollupDecl{}, empty, "one roll-up per batch, nothing stripped or set, no count")
}

func TestParseRollupRefuses(t *testing.T) {
	tests := []struct{ text, want string }{
		{"sum everything", "line 1: \"sum everything\": not one of `group`, `strip`, `set`, `count`"},
		{"group", "want `group <resource attribute key>`"},
		{"group a b", "want `group <resource attribute key>`"},
		{"strip ", "want `strip <key prefix>`"},
		{"count a\ncount b", "line 2: \"count b\": a second count line (the first named \"a\")"},
		{"set k", "want `set <key> string|bool|int <value>`"},
		{"set k string", "want `set <key> string|bool|int <value>`"},
		{"set k bool yes", "a bool is `true` or `false`, not \"yes\""},
		{"set k int 9223372036854775808", "is not a 64-bit decimal int"},
		{"set k int 1.5", "is not a 64-bit decimal int"},
		{"set k double 1.5", "unknown type \"double\" (want string, bool or int)"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			_, err := parseRollup(tt.text)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), "roll-up declaration line")
		})
	}
}

func TestRollupAsDeclared(t *testing.T) {
	decl, err := parseRollup("group zone\ngroup rack\nstrip job.\nset name string rest\nset n int 7\ncount rows\n")
	require.NoError(t, err)
	md := pmetric.NewMetrics()
	for i, r := range [][]string{
		{"zone", "a", "rack", "1", "job.id", "x", "keep", "me"},
		{"zone", "a", "rack", "2", "job.id", "y"},
		{"zone", "a", "rack", "1", "job.id", "z"},
		{"rack", "1"},
	} {
		rm := md.ResourceMetrics().AppendEmpty()
		for k := 0; k < len(r); k += 2 {
			rm.Resource().Attributes().PutStr(r[k], r[k+1])
		}
		g := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		g.SetName("g")
		dp := g.SetEmptyGauge().DataPoints().AppendEmpty()
		dp.SetIntValue(int64(1) << i)
		dp.SetTimestamp(5)
	}
	cols, err := parseColumns("attr zone\n")
	require.NoError(t, err)
	b := &tableBuilder{cols: cols, rollup: decl}
	rms := md.ResourceMetrics()
	b.measure(rms)
	b.readRolledUp(rms, allRolledUp(4))
	(&applier{rollup: decl}).apply(rms, allRolledUp(4), &b.read)

	require.Equal(t, 3, rms.Len(), "groups (a,1), (a,2) and (\"\",1): a missing key groups as \"\"")
	var keys [][]string
	var values [][]int64
	for i := 0; i < rms.Len(); i++ {
		var k []string
		rms.At(i).Resource().Attributes().Range(func(key string, _ pcommon.Value) bool {
			k = append(k, key)
			return true
		})
		keys = append(keys, k)
		ms := rms.At(i).ScopeMetrics().At(0).Metrics()
		values = append(values, []int64{ms.At(0).Gauge().DataPoints().At(0).IntValue(), ms.At(1).Gauge().DataPoints().At(0).IntValue()})
	}
	assert.Equal(t, [][]string{{"zone", "rack", "keep", "name", "n"}, {"zone", "rack", "name", "n"}, {"rack", "name", "n"}}, keys)
	assert.Equal(t, [][]int64{{5, 2}, {2, 1}, {8, 1}}, values, "g summed per group, then the count")
	n, _ := rms.At(0).Resource().Attributes().Get("n")
	assert.Equal(t, int64(7), n.Int())
	count := rms.At(0).ScopeMetrics().At(0).Metrics().At(1)
	assert.Equal(t, "rows", count.Name())
	assert.Equal(t, pcommon.Timestamp(5), count.Gauge().DataPoints().At(0).Timestamp())
}
