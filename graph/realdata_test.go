package graph_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"os"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/ties-graph/ties/graph"
	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/exchange"
	"github.com/ties-graph/ties/store/storetest"
)

// friendship is one row of the LDBC knows file: two persons and the day
// they became friends.
type friendship struct{ a, b, since string }

// TestAnswersOnLDBCKnows imports LDBC's 825 friendships, dated, the way a
// user would (POST /import, a relations CSV and its type), and checks the
// answers to neighbourhoods, valid-time filters, paths and components
// against a breadth-first search written here over the source file. A
// wider comparison with NetworkX over four data sets agreed with these
// answers; this keeps the part that needs no Python.
func TestAnswersOnLDBCKnows(t *testing.T) {
	rows := readKnows(t)
	st := storetest.OpenWith(t, store.Options{})
	e := newEnvWith(t, st, graph.ServerConfig{Import: exchange.ImportHandler(st, nil)})
	importKnows(t, e, rows)

	rng := rand.New(rand.NewPCG(1, 2))
	persons := knownPersons(rows)
	for range 25 {
		start := persons[rng.IntN(len(persons))]
		for _, validAt := range []string{"", "2010", "2010-06", "2011-01-15", "2012"} {
			for depth := 1; depth <= 3; depth++ {
				name := fmt.Sprintf("%s/depth%d/validAt=%s", start, depth, validAt)
				want := reach(rows, start, depth, validAt)
				vars := map[string]any{"id": start, "depth": depth}
				if validAt != "" {
					vars["validAt"] = validAt
				}
				var got struct {
					Neighborhood struct {
						Truncated bool
						Nodes     []struct{ ID string }
					}
				}
				e.ok(`query($id: ID!, $depth: Int, $validAt: Date) {
					neighborhood(id: $id, depth: $depth, validAt: $validAt, types: ["KNOWS"], limit: 1000) { truncated nodes { id } } }`, vars, &got)
				var ids []string
				for _, n := range got.Neighborhood.Nodes {
					ids = append(ids, n.ID)
				}
				if got.Neighborhood.Truncated || !sameSet(ids, want) {
					t.Errorf("%s: got %d entities (truncated %v), want %d", name, len(ids), got.Neighborhood.Truncated, len(want))
				}
			}
		}
	}
	for range 25 {
		from, to := persons[rng.IntN(len(persons))], persons[rng.IntN(len(persons))]
		want := distance(rows, from, to)
		var got struct{ Path *struct{ Length int } }
		e.ok(`query($from: ID!, $to: ID!) { path(from: $from, to: $to, types: ["KNOWS"], maxDepth: 10) { length } }`,
			map[string]any{"from": from, "to": to}, &got)
		switch {
		case want < 0 && got.Path != nil:
			t.Errorf("path %s–%s: got length %d, want none", from, to, got.Path.Length)
		case want >= 0 && (got.Path == nil || got.Path.Length != want):
			t.Errorf("path %s–%s: got %+v, want length %d", from, to, got.Path, want)
		}
	}
	var got struct{ Components struct{ Count, Largest int } }
	e.ok(`{ components(types: ["KNOWS"], entityTypes: ["Person"]) { count largest } }`, nil, &got)
	count, largest := components(rows, persons)
	if got.Components.Count != count || got.Components.Largest != largest {
		t.Errorf("components: got %+v, want count %d, largest %d", got.Components, count, largest)
	}
}

func readKnows(t *testing.T) []friendship {
	t.Helper()
	// The LDBC Social Network Benchmark's friendship file in the real
	// data beside the repository (see its README).
	ldbcKnows := storetest.Shared(t, "data", "ldbc-snb-sf0.003", "vanilla", "dynamic", "person_knows_person_0_0.csv")
	f, err := os.Open(ldbcKnows)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = '|'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var rows []friendship
	for _, rec := range recs[1:] {
		ms, err := strconv.ParseInt(rec[2], 10, 64)
		if err != nil {
			t.Fatalf("%s: creationDate %q: %v", ldbcKnows, rec[2], err)
		}
		// LDBC counts milliseconds since 1970; the friendship began that
		// day in UTC, as examples/ldbc_snb_to_ndjson.py converts it.
		since := time.UnixMilli(ms).UTC().Format(time.DateOnly)
		rows = append(rows, friendship{"p" + rec[0], "p" + rec[1], since})
	}
	return rows
}

