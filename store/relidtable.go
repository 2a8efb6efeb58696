package store

import (
	"runtime"
	"unsafe"
)

// relIDTable keeps the external ids of relations, in one slice indexed by
// RelID, for the ids of the relations a walk keeps that its cached
// adjacencies do not name (adjids.go): those met in hubs' adjacencies,
// and in adjacencies the cache did not hold.
//
// Those came from the relations' bodies, through the read cache: the
// entry, then the body, two dependent misses each; and where the body was
// not cached, a point read of the backend, which also added the whole
// body to the cache for the sake of its first bytes. On the power law a
// depth-3 chart answer keeps 50,000 relations or more, and their bodies,
// a million over the answers of a dashboard's starts, were more than a
// default cache holds beside the adjacency: in a profile of the server
// answering them, the ids took a fifth of its CPU, and reading bodies
// from the backend again two thirds of that (BENCHMARKS.md, "Relation ids
// in a table of their own"). A slot is a sixth of an entry and its body,
// and reading it is one miss.
//
// The slots follow the read cache's rules (readCache): a slot is set only
// by a reader whose snapshot is the newest the cache knows every writer
// of, while no writer is between begin and end, and carries that
// timestamp; a reader at ts uses only slots not newer; a writer's forget
// of a relation's key empties its slot, and begin(true) empties them all.
// A relation's id does not change for its RelID (an upsert keeps both, a
// new relation takes the next of a counter), so most slots are never
// emptied; the rules are those of the cache all the same, so that a
// restore by another process sharing the backend, which may give a
// RelID to another relation, is safe by the argument that holds for the
// cache.
//
// RelIDs at or past max are left to the bodies: slots take 40 bytes, and
// max keeps them to an eighth of the cache's size, beside it (838,860
// relations for the default 256 MiB); the room grows with the highest
// RelID set. Ids longer than a slot holds (relIDInline) are kept in long,
// up to a quarter of the table's bound in bytes.
type relIDTable struct {
	slots []relIDSlot
	max   uint64
	long  map[uint64]string
	// longBytes is what long holds, longMax what it may.
	longBytes, longMax int64
}

// relIDInline is the longest id a slot holds in itself. Ids a load
// derives ("rel-" and 20 hex digits, RelationID) fit.
const relIDInline = 31

// relIDLong in a slot's n says its id is in relIDTable.long.
const relIDLong = relIDInline + 1

type relIDSlot struct {
	ts   uint64
	n    uint8 // 0 for an empty slot, relIDLong for a long id
	text [relIDInline]byte
}

const relIDSlotSize = int64(unsafe.Sizeof(relIDSlot{}))

func newRelIDTable(cacheBytes int64) relIDTable {
	share := max(cacheBytes, 0) / 8
	return relIDTable{max: uint64(share / relIDSlotSize), longMax: share / 4}
}

// covers reports whether relation r's id may be kept.
func (t *relIDTable) covers(r RelID) bool { return uint64(r) < t.max }

// set keeps id as relation r's, read at ts. Must be called with the
// cache's lock held.
func (t *relIDTable) set(r RelID, ts uint64, id string) {
	if !t.covers(r) || id == "" {
		return
	}
	long := len(id) > relIDInline
	if long && (t.longBytes+int64(len(id)) > t.longMax) {
		return
	}
	if uint64(r) >= uint64(len(t.slots)) {
		size := min(max(uint64(r)+1, 2*uint64(len(t.slots)), 1024), t.max)
		t.slots = append(t.slots, make([]relIDSlot, size-uint64(len(t.slots)))...)
	}
	t.del(r)
	s := &t.slots[r]
	s.ts = ts
	if long {
		if t.long == nil {
			t.long = map[uint64]string{}
		}
		// A copy: id may lie in a body the cache lets go of.
		t.long[uint64(r)] = string([]byte(id))
		t.longBytes += int64(len(id))
		s.n = relIDLong
		return
	}
	s.n = uint8(copy(s.text[:], id))
}

// del empties relation r's slot. Must be called with the cache's lock
// held.
func (t *relIDTable) del(r RelID) {
	if uint64(r) >= uint64(len(t.slots)) {
		return
	}
	s := &t.slots[r]
	if s.n == relIDLong {
		t.longBytes -= int64(len(t.long[uint64(r)]))
		delete(t.long, uint64(r))
	}
	s.n = 0
}

