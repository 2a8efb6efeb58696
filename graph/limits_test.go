package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ties-graph/ties/graph"
)

// nest wraps inner in depth levels of an entity's neighbours.
func nest(depth, first int, inner string) string {
	q := inner
	for range depth {
		q = fmt.Sprintf("neighbors(first: %d) { edges { node { id %s } } }", first, q)
	}
	return `{ entity(id: "enschede") { ` + q + ` } }`
}

// hostile is a request meant to hurt: the test checks that it is refused
// with the code, that the answer stays small, and that the server still
// answers a normal query afterwards.
type hostile struct {
	name   string
	query  string         // sent as a JSON POST unless body is set
	vars   map[string]any // variables of query
	body   []byte         // a raw POST body
	status int
	code   string
}

// aliased repeats field n times under distinct aliases.
func aliased(n int, field string) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, " a%d: %s", i, field)
	}
	return b.String()
}

func hostileCorpus() []hostile {
	var aliases strings.Builder
	aliases.WriteString("{")
	for i := range 10_000 {
		fmt.Fprintf(&aliases, " a%d: entity(id: \"enschede\") { id }", i)
	}
	aliases.WriteString(" }")

	var fewAliases strings.Builder
	fewAliases.WriteString("{")
	for i := range 1_000 {
		fmt.Fprintf(&fewAliases, " a%d: __typename", i)
	}
	fewAliases.WriteString(" }")

	var bomb strings.Builder
	bomb.WriteString("{ entity(id: \"enschede\") { ...F30 } }\nfragment F0 on Entity { id name }\n")
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&bomb, "fragment F%d on Entity { ...F%d ...F%d }\n", i, i-1, i-1)
	}

	same := "{" + strings.Repeat(" __typename", 1_990) + " }"
	sameMerged := "{" + strings.Repeat(` entity(id: "enschede") { `+strings.Repeat(" id", 40)+" }", 40) + " }"
	directives := "{ __typename" + strings.Repeat(" @skip(if: false)", 5_000) + " }"
	deepList := "{ commonNeighbors(ids: " + strings.Repeat("[", 20_000) + strings.Repeat("]", 20_000) + ") { id } }"
	deepSelection := "{ entity(id: \"enschede\") { " + strings.Repeat("relations { edges { node { from { ", 40) + "id" + strings.Repeat(" } } } }", 40) + " } }"
	deepList = "{ commonNeighbors(ids: " + strings.Repeat("[", 2_000) + strings.Repeat("]", 2_000) + ") { id } }"
	introspection := "{ __schema { types { fields { type { fields { type { fields { type { fields { type { name } } } } } } } } } } }"

	ids := make([]any, 50_000)
	for i := range ids {
		ids[i] = fmt.Sprint(i)
	}

	return []hostile{
		{name: "NeighborsFirstMillionSixDeep", query: nest(6, 1_000_000, ""), code: "INVALID_ARGUMENT"},
		{name: "NeighborsFirst100SixDeep", query: nest(6, 100, ""), code: "TOO_COMPLEX"},
		{name: "TenThousandAliases", query: aliases.String(), code: "TOO_COMPLEX"},
		{name: "ThousandAliases", query: fewAliases.String(), code: "TOO_COMPLEX"},
		{name: "FragmentBomb", query: bomb.String(), code: "TOO_COMPLEX"},
		{name: "SameFieldRepeated", query: same, code: "TOO_COMPLEX"},
		{name: "SameFieldMergedAcrossParents", query: sameMerged, code: "TOO_COMPLEX"},
		{name: "DirectiveSpam", query: directives, code: "TOO_COMPLEX"},
		{name: "DeeplyNestedList", query: deepList, code: "GRAPHQL_PARSE_FAILED"},
		{name: "DeepSelection", query: deepSelection, code: "TOO_COMPLEX"},
		{name: "IntrospectionCycle", query: introspection, code: "GRAPHQL_VALIDATION_FAILED"},
		{name: "NeighborhoodDepth50", query: `{ neighborhood(id: "enschede", depth: 50) { truncated } }`, code: "INVALID_ARGUMENT"},
		{name: "NeighborhoodLimitHuge", query: `{ neighborhood(id: "enschede", limit: 100000000) { truncated } }`, code: "INVALID_ARGUMENT"},
		{name: "AllPathsHuge", query: `{ allPaths(from: "enschede", to: "dalian", maxDepth: 10, limit: 10000) { paths { nodes { id } } } }`, code: "TOO_COMPLEX"},
		{name: "FiftyThousandIDs", query: `query($ids: [ID!]!) { commonNeighbors(ids: $ids) { id } }`, vars: map[string]any{"ids": ids}, code: "INVALID_ARGUMENT"},
		{name: "ComponentOfEveryEntity", query: `{ entities(first: 100) { nodes { component } } }`, code: "TOO_COMPLEX"},
		{name: "TwentyCentralities", query: "{" + aliased(20, "centrality { nodes }") + " }", code: "TOO_COMPLEX"},
		{name: "NegativeFirst", query: `{ entities(first: -1) { totalCount } }`, code: "INVALID_ARGUMENT"},
		{name: "TwentyMiBBody", body: append(append([]byte(`{"query":"{ __typename }","x":"`), bytes.Repeat([]byte("a"), 20<<20)...), '"', '}'), status: http.StatusRequestEntityTooLarge, code: "TOO_LARGE"},
		{name: "BatchArray", body: []byte(`[{"query":"{ __typename }"},{"query":"{ __typename }"}]`), status: http.StatusBadRequest, code: "BAD_REQUEST"},
		{name: "NotJSON", body: []byte(`{"query": "{ __typename }"`), status: http.StatusBadRequest, code: "BAD_REQUEST"},
	}
}

