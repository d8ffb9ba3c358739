package wasmprocessor

import (
	"fmt"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// rollupDecl is the module's roll-up declaration (nrdot_rollup): what the resource that
// rolled-up rows are summed into looks like. The host knows nothing about processes; the module
// says how rows are grouped, which of the first row's attributes are removed, which are set, and
// which metric counts the rows.
type rollupDecl struct {
	group []string  // one roll-up resource per distinct tuple of these attribute values
	strip []string  // attribute key prefixes removed from the first rolled-up resource
	set   []setAttr // attributes written after stripping, in order
	count string    // the int gauge counting the resources rolled up; "" for none
}

// setAttr is one "set" line: a resource attribute with a string, bool or int value.
type setAttr struct {
	key   string
	typ   pcommon.ValueType
	str   string
	flag  bool
	whole int64
}

func (s *setAttr) putInto(attrs pcommon.Map) {
	switch s.typ {
	case pcommon.ValueTypeBool:
		attrs.PutBool(s.key, s.flag)
	case pcommon.ValueTypeInt:
		attrs.PutInt(s.key, s.whole)
	default:
		attrs.PutStr(s.key, s.str)
	}
}

// parseRollup parses the declaration text: "group <key>", "strip <prefix>",
// "set <key> string|bool|int <value>" (a string value is the rest of the line) and at most one
// "count <metric name>". Any other line is an error naming it.
func parseRollup(text string) (*rollupDecl, error) {
	d := &rollupDecl{}
	for i, line := range strings.Split(text, "\n") {
		if line == "" {
			continue
		}
		if err := d.parseLine(line); err != nil {
			return nil, fmt.Errorf("roll-up declaration line %d: %q: %w", i+1, line, err)
		}
	}
	return d, nil
}

func (d *rollupDecl) parseLine(line string) error {
	verb, rest, _ := strings.Cut(line, " ")
	switch verb {
	case "group", "strip", "count":
		if rest == "" || strings.Contains(rest, " ") {
			return fmt.Errorf("want `%s <%s>` with one non-empty field", verb, map[string]string{
				"group": "resource attribute key", "strip": "key prefix", "count": "metric name"}[verb])
		}
		switch verb {
		case "group":
			d.group = append(d.group, rest)
		case "strip":
			d.strip = append(d.strip, rest)
		default:
			if d.count != "" {
				return fmt.Errorf("a second count line (the first named %q)", d.count)
			}
			d.count = rest
		}
		return nil
	case "set":
		return d.parseSet(rest)
	}
	return fmt.Errorf("not one of `group`, `strip`, `set`, `count`")
}

func (d *rollupDecl) parseSet(rest string) error {
	key, rest, ok1 := strings.Cut(rest, " ")
	typ, value, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 || key == "" {
		return fmt.Errorf("want `set <key> string|bool|int <value>`")
	}
	s := setAttr{key: key}
	switch typ {
	case "string":
		s.typ, s.str = pcommon.ValueTypeStr, value
	case "bool":
		if value != "true" && value != "false" {
			return fmt.Errorf("a bool is `true` or `false`, not %q", value)
		}
		s.typ, s.flag = pcommon.ValueTypeBool, value == "true"
	case "int":
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not a 64-bit decimal int", value)
		}
		s.typ, s.whole = pcommon.ValueTypeInt, n
	default:
		return fmt.Errorf("unknown type %q (want string, bool or int)", typ)
	}
	d.set = append(d.set, s)
	return nil
}

// stripped reports whether key starts with one of the declared prefixes.
func (d *rollupDecl) stripped(key string) bool {
	for _, p := range d.strip {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// groupIndex returns the position of key among the group keys, or -1.
func (d *rollupDecl) groupIndex(key string) int {
	for i, k := range d.group {
		if k == key {
			return i
		}
	}
	return -1
}
