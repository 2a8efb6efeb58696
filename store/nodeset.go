package store

import "sync"

// nodeSet is the set of nodes a walk has met: a bitmap indexed by the
// NodeID itself. A walk asks it once for every adjacency item it scans,
// and on graphs with hubs those are tens of thousands per answer, most of
// them for nodes already met (at depth 2 and 3 on the power law) or, on
// the last level's scan for relations, for nodes outside the set. The
// hash table of places (nodePlaces) answered each with a probe at a
// random slot of a table that grows with the answer, a cache miss per
// item once the answer holds a few thousand nodes; the bitmap of a
// million ids is 128 KiB and stays in the CPU's cache, as the visited
// array of the in-memory floor does.
//
// Node ids are handed out densely from one counter (as the read cache's
// dense index relies on), so the bitmap is as large as the store's
// highest id met, one bit each; ids past maxSetID (a backend that hands
// them out sparsely) go to a map instead. A set is reused from walk to
// walk through the store's pool (nodeSets), so its bitmap is allocated
// once per pooled set, not per walk, and reset clears only the words the
// walk set.
type nodeSet struct {
	words []uint64
	far   map[NodeID]struct{} // ids from maxSetID on
}

// maxSetID bounds the bitmap at 16 MiB (2^27 ids).
const maxSetID = 1 << 27

// has reports whether n is in the set.
func (s *nodeSet) has(n NodeID) bool {
	if w := uint64(n) >> 6; w < uint64(len(s.words)) {
		return s.words[w]&(1<<(uint64(n)&63)) != 0
	}
	return s.hasFar(n)
}

func (s *nodeSet) hasFar(n NodeID) bool {
	if uint64(n) < maxSetID || s.far == nil {
		return false
	}
	_, ok := s.far[n]
	return ok
}

// add puts n in the set.
func (s *nodeSet) add(n NodeID) {
	if w := uint64(n) >> 6; w < uint64(len(s.words)) {
		s.words[w] |= 1 << (uint64(n) & 63)
		return
	}
	s.addFar(n)
}

func (s *nodeSet) addFar(n NodeID) {
	if uint64(n) >= maxSetID {
		if s.far == nil {
			s.far = map[NodeID]struct{}{}
		}
		s.far[n] = struct{}{}
		return
	}
	w := uint64(n) >> 6
	size := min(max(w+1, 2*uint64(len(s.words)), 1024), maxSetID/64)
	grown := make([]uint64, size)
	copy(grown, s.words)
	s.words = grown
	s.words[w] |= 1 << (uint64(n) & 63)
}

// reset empties the set, whose members are all of nodes.
func (s *nodeSet) reset(nodes []NodeID) {
	if len(nodes) >= len(s.words)/8 {
		clear(s.words)
	} else {
		for _, n := range nodes {
			if w := uint64(n) >> 6; w < uint64(len(s.words)) {
				s.words[w] = 0
			}
		}
	}
	s.far = nil
}

// nodeSets lends walks their sets; its zero value is ready.
type nodeSets struct {
	pool sync.Pool
}

// get returns an empty set; ss may be nil (a set of its own).
func (ss *nodeSets) get() *nodeSet {
	if ss != nil {
		if s, ok := ss.pool.Get().(*nodeSet); ok {
			return s
		}
	}
	return &nodeSet{}
}

// put empties s, whose members are all of nodes, and lends it again.
func (ss *nodeSets) put(s *nodeSet, nodes []NodeID) {
	if ss == nil {
		return
	}
	s.reset(nodes)
	ss.pool.Put(s)
}