func TestHostileQueries(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	const sizeBound = 16 << 10
	for _, h := range hostileCorpus() {
		t.Run(h.name, func(t *testing.T) {
			e := e.at(t)
			start := time.Now()
			var r *response
			if h.body != nil {
				r = e.do(http.MethodPost, "/query", "application/json", h.body, nil)
			} else {
				r = e.post(h.query, h.vars)
			}
			t.Logf("answered %d in %v (%d bytes)", r.Status, time.Since(start), len(r.Raw))
			status := h.status
			if status == 0 {
				status = http.StatusOK
			}
			if got, want := r.Status, status; got != want {
				t.Errorf("status: got %d, want %d: %.300s", got, want, r.Raw)
			}
			if got, want := r.Code(), h.code; got != want {
				t.Errorf("code: got %q, want %q: %.300s", got, want, r.Raw)
			}
			if h.code != "" && r.HasData {
				t.Errorf("a refused request carries data: %.300s", r.Raw)
			}
			if len(r.Raw) > sizeBound {
				t.Errorf("response of %d bytes, more than %d", len(r.Raw), sizeBound)
			}
			var d struct{ Entity struct{ Name string } }
			e.ok(`{ entity(id: "enschede") { name } }`, nil, &d)
			if got, want := d.Entity.Name, "Enschede"; got != want {
				t.Errorf("next query: got %q, want %q", got, want)
			}
		})
	}
}

// A body announced as over the limit is refused before it is read; one
// without a length is cut off at the limit.
func TestBodyLimit(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{Limits: graph.Limits{BodyBytes: 1024}})
	big := `{"query":"{ __typename }","pad":"` + strings.Repeat("x", 4096) + `"}`
	t.Run("ContentLength", func(t *testing.T) {
		r := e.at(t).do(http.MethodPost, "/query", "application/json", []byte(big), nil)
		if got, want := r.Status, http.StatusRequestEntityTooLarge; got != want {
			t.Errorf("status: got %d, want %d", got, want)
		}
	})
	t.Run("Chunked", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodPost, e.url+"/query", io.MultiReader(strings.NewReader(big)))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if got, want := res.StatusCode, http.StatusRequestEntityTooLarge; got != want {
			t.Errorf("status: got %d, want %d", got, want)
		}
		var body struct{ Errors []gqlError }
		if err := json.NewDecoder(res.Body).Decode(&body); err != nil || len(body.Errors) == 0 || body.Errors[0].Extensions["code"] != "TOO_LARGE" {
			t.Errorf("body: %+v, %v", body, err)
		}
	})
	t.Run("UnderTheLimit", func(t *testing.T) {
		r := e.at(t).post(`{ __typename }`, nil)
		if got, want := string(r.Data), `{"__typename":"Query"}`; got != want {
			t.Errorf("got %s, want %s", r.Raw, want)
		}
	})
}

// Each limit is configurable, and a negative value turns it off.
func TestLimitsConfigurable(t *testing.T) {
	q := nest(3, 5, "")
	for _, tc := range []struct {
		name   string
		limits graph.Limits
		code   string
	}{
		{"Defaults", graph.Limits{}, ""},
		{"LowComplexity", graph.Limits{Complexity: 10}, "TOO_COMPLEX"},
		{"ComplexityOff", graph.Limits{Complexity: -1, MaxFirst: -1}, ""},
		{"LowDepth", graph.Limits{Depth: 3}, "TOO_COMPLEX"},
		{"LowTokens", graph.Limits{Tokens: 10}, "TOO_COMPLEX"},
		{"LowFields", graph.Limits{Fields: 5}, "TOO_COMPLEX"},
		{"LowMaxFirst", graph.Limits{MaxFirst: 4}, "INVALID_ARGUMENT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, graph.ServerConfig{Limits: tc.limits})
			r := e.post(q, nil)
			if got, want := r.Code(), tc.code; got != want {
				t.Errorf("code: got %q, want %q: %.300s", got, want, r.Raw)
			}
		})
	}
}
