package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/exchange"
	"github.com/ties-graph/ties/store/gen"
)

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// naiveGraph is an adjacency map built straight from the records,
// independent of the CSR code it checks.
func naiveGraph(t *testing.T, cfg gen.Config) map[string]map[string]bool {
	t.Helper()
	adj := map[string]map[string]bool{}
	err := gen.Generate(cfg, func(r store.Record) error {
		if e := r.Entity; e != nil {
			adj[e.ID] = map[string]bool{}
		}
		if rel := r.Relation; rel != nil {
			adj[rel.From][rel.To] = true
			adj[rel.To][rel.From] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return adj
}

// distances is a plain single-source breadth-first search.
func distances(adj map[string]map[string]bool, from string) map[string]int {
	dist := map[string]int{from: 0}
	queue := []string{from}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for v := range adj[u] {
			if _, ok := dist[v]; !ok {
				dist[v] = dist[u] + 1
				queue = append(queue, v)
			}
		}
	}
	return dist
}

func TestCSRMatchesPlainBFS(t *testing.T) {
	cfg := gen.Config{Seed: 3, Relations: 3000, Entities: 2000}
	adj := naiveGraph(t, cfg)
	g, err := newCSR(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := g.plan
	r := rand.New(rand.NewPCG(1, 2))
	ctx := context.Background()
	for q := 0; q < 200; q++ {
		a, b := p.EntityID(r.IntN(p.Entities)), p.EntityID(r.IntN(p.Entities))
		dist := distances(adj, a)
		for depth := 1; depth <= 3; depth++ {
			want := 0
			for _, d := range dist {
				if d <= depth {
					want++
				}
			}
			if got, err := g.Neighborhood(ctx, a, depth); err != nil || got != want {
				t.Fatalf("Neighborhood(%s, %d): got %d, %v, want %d", a, depth, got, err, want)
			}
		}
		for _, maxDepth := range []int{2, 6} {
			want := -1
			if d, ok := dist[b]; ok && d <= maxDepth {
				want = d
			}
			if got, err := g.ShortestPath(ctx, a, b, maxDepth); err != nil || got != want {
				t.Fatalf("ShortestPath(%s, %s, %d): got %d, %v, want %d", a, b, maxDepth, got, err, want)
			}
		}
	}
	if _, err := g.Neighborhood(ctx, "nobody-000001", 1); err == nil {
		t.Errorf("Neighborhood(unknown id): got nil error, want one")
	}
}

func TestPercentile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		out := make([]time.Duration, len(ns))
		for i, n := range ns {
			out[i] = time.Duration(n) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	tests := []struct {
		name        string
		samples     []time.Duration
		median, p99 time.Duration
	}{
		{"Empty", nil, 0, 0},
		{"One", ms(7), 7 * time.Millisecond, 7 * time.Millisecond},
		{"Unsorted", ms(5, 1, 3), 3 * time.Millisecond, 5 * time.Millisecond},
		{"Hundred", ms(hundred...), 50 * time.Millisecond, 99 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := summarize(tt.samples)
			if got, want := s.Median, tt.median; got != want {
				t.Errorf("median: got %v, want %v", got, want)
			}
			if got, want := s.P99, tt.p99; got != want {
				t.Errorf("p99: got %v, want %v", got, want)
			}
		})
	}
}

func TestParseCount(t *testing.T) {
	tests := []struct {
		in      string
		want    int
		wantErr bool
	}{
		{"100000", 100_000, false},
		{"100k", 100_000, false},
		{"1M", 1_000_000, false},
		{"2.5M", 2_500_000, false},
		{"10_000", 10_000, false},
		{"many", 0, true},
		{"-5", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseCount(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("parseCount(%q): got %d, %v, want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestLoopbackOnly(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:8080/query", true},
		{"http://localhost:8080/query", true},
		{"http://[::1]:8080/query", true},
		{"http://127.3.4.5/query", true},
		{"http://10.0.0.1:8080/query", false},
		{"http://example.com/query", false},
		{"http://0.0.0.0:8080/query", false},
		{"::not a url", false},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			if got := loopbackOnly(tt.url) == nil; got != tt.ok {
				t.Errorf("loopbackOnly(%q) accepted: got %v, want %v", tt.url, got, tt.ok)
			}
		})
	}
}

func TestRunCommands(t *testing.T) {
	ctx := context.Background()
	t.Run("NoArgs", func(t *testing.T) {
		var out, errOut bytes.Buffer
		if err := run(ctx, nil, os.Getenv, &out, &errOut); !errors.Is(err, flag.ErrHelp) {
			t.Errorf("error: got %v, want flag.ErrHelp", err)
		}
		if !strings.Contains(errOut.String(), "tiesbench compare") {
			t.Errorf("usage does not list compare: %q", errOut.String())
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		if err := run(ctx, []string{"frobnicate"}, os.Getenv, io.Discard, io.Discard); err == nil {
			t.Errorf("error: got nil, want one")
		}
	})
	t.Run("CompareHelp", func(t *testing.T) {
		var errOut bytes.Buffer
		if err := run(ctx, []string{"compare", "-h"}, os.Getenv, io.Discard, &errOut); !errors.Is(err, flag.ErrHelp) {
			t.Errorf("error: got %v, want flag.ErrHelp", err)
		}
		for _, s := range []string{"ties-http", "postgres", "memory", "--queries"} {
			if !strings.Contains(errOut.String(), strings.TrimPrefix(s, "--")) {
				t.Errorf("compare -h does not mention %s", s)
			}
		}
	})
	t.Run("CompareUnknownSystem", func(t *testing.T) {
		err := run(ctx, []string{"compare", "--relations", "100", "--systems", "neo4j"}, os.Getenv, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "neo4j") {
			t.Errorf("error: got %v, want one naming neo4j", err)
		}
	})
	t.Run("LoadRefusesRemote", func(t *testing.T) {
		err := run(ctx, []string{"load", "--url", "http://192.0.2.1/query", "--duration", "1s"}, os.Getenv, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "loopback") {
			t.Errorf("error: got %v, want a loopback refusal", err)
		}
	})
}

func TestGenCommandWritesTheGeneratorsOutput(t *testing.T) {
	cfg := gen.Config{Seed: 9, Relations: 500}
	var want bytes.Buffer
	if err := exchange.WriteNDJSON(&want, func(yield func(store.Record) error) error { return gen.Generate(cfg, yield) }); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, name := range []string{"g.ndjson", "g.ndjson.gz"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			err := run(context.Background(), []string{"gen", "--relations", "500", "--seed", "9", "-o", path}, os.Getenv, io.Discard, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var r io.Reader = f
			if strings.HasSuffix(name, ".gz") {
				zr, err := gzip.NewReader(f)
				if err != nil {
					t.Fatal(err)
				}
				r = zr
			}
			got, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("%s: %d bytes differ from exchange.WriteNDJSON's %d", name, len(got), want.Len())
			}
		})
	}
}

// TestCompareAgrees runs the comparison on a small graph over every Ties
// system and the in-memory floor, and requires every answer to agree:
// the benchmark measures equal work, and the store's traversals match an
// independent implementation.
func TestCompareAgrees(t *testing.T) {
	o := compareOptions{
		cfg:          gen.Config{Seed: 2, Relations: 3000},
		queries:      40,
		warmup:       2,
		systems:      []string{"ties", "ties-heads", "ties-reader", "ties-http", "ties-http-nodes", "ties-http-edges", "ties-http-nodelink", "memory"},
		limit:        100_000,
		maxDepth:     6,
		queryTimeout: 20 * time.Second,
		dataDir:      t.TempDir(),
		loadVia:      "load",
		batch:        1000,
	}
	rep, err := compare(context.Background(), discard(), o, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(rep.Systems), len(o.systems); got != want {
		t.Fatalf("systems measured: got %d, want %d", got, want)
	}
	for _, s := range rep.Systems {
		for _, k := range queryKinds {
			q := s.Queries[k.Name]
			if q.Errors > 0 || q.Truncated > 0 || q.Mismatches > 0 {
				t.Errorf("%s %s: %d errors (%s), %d truncated, %d differ from the floor", s.Name, k.Name, q.Errors, q.FirstError, q.Truncated, q.Mismatches)
			}
			if got, want := q.N, o.queries; got != want {
				t.Errorf("%s %s: timed queries: got %d, want %d", s.Name, k.Name, got, want)
			}
		}
	}
	var md bytes.Buffer
	writeMarkdown(&md, rep)
	for _, s := range []string{"| depth-3 |", "ties / memory", "| shortest path |"} {
		if !strings.Contains(md.String(), s) {
			t.Errorf("report lacks %q:\n%s", s, md.String())
		}
	}
}

// TestPostgresAgrees starts a throwaway cluster, so it runs only where the
// binaries are installed and not under -short. postgres-edges and Ties'
// edges shape must agree on the relations of every neighbourhood.
func TestPostgresAgrees(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster")
	}
	bin, err := findPostgres("")
	if err != nil {
		t.Skip(err)
	}
	o := compareOptions{
		cfg:          gen.Config{Seed: 4, Relations: 2000},
		queries:      20,
		warmup:       1,
		systems:      []string{"ties-http-edges", "memory", "postgres", "postgres-edges"},
		limit:        100_000,
		maxDepth:     6,
		queryTimeout: 20 * time.Second,
		loadVia:      "load",
		pgBin:        bin,
		pgShared:     "32MB",
	}
	before, _ := filepath.Glob(filepath.Join(os.TempDir(), "tiesbench-pg-*"))
	rep, err := compare(context.Background(), discard(), o, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	pg := find(rep, "postgres")
	if pg == nil {
		t.Fatalf("postgres not measured: %+v", rep.Systems)
	}
	for _, k := range queryKinds {
		q := pg.Queries[k.Name]
		if q.Errors > 0 || q.Mismatches > 0 || q.N != o.queries {
			t.Errorf("postgres %s: %d timed, %d errors (%s), %d differ from the floor", k.Name, q.N, q.Errors, q.FirstError, q.Mismatches)
		}
	}
	for _, name := range []string{"postgres-edges", "ties-http-edges"} {
		s := find(rep, name)
		if s == nil {
			t.Fatalf("%s not measured: %+v", name, rep.Systems)
		}
		for _, k := range queryKinds {
			q := s.Queries[k.Name]
			if q.Errors > 0 || q.Mismatches > 0 || q.RelationMismatches > 0 || q.N != o.queries {
				t.Errorf("%s %s: %d timed, %d errors (%s), %d differ from the floor, %d in relations",
					name, k.Name, q.N, q.Errors, q.FirstError, q.Mismatches, q.RelationMismatches)
			}
			if k.Depth > 1 && q.MedianRelations == 0 {
				t.Errorf("%s %s: no relations counted", name, k.Name)
			}
		}
	}
	after, _ := filepath.Glob(filepath.Join(os.TempDir(), "tiesbench-pg-*"))
	for _, d := range after {
		if !slices.Contains(before, d) {
			t.Errorf("cluster directory left behind: %s", d)
		}
	}
}

// failing answers correctly until it is asked its n-th question, then
// fails every time, as a server does after a fatal timeout.
type failing struct {
	floor system
	asked int
	after int
}

func (f *failing) Name() string { return "failing" }
func (f *failing) Close() error { return nil }

func (f *failing) Neighborhood(ctx context.Context, id string, depth int) (int, error) {
	if f.asked++; f.asked > f.after {
		return 0, errors.New("connection closed")
	}
	return f.floor.Neighborhood(ctx, id, depth)
}

func (f *failing) ShortestPath(ctx context.Context, from, to string, maxDepth int) (int, error) {
	if f.asked++; f.asked > f.after {
		return 0, errors.New("connection closed")
	}
	return f.floor.ShortestPath(ctx, from, to, maxDepth)
}

// TestMeasureBoundsFailures checks that a system that starts failing is
// given up on after ten errors per query kind, and that the queries it was
// never asked are not compared with the floor.
func TestMeasureBoundsFailures(t *testing.T) {
	cfg := gen.Config{Seed: 5, Relations: 1000}
	g, err := newCSR(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	o := compareOptions{queries: 30, maxDepth: 6, queryTimeout: time.Second}
	work := newWorkload(g.plan, 5, o.queries, 0)
	f := &failing{floor: g, after: 15}
	rep := &Report{Systems: []SystemReport{
		measure(context.Background(), discard(), g, 0, o, work),
		measure(context.Background(), discard(), f, 0, o, work),
	}}
	crossCheck(rep)
	one := rep.Systems[1].Queries["1-hop"]
	if got, want := one.N, 15; got != want {
		t.Errorf("1-hop answered: got %d, want %d", got, want)
	}
	if got, want := one.Errors, 10; got != want {
		t.Errorf("1-hop errors: got %d, want %d (then stop)", got, want)
	}
	for _, k := range queryKinds {
		if q := rep.Systems[1].Queries[k.Name]; q.Mismatches != 0 {
			t.Errorf("%s: %d answers differ from the floor, want 0", k.Name, q.Mismatches)
		}
	}
	if q := rep.Systems[1].Queries["depth-2"]; q.N != 0 || q.Errors != 10 {
		t.Errorf("depth-2: got %d answered and %d errors, want 0 and 10", q.N, q.Errors)
	}
	var md bytes.Buffer
	writeMarkdown(&md, rep)
	if !strings.Contains(md.String(), "all 10 failed") {
		t.Errorf("report does not say the failing kinds failed:\n%s", md.String())
	}
}

// TestMeasureWarmsWithTheSameQueries checks that --warm runs every timed
// query once more, untimed, before timing it.
func TestMeasureWarmsWithTheSameQueries(t *testing.T) {
	cfg := gen.Config{Seed: 5, Relations: 1000}
	g, err := newCSR(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		warm bool
		want int
	}{
		{"Warm", true, 2 * 4 * 25},
		{"Cold", false, 4 * 25},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := compareOptions{queries: 25, maxDepth: 6, queryTimeout: time.Second, warmSame: tt.warm}
			work := newWorkload(g.plan, 5, o.queries, 0)
			f := &failing{floor: g, after: 1 << 30}
			sr := measure(context.Background(), discard(), f, 0, o, work)
			if got := f.asked; got != tt.want {
				t.Errorf("queries asked: got %d, want %d", got, tt.want)
			}
			if got, want := sr.Queries["depth-2"].N, 25; got != want {
				t.Errorf("timed depth-2 queries: got %d, want %d", got, want)
			}
		})
	}
}

func TestLoadRunCountsRequestsAndErrors(t *testing.T) {
	tests := []struct {
		name     string
		clients  int
		body     string
		wantErrs bool
	}{
		{"OK", 2, `{"data":{"entity":{"id":"enschede"}}}`, false},
		// One client drives its own connection (httpConn), not net/http's.
		{"OKOneConnection", 1, `{"data":{"entity":{"id":"enschede"}}}`, false},
		{"GraphQLError", 2, `{"errors":[{"message":"no","extensions":{"code":"NOT_FOUND"}}]}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			doc, _ := loadQuery("entity")
			pick := func(*rand.Rand) string { return "enschede" }
			res, err := loadRun(context.Background(), srv.URL+"/query", doc, tt.clients, 200*time.Millisecond, pick)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantErrs {
				if res.errors == 0 || res.requests != 0 {
					t.Errorf("got %d requests and %d errors, want only errors", res.requests, res.errors)
				}
				return
			}
			if res.requests == 0 || res.errors != 0 || len(res.latencies) != res.requests {
				t.Errorf("got %d requests, %d errors, %d latencies; want requests only, one latency each", res.requests, res.errors, len(res.latencies))
			}
		})
	}
}

func TestImportThenExportCommands(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"import", "--relations", "2000", "--seed", "3", "--data", dir}, os.Getenv, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	p, _ := gen.NewPlan(gen.Config{Seed: 3, Relations: 2000})
	if want := fmt.Sprintf("| graph.ndjson | %d |", p.Entities+2000); !strings.Contains(out.String(), want) {
		t.Errorf("import table lacks %q:\n%s", want, out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"export", "--data", dir, "--formats", "ndjson,graphml"}, os.Getenv, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"ndjson", "graphml"} {
		if want := fmt.Sprintf("| %s | %d | 2000 |", f, p.Entities); !strings.Contains(out.String(), want) {
			t.Errorf("export table lacks %q:\n%s", want, out.String())
		}
	}
}
