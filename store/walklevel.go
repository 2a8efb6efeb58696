package store

import (
	"runtime"
	"slices"
)

// A warm walk spends most of its time on the edges of its frontier, one
// adjacency item after another: at depth 3 on the 1M-relation graph about
// 4,000 items for 500 nodes, twice that when the relations among the last
// level are wanted. Reader.Expand hands each item to a callback as an
// Edge, through two closures, which is the right interface for the
// algorithms outside the engine; the walk behind every neighbourhood
// reads the cached items in place instead, and uses Expand's per-edge
// form only for a node whose adjacency is not cached and on a
// distributed backend (where Expand batches the round trips).

// walker is the state of walkNeighborhood: the walk it builds, and what
// decides which nodes and relations go into it.
type walker struct {
	walk
	// seen holds the nodes met (those of walk.nodes): the test for a new
	// node, and on the last level for one outside the set, without a
	// probe of walk.at, which only a walk keeping relations fills.
	seen *nodeSet
	// expanded holds the nodes whose adjacency the walk has scanned,
	// when it keeps relations in both directions (walker.seenRel nil):
	// a relation to one of them was kept from that end, or not at all,
	// so the scans over cached items pass it over without the probe of
	// walk.at that meet would make to find its place. Nil otherwise.
	expanded  *nodeSet
	limit     int
	relations bool
	// seenRel holds the relations kept so far, when the walk does not
	// follow both directions (see walkNeighborhood).
	seenRel map[RelID]struct{}
	// ids asks for the relations' external ids as they are met (see
	// adjIDs); walk.edgeIDs holds them.
	ids bool
	// adj is the room for a level's adjacencies (levelAdj), bodies
	// that for the bodies of the heads (bodyRoom), found whether the
	// cache's head table had each head, places where their text went
	// and missed the nodes whose heads it had not:
	// kept for the next level, and by a lent walker for the next walk.
	adj    [][]adjItem
	bodies []string
	found  []bool
	missed []NodeID
	places []headPlace
}

// meet records the relation rel of type typ met from the node at place
// self, whose other end is node other; out says that self is its
// stored from. On the last level (last) no node is added, and only the
// relations to other nodes of that level are kept. It reports whether it
// kept the relation, so that the caller adds its id (walker.ids) only
// then: most items a walk scans are not kept.
func (wk *walker) meet(self int32, other NodeID, out bool, rel RelID, typ TypeID, validFrom, validTo Date, last bool, lo int) bool {
	var o int32
	if !wk.seen.has(other) {
		if last {
			return false
		}
		if wk.limit >= 0 && len(wk.nodes) >= wk.limit {
			wk.truncated = true
			return false
		}
		o = int32(len(wk.nodes))
		wk.seen.add(other)
		wk.nodes = append(wk.nodes, other)
		if !wk.relations {
			return false
		}
		wk.at.put(other, o)
	} else {
		if !wk.relations {
			return false
		}
		o, _ = wk.at.get(other)
		if last && int(o) < lo {
			return false
		}
	}
	if wk.seenRel == nil {
		if self > o {
			return false
		}
	} else {
		if _, ok := wk.seenRel[rel]; ok {
			return false
		}
		wk.seenRel[rel] = struct{}{}
	}
	we := walkEdge{rel: rel, typ: typ, from: o, to: self, validFrom: validFrom, validTo: validTo}
	if out {
		we.from, we.to = self, o
	}
	wk.edges = append(wk.edges, we)
	return true
}

// addOthers is meet for each of items, for a walk that keeps no
// relations and admits every item: the far ends not met yet join the
// walk in the items' order. (The in-key of a self-loop leads to the node
// expanded, met already.) It reports that the limit cut the walk short,
// after which a walk without relations has nothing left to find.
func (wk *walker) addOthers(items []adjItem) bool {
	seen := wk.seen
	for k := range items {
		o := items[k].other
		if seen.has(o) {
			continue
		}
		if wk.limit >= 0 && len(wk.nodes) >= wk.limit {
			wk.truncated = true
			return true
		}
		seen.add(o)
		wk.nodes = append(wk.nodes, o)
	}
	return false
}

