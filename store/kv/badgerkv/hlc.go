package badgerkv

import (
	"math"
	"sync"
	"time"
)

// logicalBits is the width of the logical counter in the low bits of a
// timestamp: 65,536 commits per millisecond before the clock borrows from
// the next millisecond.
const logicalBits = 16

// TsOf returns the smallest commit timestamp of the millisecond of t. Every
// commit recorded at or before t has a timestamp below TsOf(t) plus one
// millisecond; ReadTsAt gives that read timestamp directly.
func TsOf(t time.Time) uint64 {
	ms := t.UnixMilli()
	switch {
	case ms < 0:
		return 0
	case ms >= 1<<(64-logicalBits):
		// Past the year 10889 the milliseconds would overflow into
		// nonsense: every such instant is after every commit.
		return math.MaxUint64 &^ (1<<logicalBits - 1)
	}
	return uint64(ms) << logicalBits
}

// TimeOf returns the wall-clock time, to the millisecond, at which the
// commit with timestamp ts was made.
func TimeOf(ts uint64) time.Time {
	return time.UnixMilli(int64(ts >> logicalBits)).UTC()
}

// ReadTsAt returns the read timestamp that sees every commit made up to and
// including the millisecond of t, for reading the store as it was at t.
func ReadTsAt(t time.Time) uint64 {
	return TsOf(t) | (1<<logicalBits - 1)
}

// clock is a hybrid logical clock: wall milliseconds in the high bits, a
// counter in the low bits. Its timestamps strictly increase even when the
// wall clock steps back, because a reading at or below the last one is
// replaced by last+1.
type clock struct {
	mu   sync.Mutex
	last uint64
	now  func() time.Time
}

// next returns a timestamp greater than every one returned before and
// greater than the floor given to observe.
func (c *clock) next() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	ts := TsOf(c.now())
	if ts <= c.last {
		ts = c.last + 1
	}
	c.last = ts
	return ts
}

// observe moves the clock past ts, so that timestamps found on disk (after
// a restart or a restore) are never handed out again.
func (c *clock) observe(ts uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ts > c.last {
		c.last = ts
	}
}
