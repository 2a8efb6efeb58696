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
	mu      sync.RWMutex
	max     int64 // bytes the entries may take; 0 turns the cache off
	size    int64
	validTs uint64
	writing int // writers between begin and end
	m       map[cacheKey]*cacheEntry
	// ring holds the entries for CLOCK eviction: the hand clears the
	// reference bit of entries used since it last passed, and evicts the
	// first it finds unused.
	ring []*cacheEntry
	hand int
	seed maphash.Seed // for the keys of external ids
}

// cacheKind says what a cache key names.
type cacheKind uint8

const (
	cacheEntity   cacheKind = iota + 1 // entity body ([]byte) by NodeID
	cacheRelation                      // relation body ([]byte) by RelID
	cacheAdj                           // adjacency ([]adjItem) by NodeID
	cacheExt                           // external id (extCached) by its hash
)

// extCached is a cached external id lookup; the id is kept to tell hash
// collisions apart.
type extCached struct {
	ext   string
	ref   extRef
	found bool
}

type cacheKey struct {
	kind cacheKind
	id   uint64
}

type cacheEntry struct {
	key  cacheKey
	ts   uint64 // the snapshot that read it; valid for this one and later ones
	val  any
	size int64
	ref  atomic.Bool
	slot int // index in ring
}

// entryOverhead approximates the bytes an entry costs beyond its value:
// the entry, its map slot and its ring slot.
const entryOverhead = 120

func newReadCache(max int64, validTs uint64) *readCache {
	return &readCache{max: max, validTs: validTs, m: map[cacheKey]*cacheEntry{}, seed: maphash.MakeSeed()}
}

// get returns the value of k for a reader at ts, if the cache has one it
// may see.
func (c *readCache) get(k cacheKey, ts uint64) (any, bool) {
	if c == nil || c.max <= 0 {
		return nil, false
	}
	c.mu.RLock()
	e := c.m[k]
	c.mu.RUnlock()
	if e == nil || e.ts > ts {
		return nil, false
	}
	e.ref.Store(true)
	return e.val, true
}

// put adds the value of k that a reader at ts has read from the backend,
// if the rules above allow it. size is the value's size in bytes.
func (c *readCache) put(k cacheKey, ts uint64, val any, size int64) {
	if c == nil || c.max <= 0 {
		return
	}
	size += entryOverhead
	// One value may take a sixteenth of the cache: a hub's adjacency
	// should not flush everything else.
	if size > c.max/16 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.writing > 0 || ts != c.validTs {
		return
	}
	if old := c.m[k]; old != nil {
		c.remove(old)
	}
	for c.size+size > c.max && len(c.ring) > 0 {
		c.evictOne()
	}
	e := &cacheEntry{key: k, ts: ts, val: val, size: size, slot: len(c.ring)}
	c.m[k] = e
	c.ring = append(c.ring, e)
	c.size += size
}

// evictOne removes the first entry under the hand not used since the hand
// last passed it. Must be called with mu held.
func (c *readCache) evictOne() {
	for {
		if c.hand >= len(c.ring) {
			c.hand = 0
		}
		e := c.ring[c.hand]
		if e.ref.Swap(false) {
			c.hand++
			continue
		}
		c.remove(e)
		return
	}
}

// remove takes e out of the map and the ring. Must be called with mu held.
func (c *readCache) remove(e *cacheEntry) {
	delete(c.m, e.key)
	last := len(c.ring) - 1
	moved := c.ring[last]
	c.ring[e.slot] = moved
	moved.slot = e.slot
	c.ring[last] = nil
	c.ring = c.ring[:last]
	c.size -= e.size
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
		clear(c.m)
		clear(c.ring)
		c.ring, c.size, c.hand = c.ring[:0], 0, 0
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
	if e := c.m[ck]; e != nil {
		c.remove(e)
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
	}
	return cacheKey{}, false
}

// extKey is the cache key of external id ext.
func (c *readCache) extKey(ext string) cacheKey {
	return cacheKey{cacheExt, maphash.String(c.seed, ext)}
}
