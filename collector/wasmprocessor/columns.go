package wasmprocessor

import (
	"fmt"
	"strings"
)

// reduction turns every number data point of one metric in a resource into one value.
type reduction uint8

const (
	reduceSum reduction = iota
	reduceMax
	reduceStartTime
	reduceTime
)

var reductions = map[string]reduction{"sum": reduceSum, "max": reduceMax, "start_time": reduceStartTime, "time": reduceTime}

// metricColumn is one declared number column.
type metricColumn struct {
	name   string
	reduce reduction
}

// columns is the module's column declaration (nrdot_columns).
type columns struct {
	attrs   []string
	metrics []metricColumn
	// byMetric maps a metric name to the indexes of its columns, so each metric of a resource
	// is looked up once.
	byMetric map[string][]int
}

// parseColumns parses the declaration text: "attr <key>" and "metric <name> <reduction>" lines.
func parseColumns(text string) (*columns, error) {
	c := &columns{byMetric: map[string][]int{}}
	for i, line := range strings.Split(text, "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, " ")
		switch {
		case f[0] == "attr" && len(f) == 2 && f[1] != "":
			c.attrs = append(c.attrs, f[1])
		case f[0] == "metric" && len(f) == 3 && f[1] != "":
			r, ok := reductions[f[2]]
			if !ok {
				return nil, fmt.Errorf("column declaration line %d: unknown reduction %q (want sum, max, start_time or time)", i+1, f[2])
			}
			c.byMetric[f[1]] = append(c.byMetric[f[1]], len(c.metrics))
			c.metrics = append(c.metrics, metricColumn{name: f[1], reduce: r})
		default:
			return nil, fmt.Errorf("column declaration line %d: %q is neither `attr <key>` nor `metric <name> <reduction>`", i+1, line)
		}
	}
	return c, nil
}
