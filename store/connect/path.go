package connect

// Paths between two entities: one shortest (bidirectional breadth-first
// search, or Dijkstra over a relation property), the k shortest (Yen), and
// every simple path up to a depth (bounded depth-first search).
//
// Determinism. Breadth-first search expands frontiers in discovery order
// and scans edges in key order (node, type, neighbour, relation), and stops
// at the first meeting of the two searches, so the same snapshot always
// gives the same path; among paths of equal length it is the one the
// searches meet on first, not a lexicographic minimum. The k shortest and
// all paths are ordered by cost, then number of edges, then the sequence of
// entity ids along the path, then the internal order of the relations
// (which tells multi-edges apart).
//
// Weights. With PathOptions.Weight set, a relation's cost is that numeric
// property; a relation without it costs 1, so that partly weighted graphs
// still answer, while a value that is not a finite non-negative number is
// an Invalid error naming the relation. MaxDepth still bounds the number of
// edges: the search runs Dijkstra over (entity, hops) states, keeping a
// state only when it needs fewer hops than every cheaper one settled on the
// same entity, which is exact under the bound and visits each entity at
// most MaxDepth+1 times.

import (
	"cmp"
	"container/heap"
	"errors"
	"fmt"
	"github.com/ties-graph/ties/store"
	"math"
	"slices"
	"strings"
)

// route is a path in internal ids; names holds the external ids of its
// nodes once they are needed for ordering.
type route struct {
	nodes []store.NodeID
	rels  []store.RelID
	cost  float64
	names []string
}

// label records how a breadth-first search reached a node: depth edges from
// the search's root, through rel from parent.
type label struct {
	depth  int
	parent store.NodeID
	rel    store.RelID
}

// pathSearch is one path query on a snapshot: compiled filters, the
// requested entity types of intermediate nodes, cached weights and ids, and
// the work budget shared by every search the query runs.
type pathSearch struct {
	r        *store.Reader
	fwd, bwd *store.EdgeFilter // the walk's direction, and the same edges walked backwards
	types    *typeSet
	weight   string
	weights  map[store.RelID]float64
	maxDepth int
	b        *budget
	ids      *entityIDs
	distinct bool // routes through distinct entity sequences (distinct.go)
}

func newPathSearch(r *store.Reader, opts store.PathOptions, defaultDepth int) (*pathSearch, error) {
	maxDepth, err := store.SizeOr(opts.MaxDepth, defaultDepth, "maxDepth")
	if err != nil {
		return nil, err
	}
	if opts.MaxVisited < 0 {
		return nil, store.FieldError("", "maxVisited", "must not be negative, got %d", opts.MaxVisited)
	}
	fwd, err := filterOf(r, opts.Types, opts.Direction, opts.ValidAt, opts.DatedOnly, nil)
	if err != nil {
		return nil, err
	}
	bwd, err := filterOf(r, opts.Types, reverse(opts.Direction), opts.ValidAt, opts.DatedOnly, nil)
	if err != nil {
		return nil, err
	}
	types, err := newTypeSet(r, opts.EntityTypes)
	if err != nil {
		return nil, err
	}
	ps := &pathSearch{
		r:        r,
		fwd:      fwd,
		bwd:      bwd,
		types:    types,
		weight:   opts.Weight,
		weights:  make(map[store.RelID]float64),
		maxDepth: maxDepth,
		b:        newBudget(r.Context(), opts.MaxVisited),
		ids:      newEntityIDs(r),
		distinct: opts.Distinct,
	}
	return ps, nil
}

// searchBetween starts a path search (newPathSearch) and resolves its
// ends (ends), failing as the first that fails.
func searchBetween(r *store.Reader, from, to string, opts store.PathOptions, defaultDepth int) (ps *pathSearch, src, dst store.NodeID, err error) {
	if ps, err = newPathSearch(r, opts, defaultDepth); err != nil {
		return nil, 0, 0, err
	}
	if src, dst, err = ps.ends(from, to); err != nil {
		return nil, 0, 0, err
	}
	return ps, src, dst, nil
}

