package store

import "math/bits"

// nodePlaces maps the nodes a walk has met to their places in its node
// list: an open-addressing table with linear probing, a slot being the
// key and its place side by side, so that a probe touches one cache line.
// A walk asks it once for every edge it scans, mostly for nodes it has
// not met (the edges of the last level lead out of the set); Go's map
// spent as long on that as on everything else of a walk of 15,000 nodes,
// hashing, matching control bytes and growing in steps.
type nodePlaces struct {
	slots []placeSlot // a power of two in length
	n     int
	shift uint // 64 - log2(len(slots))
	// spare is the table before the last resize, room for the next
	// one when large enough: a lent walker (walkers) keeps both, so
	// that its next walk's table grows into them.
	spare []placeSlot
}

// placeSlot is one slot: node+1 (0 = empty) and its place.
type placeSlot struct {
	key   uint64
	place int32
}

func newNodePlaces() nodePlaces {
	return nodePlaces{slots: make([]placeSlot, 16), shift: 64 - 4}
}

// restart empties t to 16 slots, taken from the larger of its tables
// when it has them.
func (t *nodePlaces) restart() {
	big, small := t.slots, t.spare
	if cap(small) > cap(big) {
		big, small = small, big
	}
	if cap(big) < 16 {
		*t = newNodePlaces()
		return
	}
	t.slots = big[:16]
	clear(t.slots)
	*t = nodePlaces{slots: t.slots, shift: 64 - 4, spare: small[:0]}
}

// emptied is t without places, its tables kept as room (restart).
func (t *nodePlaces) emptied() nodePlaces {
	return nodePlaces{slots: t.slots[:0], spare: t.spare[:0]}
}

// slot is where n's probe starts: Fibonacci hashing, the high bits of a
// multiplication, which spreads the dense ids of one community.
func (t *nodePlaces) slot(key uint64) uint64 {
	return (key * 0x9E3779B97F4A7C15) >> t.shift
}

// get returns n's place, if n is in the table.
func (t *nodePlaces) get(n NodeID) (int32, bool) {
	key := uint64(n) + 1
	mask := uint64(len(t.slots) - 1)
	for i := t.slot(key); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.key == key {
			return s.place, true
		}
		if s.key == 0 {
			return 0, false
		}
	}
}

// put records n at place p; n must not be in the table yet.
func (t *nodePlaces) put(n NodeID, p int32) {
	if 2*(t.n+1) > len(t.slots) {
		t.grow()
	}
	t.insert(uint64(n)+1, p)
	t.n++
}

func (t *nodePlaces) insert(key uint64, p int32) {
	mask := uint64(len(t.slots) - 1)
	i := t.slot(key)
	for t.slots[i].key != 0 {
		i = (i + 1) & mask
	}
	t.slots[i] = placeSlot{key, p}
}

// grow doubles the table, keeping it at most half full.
func (t *nodePlaces) grow() {
	t.resize(2 * len(t.slots))
}

// reserve makes room for n nodes in all without growing again.
func (t *nodePlaces) reserve(n int) {
	size := len(t.slots)
	for 2*n > size {
		size *= 2
	}
	if size > len(t.slots) {
		t.resize(size)
	}
}

// resize moves the table into size slots, a power of two.
func (t *nodePlaces) resize(size int) {
	old := t.slots
	if cap(t.spare) >= size {
		t.slots = t.spare[:size]
		clear(t.slots)
	} else {
		t.slots = make([]placeSlot, size)
	}
	t.spare = old[:0]
	t.shift = uint(64 - bits.TrailingZeros64(uint64(size)))
	for _, s := range old {
		if s.key != 0 {
			t.insert(s.key, s.place)
		}
	}
}
