package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/storetest"
)

// A panic in a resolver is logged with its stack and answered as an
// internal error; the server goes on answering.
func TestPanicRecovered(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	h := newGraphQLHandler(storetest.Open(t), logger, DefaultLimits(), handlerOptions{introspection: true, loaderWait: time.Millisecond})
	srv, ok := h.(*handler.Server)
	if !ok {
		t.Fatalf("handler is %T, want *handler.Server", h)
	}
	srv.AroundFields(func(ctx context.Context, next graphql.Resolver) (any, error) {
		if graphql.GetFieldContext(ctx).Field.Name == "entity" {
			panic("resolver exploded")
		}
		return next(ctx)
	})
	ask := func(query string) map[string]any {
		t.Helper()
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/query", strings.NewReader(`{"query":`+strconvQuote(query)+`}`))
		req.Header.Set("Content-Type", "application/json")
		srv.ServeHTTP(rec, req)
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("response %q: %v", rec.Body.String(), err)
		}
		return out
	}
	out := ask(`{ entity(id: "enschede") { id } }`)
	errs, _ := out["errors"].([]any)
	if len(errs) != 1 {
		t.Fatalf("errors: %v", out)
	}
	e := errs[0].(map[string]any)
	if got, want := e["message"], "internal error"; got != want {
		t.Errorf("message: got %v, want %v", got, want)
	}
	if got, want := e["extensions"].(map[string]any)["code"], "INTERNAL"; got != want {
		t.Errorf("code: got %v, want %v", got, want)
	}
	if !strings.Contains(logs.String(), "resolver exploded") || !strings.Contains(logs.String(), "stack=") {
		t.Errorf("the panic was not logged with its stack:\n%s", logs.String())
	}
	if out := ask(`{ __typename }`); out["data"] == nil {
		t.Errorf("after a panic: %v", out)
	}
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestResponseMedia(t *testing.T) {
	for _, tc := range []struct {
		accept string
		media  string
		ok     bool
	}{
		{"", mediaJSON, true},
		{"application/json", mediaJSON, true},
		{"*/*", mediaJSON, true},
		{"application/*", mediaJSON, true},
		{"application/graphql-response+json", mediaGraphQLResponse, true},
		{"text/html, application/graphql-response+json;q=0.9", mediaGraphQLResponse, true},
		{"application/json;q=0, application/graphql-response+json", mediaGraphQLResponse, true},
		{"text/html", "", false},
		{"garbage;;", "", false},
	} {
		t.Run(tc.accept, func(t *testing.T) {
			media, ok := responseMedia(tc.accept)
			if media != tc.media || ok != tc.ok {
				t.Errorf("responseMedia(%q) = %q, %v; want %q, %v", tc.accept, media, ok, tc.media, tc.ok)
			}
		})
	}
}

