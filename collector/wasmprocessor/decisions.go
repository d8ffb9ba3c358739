package wasmprocessor

import (
	"encoding/binary"
	"math"
)

// decisionSize is the size of one decision record (docs/reference/abi.md, "Decision record").
const decisionSize = 16

type action uint8

const (
	actionKeep   action = 0
	actionDrop   action = 1
	actionRollup action = 2
)

// tierNames indexes the tier codes of the ABI; code 0 (unset) has no name.
var tierNames = [...]string{"", "critical", "important", "standard", "sampled"}

type decision struct {
	action action
	tier   uint8
	score  float64
}

// valid reports whether the record uses only the codes of the ABI.
func (d decision) valid() bool {
	return d.action <= actionRollup && int(d.tier) < len(tierNames)
}

func decodeDecision(b []byte) decision {
	return decision{
		action: action(b[0]),
		tier:   b[1],
		score:  math.Float64frombits(binary.LittleEndian.Uint64(b[8:])),
	}
}
