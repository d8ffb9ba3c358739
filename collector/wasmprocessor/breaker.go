package wasmprocessor

import (
	"sync/atomic"
	"time"
)

// breaker is the circuit breaker around the module: after `threshold` consecutive failed calls it
// opens, and batches pass through without calling the module until `coolDown` has passed; then
// the next batch is a probe: a success closes it, a failure keeps it open for another cool-down.
// Not goroutine-safe: the processor holds its mutex; only open may be read without it (openBit,
// for the gauge).
type breaker struct {
	threshold int
	coolDown  time.Duration
	failures  int // consecutive
	open      atomic.Bool
	until     time.Time // while open: when the next probe may run
}

// openBit is 1 while the breaker is open, else 0; safe without the processor's mutex.
func (b *breaker) openBit() int64 {
	if b.open.Load() {
		return 1
	}
	return 0
}

// allow reports whether the module may be called now (closed, or open and due for a probe).
func (b *breaker) allow(now time.Time) bool {
	return !b.open.Load() || !now.Before(b.until)
}

// success records a call that worked; it reports whether the breaker closed.
func (b *breaker) success() (closed bool) {
	b.failures = 0
	if b.open.Load() {
		b.open.Store(false)
		return true
	}
	return false
}

// failure records a failed call; it reports whether the breaker opened (not: stayed open).
func (b *breaker) failure(now time.Time) (opened bool) {
	b.failures++
	if b.open.Load() {
		b.until = now.Add(b.coolDown)
		return false
	}
	if b.failures < b.threshold {
		return false
	}
	b.open.Store(true)
	b.until = now.Add(b.coolDown)
	return true
}
