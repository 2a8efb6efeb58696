package connect

// Property tests of the connection queries on random seeded graphs, against
// plain reference implementations written here without the store: a
// single-source BFS, brute-force enumeration of simple paths, a dense
// PageRank, all-pairs shortest-path counting for betweenness, and a
// depth-first component count.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"github.com/ties-graph/ties/store"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// randomDrawing draws n entities (n000, n001, ...; about one in five a
// Company) and m relations, mostly directed LINKs and some symmetric TWINs,
// with the multi-edges and self-loops that random pairs bring, and an
// integer weight w on most of them.
func randomDrawing(rng *rand.Rand, n, m int) string {
	var sb strings.Builder
	for i := range n {
		typ := "Person"
		if rng.IntN(5) == 0 {
			typ = "Company"
		}
		fmt.Fprintf(&sb, "n%03d : %s\n", i, typ)
	}
	for j := range m {
		typ := "LINK"
		if rng.IntN(3) == 0 {
			typ = "TWIN"
		}
		a, b := rng.IntN(n), rng.IntN(n)
		if rng.IntN(4) == 0 && j > 0 {
			b = (a + 1) % n // neighbours by number make multi-edges likelier
		}
		fmt.Fprintf(&sb, "n%03d %s n%03d id=e%03d", a, typ, b, j)
		if rng.IntN(6) != 0 {
			fmt.Fprintf(&sb, " w=%d", rng.IntN(6))
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

// refGraph is a drawing held in plain maps, for the reference answers.
type refGraph struct {
	ids   []string // sorted
	types map[string]string
	rels  []store.Relation
	sym   map[string]bool
}

type refStep struct {
	to, rel string
	w       float64
}

func newRefGraph(t testing.TB, spec string) *refGraph {
	d := parseDrawing(t, spec)
	g := &refGraph{types: map[string]string{}, rels: d.relations, sym: map[string]bool{"TWIN": true}}
	for _, e := range d.entities {
		g.ids = append(g.ids, e.ID)
		g.types[e.ID] = e.Type
	}
	slices.Sort(g.ids)
	return g
}

// steps lists the relations a walk may take from u in direction dir.
func (g *refGraph) steps(u string, dir store.Direction) []refStep {
	var out []refStep
	for _, r := range g.rels {
		w := 1.0
		if v, ok := r.Properties["w"]; ok {
			w = v.Num
		}
		fwd := r.From == u && (dir != store.In || g.sym[r.Type])
		bwd := r.To == u && (dir != store.Out || g.sym[r.Type])
		switch {
		case r.From == u && r.To == u:
			if fwd || bwd {
				out = append(out, refStep{u, r.ID, w})
			}
		case fwd:
			out = append(out, refStep{r.To, r.ID, w})
		case bwd:
			out = append(out, refStep{r.From, r.ID, w})
		}
	}
	return out
}

// dist is a plain single-source BFS: the number of edges from src to dst
// through entities that admit allows (the ends always), or -1.
func (g *refGraph) dist(src, dst string, dir store.Direction, admit func(string) bool) int {
	d := map[string]int{src: 0}
	queue := []string{src}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		if u == dst {
			return d[u]
		}
		for _, s := range g.steps(u, dir) {
			if _, ok := d[s.to]; ok || (s.to != dst && !admit(s.to)) {
				continue
			}
			d[s.to] = d[u] + 1
			queue = append(queue, s.to)
		}
	}
	return -1
}

// refPath is a path of the brute-force enumeration.
type refPath struct {
	nodes, rels []string
	cost        float64
}

func (p refPath) String() string {
	var sb strings.Builder
	for i, n := range p.nodes {
		if i > 0 {
			fmt.Fprintf(&sb, " -%s- ", p.rels[i-1])
		}
		sb.WriteString(n)
	}
	return sb.String()
}

// simplePaths enumerates every simple path of at most maxDepth edges by
// exhaustive depth-first search, sorted by length and then node ids.
func (g *refGraph) simplePaths(src, dst string, dir store.Direction, maxDepth int, admit func(string) bool) []refPath {
	var out []refPath
	var walk func(p refPath)
	walk = func(p refPath) {
		u := p.nodes[len(p.nodes)-1]
		if u == dst {
			out = append(out, refPath{slices.Clone(p.nodes), slices.Clone(p.rels), p.cost})
			return
		}
		if len(p.rels) == maxDepth {
			return
		}
		for _, s := range g.steps(u, dir) {
			if slices.Contains(p.nodes, s.to) || (s.to != dst && !admit(s.to)) {
				continue
			}
			walk(refPath{append(p.nodes, s.to), append(p.rels, s.rel), p.cost + s.w})
		}
	}
	walk(refPath{nodes: []string{src}})
	slices.SortStableFunc(out, func(a, b refPath) int {
		if c := cmp.Compare(len(a.rels), len(b.rels)); c != 0 {
			return c
		}
		return slices.Compare(a.nodes, b.nodes)
	})
	return out
}

// checkPath verifies that p is a simple walk from src to dst in direction
// dir through admitted entities, with the relations as drawn.
func (g *refGraph) checkPath(t *testing.T, p *store.Path, src, dst string, dir store.Direction, admit func(string) bool) {
	t.Helper()
	if p.Nodes[0].ID != src || p.Nodes[len(p.Nodes)-1].ID != dst {
		t.Errorf("path %s does not run from %s to %s", pathString(p), src, dst)
	}
	seen := map[string]bool{}
	for i, n := range p.Nodes {
		if seen[n.ID] {
			t.Errorf("path %s repeats %s", pathString(p), n.ID)
		}
		seen[n.ID] = true
		if i > 0 && i < len(p.Nodes)-1 && !admit(n.ID) {
			t.Errorf("path %s passes %s, a %s", pathString(p), n.ID, n.Type)
		}
		if i == 0 {
			continue
		}
		ok := false
		for _, s := range g.steps(p.Nodes[i-1].ID, dir) {
			ok = ok || (s.to == n.ID && s.rel == p.Edges[i-1].ID)
		}
		if !ok {
			t.Errorf("path %s: no %s step from %s to %s by %s", pathString(p), dir, p.Nodes[i-1].ID, n.ID, p.Edges[i-1].ID)
		}
	}
}

// randomCase is one random graph in a store and in plain maps.
type randomCase struct {
	seed uint64
	s    *store.Store
	g    *refGraph
	rng  *rand.Rand
}

// forRandomGraphs runs test as a subtest on each of count random graphs of
// n entities and m relations, seeded 0, 1, ...
func forRandomGraphs(t *testing.T, count, n, m int, test func(t *testing.T, rc randomCase)) {
	t.Helper()
	for seed := range uint64(count) {
		t.Run(fmt.Sprintf("Seed%d", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 99))
			spec := randomDrawing(rng, n, m)
			test(t, randomCase{seed: seed, s: drawStore(t, spec), g: newRefGraph(t, spec), rng: rng})
		})
	}
}

