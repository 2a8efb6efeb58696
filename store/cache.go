package store

import (
	"encoding/binary"
	"hash/maphash"
	"sync"
	"sync/atomic"
)

// readCache keeps what reads fetch most, entity and relation bodies and
// the adjacency of nodes, so that a traversal touches a few cache lines
// per node instead of descending the backend's skiplists and table
// indexes (a point read costs 2 to 8 µs on this kind of machine, almost
// all of it cache misses).
//
// It stays consistent with the snapshots readers see without knowing any
// version of any key:
//
//   - Every writer removes the entries of the keys it writes before its
//     commit becomes visible (begin), and says when it is done (end).
//   - An entry is added only by a reader whose snapshot is the newest
//     commit the cache knows every writer of (validTs), and only while no
//     writer is between begin and end. It records that timestamp.
//   - A reader at ts may use an entry added at or before ts: no commit
//     after the entry's timestamp has touched its key, or the entry would
//     have been removed before that commit became readable, and an entry
//     added later than ts may hold a version ts must not see.
//
// So a reader of an old snapshot (asOf) uses the entries old enough for
// it and reads the rest from the backend, and nothing is ever served that
// the reader's own snapshot would not show.
type readCache struct {
	mu   sync.RWMutex
	max  int64 // bytes the entries may take; 0 turns the cache off
	size int64
	// decoded is the part of size that is decoded bodies (cachedecoded.go).
	// It has a bound of its own beside max (decodedShare), and max bounds
	// only the rest (over).
	decoded int64
	// props are the decoded bodies' Properties maps by their encoding,
	// each shared by the bodies that encode them alike (cachedecoded.go).
	props   map[string]*sharedProps
	validTs uint64
	writing int              // writers between begin and end
	index   map[uint64]int32 // by cacheKey.slot
	dense   denseIndex       // the same places, for lookups by id
	// heads are the heads of the cached entity bodies, by NodeID
	// (headtable.go).
	heads headTable
	// relIDs are the external ids of relations, by RelID (relidtable.go).
	relIDs relIDTable
	// entries holds the values by value, so that a hit reads the map and
	// one entry. It is also the ring of CLOCK eviction: the hand clears
	// the reference bit of entries used since it last passed, and evicts
	// the first it finds unused.
	entries []cacheEntry
	hand    int
	seed    maphash.Seed // for the keys of external ids

	// schema is the ontology as of schemaTs, under the same rules as the
	// entries: it saves every snapshot the read of the ontology version.
	schema   *schema
	schemaTs uint64

	// fills and evictions count the entries added and those pushed out
	// to make room (under mu), for the operator's metrics: evictions that
	// keep pace with fills under a steady load say the cache is smaller
	// than what the load reads (CacheStats).
	fills, evictions uint64
}

// CacheStats describes the read cache for the operator's metrics.
type CacheStats struct {
	// Capacity is the bytes the cache may take (Options.CacheSize), 0
	// when it is off; Bytes what its entries take now, decoded bodies
	// included (they have a share of their own beside Capacity).
	Capacity, Bytes int64
	Entries         int
	// Fills and Evictions count, since the store opened, the entries
	// added (each a read the cache could not answer) and those evicted
	// to make room for others.
	Fills, Evictions uint64
}

