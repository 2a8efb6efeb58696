package main

import (
	"context"
	"fmt"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/gen"
)

// csr is the practical floor for traversals: the graph as a compressed
// sparse row adjacency array over dense int32 node indexes, undirected
// (every relation listed at both ends), walked by plain breadth-first
// search. It answers in node indexes and keeps no bodies.
type csr struct {
	plan    *gen.Plan
	offsets []int64 // neighbours of node i are targets[offsets[i]:offsets[i+1]]
	targets []int32
	// mark and stamp make a visited set that resets in O(1) per query.
	mark  []uint32
	stamp uint32
	// mark2 and stamp2 hold the second side of a bidirectional search.
	mark2  []uint32
	stamp2 uint32
}

var _ system = (*csr)(nil)

// newCSR builds the adjacency array of the generated graph: one pass to
// collect the endpoints, a counting sort into rows.
func newCSR(ctx context.Context, cfg gen.Config) (*csr, error) {
	p, err := gen.NewPlan(cfg)
	if err != nil {
		return nil, err
	}
	from := make([]int32, 0, cfg.Relations)
	to := make([]int32, 0, cfg.Relations)
	err = gen.Source(cfg)(ctx, func(rec store.Record) error {
		r := rec.Relation
		if r == nil {
			return nil
		}
		f, ok1 := p.Index(r.From)
		t, ok2 := p.Index(r.To)
		if !ok1 || !ok2 {
			return fmt.Errorf("relation %s: endpoint outside the plan", r.ID)
		}
		from, to = append(from, int32(f)), append(to, int32(t))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("build adjacency array: %w", err)
	}
	n := p.Entities
	g := &csr{plan: p, offsets: make([]int64, n+1), targets: make([]int32, 2*len(from)),
		mark: make([]uint32, n), mark2: make([]uint32, n)}
	for i := range from {
		g.offsets[from[i]+1]++
		g.offsets[to[i]+1]++
	}
	for i := 1; i <= n; i++ {
		g.offsets[i] += g.offsets[i-1]
	}
	fill := make([]int64, n)
	copy(fill, g.offsets[:n])
	for i := range from {
		f, t := from[i], to[i]
		g.targets[fill[f]] = t
		fill[f]++
		g.targets[fill[t]] = f
		fill[t]++
	}
	return g, nil
}

func (g *csr) Name() string { return "memory" }

func (g *csr) Close() error { return nil }

func (g *csr) index(id string) (int32, error) {
	i, ok := g.plan.Index(id)
	if !ok {
		return 0, fmt.Errorf("entity %s is not in the graph", id)
	}
	return int32(i), nil
}

func (g *csr) next() uint32 {
	g.stamp++
	if g.stamp == 0 { // wrapped: clear once every four billion queries
		clear(g.mark)
		g.stamp = 1
	}
	return g.stamp
}

// Neighborhood returns the number of distinct nodes within depth hops of
// id, id included.
func (g *csr) Neighborhood(_ context.Context, id string, depth int) (int, error) {
	s, err := g.index(id)
	if err != nil {
		return 0, err
	}
	st := g.next()
	g.mark[s] = st
	frontier, next := []int32{s}, []int32(nil)
	count := 1
	for d := 0; d < depth && len(frontier) > 0; d++ {
		next = next[:0]
		for _, u := range frontier {
			for _, v := range g.targets[g.offsets[u]:g.offsets[u+1]] {
				if g.mark[v] != st {
					g.mark[v] = st
					next = append(next, v)
				}
			}
		}
		count += len(next)
		frontier, next = next, frontier
	}
	return count, nil
}

// ShortestPath returns the length of a shortest path between from and to
// of at most maxDepth edges, or -1, by bidirectional breadth-first search
// that expands the smaller frontier, as Ties does.
func (g *csr) ShortestPath(_ context.Context, from, to string, maxDepth int) (int, error) {
	a, err := g.index(from)
	if err != nil {
		return 0, err
	}
	b, err := g.index(to)
	if err != nil {
		return 0, err
	}
	if a == b {
		return 0, nil
	}
	sa := g.next()
	g.stamp2++
	if g.stamp2 == 0 {
		clear(g.mark2)
		g.stamp2 = 1
	}
	sb := g.stamp2
	g.mark[a] = sa
	g.mark2[b] = sb
	fa, fb := []int32{a}, []int32{b}
	da, db := 0, 0
	for da+db < maxDepth && len(fa) > 0 && len(fb) > 0 {
		// Expand the side whose frontier has fewer edges to scan.
		var met bool
		if g.volume(fa) <= g.volume(fb) {
			fa, met = g.expand(fa, g.mark, sa, g.mark2, sb)
			da++
		} else {
			fb, met = g.expand(fb, g.mark2, sb, g.mark, sa)
			db++
		}
		if met {
			return da + db, nil
		}
	}
	return -1, nil
}

// expand advances one side of a bidirectional search by a level: the
// nodes next to frontier that this side (marked stamp in mark) has not
// seen. met is true, and the search over, when one of them was seen by
// the other side (otherStamp in other).
func (g *csr) expand(frontier []int32, mark []uint32, stamp uint32, other []uint32, otherStamp uint32) (next []int32, met bool) {
	for _, u := range frontier {
		for _, v := range g.targets[g.offsets[u]:g.offsets[u+1]] {
			if other[v] == otherStamp {
				return nil, true
			}
			if mark[v] != stamp {
				mark[v] = stamp
				next = append(next, v)
			}
		}
	}
	return next, false
}

func (g *csr) volume(frontier []int32) int64 {
	var v int64
	for _, u := range frontier {
		v += g.offsets[u+1] - g.offsets[u]
	}
	return v
}

// Degree returns the number of relations of the node with index i.
func (g *csr) Degree(i int) int { return int(g.offsets[i+1] - g.offsets[i]) }

// bytes is the memory the adjacency array holds.
func (g *csr) bytes() int64 {
	return int64(len(g.offsets))*8 + int64(len(g.targets))*4 + int64(len(g.mark)+len(g.mark2))*4
}