var anyEntity = func(string) bool { return true }

// ends draws the two ends of a path query.
func (rc randomCase) ends() (src, dst string) {
	return rc.g.ids[rc.rng.IntN(len(rc.g.ids))], rc.g.ids[rc.rng.IntN(len(rc.g.ids))]
}

// maybePersons limits opts to paths through persons one time in three,
// and returns the reference's test of the entities a path may pass.
func (rc randomCase) maybePersons(opts *store.PathOptions) (admit func(string) bool) {
	if rc.rng.IntN(3) != 0 {
		return anyEntity
	}
	opts.EntityTypes = []string{"Person"}
	return func(id string) bool { return rc.g.types[id] == "Person" }
}

func TestShortestPathMatchesBFS(t *testing.T) {
	ctx := context.Background()
	forRandomGraphs(t, 12, 40, 70, func(t *testing.T, rc randomCase) {
		for range 25 {
			src, dst := rc.ends()
			dir := store.Direction(rc.rng.IntN(3))
			opts := store.PathOptions{Direction: dir, MaxDepth: opt(8)}
			admit := rc.maybePersons(&opts)
			want := rc.g.dist(src, dst, dir, admit)
			p, err := viewShortestPath(ctx, rc.s, src, dst, opts, store.ReadOptions{})
			if err != nil {
				t.Fatalf("ShortestPath(%s, %s, %v): %v", src, dst, opts, err)
			}
			got := -1
			if p != nil {
				got = len(p.Edges)
				rc.g.checkPath(t, p, src, dst, dir, admit)
			}
			if want > *opts.MaxDepth {
				want = -1
			}
			if got != want {
				t.Errorf("ShortestPath(%s, %s, %s, %v) length: got %d, want %d (path %s)", src, dst, dir, opts.EntityTypes, got, want, pathString(p))
			}
		}
	})
}