// expandLevel meets every edge f admits of the nodes at places lo to hi,
// in the order Expand yields them: node by node, each in key order.
func (r *Reader) expandLevel(wk *walker, f *EdgeFilter, lo, hi int, last bool) error {
	frontier := wk.nodes[lo:hi]
	if r.distributed || r.cache == nil {
		return r.Expand(frontier, f, func(i int, e Edge) error {
			if wk.meet(int32(lo+i), e.Other, e.Outgoing, e.Relation, e.Type, e.ValidFrom, e.ValidTo, last, lo) && wk.ids {
				wk.idRefs = append(wk.idRefs, idRef{int32(lo + i), -1})
			}
			return nil
		})
	}
	// The nodes added while the level is expanded go to the end of
	// wk.nodes, which may move; frontier keeps the level's own.
	adj := wk.levelAdj(len(frontier))
	var adjIDs [][]string
	if wk.ids {
		// Each level's frontier follows the last: the lists of its
		// nodes' ids go at their places.
		wk.idLists = append(wk.idLists, make([][]string, hi-len(wk.idLists))...)
		adjIDs = wk.idLists[lo:hi]
		r.cache.adjacenciesWithIDs(frontier, r.ts, adj, adjIDs)
	} else {
		r.cache.adjacencies(frontier, r.ts, adj)
	}
	runtime.KeepAlive(touchAdjacencies(adj))
	if !last {
		// The level adds at most one node per item (and no more than
		// the limit lets in): room for them now is one allocation
		// where the table and the list grew by doubling, rehashing
		// at each step.
		more := 0
		for _, a := range adj {
			more += len(a)
		}
		if wk.limit >= 0 {
			more = min(more, max(wk.limit-len(wk.nodes), 0))
		}
		wk.nodes = slices.Grow(wk.nodes, more)
		frontier = wk.nodes[lo:hi]
		if wk.relations {
			wk.at.reserve(len(wk.nodes) + more)
			// Each node added comes with the relation that found
			// it, and a level keeps at most one relation per item:
			// room for as many as the nodes it may add (the limit
			// bounds it) saves the doublings of a thousand edges.
			wk.edges = slices.Grow(wk.edges, more)
			if wk.ids {
				wk.idRefs = slices.Grow(wk.idRefs, more)
			}
		}
	}
	full := f.fullScan()
	// A filter that only says "both directions" (the dashboards' usual
	// neighbourhood) admits every item of a full scan but a self-loop's
	// second key: no type, date or entity type to test per item.
	plain := f.types == nil && f.otherTypes == nil && !f.datedOnly && f.valid.IsZero()
	var w *walkIter
	defer func() {
		if w != nil {
			w.release()
		}
	}()
	expanded := wk.expanded
	for i, n := range frontier {
		if expanded != nil && i > 0 {
			expanded.add(frontier[i-1])
		}
		self := int32(lo + i)
		items := adj[i]
		if items == nil {
			// Not cached (or cached empty): scanEdges reads, and caches,
			// it. The same answer as Expand's.
			if w == nil {
				w = r.acquire()
			}
			err := r.scanEdges(w, n, f, nil, func(e Edge) error {
				if wk.meet(self, e.Other, e.Outgoing, e.Relation, e.Type, e.ValidFrom, e.ValidTo, last, lo) && wk.ids {
					wk.idRefs = append(wk.idRefs, idRef{self, -1})
				}
				return nil
			})
			if err != nil {
				return err
			}
			continue
		}
		if full && plain && !wk.relations {
			if wk.addOthers(items) {
				return nil
			}
			continue
		}
		kept := len(wk.idRefs)
		wk.meetItems(f, n, self, items, full, plain, last, lo)
		if adjIDs != nil && adjIDs[i] == nil && worthNaming(len(items), len(wk.idRefs)-kept) {
			wk.unnamed = append(wk.unnamed, unnamedAdj{n, items})
		}
	}
	if expanded != nil && len(frontier) > 0 {
		expanded.add(frontier[len(frontier)-1])
	}
	return nil
}