func TestMeasure(t *testing.T) {
	for _, tc := range []struct {
		name  string
		query string
		want  measurement
	}{
		{"Flat", `{ a b c }`, measurement{depth: 1, fields: 3}},
		{"Nested", `{ a { b { c } } }`, measurement{depth: 3, fields: 3}},
		{"Aliases", `{ x: a y: a a }`, measurement{depth: 1, fields: 3, aliases: 2}},
		{"Fragment", `{ a { ...F } } fragment F on T { b { c } }`, measurement{depth: 3, fields: 3}},
		{"InlineFragment", `{ a { ... on T { b } } }`, measurement{depth: 2, fields: 2}},
		{"FragmentTwice", `{ a { ...F ...F } } fragment F on T { b c }`, measurement{depth: 2, fields: 5}},
		{"Cycle", `{ a { ...F } } fragment F on T { b ...F }`, measurement{depth: 2, fields: 2}},
		{"Introspection", `{ __schema { types { fields { name } } } }`, measurement{depth: 1, fields: 1}},
		{"WorstOperation", `query A { a } query B { a { b { c } } d }`, measurement{depth: 3, fields: 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := parser.ParseQuery(&ast.Source{Input: tc.query})
			if err != nil {
				t.Fatal(err)
			}
			if got := measure(doc); got != tc.want {
				t.Errorf("measure: got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestMostRepeated(t *testing.T) {
	for _, tc := range []struct {
		name  string
		query string
		field string
		count int
	}{
		{"Distinct", `{ a b c }`, "a", 1},
		{"Repeated", `{ a b a a }`, "a", 3},
		{"AliasIsTheName", `{ x: a x: b a }`, "x", 2},
		{"MergedChildren", `{ a { b } a { b } a { c } }`, "a", 3},
		{"MergedGrandchildren", `{ a { b b } a { b b b } }`, "b", 5},
		{"ThroughFragments", `{ ...F ...F ...F } fragment F on Q { z }`, "z", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := parser.ParseQuery(&ast.Source{Input: tc.query})
			if err != nil {
				t.Fatal(err)
			}
			field, count, ok := mostRepeated(doc, 1000)
			if !ok || field != tc.field || count != tc.count {
				t.Errorf("mostRepeated: got %q %d %v, want %q %d", field, count, ok, tc.field, tc.count)
			}
		})
	}
	t.Run("Budget", func(t *testing.T) {
		doc, err := parser.ParseQuery(&ast.Source{Input: `{ a b c d e }`})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, ok := mostRepeated(doc, 3); ok {
			t.Errorf("mostRepeated went over its budget of 3 fields")
		}
	})
}

func TestNodeLink(t *testing.T) {
	g := &store.Subgraph{
		Nodes: []*store.Entity{{ID: "a", Type: "City", Name: `A "quoted" <city>`}, {ID: "b", Type: "City", Name: "B"}},
		Edges: []*store.Relation{{ID: "r1", Type: "SISTER_CITY_OF", From: "a", To: "b", ValidFrom: store.MustParseDate("2017-07")}},
	}
	var got struct {
		Nodes []struct{ ID, Type, Name string }
		Links []struct {
			ID, Type, Source, Target string
			ValidFrom, ValidTo       *string
		}
		Truncated bool
	}
	b := nodeLink(g)
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("nodeLink is not JSON: %v\n%s", err, b)
	}
	if got.Nodes[0].Name != g.Nodes[0].Name || len(got.Nodes) != 2 {
		t.Errorf("nodes: %+v", got.Nodes)
	}
	l := got.Links[0]
	if l.Source != "a" || l.Target != "b" || l.ValidFrom == nil || *l.ValidFrom != "2017-07" || l.ValidTo != nil {
		t.Errorf("link: %+v", l)
	}
}

// FuzzCheckDocument checks that the document limits never panic and that
// a document they accept is within them.
func FuzzCheckDocument(f *testing.F) {
	for _, s := range []string{
		`{ a }`, `{ a { b { c } } }`, `{ x: a y: a }`, `{ ...F } fragment F on Q { a ...F }`,
		`query A { a } query B { b }`, `{ a(x: [[[1]]]) }`, `{ a @skip(if: true) }`, `{`,
	} {
		f.Add(s)
	}
	l := newLimiter(Limits{Depth: 5, Tokens: 200, Fields: 50, Aliases: 5}.withDefaults(), true, false)
	f.Fuzz(func(t *testing.T, q string) {
		if l.checkDocument(q) != nil {
			return
		}
		doc, err := parser.ParseQuery(&ast.Source{Input: q})
		if err != nil {
			return
		}
		m := measure(doc)
		if m.depth > 5 || m.fields > 50 || m.aliases > 5 {
			t.Fatalf("accepted %q measuring %+v", q, m)
		}
		if _, n, ok := mostRepeated(doc, 100); ok && n > maxSameName {
			t.Fatalf("accepted %q repeating a name %d times", q, n)
		}
	})
}

// FuzzRequestBody checks that any POST body is either read into
// parameters or refused with a client error, never a panic.
func FuzzRequestBody(f *testing.F) {
	for _, s := range []string{
		`{"query":"{ a }"}`, `{"query":"{ a }","variables":{"x":1},"operationName":"A","extensions":{}}`,
		`{"query":1}`, `[]`, `{"query":null,"extensions":{"persistedQuery":{}}}`, ``, `{"query":"a"} {}`,
	} {
		f.Add([]byte(s))
	}
	tr := httpTransport{maxBody: 1 << 10}
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/query", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		p, status, err := tr.paramsFromBody(httptest.NewRecorder(), req)
		switch {
		case err == nil && p == nil:
			t.Fatalf("no parameters and no error for %q", body)
		case err != nil && status != http.StatusBadRequest && status != http.StatusRequestEntityTooLarge:
			t.Fatalf("status %d for %q", status, body)
		}
	})
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "enschede", "Münster", `say "hi"`, "back\\slash", "tab\there", "<&>", "\xff\xfe", "恩斯赫德"} {
		var b bytes.Buffer
		appendJSONString(&b, s)
		want, _ := json.Marshal(s)
		if got := b.String(); got != string(want) {
			t.Errorf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	}
}

// Entity and relation loads below lists and across aliases are batched:
// a page of relations with both ends, or twenty aliased lookups, cost one
// store read.
func TestLoadsAreBatched(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	if _, err := st.Apply(ctx, store.Batch{
		Entities: []store.Entity{
			{ID: "hub", Type: "City", Name: "Hub"},
			{ID: "a", Type: "City", Name: "A"}, {ID: "b", Type: "City", Name: "B"}, {ID: "c", Type: "City", Name: "C"},
		},
		Relations: []store.Relation{
			{ID: "r1", Type: "SISTER_CITY_OF", From: "hub", To: "a"},
			{ID: "r2", Type: "SISTER_CITY_OF", From: "hub", To: "b"},
			{ID: "r3", Type: "COOPERATES_WITH", From: "c", To: "hub"},
		},
	}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var entityReads, relationReads, keys int
	f := storeFinders(st)
	counting := finders{
		entities: func(ctx context.Context, ids []string, ro store.ReadOptions) ([]*store.Entity, error) {
			mu.Lock()
			entityReads++
			keys += len(ids)
			mu.Unlock()
			return f.entities(ctx, ids, ro)
		},
		relations: func(ctx context.Context, ids []string, ro store.ReadOptions) ([]*store.Relation, error) {
			mu.Lock()
			relationReads++
			mu.Unlock()
			return f.relations(ctx, ids, ro)
		},
	}
	// A generous wait, so that every key of a round joins its batch even
	// on a machine too busy to start the resolvers promptly.
	const wait = 200 * time.Millisecond
	h := newGraphQLHandler(st, slog.New(slog.DiscardHandler), DefaultLimits(), handlerOptions{introspection: true, loaderWait: wait})
	srv := h.(*handler.Server)
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		return next(context.WithValue(ctx, loadersKey{}, newLoaders(counting, wait)))
	})
	ask := func(t *testing.T, query string) string {
		t.Helper()
		mu.Lock()
		entityReads, relationReads, keys = 0, 0, 0
		mu.Unlock()
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/query", strings.NewReader(`{"query":`+strconvQuote(query)+`}`))
		req.Header.Set("Content-Type", "application/json")
		srv.ServeHTTP(rec, req)
		if strings.Contains(rec.Body.String(), `"errors"`) {
			t.Fatalf("%s", rec.Body.String())
		}
		return rec.Body.String()
	}
	t.Run("PageOfRelationsIsPrimed", func(t *testing.T) {
		ask(t, `{ entity(id: "hub") { relations { edges { node { from { name } to { name } } } } } }`)
		if entityReads != 0 {
			t.Errorf("ends of a page: %d entity reads, want 0 (the page primes them)", entityReads)
		}
	})
	t.Run("RelationsByIDOneRead", func(t *testing.T) {
		body := ask(t, `{ x: relation(id: "r1") { from { name } to { name } } y: relation(id: "r2") { from { name } to { name } }
		  z: relation(id: "r3") { from { name } to { name } } }`)
		if relationReads != 1 {
			t.Errorf("three aliased relations: %d relation reads, want 1", relationReads)
		}
		if entityReads != 1 || keys != 4 {
			t.Errorf("their ends: %d entity reads of %d keys, want 1 read of 4 distinct keys", entityReads, keys)
		}
		if !strings.Contains(body, `"name":"C"`) {
			t.Errorf("answer: %s", body)
		}
	})
	t.Run("AliasedEntitiesOneRead", func(t *testing.T) {
		ask(t, `{ a: entity(id: "a") { name } b: entity(id: "b") { name } c: entity(id: "c") { name } none: entity(id: "zzz") { name } }`)
		if entityReads != 1 || keys != 4 {
			t.Errorf("four aliased entities: %d reads of %d keys, want 1 of 4", entityReads, keys)
		}
	})
}

