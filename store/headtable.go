package store

import (
	"math"
	"slices"
	"sync/atomic"
	"unsafe"
)

// headTable keeps the head (external id, name, type) of every entity
// body the read cache holds, in one slice indexed by NodeID, so that the
// heads of a neighbourhood cost one read of a dense slot per node.
//
// Read from the cached bodies, each head cost two cache misses the walk
// itself does not pay: the body's entry in the ring and the body's first
// bytes, both somewhere in a cache of hundreds of megabytes. On the 1M
// power law that was nine tenths of a depth-3 neighbourhood's time in
// process (BENCHMARKS.md, "The heads beside the read cache"). From the
// table a head costs one miss, and the slots of one community, created
// together, share cache lines.
//
// A slot follows its entity's entry: it is set when the entry is added
// and emptied when the entry goes (evicted, forgotten by a writer, the
// cache emptied), all under the cache's lock, so the consistency rule of
// readCache holds for heads unchanged: a slot carries the entry's
// timestamp, and a reader at ts uses it only if it is not newer. A read
// of a head marks the slot used, and the CLOCK hand counts that as a use
// of the entry, so that entities read only for their heads stay cached.
//
// A slot holds the text of a head of up to headInline bytes in itself,
// so that copying a head out reads one cache line; a longer one is a
// small allocation of its own, made when the body was cached.
//
// Ids at or past max are left to the bodies: the slots take 64 bytes
// each, and max keeps them to an eighth of the cache's size, beside it
// (524,288 entities for the default 256 MiB).
type headTable struct {
	slots []headSlot
	max   uint64
}

// headInline is the longest id and name, together, a slot holds in
// itself: what is left of 64 bytes.
const headInline = 35

type headSlot struct {
	ts      uint64 // the entry's
	long    *byte  // the text when longer than headInline
	typ     TypeID
	ref     atomic.Bool
	idLen   uint16 // the text is the external id, then the name
	textLen uint16
	full    bool // false for an empty slot
	inline  [headInline]byte
}

// headSlotSize is the bytes of a headSlot, for the bound on the table.
const headSlotSize = int64(unsafe.Sizeof(headSlot{}))

// A slot is one line of the CPU's cache (the slice's room, 64 KiB or
// more, starts on a page): this fails to compile if it is not 64 bytes.
const _ = uint(64-headSlotSize) + uint(headSlotSize-64)

func newHeadTable(cacheBytes int64) headTable {
	return headTable{max: uint64(max(cacheBytes, 0) / 8 / headSlotSize)}
}

// covers reports whether node n's head may be kept.
func (h *headTable) covers(n uint64) bool { return n < h.max }

// entityHeadOf is decodeHead for a slot: it reports false for a body it
// cannot read, which the reader then reads as before, to report the
// error, and for a head too long for a slot.
func entityHeadOf(body string) (id, name string, typ TypeID, ok bool) {
	id, name, typ, err := decodeHead(body)
	if err != nil || len(id)+len(name) > math.MaxUint16 {
		return "", "", 0, false
	}
	return id, name, typ, true
}

// headBytes is what keeping a head of id and name costs beside its slot.
func headBytes(id, name string) int64 {
	if n := len(id) + len(name); n > headInline {
		return int64(n)
	}
	return 0
}

// set keeps the head of node n, read at ts. Must be called with the
// cache's lock held.
func (h *headTable) set(n, ts uint64, id, name string, typ TypeID) {
	if !h.covers(n) {
		return
	}
	if n >= uint64(len(h.slots)) {
		size := min(max(n+1, 2*uint64(len(h.slots)), 1024), h.max)
		grown := make([]headSlot, size)
		for i := range h.slots {
			s, g := &h.slots[i], &grown[i]
			g.ts, g.long, g.typ, g.idLen, g.textLen, g.full, g.inline = s.ts, s.long, s.typ, s.idLen, s.textLen, s.full, s.inline
			g.ref.Store(s.ref.Load())
		}
		h.slots = grown
	}
	s := &h.slots[n]
	s.ts, s.typ, s.idLen, s.textLen, s.full = ts, typ, uint16(len(id)), uint16(len(id)+len(name)), true
	s.long = nil
	if int(s.textLen) > headInline {
		// A copy, not a slice of the body: the point is not to touch it.
		long := make([]byte, 0, s.textLen)
		s.long = unsafe.SliceData(append(append(long, id...), name...))
	} else {
		copy(s.inline[copy(s.inline[:], id):], name)
	}
	s.ref.Store(false)
}

