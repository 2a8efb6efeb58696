package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/ties-graph/ties/graph"
	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/gen"
	"github.com/ties-graph/ties/store/storetest"
)

// TestDirectQuery requires an operation whose one root field is the
// dashboard's neighbourhood, answered without gqlgen's dispatch of the
// operation (directquery.go), to be answered byte for byte as gqlgen's
// path answers it, status and headers included: each query is sent as it
// is and again with `validAt: null` (an argument the direct paths leave
// to gqlgen, which changes nothing), over POST and GET, in both media
// types, for every shape the writer knows and for errors.
func TestDirectQuery(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	selections := map[string]string{
		"Nodes":     `{ truncated nodes { id name type } }`,
		"Edges":     `{ nodes { id name type } edges { fromId toId type } }`,
		"NodeLink":  `{ nodeLink }`,
		"EdgeIDs":   `{ __typename edges { __typename id type } t: truncated }`,
		"Fragments": `{ ...F } fragment F on Subgraph { nodes { i: id ... on Entity { name } } }`,
	}
	cases := []struct {
		name, decl, field, args string
		vars                    map[string]any
	}{
		{"Defaults", "", "neighborhood", `id: "enschede"`, nil},
		{"Alias", "", `partners: neighborhood`, `id: "enschede", depth: 2`, nil},
		{"Literals", "", "neighborhood", `id: "enschede", depth: 2, limit: 3`, nil},
		{"Variables", "($id: ID!, $depth: Int)", "neighborhood", `id: $id, depth: $depth`, map[string]any{"id": "enschede", "depth": 2}},
		{"VariableDefault", "($depth: Int = 2)", "neighborhood", `id: "enschede", depth: $depth`, nil},
		{"Nulls", "", "neighborhood", `id: "enschede", depth: null, limit: null, types: null, direction: null, datedOnly: null`, nil},
		{"TypesOut", "", "neighborhood", `id: "enschede", types: ["SISTER_CITY_OF", "MEMBER_OF"], direction: OUT, depth: 2`, nil},
		{"EntityTypesDated", "", "neighborhood", `id: "enschede", entityTypes: ["City"], datedOnly: true, depth: 2`, nil},
		{"Heavy", "", "neighborhood", `id: "enschede", depth: 3`, nil},
		{"ErrNotFound", "", "neighborhood", `id: "nobody"`, nil},
		{"ErrUnknownType", "", "neighborhood", `id: "enschede", types: ["NO_SUCH_TYPE"]`, nil},
		{"ErrDepth", "", "neighborhood", `id: "enschede", depth: -1`, nil},
	}
	media := []string{"", "application/graphql-response+json"}
	for _, c := range cases {
		for sname, sel := range selections {
			t.Run(c.name+"/"+sname, func(t *testing.T) {
				e := e.at(t)
				query := func(extra string) string {
					body, fragments, _ := strings.Cut(sel, " fragment ")
					q := `query Q` + c.decl + ` { ` + c.field + `(` + c.args + extra + `) ` + body + ` }`
					if fragments != "" {
						q += " fragment " + fragments
					}
					return q
				}
				for _, accept := range media {
					for _, method := range []string{http.MethodPost, http.MethodGet} {
						direct := e.send(method, accept, query(""), c.vars)
						slow := e.send(method, accept, query(", validAt: null"), c.vars)
						if direct.Status != slow.Status || string(direct.Raw) != string(slow.Raw) {
							t.Errorf("%s, Accept %q:\n got %d %s\nwant %d %s", method, accept, direct.Status, direct.Raw, slow.Status, slow.Raw)
						}
						for _, h := range []string{"Content-Type", "Content-Length", "Cache-Control", "Retry-After"} {
							if got, want := direct.Header.Get(h), slow.Header.Get(h); got != want {
								t.Errorf("%s, Accept %q: %s %q, want %q", method, accept, h, got, want)
							}
						}
						if wantErr := strings.HasPrefix(c.name, "Err"); wantErr != (len(direct.Errors) > 0) {
							t.Errorf("%s: errors %v, want some: %v", method, direct.Errors, wantErr)
						}
					}
				}
			})
		}
	}
}

// send sends a query by method (POST with a JSON body, or GET) with the
// Accept header accept ("" for none).
func (e *env) send(method, accept, query string, vars map[string]any) *response {
	e.t.Helper()
	h := http.Header{}
	if accept != "" {
		h.Set("Accept", accept)
	}
	if method == http.MethodGet {
		q := url.Values{"query": {query}}
		if vars != nil {
			b, _ := json.Marshal(vars)
			q.Set("variables", string(b))
		}
		return e.do(method, "/query?"+q.Encode(), "", nil, h)
	}
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		e.t.Fatal(err)
	}
	return e.do(method, "/query", "application/json", body, h)
}

// TestLargeAnswers holds the answers of large neighbourhoods on a
// power-law graph (written from lent buffers, and sent in parts past
// 32 KiB) to gqlgen's own marshaling of the same subgraph (`where: []`,
// which no direct path takes): alone (directQuery), with `validAt: null`
// (gqlgen's path, the neighbourhood spliced into its data) and twice in
// one operation (two splices).
func TestLargeAnswers(t *testing.T) {
	st := storetest.OpenWith(t, store.Options{})
	cfg := gen.Config{Seed: 1, Relations: 20_000, GlobalShare: 1}
	if _, err := st.Load(context.Background(), gen.Source(cfg), store.LoadOptions{Source: "generated"}); err != nil {
		t.Fatal(err)
	}
	plan, err := gen.NewPlan(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, st, graph.ServerConfig{Limits: graph.Limits{Complexity: -1, MaxLimit: -1}})
	sels := []string{
		`{ truncated nodes { id name type } }`,
		`{ nodes { id name type } edges { fromId toId type } }`,
		`{ nodeLink }`,
	}
	large := 0
	for i := range 12 {
		vars := map[string]any{"id": plan.EntityID(i)}
		for _, sel := range sels {
			field := func(alias, extra string) string {
				return alias + `neighborhood(id: $id, depth: 2, limit: 100000` + extra + `) ` + sel
			}
			ask := func(fields ...string) *response {
				t.Helper()
				r := e.post(`query ($id: ID!) { `+strings.Join(fields, " ")+` }`, vars)
				if r.Status != http.StatusOK || len(r.Errors) > 0 {
					t.Fatalf("status %d: %.300s", r.Status, r.Raw)
				}
				return r
			}
			want := ask(field("", ", where: []"))
			if len(want.Raw) > 32<<10 {
				large++
			}
			wantBoth := ask(field("a: ", ", where: []"), field("b: ", ", where: []"))
			check := func(name string, got, want *response) {
				t.Helper()
				if !bytes.Equal(got.Raw, want.Raw) {
					t.Errorf("%s, %s, %s: %d bytes differ from gqlgen's %d", vars["id"], sel, name, len(got.Raw), len(want.Raw))
				}
				if got, want := got.Header.Get("Content-Length"), strconv.Itoa(len(want.Raw)); got != want {
					t.Errorf("%s, %s, %s: Content-Length %s, want %s", vars["id"], sel, name, got, want)
				}
			}
			check("alone", ask(field("", "")), want)
			check("validAt", ask(field("", ", validAt: null")), want)
			check("both", ask(field("a: ", ""), field("b: ", ", validAt: null")), wantBoth)
		}
	}
	if large == 0 {
		t.Fatal("no answer was over 32 KiB: the graph is too small to test the parts")
	}
}
