package store

// denseIndex is the read side's shortcut into the read cache's index for
// entity, relation and adjacency keys: slices indexed by the internal id
// itself, holding what the index map holds for that key.
//
// Ids are handed out densely from one counter, so a slice of 4 bytes per
// id stands in for a hash map of a million entries, whose lookup (hash,
// control group, slot) cost two CPU cache misses per node of a walk, the
// largest single cost of a neighbourhood read from the cache; a slice
// costs at most one, and nodes of one community, created together, share
// its cache lines. The map stays the index of record (every key is in
// it, so eviction and the consistency tests read one structure); ids past
// max (a store far larger than the cache could hold, or a backend that
// hands ids out sparsely) are looked up in the map alone.
type denseIndex struct {
	byKind [cacheAdj + 1][]int32 // by kind, then id: the place + 1, 0 when absent
	max    uint64
}

func newDenseIndex(cacheBytes int64) denseIndex {
	// A cache of cacheBytes holds at most cacheBytes/entryOverhead
	// entries; a few times that many ids cover any store whose working
	// set it can keep, at 4 bytes an id and kind (28 MiB each for the
	// default 256 MiB, allocated only as far as ids are cached).
	m := uint64(max(cacheBytes, 0)/entryOverhead) * 4
	return denseIndex{max: min(max(m, 1<<16), 1<<26)}
}

// covers reports whether k is indexed here.
func (x *denseIndex) covers(k cacheKey) bool {
	return k.kind >= cacheEntity && k.kind <= cacheAdj && k.id < x.max
}

// get returns the place of k's entry; k must be covered.
func (x *denseIndex) get(k cacheKey) (int32, bool) {
	d := x.byKind[k.kind]
	if k.id >= uint64(len(d)) || d[k.id] == 0 {
		return 0, false
	}
	return d[k.id] - 1, true
}

func (x *denseIndex) set(k cacheKey, i int32) {
	if !x.covers(k) {
		return
	}
	d := x.byKind[k.kind]
	if k.id >= uint64(len(d)) {
		n := min(max(k.id+1, 2*uint64(len(d)), 1024), x.max)
		grown := make([]int32, n)
		copy(grown, d)
		d, x.byKind[k.kind] = grown, grown
	}
	d[k.id] = i + 1
}

func (x *denseIndex) del(k cacheKey) {
	if !x.covers(k) {
		return
	}
	if d := x.byKind[k.kind]; k.id < uint64(len(d)) {
		d[k.id] = 0
	}
}

func (x *denseIndex) clear() {
	for _, d := range x.byKind {
		clear(d)
	}
}

// at returns the place of k's entry in the ring. Must be called with mu
// held (for reading at least).
func (c *readCache) at(k cacheKey) (int32, bool) {
	if c.dense.covers(k) {
		return c.dense.get(k)
	}
	i, ok := c.index[k.slot()]
	return i, ok
}

// place records that k's entry is at i. Must be called with mu held.
func (c *readCache) place(k cacheKey, i int32) {
	c.index[k.slot()] = i
	c.dense.set(k, i)
}

// unplace forgets where k's entry is. Must be called with mu held.
func (c *readCache) unplace(k cacheKey) {
	delete(c.index, k.slot())
	c.dense.del(k)
	if k.kind == cacheEntity {
		c.heads.del(k.id)
	}
}