// text returns the text of a full slot: the external id, then the name.
func (s *headSlot) text() []byte {
	if s.long != nil {
		return unsafe.Slice(s.long, s.textLen)
	}
	return s.inline[:s.textLen]
}

// del empties node n's slot. Must be called with the cache's lock held.
func (h *headTable) del(n uint64) {
	if n < uint64(len(h.slots)) {
		s := &h.slots[n]
		s.long, s.full = nil, false
		s.ref.Store(false)
	}
}

// clear empties every slot, keeping their room. Must be called with the
// cache's lock held.
func (h *headTable) clear() {
	for i := range h.slots {
		h.del(uint64(i))
	}
}

// used reports whether node n's head was read since the CLOCK hand last
// asked, and clears the mark. Must be called with the cache's lock held.
func (h *headTable) used(n uint64) bool {
	return n < uint64(len(h.slots)) && h.slots[n].ref.Swap(false)
}

// headPlace is where a head's text lies in an answer's text: at off, the
// id's idLen bytes then the name.
type headPlace struct {
	off            uint32
	idLen, textLen uint16
}

// entityHeads copies the cached heads of entities ids into text, for a
// reader at ts: for each it sets places[i] to where the head's text is
// in the text it returns, heads[i].Type to its type named in sch, and
// found[i] to whether there was one. It returns how many there were
// not. It reads the slots in runs under the read lock as cachedRuns
// does, each run first in a loop that lets the CPU wait for several
// slots at once; the caller points the heads at the text when it is complete
// (pointHeads).
func (c *readCache) entityHeads(ids []NodeID, ts uint64, sch *schema, heads []EntityHead, places []headPlace, found []bool, text []byte) (_ []byte, missing int) {
	if c == nil || c.max <= 0 {
		clear(found)
		return text, len(ids)
	}
	const run = 256 // lookups per hold of the lock: writers wait no longer
	for lo := 0; lo < len(ids); lo += run {
		hi := min(lo+run, len(ids))
		c.mu.RLock()
		slots := c.heads.slots
		size := 0
		for i := lo; i < hi; i++ {
			n := uint64(ids[i])
			if n >= uint64(len(slots)) || !slots[n].full || slots[n].ts > ts {
				found[i] = false
				missing++
				continue
			}
			s := &slots[n]
			if !s.ref.Load() {
				s.ref.Store(true)
			}
			heads[i].Type = sch.name(s.typ)
			found[i] = true
			size += int(s.textLen)
		}
		if cap(text)-len(text) < size {
			// Room for the rest of ids at this run's bytes a head, so
			// that a large answer's text grows once or twice, not with
			// every run.
			text = slices.Grow(text, size*(len(ids)-lo)/(hi-lo))
		}
		// The copies apart: each depends on the length of the text
		// before it, and in the loop above they made the CPU wait for
		// one slot after another; here the run's slots are in its cache.
		for i := lo; i < hi; i++ {
			if found[i] {
				s := &slots[ids[i]]
				places[i] = headPlace{off: uint32(len(text)), idLen: s.idLen, textLen: s.textLen}
				text = append(text, s.text()...)
			}
		}
		c.mu.RUnlock()
	}
	return text, missing
}

// pointHeads points the ids and names of the found heads at their places
// in text, which must not change after.
func pointHeads(heads []EntityHead, places []headPlace, found []bool, text []byte) {
	all := unsafe.String(unsafe.SliceData(text), len(text))
	for i := range heads {
		if found[i] {
			p := places[i]
			t := all[p.off : p.off+uint32(p.textLen)]
			heads[i].ID, heads[i].Name = t[:p.idLen], t[p.idLen:]
		}
	}
}