// importKnows sends the friendships as examples/README.md shows: a
// relations CSV and an NDJSON file declaring KNOWS, in one multipart
// upload.
func importKnows(t *testing.T, e *env, rows []friendship) {
	t.Helper()
	var csvBody bytes.Buffer
	w := csv.NewWriter(&csvBody)
	w.Write([]string{"from", "to", "type", "fromType", "toType", "validFrom"})
	for _, r := range rows {
		w.Write([]string{r.a, r.b, "KNOWS", "Person", "Person", r.since})
	}
	w.Flush()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, part := range []struct{ name, content string }{
		{"knows-type.ndjson", `{"kind":"relationType","name":"KNOWS","inverse":"KNOWS","symmetric":true,"from":["Person"],"to":["Person"]}` + "\n"},
		{"knows.csv", csvBody.String()},
	} {
		fw, err := mw.CreateFormFile("file", part.name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(fw, part.content)
	}
	mw.Close()
	r := e.do(http.MethodPost, "/import", mw.FormDataContentType(), body.Bytes(), http.Header{"X-Ties-Client": {"test"}})
	if r.Status != http.StatusOK {
		t.Fatalf("import: %d %s", r.Status, r.Raw)
	}
}

func knownPersons(rows []friendship) []string {
	seen := map[string]bool{}
	for _, r := range rows {
		seen[r.a], seen[r.b] = true, true
	}
	var out []string
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// heldAt reports whether a friendship begun on since (a day) held at
// validAt, a partial date: it began by validAt's last day. It has no end.
func heldAt(since, validAt string) bool {
	if validAt == "" {
		return true
	}
	last := validAt
	switch len(validAt) {
	case 4:
		last += "-12-31"
	case 7:
		last += "-31" // days are compared as text; no day is past the 31st
	}
	return since <= last
}

// reach is the set of persons within depth friendships of start that held
// at validAt, start included.
func reach(rows []friendship, start string, depth int, validAt string) []string {
	adj := map[string][]string{}
	for _, r := range rows {
		if heldAt(r.since, validAt) {
			adj[r.a] = append(adj[r.a], r.b)
			adj[r.b] = append(adj[r.b], r.a)
		}
	}
	dist := map[string]int{start: 0}
	frontier := []string{start}
	for d := 1; d <= depth; d++ {
		var next []string
		for _, u := range frontier {
			for _, v := range adj[u] {
				if _, ok := dist[v]; !ok {
					dist[v] = d
					next = append(next, v)
				}
			}
		}
		frontier = next
	}
	var out []string
	for p := range dist {
		out = append(out, p)
	}
	return out
}

// distance is the number of friendships on a shortest chain from a to b,
// or -1 when none joins them.
func distance(rows []friendship, a, b string) int {
	for d := 0; d <= len(rows); d++ {
		r := reach(rows, a, d, "")
		if slices.Contains(r, b) {
			return d
		}
		if len(r) == len(reach(rows, a, d+1, "")) {
			return -1
		}
	}
	return -1
}

// components counts the connected components of the friendship graph
// over persons and the size of the largest.
func components(rows []friendship, persons []string) (count, largest int) {
	seen := map[string]bool{}
	for _, p := range persons {
		if seen[p] {
			continue
		}
		c := reach(rows, p, len(persons), "")
		for _, q := range c {
			seen[q] = true
		}
		count++
		largest = max(largest, len(c))
	}
	return count, largest
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
