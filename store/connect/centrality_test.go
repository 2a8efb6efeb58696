package connect

import (
	"context"
	"fmt"
	"github.com/ties-graph/ties/store"
	"math"
	"slices"
	"testing"
)

// scoreStrings renders a ranking as "id=score".
func scoreStrings(rs []store.Scored) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = fmt.Sprintf("%s=%.4g", r.Entity.ID, r.Score)
	}
	return out
}

func TestCentrality(t *testing.T) {
	const star = "c LINK l1\nc LINK l2\nc LINK l3\nc LINK l4"
	const pathGraph = "a LINK b\nb LINK c\nc LINK d"
	tests := []struct {
		name      string
		graph     string
		opts      store.CentralityOptions
		want      []string
		wantNodes int
		wantErr   store.Code
	}{
		{name: "DegreeStar", graph: star, opts: store.CentralityOptions{Measure: store.MeasureDegree, First: opt(3)}, want: []string{"c=4", "l1=1", "l2=1"}, wantNodes: 5},
		{name: "DegreeDefaultFirst", graph: star, opts: store.CentralityOptions{Measure: store.MeasureDegree}, want: []string{"c=4", "l1=1", "l2=1", "l3=1", "l4=1"}, wantNodes: 5},
		{name: "DegreeMultiEdgeAndSelfLoop", graph: "a LINK b\na LINK b\na LINK a\nz : Person", opts: store.CentralityOptions{Measure: store.MeasureDegree}, want: []string{"a=3", "b=2", "z=0"}, wantNodes: 3},
		{name: "DegreeSymmetric", graph: "a TWIN b\nb TWIN c", opts: store.CentralityOptions{Measure: store.MeasureDegree}, want: []string{"b=2", "a=1", "c=1"}, wantNodes: 3},
		{name: "DegreeTypes", graph: "a LINK b\na OTHER c\nd OTHER a", opts: store.CentralityOptions{Measure: store.MeasureDegree, Types: []string{"OTHER"}}, want: []string{"a=2", "c=1", "d=1", "b=0"}, wantNodes: 4},
		{name: "DegreeEntityTypes", graph: "x : Company\na LINK b\na LINK x\nx LINK b", opts: store.CentralityOptions{Measure: store.MeasureDegree, EntityTypes: []string{"Person"}}, want: []string{"a=1", "b=1"}, wantNodes: 2},
		{name: "DegreeValidAt", graph: "a LINK b from=2001 to=2003\na LINK c from=2010", opts: store.CentralityOptions{Measure: store.MeasureDegree, ValidAt: store.MustParseDate("2002")}, want: []string{"a=1", "b=1", "c=0"}, wantNodes: 3},
		{name: "PageRankCycle", graph: "a LINK b\nb LINK c\nc LINK a", opts: store.CentralityOptions{Measure: store.MeasurePageRank}, want: []string{"a=0.3333", "b=0.3333", "c=0.3333"}, wantNodes: 3},
		{name: "PageRankSink", graph: "a LINK c\nb LINK c", opts: store.CentralityOptions{Measure: store.MeasurePageRank}, want: []string{"c=0.5745", "a=0.2128", "b=0.2128"}, wantNodes: 3},
		{name: "PageRankSymmetric", graph: "a TWIN b", opts: store.CentralityOptions{Measure: store.MeasurePageRank}, want: []string{"a=0.5", "b=0.5"}, wantNodes: 2},
		{name: "BetweennessPath", graph: pathGraph, opts: store.CentralityOptions{Measure: store.MeasureBetweenness}, want: []string{"b=2", "c=2", "a=0", "d=0"}, wantNodes: 4},
		{name: "BetweennessStar", graph: star, opts: store.CentralityOptions{Measure: store.MeasureBetweenness, First: opt(2)}, want: []string{"c=6", "l1=0"}, wantNodes: 5},
		{name: "BetweennessUndirected", graph: "a LINK b\nc LINK b", opts: store.CentralityOptions{Measure: store.MeasureBetweenness}, want: []string{"b=1", "a=0", "c=0"}, wantNodes: 3},
		{name: "BetweennessParallelCollapsed", graph: "a LINK b\na LINK b\nb LINK c\na LINK a", opts: store.CentralityOptions{Measure: store.MeasureBetweenness}, want: []string{"b=1", "a=0", "c=0"}, wantNodes: 3},
		{name: "Empty", graph: "", opts: store.CentralityOptions{Measure: store.MeasurePageRank}, want: []string{}, wantNodes: 0},
		{name: "ErrMeasure", graph: star, opts: store.CentralityOptions{Measure: store.Measure(9)}, wantErr: store.Invalid},
		{name: "ErrFirst", graph: star, opts: store.CentralityOptions{First: opt(-1)}, wantErr: store.Invalid},
		{name: "ErrSamples", graph: star, opts: store.CentralityOptions{Measure: store.MeasureBetweenness, Samples: opt(-1)}, wantErr: store.Invalid},
		{name: "ErrType", graph: star, opts: store.CentralityOptions{Types: []string{"NOPE"}}, wantErr: store.Invalid},
		{name: "ErrEntityType", graph: star, opts: store.CentralityOptions{EntityTypes: []string{"Nope"}}, wantErr: store.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := drawStore(t, tt.graph)
			res, err := viewCentrality(context.Background(), s, tt.opts, store.ReadOptions{})
			if errored(t, err, tt.wantErr) {
				return
			}
			if got, want := scoreStrings(res.Ranking), tt.want; !slices.Equal(got, want) {
				t.Errorf("ranking: got %q, want %q", got, want)
			}
			if got, want := res.Nodes, tt.wantNodes; got != want {
				t.Errorf("nodes: got %d, want %d", got, want)
			}
			if tt.opts.Measure == store.MeasurePageRank && tt.wantNodes > 0 && !res.Converged {
				t.Errorf("PageRank did not converge in %d iterations", res.Iterations)
			}
			if res.Sampled {
				t.Errorf("sampled a graph of %d entities", res.Nodes)
			}
		})
	}
}