func TestWeightedShortestPathMatchesBruteForce(t *testing.T) {
	ctx := context.Background()
	forRandomGraphs(t, 10, 12, 26, func(t *testing.T, rc randomCase) {
		for range 15 {
			src, dst := rc.ends()
			dir := store.Direction(rc.rng.IntN(3))
			depth := 1 + rc.rng.IntN(5)
			all := rc.g.simplePaths(src, dst, dir, depth, anyEntity)
			want := math.Inf(1)
			for _, p := range all {
				want = min(want, p.cost)
			}
			p, err := viewShortestPath(ctx, rc.s, src, dst, store.PathOptions{Direction: dir, MaxDepth: opt(depth), Weight: "w"}, store.ReadOptions{})
			if err != nil {
				t.Fatalf("ShortestPath: %v", err)
			}
			got := math.Inf(1)
			if p != nil {
				got = p.Cost
				rc.g.checkPath(t, p, src, dst, dir, anyEntity)
				if got, want := len(p.Edges), depth; got > want {
					t.Errorf("path %s has %d edges, more than maxDepth %d", pathString(p), got, want)
				}
			}
			if got != want {
				t.Errorf("ShortestPath(%s, %s, %s, depth %d) cost: got %v, want %v (path %s)", src, dst, dir, depth, got, want, pathString(p))
			}
		}
	})
}

func TestKShortestPathsProperties(t *testing.T) {
	ctx := context.Background()
	forRandomGraphs(t, 10, 12, 26, func(t *testing.T, rc randomCase) {
		for range 12 {
			src, dst := rc.ends()
			dir := store.Direction(rc.rng.IntN(3))
			const depth = 5
			k := 1 + rc.rng.IntN(6)
			weighted := rc.rng.IntN(2) == 0
			opts := store.PathOptions{Direction: dir, MaxDepth: opt(depth)}
			all := rc.g.simplePaths(src, dst, dir, depth, anyEntity)
			var wantCosts []float64
			for _, p := range all {
				if weighted {
					wantCosts = append(wantCosts, p.cost)
				} else {
					wantCosts = append(wantCosts, float64(len(p.rels)))
				}
			}
			if weighted {
				opts.Weight = "w"
			}
			slices.Sort(wantCosts)
			wantCosts = wantCosts[:min(k, len(wantCosts))]

			res, err := viewKShortestPaths(ctx, rc.s, src, dst, opt(k), opts, store.ReadOptions{})
			if err != nil {
				t.Fatalf("KShortestPaths: %v", err)
			}
			var gotCosts []float64
			seen := map[string]bool{}
			for i := range res.Paths {
				p := &res.Paths[i]
				rc.g.checkPath(t, p, src, dst, dir, anyEntity)
				if seen[pathString(p)] {
					t.Errorf("duplicate path %s", pathString(p))
				}
				seen[pathString(p)] = true
				gotCosts = append(gotCosts, p.Cost)
			}
			if !slices.Equal(gotCosts, wantCosts) {
				t.Errorf("KShortestPaths(%s, %s, %s, k=%d, weighted %v) costs: got %v, want %v\n%q", src, dst, dir, k, weighted, gotCosts, wantCosts, pathStrings(res.Paths))
			}
			if res.Truncated {
				t.Errorf("truncated on a tiny graph")
			}
			if len(res.Paths) > 0 {
				sp, err := viewShortestPath(ctx, rc.s, src, dst, opts, store.ReadOptions{})
				if err != nil || sp == nil {
					t.Fatalf("ShortestPath: %v, %v", sp, err)
				}
				if got, want := res.Paths[0].Cost, sp.Cost; got != want {
					t.Errorf("first of k costs %v, shortest path %v", got, want)
				}
			}
		}
	})
}

func TestAllPathsMatchesBruteForce(t *testing.T) {
	ctx := context.Background()
	forRandomGraphs(t, 10, 12, 26, func(t *testing.T, rc randomCase) {
		for range 12 {
			src, dst := rc.ends()
			if src == dst {
				continue
			}
			dir := store.Direction(rc.rng.IntN(3))
			depth := 1 + rc.rng.IntN(5)
			limit := 1 + rc.rng.IntN(40)
			opts := store.PathOptions{Direction: dir, MaxDepth: opt(depth)}
			admit := rc.maybePersons(&opts)
			all := rc.g.simplePaths(src, dst, dir, depth, admit)
			res, err := viewAllPaths(ctx, rc.s, src, dst, opt(limit), opts, store.ReadOptions{})
			if err != nil {
				t.Fatalf("AllPaths: %v", err)
			}
			if got, want := res.Truncated, len(all) > limit; got != want {
				t.Errorf("AllPaths(%s, %s, %s, depth %d, limit %d) truncated: got %v, want %v (%d paths)", src, dst, dir, depth, limit, got, want, len(all))
			}
			want := all[:min(limit, len(all))]
			// Multi-edges order by internal relation ids, which the
			// reference does not know: compare the entity sequences in
			// order, and the full paths as sets when nothing was cut.
			key := func(nodes []string) string { return strings.Join(nodes, " ") }
			var gotKeys, wantKeys, gotFull, wantFull []string
			for i := range res.Paths {
				p := &res.Paths[i]
				rc.g.checkPath(t, p, src, dst, dir, admit)
				var ids []string
				for _, n := range p.Nodes {
					ids = append(ids, n.ID)
				}
				gotKeys = append(gotKeys, key(ids))
				gotFull = append(gotFull, pathString(p))
			}
			for _, p := range want {
				wantKeys = append(wantKeys, key(p.nodes))
				wantFull = append(wantFull, p.String())
			}
			if !slices.Equal(gotKeys, wantKeys) {
				t.Errorf("AllPaths(%s, %s, %s, depth %d, limit %d):\n got %q\nwant %q", src, dst, dir, depth, limit, gotKeys, wantKeys)
			}
			if len(all) <= limit {
				slices.Sort(gotFull)
				slices.Sort(wantFull)
				if !slices.Equal(gotFull, wantFull) {
					t.Errorf("AllPaths(%s, %s, %s, depth %d) paths:\n got %q\nwant %q", src, dst, dir, depth, gotFull, wantFull)
				}
			}
		}
	})
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 99)) }

