package wasmprocessor

import (
	"bytes"
	"errors"
	"fmt"
)

// Interruptible guests without wazero's WithCloseOnContextDone.
//
// Compiled WebAssembly cannot be preempted by the Go runtime: a call that never returns can be
// neither stopped nor paused for a stop-the-world, so the next GC freezes the whole process.
// WithCloseOnContextDone fixes both by leaving native code for Go at every loop iteration, which
// more than doubles the time optimize.wasm takes per batch (docs/benchmarks.md). Instead, the
// host rewrites the module before compiling it: every loop header decrements a counter global,
// and every loopCheckInterval iterations the guest executes `memory.grow 0` (which wazero runs in
// Go, where the goroutine can be preempted) and then traps if the stop global is set. The host
// sets the stop global when the call's context ends. Per iteration that is a load, a subtract, a
// store and a branch in native code. A module this rewriter does not understand (an instruction
// it does not know) is compiled with WithCloseOnContextDone instead.

// stopGlobalExport is the name under which the rewritten module exports its stop global.
const stopGlobalExport = "__nrdot_stop"

// startExport is the name under which the rewritten module exports its start function: the
// start section is removed, so that the host calls it like any export, under a deadline, instead
// of wazero running it inside InstantiateModule where nothing could stop it.
const startExport = "__nrdot_start"

// loopCheckInterval is how many loop iterations run between two visits to Go.
const loopCheckInterval = 4096

var errUninstrumentable = errors.New("module cannot be instrumented")

type wasmReader struct {
	b   []byte
	pos int
	err error
}

func (r *wasmReader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s at byte %d", errUninstrumentable, fmt.Sprintf(format, args...), r.pos)
	}
}

func (r *wasmReader) byte() byte {
	if r.err != nil || r.pos >= len(r.b) {
		r.fail("unexpected end")
		return 0
	}
	c := r.b[r.pos]
	r.pos++
	return c
}

// u32 reads an unsigned LEB128 (up to 64 bits).
func (r *wasmReader) u32() uint64 {
	var v uint64
	for shift := 0; shift < 70; shift += 7 {
		c := r.byte()
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v
		}
	}
	r.fail("LEB128 too long")
	return 0
}

// sleb skips a signed LEB128.
func (r *wasmReader) sleb() { r.u32() }

func (r *wasmReader) skip(n int) {
	if r.err != nil || n < 0 || n > len(r.b)-r.pos {
		r.fail("unexpected end")
		return
	}
	r.pos += n
}

func appendU32(b []byte, v uint64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			b = append(b, c|0x80)
			continue
		}
		return append(b, c)
	}
}

