package connect

// Centrality works on the whole graph, so it first copies the admitted part
// of it into a compact adjacency array (CSR over dense indices) with one
// pass of EachNode and batched Expands, then runs in memory.
//
// What counts, per measure:
//   - DEGREE: the number of relations of an entity that pass the filters and
//     lead to an admitted entity, in either direction; two relations to the
//     same neighbour count twice, a self-loop once.
//   - PAGERANK: each relation is a link, from its from to its to, and both
//     ways for a symmetric type; parallel relations weigh more; dangling
//     entities spread their rank evenly. Power iteration with damping 0.85
//     until the L1 change is below 1e-6 or after 100 iterations.
//   - BETWEENNESS: Brandes' algorithm on the undirected simple graph
//     (relations taken as undirected, parallel relations and self-loops
//     collapsed), which is how brokerage between partners is usually read.
//     Scores count unordered pairs (NetworkX's normalized=False on an
//     undirected graph). With more entities than Samples, the sums run from
//     Samples sources drawn with Seed and are scaled by n/Samples.

import (
	"cmp"
	"context"
	"fmt"
	"github.com/ties-graph/ties/store"
	"math/rand/v2"
	"slices"
)

// PageRank parameters.
const (
	pageRankDamping   = 0.85
	pageRankTolerance = 1e-6
	pageRankMaxIter   = 100
)

// graph is a compact adjacency over dense indices 0..n-1: the neighbours of
// u are adj[off[u]:off[u+1]], one entry per relation, and fwd says whether
// the relation links u to that neighbour (u is its from, or it is
// symmetric).
type graph struct {
	nodes []store.NodeID
	off   []int32
	adj   []int32
	fwd   []bool
}

// buildGraph reads the entities of entityTypes and the relations among
// them that match relTypes and validAt.
func buildGraph(r *store.Reader, relTypes, entityTypes []string, validAt store.Date, datedOnly bool, b *budget) (*graph, error) {
	f, err := filterOf(r, relTypes, store.Both, validAt, datedOnly, entityTypes)
	if err != nil {
		return nil, err
	}
	nodes, index, err := eachNode(r, entityTypes, b)
	if err != nil {
		return nil, err
	}
	sym := newSymmetricTypes(r)
	g := &graph{nodes: nodes, off: make([]int32, 1, len(nodes)+1)}
	type entry struct {
		to  int32
		rel store.RelID
		fwd bool
	}
	// Expand reports edges per chunk in no promised order, so they are
	// bucketed per node before being appended in node order.
	buckets := make([][]entry, expandChunk)
	for lo := 0; lo < len(nodes); lo += expandChunk {
		hi := min(lo+expandChunk, len(nodes))
		err := expandAll(r, nodes[lo:hi], f, b, func(i int, e store.Edge) error {
			to, ok := index[e.Other]
			if !ok {
				return nil
			}
			buckets[i] = append(buckets[i], entry{to: to, rel: e.Relation, fwd: e.Outgoing || sym.has(e.Type)})
			return nil
		})
		if err != nil {
			return nil, err
		}
		for i := range hi - lo {
			es := buckets[i]
			// A self-loop shows up from both of its ends, which are one.
			slices.SortFunc(es, func(a, b entry) int { return cmp.Compare(a.rel, b.rel) })
			for j, e := range es {
				if j > 0 && es[j-1].rel == e.rel {
					g.fwd[len(g.fwd)-1] = g.fwd[len(g.fwd)-1] || e.fwd
					continue
				}
				g.adj = append(g.adj, e.to)
				g.fwd = append(g.fwd, e.fwd)
			}
			g.off = append(g.off, int32(len(g.adj)))
			buckets[i] = es[:0]
		}
	}
	return g, nil
}

// degree scores each node by its number of relations.
func (g *graph) degree() []float64 {
	s := make([]float64, len(g.nodes))
	for u := range s {
		s[u] = float64(g.off[u+1] - g.off[u])
	}
	return s
}