// TestTypeSeriesBounded checks that the per-type gauges stay at
// maxTypeSeries+1 series however many types there are, that the rest are
// summed, and that type names are escaped as the exposition format wants.
func TestTypeSeriesBounded(t *testing.T) {
	for _, n := range []int{0, 1, maxTypeSeries, maxTypeSeries + 1, 5000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			var counts []store.TypeCount
			total := 0
			for i := range n {
				tc := store.TypeCount{Type: fmt.Sprintf("T%05d", i), Count: i + 1}
				counts = append(counts, tc)
				total += tc.Count
			}
			var b strings.Builder
			typeSeries(&b, "ties_entities", counts)
			lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
			if b.Len() == 0 {
				lines = nil
			}
			want := min(n, maxTypeSeries)
			if n > maxTypeSeries {
				want++
			}
			if len(lines) != want {
				t.Fatalf("%d series, want %d:\n%s", len(lines), want, b.String())
			}
			sum := 0
			for _, l := range lines {
				v, err := strconv.Atoi(l[strings.LastIndexByte(l, ' ')+1:])
				if err != nil {
					t.Fatalf("%q: %v", l, err)
				}
				sum += v
			}
			if sum != total {
				t.Errorf("series add up to %d, want %d", sum, total)
			}
			// The largest types keep their series: the smallest,
			// T00000, goes into the rest.
			if n > maxTypeSeries && (strings.Contains(b.String(), `"T00000"`) || !strings.Contains(b.String(), `"`+otherTypes+`"`)) {
				t.Errorf("want the smallest type in %q:\n%s", otherTypes, b.String())
			}
		})
	}
	var b strings.Builder
	typeSeries(&b, "ties_entities", []store.TypeCount{{Type: "A\"B\\C\nD", Count: 1}})
	if got, want := b.String(), `ties_entities{type="A\"B\\C\nD"} 1`+"\n"; got != want {
		t.Errorf("escaped: got %q, want %q", got, want)
	}
}
