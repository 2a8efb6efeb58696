package store

import "sync"

// lender lends values whose lists keep their room from one use to the
// next (walkers, headsLender), so that a walk or an answer fills lists
// another already grew instead of allocating and zeroing its own. It is a
// sync.Pool, which empties itself over two collections when idle, that
// keeps no value whose lists outgrow maxLent, so that one huge answer does
// not stay in memory.
type lender[T any, P lendable[T]] struct {
	pool sync.Pool
}

// lendable is a pointer to what a lender lends.
type lendable[T any] interface {
	*T
	// room is the bytes its lists hold.
	room() int
	// empty empties its lists, keeping their room, and clears what they
	// hold that points into the read cache, so that a lent value keeps
	// no entry alive.
	empty()
}

// maxLent bounds the bytes of the lists a lent value keeps.
const maxLent = 8 << 20

// get returns a value given back before, its lists empty, or a new one;
// l may be nil (a new one).
func (l *lender[T, P]) get() P {
	if l != nil {
		if v, ok := l.pool.Get().(P); ok {
			return v
		}
	}
	return P(new(T))
}

// put empties v and lends it again, unless its lists outgrew maxLent;
// l may be nil (v is left to the collector). v must not be used after.
func (l *lender[T, P]) put(v P) {
	if l == nil || v.room() > maxLent {
		return
	}
	v.empty()
	l.pool.Put(v)
}