// ends resolves the two external ids; unknown ids are NotFound errors.
func (ps *pathSearch) ends(from, to string) (store.NodeID, store.NodeID, error) {
	src, err := ps.r.LookupEntity(from)
	if err != nil {
		return 0, 0, err
	}
	dst, err := ps.r.LookupEntity(to)
	if err != nil {
		return 0, 0, err
	}
	return src, dst, nil
}

// admits reports whether a path from src to dst may pass through v: the
// ends always, anything else only when its type was asked for.
func (ps *pathSearch) admits(v store.NodeID, t store.TypeID, src, dst store.NodeID) bool {
	return v == src || v == dst || ps.types.has(t)
}

// shortest finds one cheapest path of at most maxDepth edges from src to dst
// that avoids the banned nodes and relations. found is false when there is
// none or when the budget ran out (ps.b.truncated says which).
func (ps *pathSearch) shortest(src, dst store.NodeID, maxDepth int, bannedN map[store.NodeID]bool, bannedE map[store.RelID]bool) (rt route, found bool, err error) {
	if ps.weight != "" {
		return ps.dijkstra(src, dst, maxDepth, bannedN, bannedE)
	}
	return ps.bfs(src, dst, maxDepth, bannedN, bannedE)
}

// bfs is bidirectional breadth-first search: level by level, one batched
// Expand per level, always on the smaller frontier. The first edge that
// joins the two searched regions closes a shortest path: no earlier level
// met, so every meeting found while expanding this level has the same
// length (the sum of the two depths plus one).
func (ps *pathSearch) bfs(src, dst store.NodeID, maxDepth int, bannedN map[store.NodeID]bool, bannedE map[store.RelID]bool) (route, bool, error) {
	if src == dst {
		return route{nodes: []store.NodeID{src}}, true, nil
	}
	if !ps.b.visit() || !ps.b.visit() {
		return route{}, false, nil
	}
	seen := [2]map[store.NodeID]label{{src: {}}, {dst: {}}}
	front := [2][]store.NodeID{{src}, {dst}}
	filter := [2]*store.EdgeFilter{ps.fwd, ps.bwd}
	var depth [2]int
	for depth[0]+depth[1] < maxDepth && len(front[0]) > 0 && len(front[1]) > 0 {
		s := 0
		if len(front[1]) < len(front[0]) {
			s = 1
		}
		mine, theirs := seen[s], seen[1-s]
		var next []store.NodeID
		var meetU, meetV store.NodeID
		var meetRel store.RelID
		met := false
		err := ps.r.Expand(front[s], filter[s], func(i int, e store.Edge) error {
			if err := ps.b.step(); err != nil {
				return err
			}
			u, v := front[s][i], e.Other
			if v == u || bannedE[e.Relation] || bannedN[v] || !ps.admits(v, e.OtherType, src, dst) {
				return nil
			}
			if _, ok := theirs[v]; ok {
				meetU, meetV, meetRel, met = u, v, e.Relation, true
				return errStop
			}
			if _, ok := mine[v]; ok {
				return nil
			}
			if !ps.b.visit() {
				return errStop
			}
			mine[v] = label{depth: depth[s] + 1, parent: u, rel: e.Relation}
			next = append(next, v)
			return nil
		})
		if err != nil && !errors.Is(err, errStop) {
			return route{}, false, fmt.Errorf("expand %d nodes: %w", len(front[s]), err)
		}
		if met {
			a, b := meetU, meetV // a on the side of src, b on the side of dst
			if s == 1 {
				a, b = meetV, meetU
			}
			head, headRels := chain(seen[0], a)
			slices.Reverse(head)
			slices.Reverse(headRels)
			tail, tailRels := chain(seen[1], b)
			rt := route{
				nodes: append(head, tail...),
				rels:  append(append(headRels, meetRel), tailRels...),
			}
			rt.cost = float64(len(rt.rels))
			return rt, true, nil
		}
		if ps.b.truncated {
			return route{}, false, nil
		}
		front[s] = next
		depth[s]++
	}
	return route{}, false, nil
}

// chain walks the labels from n back to the root of its search.
func chain(seen map[store.NodeID]label, n store.NodeID) ([]store.NodeID, []store.RelID) {
	nodes := []store.NodeID{n}
	var rels []store.RelID
	for l := seen[n]; l.depth > 0; l = seen[n] {
		rels = append(rels, l.rel)
		n = l.parent
		nodes = append(nodes, n)
	}
	return nodes, rels
}