// pageRank runs the power iteration described in the file comment.
func (g *graph) pageRank(ctx context.Context) (rank []float64, iterations int, converged bool, err error) {
	n := len(g.nodes)
	if n == 0 {
		return nil, 0, true, nil
	}
	outdeg := make([]float64, n)
	for u := range n {
		for j := g.off[u]; j < g.off[u+1]; j++ {
			if g.fwd[j] {
				outdeg[u]++
			}
		}
	}
	rank = make([]float64, n)
	next := make([]float64, n)
	for u := range rank {
		rank[u] = 1 / float64(n)
	}
	for iterations < pageRankMaxIter {
		if err := stopped(ctx); err != nil {
			return nil, iterations, false, err
		}
		iterations++
		dangling := 0.0
		for u, d := range outdeg {
			if d == 0 {
				dangling += rank[u]
			}
		}
		base := (1-pageRankDamping)/float64(n) + pageRankDamping*dangling/float64(n)
		for v := range next {
			next[v] = base
		}
		for u, d := range outdeg {
			if d == 0 {
				continue
			}
			share := pageRankDamping * rank[u] / d
			for j := g.off[u]; j < g.off[u+1]; j++ {
				if g.fwd[j] {
					next[g.adj[j]] += share
				}
			}
		}
		change := 0.0
		for v := range next {
			if d := next[v] - rank[v]; d < 0 {
				change -= d
			} else {
				change += d
			}
		}
		rank, next = next, rank
		if change < pageRankTolerance {
			converged = true
			break
		}
	}
	// Rounding drifts the sum a little each iteration; the result is a
	// distribution, so it is put back on 1.
	sum := 0.0
	for _, x := range rank {
		sum += x
	}
	for u := range rank {
		rank[u] /= sum
	}
	return rank, iterations, converged, nil
}

// simple returns the undirected simple graph of g: sorted neighbour lists
// without duplicates or self-loops.
func (g *graph) simple() (off, adj []int32) {
	off = make([]int32, 1, len(g.nodes)+1)
	adj = make([]int32, 0, len(g.adj))
	for u := range g.nodes {
		start := len(adj)
		for _, v := range g.adj[g.off[u]:g.off[u+1]] {
			if v != int32(u) {
				adj = append(adj, v)
			}
		}
		nb := adj[start:]
		slices.Sort(nb)
		adj = adj[:start+len(slices.Compact(nb))]
		off = append(off, int32(len(adj)))
	}
	return off, adj
}

// betweenness runs Brandes' algorithm from sources (every node when nil)
// and returns the scores scaled by n/len(sources).
func (g *graph) betweenness(ctx context.Context, sources []int32) ([]float64, error) {
	n := len(g.nodes)
	off, adj := g.simple()
	if sources == nil {
		sources = make([]int32, n)
		for i := range sources {
			sources[i] = int32(i)
		}
	}
	bc := make([]float64, n)
	dist := make([]int32, n)
	sigma := make([]float64, n)
	delta := make([]float64, n)
	for i := range dist {
		dist[i] = -1
	}
	order := make([]int32, 0, n)
	for _, s := range sources {
		if err := stopped(ctx); err != nil {
			return nil, err
		}
		order = append(order[:0], s)
		dist[s], sigma[s] = 0, 1
		for head := 0; head < len(order); head++ {
			u := order[head]
			for _, v := range adj[off[u]:off[u+1]] {
				if dist[v] < 0 {
					dist[v] = dist[u] + 1
					order = append(order, v)
				}
				if dist[v] == dist[u]+1 {
					sigma[v] += sigma[u]
				}
			}
		}
		// Predecessors are the neighbours one level closer to s, so no
		// lists of them are kept.
		for k := len(order) - 1; k > 0; k-- {
			w := order[k]
			coeff := (1 + delta[w]) / sigma[w]
			for _, v := range adj[off[w]:off[w+1]] {
				if dist[v] == dist[w]-1 {
					delta[v] += sigma[v] * coeff
				}
			}
			bc[w] += delta[w]
		}
		for _, v := range order {
			dist[v], sigma[v], delta[v] = -1, 0, 0
		}
	}
	// Each unordered pair is counted from both of its ends.
	scale := float64(n) / float64(len(sources)) / 2
	for u := range bc {
		bc[u] *= scale
	}
	return bc, nil
}

