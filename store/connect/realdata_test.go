package connect

// Tests on real public data (see ../shared/data/README.md): answers of the
// connection queries against breadth-first searches computed here from the
// raw files. They skip when the data folder is absent.

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/storetest"
)

// readTable reads a separated text file into rows of fields, skipping the
// header when asked.
func readTable(t *testing.T, path, sep string, header bool) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		t.Skipf("real data absent: %v", err)
	}
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for first := true; sc.Scan(); first = false {
		if (first && header) || strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		rows = append(rows, strings.Split(sc.Text(), sep))
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return rows
}

// undirected is an adjacency of raw ids with each partner once.
type undirected map[string]map[string]bool

func (g undirected) add(a, b string) {
	for _, x := range []string{a, b} {
		if g[x] == nil {
			g[x] = map[string]bool{}
		}
	}
	if a != b {
		g[a][b], g[b][a] = true, true
	}
}

// bfs returns the hop distances from src.
func (g undirected) bfs(src string) map[string]int {
	d := map[string]int{src: 0}
	for queue := []string{src}; len(queue) > 0; queue = queue[1:] {
		u := queue[0]
		for v := range g[u] {
			if _, ok := d[v]; !ok {
				d[v] = d[u] + 1
				queue = append(queue, v)
			}
		}
	}
	return d
}

// TestRealDataLDBCKnows checks LDBC SNB interactive query 13 (shortest path
// length between two persons over knows, -1 when none) on the SF0.003
// sample, for the official substitution parameters and a seeded sample of
// more pairs.
func TestRealDataLDBCKnows(t *testing.T) {
	dir := storetest.Shared(t, "data", "ldbc-snb-sf0.003")
	persons := readTable(t, filepath.Join(dir, "vanilla", "dynamic", "person_0_0.csv"), "|", true)
	knows := readTable(t, filepath.Join(dir, "vanilla", "dynamic", "person_knows_person_0_0.csv"), "|", true)
	params := readTable(t, filepath.Join(dir, "substitution_parameters", "interactive_13_param.txt"), "|", true)

	id := func(raw string) string { return "person-" + raw }
	g := undirected{}
	b := store.Batch{RelationTypes: []store.RelationType{{Name: "KNOWS", Inverse: "KNOWS", Symmetric: true, From: []string{"Person"}, To: []string{"Person"}}}}
	for _, p := range persons {
		g.add(p[0], p[0])
		b.Entities = append(b.Entities, store.Entity{ID: id(p[0]), Type: "Person", Name: p[1] + " " + p[2]})
	}
	for _, k := range knows {
		g.add(k[0], k[1])
		b.Relations = append(b.Relations, store.Relation{Type: "KNOWS", From: id(k[0]), To: id(k[1])})
	}
	s := openTestStore(t)
	ctx := context.Background()
	if _, err := s.Apply(ctx, b); err != nil {
		t.Fatalf("Apply: %v", err)
	}

	// LDBC's answer for a pair: the hop count, or -1.
	want := func(a, b string) int {
		if g[a] == nil || g[b] == nil {
			return -1
		}
		if d, ok := g.bfs(a)[b]; ok {
			return d
		}
		return -1
	}
	got := func(t *testing.T, a, b string) int {
		p, err := viewShortestPath(ctx, s, id(a), id(b), store.PathOptions{Types: []string{"KNOWS"}, MaxDepth: opt(64)}, store.ReadOptions{})
		switch {
		case store.ErrorCode(err) == store.NotFound:
			return -1
		case err != nil:
			t.Fatalf("ShortestPath(%s, %s): %v", a, b, err)
		case p == nil:
			return -1
		}
		return len(p.Edges)
	}
	pairs := params
	rng := rand.New(rand.NewPCG(13, 13))
	for range 40 {
		a, b := persons[rng.IntN(len(persons))][0], persons[rng.IntN(len(persons))][0]
		pairs = append(pairs, []string{a, b})
	}
	for i, p := range pairs {
		name := "Param"
		if i >= len(params) {
			name = "Sample"
		}
		t.Run(fmt.Sprintf("%s%d_%s_%s", name, i, p[0], p[1]), func(t *testing.T) {
			if got, want := got(t, p[0], p[1]), want(p[0], p[1]); got != want {
				t.Errorf("shortest path length: got %d, want %d", got, want)
			}
		})
	}

	t.Run("Components", func(t *testing.T) {
		res, err := viewComponents(ctx, s, store.ComponentsOptions{Types: []string{"KNOWS"}}, store.ReadOptions{})
		if err != nil {
			t.Fatalf("Components: %v", err)
		}
		seen, count, largest := map[string]bool{}, 0, 0
		for _, p := range persons {
			if seen[p[0]] {
				continue
			}
			count++
			d := g.bfs(p[0])
			largest = max(largest, len(d))
			for v := range d {
				seen[v] = true
			}
		}
		if got, want := fmt.Sprint(res.Count, res.Largest), fmt.Sprint(count, largest); got != want {
			t.Errorf("count and largest: got %s, want %s", got, want)
		}
	})
}