// dstate is a state of the hop-bounded Dijkstra: a node reached with hops
// edges at cost, through rel from states[parent].
type dstate struct {
	node   store.NodeID
	hops   int
	cost   float64
	parent int
	rel    store.RelID
}

// stateHeap orders state indices by cost, then hops, node and creation, a
// total order that makes the search deterministic.
type stateHeap struct {
	states *[]dstate
	idx    []int
}

func (h *stateHeap) Len() int { return len(h.idx) }
func (h *stateHeap) Less(i, j int) bool {
	a, b := &(*h.states)[h.idx[i]], &(*h.states)[h.idx[j]]
	switch {
	case a.cost != b.cost:
		return a.cost < b.cost
	case a.hops != b.hops:
		return a.hops < b.hops
	case a.node != b.node:
		return a.node < b.node
	}
	return h.idx[i] < h.idx[j]
}
func (h *stateHeap) Swap(i, j int) { h.idx[i], h.idx[j] = h.idx[j], h.idx[i] }
func (h *stateHeap) Push(x any)    { h.idx = append(h.idx, x.(int)) }
func (h *stateHeap) Pop() any {
	x := h.idx[len(h.idx)-1]
	h.idx = h.idx[:len(h.idx)-1]
	return x
}

// dijkstra finds a cheapest path of at most maxDepth edges (see the file
// comment for why states carry hops).
func (ps *pathSearch) dijkstra(src, dst store.NodeID, maxDepth int, bannedN map[store.NodeID]bool, bannedE map[store.RelID]bool) (route, bool, error) {
	if src == dst {
		return route{nodes: []store.NodeID{src}}, true, nil
	}
	states := []dstate{{node: src, parent: -1}}
	h := &stateHeap{states: &states, idx: []int{0}}
	settled := make(map[store.NodeID]int) // fewest hops a settled state of the node had
	var edges []store.Edge
	for h.Len() > 0 {
		i := heap.Pop(h).(int)
		st := states[i]
		if st.node == dst {
			var rt route
			for j := i; j >= 0; j = states[j].parent {
				rt.nodes = append(rt.nodes, states[j].node)
				if states[j].parent >= 0 {
					rt.rels = append(rt.rels, states[j].rel)
				}
			}
			slices.Reverse(rt.nodes)
			slices.Reverse(rt.rels)
			rt.cost = ps.costOf(rt.rels)
			return rt, true, nil
		}
		if hops, ok := settled[st.node]; ok && hops <= st.hops {
			continue
		}
		if !ps.b.visit() {
			return route{}, false, nil
		}
		settled[st.node] = st.hops
		if st.hops >= maxDepth {
			continue
		}
		edges = edges[:0]
		err := ps.r.Edges(st.node, ps.fwd, func(e store.Edge) error {
			if err := ps.b.step(); err != nil {
				return err
			}
			v := e.Other
			if v == st.node || bannedE[e.Relation] || bannedN[v] || !ps.admits(v, e.OtherType, src, dst) {
				return nil
			}
			if hops, ok := settled[v]; ok && hops <= st.hops+1 {
				return nil
			}
			edges = append(edges, e)
			return nil
		})
		if err != nil {
			return route{}, false, fmt.Errorf("edges of node %d: %w", st.node, err)
		}
		if err := ps.loadWeights(edges); err != nil {
			return route{}, false, err
		}
		for _, e := range edges {
			states = append(states, dstate{
				node:   e.Other,
				hops:   st.hops + 1,
				cost:   st.cost + ps.weights[e.Relation],
				parent: i,
				rel:    e.Relation,
			})
			heap.Push(h, len(states)-1)
		}
	}
	return route{}, false, nil
}

// loadWeights reads, in one batch, the bodies of the relations whose weight
// is not cached yet.
func (ps *pathSearch) loadWeights(edges []store.Edge) error {
	var ids []store.RelID
	for _, e := range edges {
		if _, ok := ps.weights[e.Relation]; !ok && !slices.Contains(ids, e.Relation) {
			ids = append(ids, e.Relation)
		}
	}
	return ps.loadWeightsOf(ids)
}