// expiringContext reports err from its after+1st call of Err on, so that a
// test can end a query at a chosen point: before its snapshot (after 0) or
// inside its traversal.
type expiringContext struct {
	context.Context
	calls, after int
	err          error
}

func (c *expiringContext) Err() error {
	c.calls++
	if c.calls > c.after {
		return c.err
	}
	return nil
}

// TestConnectionsHonourContext ends every query by its context, before and
// during its traversal: a passed deadline is a Timeout error that wraps
// context.DeadlineExceeded, a cancellation comes back wrapped.
func TestConnectionsHonourContext(t *testing.T) {
	// A long chain keeps every traversal going for thousands of steps.
	var spec strings.Builder
	const n = 1500
	for i := range n - 1 {
		fmt.Fprintf(&spec, "c%04d LINK c%04d\n", i, i+1)
	}
	s := drawStore(t, spec.String())
	far := fmt.Sprintf("c%04d", n-1)
	deep := store.PathOptions{MaxDepth: opt(2 * n)}
	queries := []struct {
		name string
		run  func(ctx context.Context) error
	}{
		{"ShortestPath", func(ctx context.Context) error {
			_, err := viewShortestPath(ctx, s, "c0000", far, deep, store.ReadOptions{})
			return err
		}},
		{"WeightedShortestPath", func(ctx context.Context) error {
			_, err := viewShortestPath(ctx, s, "c0000", far, store.PathOptions{MaxDepth: opt(2 * n), Weight: "w"}, store.ReadOptions{})
			return err
		}},
		{"KShortestPaths", func(ctx context.Context) error {
			_, err := viewKShortestPaths(ctx, s, "c0000", far, opt(5), deep, store.ReadOptions{})
			return err
		}},
		{"AllPaths", func(ctx context.Context) error {
			_, err := viewAllPaths(ctx, s, "c0000", far, opt(0), deep, store.ReadOptions{})
			return err
		}},
		{"Degree", func(ctx context.Context) error {
			_, err := viewCentrality(ctx, s, store.CentralityOptions{Measure: store.MeasureDegree}, store.ReadOptions{})
			return err
		}},
		{"PageRank", func(ctx context.Context) error {
			_, err := viewCentrality(ctx, s, store.CentralityOptions{Measure: store.MeasurePageRank}, store.ReadOptions{})
			return err
		}},
		{"Components", func(ctx context.Context) error {
			_, err := viewComponents(ctx, s, store.ComponentsOptions{}, store.ReadOptions{})
			return err
		}},
		{"ComponentOf", func(ctx context.Context) error {
			_, err := viewComponentOf(ctx, s, "c0000", store.ComponentsOptions{}, store.ReadOptions{})
			return err
		}},
	}
	for _, q := range queries {
		for _, after := range []int{0, 1, 3} {
			t.Run(fmt.Sprintf("%s/DeadlineAfter%d", q.name, after), func(t *testing.T) {
				err := q.run(&expiringContext{Context: context.Background(), after: after, err: context.DeadlineExceeded})
				if got, want := store.ErrorCode(err), store.Timeout; got != want {
					t.Errorf("error code: got %q (%v), want %q", got, err, want)
				}
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("error: got %v, want one wrapping context.DeadlineExceeded", err)
				}
			})
			t.Run(fmt.Sprintf("%s/CancelledAfter%d", q.name, after), func(t *testing.T) {
				err := q.run(&expiringContext{Context: context.Background(), after: after, err: context.Canceled})
				if !errors.Is(err, context.Canceled) {
					t.Errorf("error: got %v, want one wrapping context.Canceled", err)
				}
			})
		}
	}
}
