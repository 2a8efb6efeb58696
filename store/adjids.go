package store

import (
	"slices"
	"unsafe"
)

// The external ids of the relations a walk keeps (a chart's link keys,
// `edges { id }`) are not in the adjacency keys; each was read from the
// front of the relation's body, through the read cache: the dense index's
// slot, the entry, the body, three dependent cache misses per relation,
// and the id then lay somewhere in the heap for the writer to miss on
// again. A depth-3 neighbourhood on the power law keeps 17,000 relations,
// and those reads were a fifth of its answer's CPU.
//
// A relation's external id never changes for its internal id (an upsert
// keeps both; a new relation takes the next of a counter), so the ids of
// a cached adjacency's relations are kept in its entry (cacheEntry.relIDs,
// relIDs[k] the id of adj[k]), all in one string: a walk that asks for
// ids notes where each kept relation's lies as it scans the items, and
// reads them after (gatherIDs). A walk names an adjacency (reads the ids
// of all its relations) only when it keeps a good part of them
// (worthNaming); the ids of the relations it keeps from the others, a
// hub's met on the last level, come from the table of relation ids
// (relidtable.go), or from their bodies where it has none.
//
// They follow the entry's rules without a timestamp of their own: they
// are added only to the entry whose items they were read for (the same
// slice), by a reader that may use that entry. Such a reader sees the
// relations the items name (no write has touched the node's adjacency
// keys since the entry was read, or it would be gone), and any other
// reader of the entry sees the same ones, with the same ids. A writer that
// changes the adjacency removes the entry, ids and all; one that may
// change anything (a restore) empties the cache. Only walks that ask for
// ids add them, so no other walk reads a relation body.

// unnamedAdj is a cached adjacency a walk met without its relations' ids.
type unnamedAdj struct {
	node  NodeID
	items []adjItem
}

// idRef is where the id of a relation the walk kept lies:
// walk.idLists[self][k], self being the place of the node whose
// adjacency the walk met it in; k is -1 where that adjacency was not
// cached.
type idRef struct{ self, k int32 }

// packIDs copies ids into one string, in their order, and returns them
// as its pieces.
//
// The ids lie scattered across the lists of the adjacencies they were
// met in; a writer that reads them from there waits for a cache miss per
// id, and in a large answer (the power law's depth 3 keeps 24,000
// relations, their lines more than the CPU's cache holds) lines fetched
// ahead are gone again before it gets to them. Copied here, in a loop of
// independent reads, they are one sequential run for the writer.
func packIDs(ids []string) []string {
	packIDsInto(ids, nil)
	return ids
}

// packIDsInto is packIDs copying the ids into text's room when it is
// large enough (a lent answer's, headsLender), and returns the text. The
// ids then hold text's bytes: it must not be written while they are used.
func packIDsInto(ids []string, text []byte) []byte {
	n := 0
	for _, id := range ids {
		n += len(id)
	}
	if n == 0 {
		return text[:0]
	}
	if cap(text) < n {
		text = make([]byte, 0, n)
	}
	text = text[:0]
	for _, id := range ids {
		text = append(text, id...)
	}
	all := unsafe.String(unsafe.SliceData(text), len(text))
	at := 0
	for i, id := range ids {
		ids[i] = all[at : at+len(id)]
		at += len(id)
	}
	return text
}

// gatherIDs sets ids[i] to the cached id of w.edges[i], leaving "" where
// there is none.
//
// The walk records where each id lies rather than reading it: its list
// of ids is a slice beside the adjacency's items, and the items kept
// are scattered across it, so each read was a cache miss the walk's
// loop waited for, one at a time, a tenth of a chart answer's CPU.
// Here the reads depend on nothing but the refs, and the CPU has many
// of them in flight at once.
func (w *walk) gatherIDs(ids []string) {
	for i, ref := range w.idRefs {
		if ref.k < 0 {
			continue
		}
		if l := w.idLists[ref.self]; l != nil {
			ids[i] = l[ref.k]
		}
	}
}

// adjacenciesWithIDs is adjacencies, also setting relIDs[i] to the ids of
// adj[i]'s relations when its entry has them.
func (c *readCache) adjacenciesWithIDs(nodes []NodeID, ts uint64, adj [][]adjItem, relIDs [][]string) {
	cachedRuns(c, cacheAdj, nodes, ts, nil, adj, relIDs)
}

// putAdjIDs adds ids, the ids of items' relations, to node's cached
// adjacency if its entry still holds items and has no ids yet.
func (c *readCache) putAdjIDs(node NodeID, items []adjItem, ids []string, size int64) {
	if c == nil || c.max <= 0 || len(items) == 0 || len(ids) != len(items) {
		return
	}
	k := cacheKey{cacheAdj, uint64(node)}
	c.mu.Lock()
	defer c.mu.Unlock()
	j, ok := c.at(k)
	if !ok {
		return
	}
	e := &c.entries[j]
	if e.key != k || e.relIDs != nil || len(e.adj) != len(items) || unsafe.SliceData(e.adj) != unsafe.SliceData(items) {
		return
	}
	// The entry's reference bit spares it one pass of the eviction
	// its own growth may start.
	e.ref.Store(true)
	e.relIDs = ids
	e.size += size
	c.size += size
	for c.over(0) && len(c.entries) > 1 {
		c.evictOne()
	}
}

// adjIDsSize is what the cache counts for the ids of n relations whose
// text is textLen bytes.
func adjIDsSize(n, textLen int) int64 {
	return int64(n)*int64(unsafe.Sizeof("")) + int64(textLen)
}

// nameAdjacencies reads the ids of the relations of each of adjs and
// adds them to its cache entry. The bodies come from the cache where they
// are, from the backend where not; a body that cannot be read leaves
// that adjacency as it was.
func (r *Reader) nameAdjacencies(adjs []unnamedAdj) {
	if r.cache == nil || len(adjs) == 0 {
		return
	}
	var rels []RelID
	for _, a := range adjs {
		rels = rels[:0]
		for k := range a.items {
			rels = append(rels, a.items[k].rel)
		}
		ids := make([]string, len(rels))
		if r.relationIDsInto(rels, ids) != nil || slices.Contains(ids, "") {
			continue
		}
		// One string for all of them: the walk reads them in order,
		// and the cache holds one allocation, not a body each.
		ids = packIDs(ids)
		n := 0
		for _, id := range ids {
			n += len(id)
		}
		r.cache.putAdjIDs(a.node, a.items, ids, adjIDsSize(len(ids), n))
	}
}