func (ps *pathSearch) loadWeightsOf(ids []store.RelID) error {
	if len(ids) == 0 {
		return nil
	}
	rels, err := ps.r.Relations(ids)
	if err != nil {
		return fmt.Errorf("read %d relations for weights: %w", len(ids), err)
	}
	for i, rel := range rels {
		if rel == nil {
			return fmt.Errorf("relation %d has an adjacency key but no body", ids[i])
		}
		w, err := relationWeight(rel, ps.weight)
		if err != nil {
			return err
		}
		ps.weights[ids[i]] = w
	}
	return nil
}

// relationWeight returns the cost of rel under property prop: 1 when rel
// lacks it, an Invalid error when it is not a finite non-negative number.
func relationWeight(rel *store.Relation, prop string) (float64, error) {
	v, ok := rel.Properties[prop]
	if !ok || v.Kind == store.KindNull {
		return 1, nil
	}
	if v.Kind != store.KindNumber {
		return 0, store.FieldError(rel.ID, "properties."+prop, "weight must be a non-negative number, got a %s", v.Kind)
	}
	if math.IsNaN(v.Num) || math.IsInf(v.Num, 0) || v.Num < 0 {
		return 0, store.FieldError(rel.ID, "properties."+prop, "weight must be a non-negative number, got %g", v.Num)
	}
	return v.Num, nil
}

// costOf sums the cost of the relations in path order (weights must be
// loaded), so that a path costs the same however it was found.
func (ps *pathSearch) costOf(rels []store.RelID) float64 {
	if ps.weight == "" {
		return float64(len(rels))
	}
	c := 0.0
	for _, r := range rels {
		c += ps.weights[r]
	}
	return c
}

// name fills rt.names, the external ids that order paths of equal cost.
func (ps *pathSearch) name(rt *route) error {
	if rt.names != nil {
		return nil
	}
	names := make([]string, len(rt.nodes))
	for i, n := range rt.nodes {
		id, err := ps.ids.get(n)
		if err != nil {
			return err
		}
		names[i] = id
	}
	rt.names = names
	return nil
}

// compareRoutes orders named routes by cost, number of edges, entity ids
// along the path and internal relation order.
func compareRoutes(a, b *route) int {
	if c := cmp.Compare(a.cost, b.cost); c != 0 {
		return c
	}
	if c := cmp.Compare(len(a.rels), len(b.rels)); c != 0 {
		return c
	}
	if c := slices.Compare(a.names, b.names); c != 0 {
		return c
	}
	return slices.Compare(a.rels, b.rels)
}

// routeKey identifies a path: its start and relations determine it, since
// every path here is simple.
func routeKey(rt route) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d", rt.nodes[0])
	for _, r := range rt.rels {
		fmt.Fprintf(&sb, ",%d", r)
	}
	return sb.String()
}

// yen returns up to k shortest simple paths from src to dst by Yen's
// algorithm: each next path deviates from the last one found at some spur
// node, with the root before it fixed and the edges that earlier paths took
// from the same root removed. It stops early, keeping what it found, when
// the budget runs out.
func (ps *pathSearch) yen(src, dst store.NodeID, k int) ([]route, error) {
	if k == 0 {
		return nil, nil
	}
	first, ok, err := ps.shortest(src, dst, ps.maxDepth, nil, nil)
	if err != nil || !ok {
		return nil, err
	}
	if err := ps.name(&first); err != nil {
		return nil, err
	}
	found := []route{first}
	seen := map[string]bool{ps.key(first): true}
	var cands []route
	for len(found) < k {
		prev := found[len(found)-1]
		for i := range prev.rels {
			bannedE := make(map[store.RelID]bool)
			for _, p := range found {
				if len(p.rels) > i && slices.Equal(p.nodes[:i+1], prev.nodes[:i+1]) && (ps.distinct || slices.Equal(p.rels[:i], prev.rels[:i])) {
					if err := ps.ban(bannedE, p, i); err != nil {
						return nil, err
					}
				}
			}
			bannedN := make(map[store.NodeID]bool, i)
			for _, n := range prev.nodes[:i] {
				bannedN[n] = true
			}
			spur, ok, err := ps.shortest(prev.nodes[i], dst, ps.maxDepth-i, bannedN, bannedE)
			if err != nil {
				return nil, err
			}
			if ps.b.truncated {
				return found, nil
			}
			if !ok {
				continue
			}
			cand := route{
				nodes: append(slices.Clip(prev.nodes[:i]), spur.nodes...),
				rels:  append(slices.Clip(prev.rels[:i]), spur.rels...),
			}
			key := ps.key(cand)
			if seen[key] {
				continue
			}
			seen[key] = true
			cand.cost = ps.costOf(cand.rels)
			if err := ps.name(&cand); err != nil {
				return nil, err
			}
			cands = append(cands, cand)
		}
		if len(cands) == 0 {
			break
		}
		best := 0
		for j := range cands {
			if compareRoutes(&cands[j], &cands[best]) < 0 {
				best = j
			}
		}
		found = append(found, cands[best])
		cands = slices.Delete(cands, best, best+1)
	}
	// A tie found later may order before one found earlier.
	slices.SortStableFunc(found, func(a, b route) int { return compareRoutes(&a, &b) })
	return found, nil
}