// meetItems is meet for each of the cached items of node n, at place
// self, that f admits, noting where the id of each relation kept lies
// when the walk asks for ids (k, the item's place in items).
func (wk *walker) meetItems(f *EdgeFilter, n NodeID, self int32, items []adjItem, full, plain, last bool, lo int) {
	expanded := wk.expanded
	if full && plain && last {
		// The last level keeps only relations to nodes met, and
		// most of its items, a hub's thousands, lead out of the
		// set: one bit each, before anything else of the item
		// is read or meet is called.
		seen := wk.seen
		for k := range items {
			it := &items[k]
			if !seen.has(it.other) || expanded != nil && expanded.has(it.other) || it.other == n && it.dir == pIn {
				continue
			}
			if wk.meet(self, it.other, it.dir == pOut, it.rel, it.typ, it.v.validFrom, it.v.validTo, last, lo) && wk.ids {
				wk.idRefs = append(wk.idRefs, idRef{self, int32(k)})
			}
		}
		return
	}
	if full && plain {
		// Every item passes but the in-key of a self-loop, whose
		// out-key came first (admits' first test, for both
		// directions).
		for k := range items {
			it := &items[k]
			if it.other == n && it.dir == pIn || expanded != nil && expanded.has(it.other) {
				continue
			}
			if wk.meet(self, it.other, it.dir == pOut, it.rel, it.typ, it.v.validFrom, it.v.validTo, last, lo) && wk.ids {
				wk.idRefs = append(wk.idRefs, idRef{self, int32(k)})
			}
		}
		return
	}
	if full {
		for k := range items {
			it := &items[k]
			if !f.admits(edgeScan{dir: it.dir}, it.typ, n, it.other, it.v) {
				continue
			}
			if wk.meet(self, it.other, it.dir == pOut, it.rel, it.typ, it.v.validFrom, it.v.validTo, last, lo) && wk.ids {
				wk.idRefs = append(wk.idRefs, idRef{self, int32(k)})
			}
		}
		return
	}
	for _, sc := range f.scans {
		for k := scanStart(items, sc); k < len(items); k++ {
			it := &items[k]
			if it.dir != sc.dir || sc.typ != 0 && it.typ != sc.typ {
				break
			}
			if !f.admits(sc, it.typ, n, it.other, it.v) {
				continue
			}
			if wk.meet(self, it.other, it.dir == pOut, it.rel, it.typ, it.v.validFrom, it.v.validTo, last, lo) && wk.ids {
				wk.idRefs = append(wk.idRefs, idRef{self, int32(k)})
			}
		}
	}
}

// worthNaming says whether a walk that kept kept of an adjacency's n
// relations should read the ids of all n and keep them in its cache
// entry (nameAdjacencies), rather than read the kept ones' ids from
// their bodies (linkIDs). Naming reads every relation's body once, from
// the backend where the cache has none; a hub's adjacency met on the
// last level, of which a walk keeps two relations out of ten thousand,
// made a depth-2 answer read ten thousand bodies for two ids, and the
// next answer that met another hub as many again. Naming pays when it
// costs a few times what the answer needs anyway.
func worthNaming(n, kept int) bool {
	return n <= 4*kept
}

// scanStart is the first of items that scan sc reads, as scanCached
// finds it.
func scanStart(items []adjItem, sc edgeScan) int {
	lo, hi := 0, len(items)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if it := &items[m]; it.dir > sc.dir || it.dir == sc.dir && it.typ >= sc.typ {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}