func appendS32(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

type section struct {
	id      byte
	payload []byte
}

// instrumentLoops returns the module with the loop checks described above (and its start
// function, if any, exported as startExport instead of run at instantiation), whether it has a
// start function, or an error wrapping errUninstrumentable.
func instrumentLoops(code []byte) ([]byte, bool, error) {
	if len(code) < 8 || !bytes.Equal(code[:8], []byte("\x00asm\x01\x00\x00\x00")) {
		return nil, false, fmt.Errorf("%w: not a WebAssembly 1.0 binary", errUninstrumentable)
	}
	r := &wasmReader{b: code, pos: 8}
	var sections []section
	for r.pos < len(code) && r.err == nil {
		id := r.byte()
		n := int(r.u32())
		start := r.pos
		r.skip(n)
		if r.err == nil {
			sections = append(sections, section{id: id, payload: code[start : start+n]})
		}
	}
	if r.err != nil {
		return nil, false, r.err
	}
	importedGlobals, definedGlobals := uint64(0), uint64(0)
	startFunc, hasStart := uint64(0), false
	globalAt := -1
	for i, s := range sections {
		switch s.id {
		case 2:
			n, err := countImportedGlobals(s.payload)
			if err != nil {
				return nil, false, err
			}
			importedGlobals = n
		case 6:
			globalAt = i
			gr := &wasmReader{b: s.payload}
			definedGlobals = gr.u32()
		case 8:
			sr := &wasmReader{b: s.payload}
			startFunc, hasStart = sr.u32(), true
			if sr.err != nil {
				return nil, false, sr.err
			}
		}
	}
	counter := importedGlobals + definedGlobals
	stop := counter + 1

	// The global section, with the two globals appended: counter (starts at the interval) and stop.
	newGlobals := func(existing []byte) []byte {
		p := appendU32(nil, definedGlobals+2)
		p = append(p, existing...)
		p = append(p, 0x7f, 0x01, 0x41)
		p = appendS32(p, loopCheckInterval)
		p = append(p, 0x0b, 0x7f, 0x01, 0x41, 0x00, 0x0b)
		return p
	}
	check := loopCheck(counter, stop)
	var out []section
	sawExport, sawCode := false, false
	for i, s := range sections {
		if globalAt < 0 && isAfterGlobals(s.id) {
			out = append(out, section{id: 6, payload: newGlobals(nil)})
			globalAt = len(out) - 1
		}
		switch {
		case i == globalAt && s.id == 6:
			gr := &wasmReader{b: s.payload}
			gr.u32()
			out = append(out, section{id: 6, payload: newGlobals(s.payload[gr.pos:])})
			continue
		case s.id == 7:
			sawExport = true
			er := &wasmReader{b: s.payload}
			n := er.u32() + 1 // the stop global's export
			if hasStart {
				n++
			}
			p := appendU32(nil, n)
			p = append(p, s.payload[er.pos:]...)
			if hasStart {
				p = appendU32(p, uint64(len(startExport)))
				p = append(p, startExport...)
				p = append(p, 0x00)
				p = appendU32(p, startFunc)
			}
			p = appendU32(p, uint64(len(stopGlobalExport)))
			p = append(p, stopGlobalExport...)
			p = append(p, 0x03)
			p = appendU32(p, stop)
			out = append(out, section{id: 7, payload: p})
			continue
		case s.id == 8:
			continue // called by the host as startExport
		case s.id == 10:
			sawCode = true
			p, err := instrumentCode(s.payload, check)
			if err != nil {
				return nil, false, err
			}
			out = append(out, section{id: 10, payload: p})
			continue
		}
		out = append(out, s)
	}
	if !sawExport || !sawCode || globalAt < 0 {
		return nil, false, fmt.Errorf("%w: no export, code or place for globals", errUninstrumentable)
	}
	res := append([]byte(nil), code[:8]...)
	for _, s := range out {
		res = append(res, s.id)
		res = appendU32(res, uint64(len(s.payload)))
		res = append(res, s.payload...)
	}
	return res, hasStart, nil
}

// isAfterGlobals reports whether a section with this id comes after the global section.
func isAfterGlobals(id byte) bool {
	switch id {
	case 7, 8, 9, 10, 11, 12:
		return true
	}
	return false
}

func countImportedGlobals(p []byte) (uint64, error) {
	r := &wasmReader{b: p}
	n := r.u32()
	globals := uint64(0)
	for i := uint64(0); i < n && r.err == nil; i++ {
		r.skip(int(r.u32())) // module
		r.skip(int(r.u32())) // name
		switch kind := r.byte(); kind {
		case 0x00: // function
			r.u32()
		case 0x01: // table
			r.sleb()
			skipLimits(r)
		case 0x02: // memory
			skipLimits(r)
		case 0x03: // global
			r.sleb()
			r.byte()
			globals++
		default:
			r.fail("import kind %#x", kind)
		}
	}
	return globals, r.err
}

func skipLimits(r *wasmReader) {
	flags := r.byte()
	r.u32()
	if flags&0x01 != 0 {
		r.u32()
	}
}

// loopCheck is the code put after every loop's block type:
//
//	global.get $n; i32.const 1; i32.sub; global.set $n; global.get $n; i32.eqz
//	if
//	  i32.const interval; global.set $n
//	  i32.const 0; memory.grow 0; drop          ;; wazero runs this in Go: preemptible
//	  global.get $stop; if unreachable end      ;; the host set it: the call's context ended
//	end
func loopCheck(counter, stop uint64) []byte {
	var b []byte
	b = appendU32(append(b, 0x23), counter)
	b = append(b, 0x41, 0x01, 0x6b)
	b = appendU32(append(b, 0x24), counter)
	b = appendU32(append(b, 0x23), counter)
	b = append(b, 0x45, 0x04, 0x40, 0x41)
	b = appendS32(b, loopCheckInterval)
	b = appendU32(append(b, 0x24), counter)
	b = append(b, 0x41, 0x00, 0x40, 0x00, 0x1a)
	b = appendU32(append(b, 0x23), stop)
	b = append(b, 0x04, 0x40, 0x00, 0x0b, 0x0b)
	return b
}

func instrumentCode(p []byte, check []byte) ([]byte, error) {
	r := &wasmReader{b: p}
	n := r.u32()
	out := appendU32(nil, n)
	for i := uint64(0); i < n && r.err == nil; i++ {
		size := int(r.u32())
		start := r.pos
		r.skip(size)
		if r.err != nil {
			break
		}
		body, err := instrumentBody(p[start:start+size], check)
		if err != nil {
			return nil, err
		}
		out = appendU32(out, uint64(len(body)))
		out = append(out, body...)
	}
	return out, r.err
}

// instrumentBody copies one function body, inserting check after every loop's block type.
func instrumentBody(body []byte, check []byte) ([]byte, error) {
	r := &wasmReader{b: body}
	groups := r.u32()
	for g := uint64(0); g < groups && r.err == nil; g++ {
		r.u32()
		r.sleb()
	}
	out := make([]byte, 0, len(body)+len(check)*4)
	out = append(out, body[:r.pos]...)
	for r.pos < len(body) && r.err == nil {
		from := r.pos
		op := r.byte()
		loop := false
		switch {
		case op == 0x00, op == 0x01, op == 0x05, op == 0x0b, op == 0x0f, op == 0x1a, op == 0x1b,
			op >= 0x45 && op <= 0xc4, op == 0xd1:
		case op == 0x02, op == 0x04:
			r.sleb()
		case op == 0x03:
			r.sleb()
			loop = true
		case op == 0x0c, op == 0x0d, op == 0x10, op == 0x12, op >= 0x20 && op <= 0x26, op == 0xd2, op == 0x3f, op == 0x40:
			r.u32()
		case op == 0x11, op == 0x13:
			r.u32()
			r.u32()
		case op == 0x0e:
			for k, n := uint64(0), r.u32(); k < n && r.err == nil; k++ {
				r.u32()
			}
			r.u32()
		case op == 0x1c:
			for k, n := uint64(0), r.u32(); k < n && r.err == nil; k++ {
				r.sleb()
			}
		case op >= 0x28 && op <= 0x3e:
			if align := r.u32(); align&0x40 != 0 {
				r.u32() // memory index
			}
			r.u32()
		case op == 0x41, op == 0x42, op == 0xd0:
			r.sleb()
		case op == 0x43:
			r.skip(4)
		case op == 0x44:
			r.skip(8)
		case op == 0xfc:
			switch sub := r.u32(); {
			case sub <= 7:
			case sub == 9, sub == 11, sub == 13, sub == 15, sub == 16, sub == 17:
				r.u32()
			case sub == 8, sub == 10, sub == 12, sub == 14:
				r.u32()
				r.u32()
			default:
				r.fail("instruction 0xfc %d", sub)
			}
		default:
			r.fail("instruction %#x", op)
		}
		out = append(out, body[from:r.pos]...)
		if loop {
			out = append(out, check...)
		}
	}
	return out, r.err
}