func TestBetweennessSampling(t *testing.T) {
	s := drawStore(t, randomDrawing(newRand(5), 60, 120))
	ctx := context.Background()
	exact, err := viewCentrality(ctx, s, store.CentralityOptions{Measure: store.MeasureBetweenness, First: opt(60)}, store.ReadOptions{})
	if err != nil {
		t.Fatalf("Centrality: %v", err)
	}
	if exact.Sampled {
		t.Errorf("sampled with the default of %d samples over %d entities", store.DefaultSamples, exact.Nodes)
	}
	opts := store.CentralityOptions{Measure: store.MeasureBetweenness, First: opt(60), Samples: opt(20), Seed: 42}
	a, err := viewCentrality(ctx, s, opts, store.ReadOptions{})
	if err != nil {
		t.Fatalf("Centrality: %v", err)
	}
	if got, want := fmt.Sprint(a.Sampled, a.Samples, a.Seed), "true 20 42"; got != want {
		t.Errorf("sampled, samples, seed: got %s, want %s", got, want)
	}
	b, err := viewCentrality(ctx, s, opts, store.ReadOptions{})
	if err != nil {
		t.Fatalf("Centrality: %v", err)
	}
	if got, want := scoreStrings(b.Ranking), scoreStrings(a.Ranking); !slices.Equal(got, want) {
		t.Errorf("same seed, different ranking:\n got %q\nwant %q", got, want)
	}
	opts.Seed = 43
	c, err := viewCentrality(ctx, s, opts, store.ReadOptions{})
	if err != nil {
		t.Fatalf("Centrality: %v", err)
	}
	if slices.Equal(scoreStrings(c.Ranking), scoreStrings(a.Ranking)) {
		t.Errorf("seeds 42 and 43 drew the same sample")
	}
	// The estimate is unbiased: summed over all entities it comes close
	// to the exact total, which is sum over pairs of (distance - 1).
	sum := func(rs []store.Scored) float64 {
		s := 0.0
		for _, r := range rs {
			s += r.Score
		}
		return s
	}
	if got, want := sum(a.Ranking), sum(exact.Ranking); math.Abs(got-want) > 0.5*want {
		t.Errorf("sampled total %v far from exact total %v", got, want)
	}
}

// densePageRank is PageRank as the textbook writes it: a dense transition
// matrix, iterated until it stops changing.
func densePageRank(g *refGraph) map[string]float64 {
	n := len(g.ids)
	idx := map[string]int{}
	for i, id := range g.ids {
		idx[id] = i
	}
	links := make([][]float64, n)
	for i := range links {
		links[i] = make([]float64, n)
	}
	for _, r := range g.rels {
		a, b := idx[r.From], idx[r.To]
		links[a][b]++
		if g.sym[r.Type] && a != b {
			links[b][a]++
		}
	}
	x := make([]float64, n)
	for i := range x {
		x[i] = 1 / float64(n)
	}
	for range 1000 {
		next := make([]float64, n)
		for i := range n {
			out := 0.0
			for j := range n {
				out += links[i][j]
			}
			for j := range n {
				if out == 0 {
					next[j] += x[i] / float64(n)
				} else {
					next[j] += x[i] * links[i][j] / out
				}
			}
		}
		for j := range next {
			next[j] = 0.15/float64(n) + 0.85*next[j]
		}
		x = next
	}
	out := map[string]float64{}
	for i, id := range g.ids {
		out[id] = x[i]
	}
	return out
}