// TestRealDataWikidataSisterCities loads the Wikidata twinning graph (P190,
// stated from one or both sides) as symmetric SISTER_CITY_OF relations and
// checks degrees, path lengths and connectedness against the raw TSV.
func TestRealDataWikidataSisterCities(t *testing.T) {
	dir := storetest.Shared(t, "data", "sister-cities", "wikidata-p190")
	rels := readTable(t, filepath.Join(dir, "relations.tsv"), "\t", false)
	names := readTable(t, filepath.Join(dir, "names.tsv"), "\t", false)

	g := undirected{}
	for _, r := range rels {
		g.add(r[0], r[1])
	}
	name := map[string]string{}
	for _, n := range names {
		if len(n) == 2 {
			name[n[0]] = n[1]
		}
	}
	cities := make([]string, 0, len(g))
	for c := range g {
		cities = append(cities, c)
	}
	slices.Sort(cities)

	// Relations come without ids, one per statement, so that the store's
	// derived ids fold the two sides of a twinning into one relation.
	src := func(ctx context.Context, yield func(store.Record) error) error {
		for i, c := range cities {
			n := name[c]
			if n == "" {
				n = c
			}
			if err := yield(store.Record{Line: int64(i + 1), Entity: &store.Entity{ID: c, Type: "City", Name: n}}); err != nil {
				return err
			}
		}
		for i, r := range rels {
			rel := &store.Relation{Type: "SISTER_CITY_OF", From: r[0], To: r[1]}
			if err := yield(store.Record{Line: int64(len(cities) + i + 1), Relation: rel}); err != nil {
				return err
			}
		}
		return nil
	}
	s := openTestStore(t)
	ctx := context.Background()
	if _, err := s.Load(ctx, src, store.LoadOptions{Source: "relations.tsv"}); err != nil {
		t.Fatalf("Load: %v", err)
	}

	t.Run("Degrees", func(t *testing.T) {
		res, err := viewCentrality(ctx, s, store.CentralityOptions{Measure: store.MeasureDegree, First: opt(len(cities))}, store.ReadOptions{})
		if err != nil {
			t.Fatalf("Centrality: %v", err)
		}
		if got, want := len(res.Ranking), len(cities); got != want {
			t.Fatalf("ranked cities: got %d, want %d", got, want)
		}
		bad := 0
		for _, r := range res.Ranking {
			if got, want := int(r.Score), len(g[r.Entity.ID]); got != want && bad < 10 {
				bad++
				t.Errorf("degree of %s (%s): got %d, want %d", r.Entity.ID, r.Entity.Name, got, want)
			}
		}
		pairs := 0
		for _, c := range cities {
			pairs += len(g[c])
		}
		st, err := s.Stats(ctx, store.ReadOptions{})
		if err != nil {
			t.Fatalf("Stats: %v", err)
		}
		if got, want := st.Relations, pairs/2; got != want {
			t.Errorf("relations stored: got %d, want %d distinct pairs", got, want)
		}
	})

	t.Run("PathLengths", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(190, 190))
		for range 8 {
			a := cities[rng.IntN(len(cities))]
			d := g.bfs(a)
			for range 5 {
				b := cities[rng.IntN(len(cities))]
				p, err := viewShortestPath(ctx, s, a, b, store.PathOptions{Types: []string{"SISTER_CITY_OF"}, MaxDepth: opt(64)}, store.ReadOptions{})
				if err != nil {
					t.Fatalf("ShortestPath(%s, %s): %v", a, b, err)
				}
				want, ok := d[b]
				if !ok {
					want = -1
				}
				got := -1
				if p != nil {
					got = len(p.Edges)
				}
				if got != want {
					t.Errorf("ShortestPath(%s, %s) length: got %d, want %d", a, b, got, want)
				}
			}
		}
	})

	t.Run("Components", func(t *testing.T) {
		res, err := viewComponents(ctx, s, store.ComponentsOptions{}, store.ReadOptions{})
		if err != nil {
			t.Fatalf("Components: %v", err)
		}
		if got, want := fmt.Sprint(res.Count, res.Largest), fmt.Sprint(1, len(g.bfs(cities[0]))); got != want {
			t.Errorf("count and largest: got %s, want %s", got, want)
		}
	})
}