// step is one entry of the adjacency the depth-first search walks: a
// neighbour and every relation that leads to it, in internal order.
type step struct {
	other store.NodeID
	name  string
	rels  []store.RelID
}

// allPaths enumerates the simple paths of at most ps.maxDepth edges in the
// order of compareRoutes (by length, then entity ids along the path, then
// relations), keeping the first limit and reporting whether there were
// more. A breadth-first search backwards from dst first gives every node's
// distance to dst, so the depth-first search never enters a node from which
// dst is out of reach in the edges left. Each length is enumerated in its
// own pass, walking neighbours in id order; parallel relations are one step
// of the walk, expanded into their paths when dst is reached, so that the
// order holds with multi-edges too.
func (ps *pathSearch) allPaths(src, dst store.NodeID, limit int) (routes []route, more bool, err error) {
	if src == dst {
		return []route{{nodes: []store.NodeID{src}}}, false, nil
	}
	dist, err := ps.distancesTo(src, dst)
	if err != nil || ps.b.truncated {
		return nil, false, err
	}
	shortest, ok := dist[src]
	if !ok {
		return nil, false, nil
	}
	adj := make(map[store.NodeID][]step)
	nodes := []store.NodeID{src}
	var choices [][]store.RelID // the relations that may take each edge of the walk
	onPath := map[store.NodeID]bool{src: true}
	emit := func(last []store.RelID) bool {
		choices := append(choices, last)
		pick := make([]int, len(choices))
		for {
			rt := route{nodes: append(slices.Clone(nodes), dst), rels: make([]store.RelID, len(choices))}
			for i, c := range choices {
				rt.rels[i] = c[pick[i]]
			}
			routes = append(routes, rt)
			if len(routes) > limit {
				return false
			}
			i := len(pick) - 1
			for ; i >= 0 && pick[i] == len(choices[i])-1; i-- {
				pick[i] = 0
			}
			if i < 0 {
				return true
			}
			pick[i]++
		}
	}
	var walk func(u store.NodeID, length int) error
	walk = func(u store.NodeID, length int) error {
		steps, err := ps.adjacency(adj, u, src, dst, dist)
		if err != nil {
			return err
		}
		d := len(choices)
		for _, st := range steps {
			v := st.other
			if onPath[v] {
				continue
			}
			if v == dst {
				if d+1 == length && !emit(st.rels) {
					return errStop
				}
				continue
			}
			if d+1+dist[v] > length {
				continue
			}
			if err := ps.b.step(); err != nil {
				return err
			}
			if !ps.b.visit() {
				return errStop
			}
			nodes, choices = append(nodes, v), append(choices, st.rels)
			onPath[v] = true
			if err := walk(v, length); err != nil {
				return err
			}
			nodes, choices = nodes[:len(nodes)-1], choices[:len(choices)-1]
			delete(onPath, v)
		}
		return nil
	}
	for length := shortest; length <= ps.maxDepth; length++ {
		if err := walk(src, length); err != nil {
			if errors.Is(err, errStop) {
				break
			}
			return nil, false, err
		}
	}
	for i := range routes {
		routes[i].cost = float64(len(routes[i].rels))
	}
	if len(routes) > limit {
		return routes[:limit], true, nil
	}
	return routes, false, nil
}