// pairBetweenness counts, for every unordered pair of entities, the share
// of their shortest paths (undirected, simple graph) through each other
// entity: sigma(s,v)*sigma(v,t)/sigma(s,t) where v lies on one.
func pairBetweenness(g *refGraph) map[string]float64 {
	nb := map[string]map[string]bool{}
	for _, id := range g.ids {
		nb[id] = map[string]bool{}
	}
	for _, r := range g.rels {
		if r.From != r.To {
			nb[r.From][r.To], nb[r.To][r.From] = true, true
		}
	}
	bfs := func(s string) (map[string]int, map[string]float64) {
		d, sigma := map[string]int{s: 0}, map[string]float64{s: 1}
		queue := []string{s}
		for len(queue) > 0 {
			u := queue[0]
			queue = queue[1:]
			for v := range nb[u] {
				if _, ok := d[v]; !ok {
					d[v] = d[u] + 1
					queue = append(queue, v)
				}
				if d[v] == d[u]+1 {
					sigma[v] += sigma[u]
				}
			}
		}
		return d, sigma
	}
	d, sigma := map[string]map[string]int{}, map[string]map[string]float64{}
	for _, id := range g.ids {
		d[id], sigma[id] = bfs(id)
	}
	bc := map[string]float64{}
	for i, s := range g.ids {
		for _, t := range g.ids[i+1:] {
			dst, ok := d[s][t]
			if !ok {
				continue
			}
			for _, v := range g.ids {
				ds, ok1 := d[s][v]
				dt, ok2 := d[t][v]
				if v != s && v != t && ok1 && ok2 && ds+dt == dst {
					bc[v] += sigma[s][v] * sigma[t][v] / sigma[s][t]
				}
			}
		}
	}
	return bc
}

func TestCentralityMatchesReference(t *testing.T) {
	ctx := context.Background()
	forRandomGraphs(t, 8, 30, 60, func(t *testing.T, rc randomCase) {
		n := len(rc.g.ids)
		scores := func(m store.Measure) map[string]float64 {
			res, err := viewCentrality(ctx, rc.s, store.CentralityOptions{Measure: m, First: opt(n)}, store.ReadOptions{})
			if err != nil {
				t.Fatalf("Centrality(%d): %v", m, err)
			}
			if got, want := len(res.Ranking), n; got != want {
				t.Fatalf("ranking length: got %d, want %d", got, want)
			}
			for i := 1; i < n; i++ {
				a, b := res.Ranking[i-1], res.Ranking[i]
				if a.Score < b.Score || (a.Score == b.Score && a.Entity.ID > b.Entity.ID) {
					t.Errorf("ranking out of order at %d: %s=%v before %s=%v", i, a.Entity.ID, a.Score, b.Entity.ID, b.Score)
				}
			}
			out := map[string]float64{}
			for _, r := range res.Ranking {
				out[r.Entity.ID] = r.Score
			}
			return out
		}

		degree := scores(store.MeasureDegree)
		for _, id := range rc.g.ids {
			want := 0
			for _, r := range rc.g.rels {
				if r.From == id || r.To == id {
					want++
				}
			}
			if got := degree[id]; got != float64(want) {
				t.Errorf("degree of %s: got %v, want %d", id, got, want)
			}
		}

		pr, want := scores(store.MeasurePageRank), densePageRank(rc.g)
		sum, diff := 0.0, 0.0
		for _, id := range rc.g.ids {
			sum += pr[id]
			diff += math.Abs(pr[id] - want[id])
		}
		if math.Abs(sum-1) > 1e-9 {
			t.Errorf("PageRank sums to %v, want 1", sum)
		}
		if diff > 1e-5 {
			t.Errorf("PageRank differs from the dense reference by %v (L1)", diff)
		}

		bc, wantBC := scores(store.MeasureBetweenness), pairBetweenness(rc.g)
		for _, id := range rc.g.ids {
			if got, want := bc[id], wantBC[id]; math.Abs(got-want) > 1e-9 {
				t.Errorf("betweenness of %s: got %v, want %v", id, got, want)
			}
		}
	})
}