// clear empties every slot, keeping their room. Must be called with the
// cache's lock held.
func (t *relIDTable) clear() {
	clear(t.slots)
	t.long, t.longBytes = nil, 0
}

// tabledRelIDs sets ids[i] to the kept id of relation rels[i] for a
// reader at ts, where ids[i] is "" and the table has one, copying them
// into one new string, and returns how many it could not set.
//
// It reads the slots in runs under the read lock as entityHeads does,
// first in a loop of independent reads, so that the CPU waits for many
// slots at once: the RelIDs of a walk's relations are scattered over the
// table, each slot a miss.
func (c *readCache) tabledRelIDs(rels []RelID, ts uint64, ids []string) (missing int) {
	if c == nil || c.max <= 0 {
		for _, id := range ids {
			if id == "" {
				missing++
			}
		}
		return missing
	}
	var text []byte
	ends := make([]int32, len(rels)) // where the copied id ends in text; 0 for none
	const run = 256                  // lookups per hold of the lock: writers wait no longer
	for lo := 0; lo < len(rels); lo += run {
		hi := min(lo+run, len(rels))
		c.mu.RLock()
		slots := c.relIDs.slots
		size := 0
		for i := lo; i < hi; i++ {
			if r := uint64(rels[i]); ids[i] == "" && r < uint64(len(slots)) {
				if s := &slots[r]; s.n != 0 && s.ts <= ts {
					size += int(s.n)
				}
			}
		}
		if text == nil {
			text = make([]byte, 0, size*len(rels)/(hi-lo)+relIDInline)
		}
		for i := lo; i < hi; i++ {
			if ids[i] != "" {
				continue
			}
			r := uint64(rels[i])
			if r >= uint64(len(slots)) || slots[r].n == 0 || slots[r].ts > ts {
				missing++
				continue
			}
			s := &slots[r]
			if s.n == relIDLong {
				text = append(text, c.relIDs.long[r]...)
			} else {
				text = append(text, s.text[:s.n]...)
			}
			ends[i] = int32(len(text))
		}
		c.mu.RUnlock()
	}
	// Pointed at text only now that it no longer grows.
	all := unsafe.String(unsafe.SliceData(text), len(text))
	at := int32(0)
	for i, end := range ends {
		if end != 0 {
			ids[i], at = all[at:end], end
		}
	}
	return missing
}

// putRelIDs keeps ids[i] as the id of relation rels[i], read by a reader
// at ts, where ids[i] is not "" and the cache's rules allow it.
func (c *readCache) putRelIDs(rels []RelID, ts uint64, ids []string) {
	c.adding(ts, func() {
		for i, r := range rels {
			c.relIDs.set(r, ts, ids[i])
		}
	})
}

// relationIDsInto sets ids[i] to the external id of relation rels[i]
// where it is "": from the table of relation ids, else from the
// relation's body (readRelationIDs).
func (r *Reader) relationIDsInto(rels []RelID, ids []string) error {
	if r.cache.tabledRelIDs(rels, r.ts, ids) == 0 {
		return nil
	}
	return r.readRelationIDs(rels, ids)
}

// readRelationIDs sets ids[i] to the external id of relation rels[i]
// where it is "", from the relation's body, cached or read from the
// backend, and keeps the ids read in the table. A body read for a
// relation the table covers is not added to the cache: its id is all
// that was wanted, and the table keeps that.
func (r *Reader) readRelationIDs(rels []RelID, ids []string) error {
	left, at := unset(rels, ids)
	bodies := make([]string, len(left))
	r.cache.relationBodies(left, r.ts, bodies)
	// As for the entities' bodies (touch.go): the misses of a thousand
	// relation bodies overlap.
	runtime.KeepAlive(touchBodies(bodies))
	read := make([]string, len(left))
	for j, rel := range left {
		var err error
		switch {
		case bodies[j] != "":
			read[j], err = relationIDOf(rel, bodies[j])
		case r.cache != nil && r.cache.relIDs.covers(rel):
			read[j], err = r.relationIDPast(rel)
		default:
			read[j], err = r.relationHeadID(rel)
		}
		if err != nil {
			return err
		}
		ids[at[j]] = read[j]
	}
	r.cache.putRelIDs(left, r.ts, read)
	return nil
}

// unset returns the relations of rels whose ids are "", and their places.
func unset(rels []RelID, ids []string) (left []RelID, at []int) {
	for i, id := range ids {
		if id == "" {
			left = append(left, rels[i])
			at = append(at, i)
		}
	}
	return left, at
}