// adjacency returns the steps out of u that can still lead to dst, sorted
// by the external id of the far end, cached per node.
func (ps *pathSearch) adjacency(adj map[store.NodeID][]step, u, src, dst store.NodeID, dist map[store.NodeID]int) ([]step, error) {
	if steps, ok := adj[u]; ok {
		return steps, nil
	}
	byNode := make(map[store.NodeID]int)
	var steps []step
	err := ps.r.Edges(u, ps.fwd, func(e store.Edge) error {
		if err := ps.b.step(); err != nil {
			return err
		}
		v := e.Other
		if _, ok := dist[v]; v == u || v == src || (v != dst && !ok) {
			return nil
		}
		i, ok := byNode[v]
		if !ok {
			i = len(steps)
			byNode[v] = i
			steps = append(steps, step{other: v})
		}
		steps[i].rels = append(steps[i].rels, e.Relation)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("edges of node %d: %w", u, err)
	}
	for i := range steps {
		if steps[i].name, err = ps.ids.get(steps[i].other); err != nil {
			return nil, err
		}
		slices.Sort(steps[i].rels)
		// A relation is one step however many scans report it.
		steps[i].rels = slices.Compact(steps[i].rels)
	}
	slices.SortFunc(steps, func(a, b step) int { return strings.Compare(a.name, b.name) })
	adj[u] = steps
	return steps, nil
}

// distancesTo runs breadth-first search from dst along reversed edges, up
// to ps.maxDepth, through admitted nodes and never through src; it returns
// each reached node's distance to dst.
func (ps *pathSearch) distancesTo(src, dst store.NodeID) (map[store.NodeID]int, error) {
	dist := map[store.NodeID]int{dst: 0}
	front := []store.NodeID{dst}
	for depth := 0; depth < ps.maxDepth && len(front) > 0; depth++ {
		var next []store.NodeID
		err := ps.r.Expand(front, ps.bwd, func(i int, e store.Edge) error {
			if err := ps.b.step(); err != nil {
				return err
			}
			v := e.Other
			if _, ok := dist[v]; ok || !ps.admits(v, e.OtherType, src, dst) {
				return nil
			}
			if !ps.b.visit() {
				return errStop
			}
			dist[v] = depth + 1
			if v != src {
				next = append(next, v)
			}
			return nil
		})
		if err != nil {
			if errors.Is(err, errStop) {
				return dist, nil
			}
			return nil, fmt.Errorf("expand %d nodes: %w", len(front), err)
		}
		front = next
	}
	return dist, nil
}

// paths reads the bodies of the routes' entities and relations, in one
// batch each.
func (ps *pathSearch) paths(routes []route) ([]store.Path, error) {
	var nodes []store.NodeID
	var rels []store.RelID
	for _, rt := range routes {
		nodes = append(nodes, rt.nodes...)
		rels = append(rels, rt.rels...)
	}
	ents, err := ps.r.Entities(nodes)
	if err != nil {
		return nil, fmt.Errorf("read %d path entities: %w", len(nodes), err)
	}
	var bodies []*store.Relation
	if len(rels) > 0 {
		if bodies, err = ps.r.Relations(rels); err != nil {
			return nil, fmt.Errorf("read %d path relations: %w", len(rels), err)
		}
	}
	for i, e := range ents {
		if e == nil {
			return nil, fmt.Errorf("node %d on a path has no entity body", nodes[i])
		}
	}
	for i, r := range bodies {
		if r == nil {
			return nil, fmt.Errorf("relation %d on a path has no body", rels[i])
		}
	}
	out := make([]store.Path, len(routes))
	n, m := 0, 0
	for i, rt := range routes {
		out[i] = store.Path{
			Nodes: ents[n : n+len(rt.nodes) : n+len(rt.nodes)],
			Edges: bodies[m : m+len(rt.rels) : m+len(rt.rels)],
			Cost:  rt.cost,
		}
		n, m = n+len(rt.nodes), m+len(rt.rels)
		if ps.distinct {
			if out[i].Evidence, err = ps.evidence(rt, out[i].Edges); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// ShortestPath finds one shortest path from `from` to `to` by bidirectional
// breadth-first search (Dijkstra when opts.Weight is set; see the file
// comment for weights and for which of several equal paths it returns).
// from == to gives a path of one entity and no edges. It returns nil and no
// error when no path exists within opts.MaxDepth edges (default
// DefaultPathDepth). Unknown ids are NotFound errors, unknown type names and
// bad weights Invalid errors; a search that visits more than
// opts.MaxVisited entities without an answer is a TooComplex error, and one
// that outlives the request's deadline a Timeout error.
func ShortestPath(r *store.Reader, from, to string, opts store.PathOptions) (_ *store.Path, err error) {
	defer wrap(&err, "shortest path %s to %s", from, to)
	ps, src, dst, err := searchBetween(r, from, to, opts, store.DefaultPathDepth)
	if err != nil {
		return nil, err
	}
	rt, ok, err := ps.shortest(src, dst, ps.maxDepth, nil, nil)
	if err != nil {
		return nil, err
	}
	if !ok {
		if ps.b.truncated {
			return nil, store.Errorf(store.TooComplex, "the search for a path from %s to %s visited more than %d entities without finding one; narrow the filters or lower maxDepth", from, to, ps.b.max)
		}
		return nil, nil
	}
	paths, err := ps.paths([]route{rt})
	if err != nil {
		return nil, err
	}
	return &paths[0], nil
}

// KShortestPaths returns up to *k (DefaultK when nil) shortest simple paths
// by Yen's algorithm, shortest first, ties in the order described in the
// file comment. Two relations joining the same pair make two paths. When
// the visited cap cuts the search short it returns the paths found so far
// with Truncated set. Errors are those of ShortestPath, and an Invalid error
// for a negative k.
func KShortestPaths(r *store.Reader, from, to string, kp *int, opts store.PathOptions) (_ store.PathsResult, err error) {
	k, err := store.SizeOr(kp, store.DefaultK, "k")
	if err != nil {
		return store.PathsResult{}, err
	}
	var res store.PathsResult
	defer wrap(&err, "%d shortest paths %s to %s", k, from, to)
	ps, src, dst, err := searchBetween(r, from, to, opts, store.DefaultPathDepth)
	if err != nil {
		return store.PathsResult{}, err
	}
	routes, err := ps.yen(src, dst, k)
	if err != nil {
		return store.PathsResult{}, err
	}
	res.Truncated = ps.b.truncated
	res.Paths, err = ps.paths(routes)
	return res, err
}

// AllPaths returns every simple path of at most opts.MaxDepth edges
// (default DefaultAllPathsDepth), up to *n paths (default
// DefaultAllPathsLimit), shortest first and then in the order of the entity
// ids along them. Truncated says that more paths exist or that the visited
// cap stopped the search. opts.Weight, when set, only fills in each path's
// Cost. Errors are those of ShortestPath, and an Invalid error for a
// negative limit.
func AllPaths(r *store.Reader, from, to string, n *int, opts store.PathOptions) (_ store.PathsResult, err error) {
	limit, err := store.SizeOr(n, store.DefaultAllPathsLimit, "limit")
	if err != nil {
		return store.PathsResult{}, err
	}
	var res store.PathsResult
	defer wrap(&err, "all paths %s to %s", from, to)
	ps, src, dst, err := searchBetween(r, from, to, opts, store.DefaultAllPathsDepth)
	if err != nil {
		return store.PathsResult{}, err
	}
	routes, more, err := ps.allPaths(src, dst, limit)
	if err != nil {
		return store.PathsResult{}, err
	}
	if len(routes) > limit { // the path from an entity to itself
		routes, more = routes[:limit], true
	}
	if ps.weight != "" {
		var ids []store.RelID
		for _, rt := range routes {
			ids = append(ids, rt.rels...)
		}
		slices.Sort(ids)
		if err := ps.loadWeightsOf(slices.Compact(ids)); err != nil {
			return store.PathsResult{}, err
		}
		for i := range routes {
			routes[i].cost = ps.costOf(routes[i].rels)
		}
	}
	res.Truncated = more || ps.b.truncated
	res.Paths, err = ps.paths(routes)
	return res, err
}
