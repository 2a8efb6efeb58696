package store

import "unsafe"

// headsLender lends NeighborhoodHeads the lists of its answers (nodes,
// links, their ids and the text they are copied into), which the caller
// gives back with SubgraphHeads.Release once it has written them. The
// dashboard's neighbourhood is read, written into the response and
// dropped: allocated afresh, its lists were what was left of an answer's
// allocations once its walker was lent (walkers), 24 KB of a depth-2
// chart at 1M relations, 120 KB of a depth-3 one, all zeroed before they
// were filled. An answer not given back is left to the collector, as
// before. Answers whose lists outgrow maxLent are not kept (lender).
type headsLender = lender[SubgraphHeads, *SubgraphHeads]

// empty empties h's lists for the next answer, clearing what points into
// the read cache; h keeps its lender.
func (h *SubgraphHeads) empty() {
	clear(h.Nodes)
	clear(h.LinkTypes)
	clear(h.LinkIDs)
	*h = SubgraphHeads{
		Nodes:     h.Nodes[:0],
		Links:     h.Links[:0],
		LinkTypes: h.LinkTypes[:0],
		LinkIDs:   h.LinkIDs[:0],
		lender:    h.lender,
		idText:    h.idText[:0],
		nodeText:  h.nodeText[:0],
	}
}

// room is the bytes h's lists hold.
func (h *SubgraphHeads) room() int {
	return cap(h.Nodes)*int(unsafe.Sizeof(EntityHead{})) +
		cap(h.Links)*int(unsafe.Sizeof(HeadLink{})) +
		(cap(h.LinkTypes)+cap(h.LinkIDs))*int(unsafe.Sizeof("")) +
		cap(h.idText) + cap(h.nodeText)
}

// Release gives h's lists back to the store that answered it, for a
// later NeighborhoodHeads to fill: after it, h and every list and string
// read from it (ids, names, link ids) must not be used, and Release must
// not be called again. A caller that writes h out and keeps nothing of it
// calls Release; one that keeps it need not.
func (h *SubgraphHeads) Release() {
	if h == nil || h.lender == nil {
		return
	}
	h.lender.put(h)
}

// grown returns s with length n, its elements zero, in its own room when
// large enough.
func grown[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}