// rank returns the first entities by descending score, ties by entity id.
// Only the nodes that can make the cut have their ids read.
func rank(r *store.Reader, g *graph, score []float64, first int) ([]store.Scored, error) {
	n := len(g.nodes)
	if n == 0 || first == 0 {
		return nil, nil
	}
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return cmp.Compare(score[b], score[a]) })
	if first < n {
		// Everything tied with the last place competes for it by id.
		cut := score[order[first-1]]
		end := first
		for end < n && score[order[end]] == cut {
			end++
		}
		order = order[:end]
	}
	ids := newEntityIDs(r)
	names := make(map[int32]string, len(order))
	for _, u := range order {
		id, err := ids.get(g.nodes[u])
		if err != nil {
			return nil, err
		}
		names[u] = id
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := cmp.Compare(score[b], score[a]); c != 0 {
			return c
		}
		return cmp.Compare(names[a], names[b])
	})
	order = order[:min(first, len(order))]
	nodes := make([]store.NodeID, len(order))
	for i, u := range order {
		nodes[i] = g.nodes[u]
	}
	ents, err := r.Entities(nodes)
	if err != nil {
		return nil, fmt.Errorf("read %d ranked entities: %w", len(nodes), err)
	}
	out := make([]store.Scored, len(order))
	for i, u := range order {
		out[i] = store.Scored{Entity: ents[i], Score: score[u]}
	}
	return out, nil
}

// Centrality ranks entities by the chosen measure (see the file comment for
// what each counts), best first, ties by entity id, at most opts.First
// (default DefaultRankingLength). Entities outside opts.EntityTypes are neither
// ranked nor traversed. Errors: Invalid for an unknown measure or type
// name or a negative First or Samples; Timeout when the request's deadline
// passes.
func Centrality(r *store.Reader, opts store.CentralityOptions) (_ store.CentralityResult, err error) {
	if opts.Measure > store.MeasureBetweenness {
		return store.CentralityResult{}, store.FieldError("", "measure", "unknown measure %d", opts.Measure)
	}
	first, err := store.SizeOr(opts.First, store.DefaultRankingLength, "first")
	if err != nil {
		return store.CentralityResult{}, err
	}
	samples, err := store.SizeOr(opts.Samples, store.DefaultSamples, "samples")
	if err != nil {
		return store.CentralityResult{}, err
	}
	var res store.CentralityResult
	defer wrap(&err, "centrality")
	g, err := buildGraph(r, opts.Types, opts.EntityTypes, opts.ValidAt, opts.DatedOnly, newBudget(r.Context(), 0))
	if err != nil {
		return store.CentralityResult{}, err
	}
	res.Nodes = len(g.nodes)
	var score []float64
	switch opts.Measure {
	case store.MeasureDegree:
		score = g.degree()
	case store.MeasurePageRank:
		score, res.Iterations, res.Converged, err = g.pageRank(r.Context())
	case store.MeasureBetweenness:
		var sources []int32
		if len(g.nodes) > samples {
			res.Sampled, res.Samples, res.Seed = true, samples, opts.Seed
			rng := rand.New(rand.NewPCG(uint64(opts.Seed), 0x7469657367726170)) // "tiesgrap"
			sources = make([]int32, samples)
			for i, u := range rng.Perm(len(g.nodes))[:samples] {
				sources[i] = int32(u)
			}
		}
		score, err = g.betweenness(r.Context(), sources)
	}
	if err != nil {
		return store.CentralityResult{}, err
	}
	res.Ranking, err = rank(r, g, score, first)
	return res, err
}