func (c *readCache) stats() CacheStats {
	if c == nil {
		return CacheStats{}
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return CacheStats{Capacity: c.max, Bytes: c.size, Entries: len(c.entries), Fills: c.fills, Evictions: c.evictions}
}

// cacheKind says what a cache key names.
type cacheKind uint8

const (
	cacheEntity   cacheKind = iota + 1 // entity body by NodeID
	cacheRelation                      // relation body by RelID
	cacheAdj                           // adjacency by NodeID
	cacheExt                           // external id lookup by the id's hash
	cacheSchema                        // the ontology (kept apart from the entries)
)

type cacheKey struct {
	kind cacheKind
	id   uint64
}

// slot is the key of k in the index: kind and id in one word, so that
// the lookup every read of a traversal makes hashes a uint64 (the map's
// fast path) rather than a struct. Two keys share a slot only for ids of
// 2^56 and more (or hashes of external ids equal in their low 56 bits);
// the entry keeps its whole key, so a lookup that lands on another key's
// entry is a miss, and a put replaces it, as a cache may.
func (k cacheKey) slot() uint64 { return uint64(k.kind)<<56 | k.id&(1<<56-1) }

// cacheEntry is one cached value: body for bodies; adj for adjacency;
// body (the id itself, to tell hash collisions apart), xref and found for
// external ids.
//
// The fields a hit reads (key, ts, the reference bit, body or adj) come
// first, within the first 64 bytes, so that a lookup touches one or two
// cache lines of an entry rather than two or three.
type cacheEntry struct {
	key   cacheKey // 16 bytes
	ts    uint64   // the snapshot that read it; valid for this one and later ones
	body  string
	ref   atomic.Bool
	found bool
	adj   []adjItem
	size  int64
	xref  extRef
	// relIDs are the external ids of adj's relations, when a walk that
	// asked for them has added them (adjids.go); size counts them.
	relIDs []string
	ent    *decoded[Entity]   // body decoded, once some read has (cachedecoded.go)
	rel    *decoded[Relation] // the same for a relation body
}

// entryOverhead approximates the bytes an entry costs beyond its value:
// the entry and its map slot.
const entryOverhead = 150

func newReadCache(max int64, validTs uint64) *readCache {
	return &readCache{max: max, validTs: validTs, index: map[uint64]int32{}, dense: newDenseIndex(max), heads: newHeadTable(max), relIDs: newRelIDTable(max), seed: maphash.MakeSeed()}
}

// lookup calls fn with the entry of k, under the read lock, if there is
// one a reader at ts may see.
func (c *readCache) lookup(k cacheKey, ts uint64, fn func(e *cacheEntry)) bool {
	if c == nil || c.max <= 0 {
		return false
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	i, ok := c.at(k)
	if !ok {
		return false
	}
	e := &c.entries[i]
	if e.key != k || e.ts > ts {
		return false
	}
	e.ref.Store(true)
	fn(e)
	return true
}

// entityBodies sets bodies[i] to the cached body of entity ids[i] for a
// reader at ts, leaving "" where there is none. It takes the read lock
// once per run of lookups rather than once per entity, and its loop, with
// no call per entity, lets the CPU wait for several entries' cache lines
// at once: the heads of a large neighbourhood are thousands of lookups,
// each a cache miss or two.
func (c *readCache) entityBodies(ids []NodeID, ts uint64, bodies []string) {
	cachedBodies(c, cacheEntity, ids, ts, bodies)
}

// relationBodies is entityBodies for relation bodies.
func (c *readCache) relationBodies(ids []RelID, ts uint64, bodies []string) {
	cachedBodies(c, cacheRelation, ids, ts, bodies)
}

func cachedBodies[ID ~uint64](c *readCache, kind cacheKind, ids []ID, ts uint64, bodies []string) {
	cachedRuns(c, kind, ids, ts, bodies, nil, nil)
}

// adjacencies sets adj[i] to the cached adjacency of node ids[i] for a
// reader at ts, leaving nil where there is none, in runs as
// entityBodies does.
func (c *readCache) adjacencies(ids []NodeID, ts uint64, adj [][]adjItem) {
	cachedRuns(c, cacheAdj, ids, ts, nil, adj, nil)
}

// cachedRuns looks the entries of kind for ids up in runs, into bodies or,
// for adjacencies, into adj, and into relIDs their relations' ids
// (adjids.go) when relIDs is not nil. The choices are branches the CPU
// predicts, not a call per entry.
func cachedRuns[ID ~uint64](c *readCache, kind cacheKind, ids []ID, ts uint64, bodies []string, adj [][]adjItem, relIDs [][]string) {
	if c == nil || c.max <= 0 {
		return
	}
	const run = 256 // lookups per hold of the lock: writers wait no longer
	for lo := 0; lo < len(ids); lo += run {
		hi := min(lo+run, len(ids))
		c.mu.RLock()
		for i := lo; i < hi; i++ {
			k := cacheKey{kind, uint64(ids[i])}
			j, ok := c.at(k)
			if !ok {
				continue
			}
			e := &c.entries[j]
			if e.key != k || e.ts > ts {
				continue
			}
			if !e.ref.Load() {
				e.ref.Store(true)
			}
			if kind == cacheAdj {
				adj[i] = e.adj
				if relIDs != nil {
					relIDs[i] = e.relIDs
				}
			} else {
				bodies[i] = e.body
			}
		}
		c.mu.RUnlock()
	}
}

// body returns the cached body of k for a reader at ts.
func (c *readCache) body(k cacheKey, ts uint64) (body string, ok bool) {
	ok = c.lookup(k, ts, func(e *cacheEntry) { body = e.body })
	return body, ok
}

// adjacency returns the cached adjacency of k for a reader at ts.
func (c *readCache) adjacency(k cacheKey, ts uint64) (adj []adjItem, ok bool) {
	ok = c.lookup(k, ts, func(e *cacheEntry) { adj = e.adj })
	return adj, ok
}

// ext returns the cached lookup of external id ext for a reader at ts.
func (c *readCache) ext(ext string, ts uint64) (ref extRef, found, ok bool) {
	if c == nil {
		return extRef{}, false, false
	}
	same := false
	ok = c.lookup(c.extKey(ext), ts, func(e *cacheEntry) {
		if same = e.body == ext; same {
			ref, found = e.xref, e.found
		}
	})
	return ref, found, ok && same
}

// putBody, putAdj and putExt add a value a reader at ts has read from the
// backend, if the rules above allow it.
func (c *readCache) putBody(k cacheKey, ts uint64, body string) {
	c.put(&cacheEntry{key: k, ts: ts, body: body, size: int64(len(body))})
}

func (c *readCache) putAdj(k cacheKey, ts uint64, adj []adjItem) {
	c.put(&cacheEntry{key: k, ts: ts, adj: adj, size: int64(cap(adj)) * adjItemSize})
}

func (c *readCache) putExt(ext string, ts uint64, ref extRef, found bool) {
	if c == nil {
		return
	}
	c.put(&cacheEntry{key: c.extKey(ext), ts: ts, body: ext, xref: ref, found: found, size: int64(len(ext))})
}

func (c *readCache) put(e *cacheEntry) {
	if c == nil || c.max <= 0 {
		return
	}
	e.size += entryOverhead
	var headID, headName string
	var headType TypeID
	head := false
	if e.key.kind == cacheEntity && c.heads.covers(e.key.id) {
		if headID, headName, headType, head = entityHeadOf(e.body); head {
			e.size += headBytes(headID, headName)
		}
	}
	// One value may take a sixteenth of the cache: a hub's adjacency
	// should not flush everything else.
	if e.size > c.max/16 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.mayAdd(e.ts) {
		return
	}
	if i, ok := c.index[e.key.slot()]; ok {
		c.remove(int(i))
	}
	for c.over(e.size) && len(c.entries) > 0 {
		c.evictOne()
	}
	c.place(e.key, int32(len(c.entries)))
	c.entries = append(c.entries, cacheEntry{})
	c.entries[len(c.entries)-1].set(e)
	if head {
		c.heads.set(e.key.id, e.ts, headID, headName, headType)
	}
	c.size += e.size
	c.fills++
}

// over reports whether the entries, with extra bytes more, would pass
// max. Decoded bodies are not counted: they are bounded beside it
// (decodedShare), so that the whole entities of large answers never push
// out the adjacency and bodies the walks read, which, counted within max,
// they did (BENCHMARKS.md).
func (c *readCache) over(extra int64) bool {
	return c.size-c.decoded+extra > c.max
}

// set copies e's fields but the reference bit into x.
func (x *cacheEntry) set(e *cacheEntry) {
	x.key, x.ts, x.size, x.found, x.xref, x.body, x.adj = e.key, e.ts, e.size, e.found, e.xref, e.body, e.adj
	x.relIDs, x.ent, x.rel = e.relIDs, e.ent, e.rel
}

// evictOne removes the first entry under the hand not used since the hand
// last passed it. Must be called with mu held.
func (c *readCache) evictOne() {
	for {
		if c.hand >= len(c.entries) {
			c.hand = 0
		}
		e := &c.entries[c.hand]
		used := e.ref.Swap(false)
		if e.key.kind == cacheEntity && c.heads.used(e.key.id) {
			used = true // its head was read (headTable)
		}
		if used {
			c.hand++
			continue
		}
		c.remove(c.hand)
		c.evictions++
		// remove moved the last entry, the newest, into this slot: the
		// hand passes it, so that it gets its chance as every entry does.
		// Staying here made each new entry the next evicted, and the
		// cache kept only what it held first (BENCHMARKS.md, "The read
		// cache against the working set").
		c.hand++
		return
	}
}

// remove takes entry i out, moving the last entry into its place. Must be
// called with mu held.
func (c *readCache) remove(i int) {
	e := &c.entries[i]
	c.unplace(e.key)
	c.size -= e.size
	c.dropDecoded(e)
	last := len(c.entries) - 1
	if i != last {
		m := &c.entries[last]
		e.set(m)
		e.ref.Store(m.ref.Load())
		c.place(e.key, int32(i))
	}
	c.entries[last] = cacheEntry{}
	c.entries = c.entries[:last]
}

// ontology returns the cached ontology for a reader at ts.
func (c *readCache) ontology(ts uint64) (*schema, bool) {
	if c == nil || c.max <= 0 {
		return nil, false
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.schema == nil || c.schemaTs > ts {
		return nil, false
	}
	return c.schema, true
}

// mayAdd reports whether a reader at ts may add to the cache: its snapshot
// is the newest the cache knows every writer of, and no writer is between
// begin and end (the rules of readCache). Must be called with mu held.
func (c *readCache) mayAdd(ts uint64) bool {
	return c.writing == 0 && ts == c.validTs
}

// adding calls add under the write lock if a reader at ts may add to
// the cache (mayAdd).
func (c *readCache) adding(ts uint64, add func()) {
	if c == nil || c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mayAdd(ts) {
		add()
	}
}

// putOntology keeps the ontology a reader at ts has read.
func (c *readCache) putOntology(ts uint64, sch *schema) {
	c.adding(ts, func() { c.schema, c.schemaTs = sch, ts })
}

// begin is called by a writer before it changes anything readers could
// see, and forget with every key it writes, all before its commit becomes
// visible; all empties the cache for a writer that may write anything.
// Every begin must be followed by one end.
func (c *readCache) begin(all bool) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writing++
	if all {
		clear(c.index)
		c.dense.clear()
		c.heads.clear()
		c.relIDs.clear()
		c.entries, c.size, c.hand, c.decoded, c.props = nil, 0, 0, 0, nil
		c.schema = nil
	}
}

// forget removes the entry, if any, whose value depends on the store key k.
func (c *readCache) forget(k string) {
	if c == nil {
		return
	}
	ck, ok := c.keyOf(k)
	if !ok {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if ck.kind == cacheSchema {
		c.schema = nil
		return
	}
	if ck.kind == cacheRelation {
		c.relIDs.del(RelID(ck.id))
	}
	if i, ok := c.index[ck.slot()]; ok {
		c.remove(int(i))
	}
}

// end is called by a writer when its commit has become visible, or has
// failed; lastCommit is the backend's newest finished commit then.
func (c *readCache) end(lastCommit uint64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writing--
	c.validTs = max(c.validTs, lastCommit)
}

// keyOf returns the cache key whose value depends on the store key k, if
// any.
func (c *readCache) keyOf(k string) (cacheKey, bool) {
	if len(k) < 2 {
		return cacheKey{}, false
	}
	switch k[0] {
	case pEntity, pRelation:
		if len(k) != 9 {
			return cacheKey{}, false
		}
		kind := cacheEntity
		if k[0] == pRelation {
			kind = cacheRelation
		}
		return cacheKey{kind, binary.BigEndian.Uint64([]byte(k[1:]))}, true
	case pOut, pIn:
		if len(k) != adjKeyLen {
			return cacheKey{}, false
		}
		return cacheKey{cacheAdj, binary.BigEndian.Uint64([]byte(k[1:9]))}, true
	case pExtID:
		return c.extKey(k[1:]), true
	case pTypeName, pTypeDef:
		return cacheKey{kind: cacheSchema}, true
	case pCounter:
		if k == string(counterKey(ctrOntologyVers)) {
			return cacheKey{kind: cacheSchema}, true
		}
	}
	return cacheKey{}, false
}

// extKey is the cache key of external id ext.
func (c *readCache) extKey(ext string) cacheKey {
	return cacheKey{cacheExt, maphash.String(c.seed, ext)}
}
