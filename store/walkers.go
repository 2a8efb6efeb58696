package store

import "unsafe"

// walkers lends NeighborhoodHeads its walker: the lists a walk builds
// (nodes, kept relations, where their ids lie, each level's adjacencies,
// the table of places) and the bodies its heads are read from. None of
// them leaves neighborhoodHeads, whose answer is made of lists of its
// own, so they can serve the next walk. Allocated afresh, they were
// nearly all of what a chart's answer allocated (at depth 3 on the 1M
// communities graph about 250 KB of 340, a depth-2 one 30 KB of 45), a
// tenth or more of its CPU in allocation, zeroing and collection; the
// lists grew by doubling besides, the last level's relations, which no
// reservation bounds, most of all. Walks whose lists outgrow maxLent are
// not kept (lender).
//
// Reader.Neighborhood, whose nodes are its answer, walks with a walker
// of its own.
type walkers = lender[walker, *walker]

// empty empties wk's lists for the next walk: they keep their room, and
// those that hold pointers (into the read cache's entries) are cleared.
func (wk *walker) empty() {
	clear(wk.idLists)
	clear(wk.adj)
	clear(wk.unnamed)
	clear(wk.bodies)
	*wk = walker{
		walk: walk{
			nodes:   wk.nodes[:0],
			at:      wk.at.emptied(),
			edges:   wk.edges[:0],
			idRefs:  wk.idRefs[:0],
			idLists: wk.idLists[:0],
			unnamed: wk.unnamed[:0],
		},
		adj:    wk.adj[:0],
		bodies: wk.bodies[:0],
		found:  wk.found[:0],
		missed: wk.missed[:0],
		places: wk.places[:0],
	}
}

// room is the bytes wk's lists hold.
func (wk *walker) room() int {
	return cap(wk.nodes)*int(unsafe.Sizeof(NodeID(0))) +
		(cap(wk.at.slots)+cap(wk.at.spare))*int(unsafe.Sizeof(placeSlot{})) +
		cap(wk.edges)*int(unsafe.Sizeof(walkEdge{})) +
		cap(wk.idRefs)*int(unsafe.Sizeof(idRef{})) +
		cap(wk.idLists)*int(unsafe.Sizeof([]string(nil))) +
		cap(wk.unnamed)*int(unsafe.Sizeof(unnamedAdj{})) +
		cap(wk.adj)*int(unsafe.Sizeof([]adjItem(nil))) +
		cap(wk.bodies)*int(unsafe.Sizeof("")) +
		cap(wk.found) +
		cap(wk.missed)*int(unsafe.Sizeof(NodeID(0))) +
		cap(wk.places)*int(unsafe.Sizeof(headPlace{}))
}

// levelAdj returns room for the adjacencies of a level of n nodes, all
// nil, in wk's list (which the next level reuses).
func (wk *walker) levelAdj(n int) [][]adjItem {
	if cap(wk.adj) < n {
		wk.adj = make([][]adjItem, n)
	} else {
		wk.adj = wk.adj[:n]
		clear(wk.adj)
	}
	return wk.adj
}

// bodyRoom returns room for n bodies, all "", in wk's list.
func (wk *walker) bodyRoom(n int) []string {
	if cap(wk.bodies) < n {
		wk.bodies = make([]string, n)
	} else {
		wk.bodies = wk.bodies[:n]
		clear(wk.bodies)
	}
	return wk.bodies
}
