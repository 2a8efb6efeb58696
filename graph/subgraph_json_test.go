package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ties-graph/ties/graph"
	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/storetest"
)

// TestNeighborhoodHeadsResponse requires the neighbourhoods the server
// writes itself (subgraph_json.go) to be byte for byte what gqlgen writes
// for the same selection. Each query is sent as it is, and again with
// one more field, `zzz: nodes { description }`, which the server does not
// write itself, so that gqlgen answers it; the two must agree on every
// field but zzz.
func TestNeighborhoodHeadsResponse(t *testing.T) {
	st := storetest.Open(t)
	loadFounding(t, st)
	// Names that need quoting, and a tie between them, reach Enschede.
	_, err := st.Apply(context.Background(), store.Batch{
		Entities: []store.Entity{
			{ID: "quoted", Type: "Organization", Name: "The \"Quoted\" \\ Co.\n\tLtd \u0001 Zoë 恩斯赫德"},
			{ID: "plain", Type: "Organization", Name: "Plain"},
			{ID: "q\"id\\ é", Type: "Organization", Name: "Escaped id"},
		},
		Relations: []store.Relation{
			{ID: "q-e", Type: "LOCATED_IN", From: "quoted", To: "enschede"},
			{ID: "q-p", Type: "COOPERATES_WITH", From: "quoted", To: "plain"},
			{ID: "r\"q\u2028", Type: "COOPERATES_WITH", From: "q\"id\\ é", To: "quoted"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, st, graph.ServerConfig{})
	args := `id: "enschede", depth: $depth, limit: $limit`
	queries := []string{
		`nodes { id name type } edges { fromId toId type } truncated`,
		`nodes { id }`,
		`truncated edges { id type fromId toId }`,
		`__typename t: truncated nodes { ...E __typename } edges { id i2: id type fromId toId __typename } fragment`,
		`nodes { ... on Node { id } name } nodes { type }`,
		`nodes { id name @include(if: $on) type @skip(if: $on) } edges @include(if: $on) { fromId }`,
		`nodes @skip(if: $on) { id } edges { type }`,
		`nodeLink`,
		`truncated nodes { id } chart: nodeLink`,
	}
	for _, sel := range queries {
		frag := ""
		if strings.HasSuffix(sel, " fragment") {
			sel = strings.TrimSuffix(sel, " fragment")
			frag = ` fragment E on Entity { id nm: name type }`
		}
		for _, depth := range []int{1, 2, 3} {
			for _, limit := range []int{500, 3, 0} {
				for _, on := range []bool{true, false} {
					vars := map[string]any{"depth": depth, "limit": limit}
					decl := ""
					if strings.Contains(sel, "$on") {
						vars["on"], decl = on, ", $on: Boolean!"
					}
					head := `query($depth: Int!, $limit: Int!` + decl + `) { neighborhood(` + args + `) { `
					fast := e.post(head+sel+` } }`+frag, vars)
					slow := e.post(head+sel+` zzz: nodes { description } } }`+frag, vars)
					if len(fast.Errors) > 0 || len(slow.Errors) > 0 {
						t.Fatalf("%s: errors %v / %v", sel, fast.Errors, slow.Errors)
					}
					got, want := neighborhoodFields(t, fast.Data), neighborhoodFields(t, slow.Data)
					delete(want, "zzz")
					if len(got) != len(want) {
						t.Fatalf("%s depth %d limit %d: fields %v, want %v", sel, depth, limit, keys(got), keys(want))
					}
					for k, w := range want {
						if !bytes.Equal(got[k], w) {
							t.Fatalf("%s depth %d limit %d on %v: %s:\n got %s\nwant %s", sel, depth, limit, on, k, got[k], w)
						}
					}
					if depth == 3 && limit == 500 && sel == queries[0] && !bytes.Contains(fast.Raw, []byte(`The \"Quoted\" \\ Co.\n\tLtd \u0001 Zoë 恩斯赫德`)) {
						t.Fatalf("%s: the quoted name is missing or quoted differently:\n%s", sel, fast.Raw)
					}
				}
			}
		}
	}

	// The filters are the resolver's either way.
	for _, a := range []string{
		`id: "enschede", depth: 2, direction: OUT, types: ["SISTER_CITY_OF", "LOCATED_IN", "MEMBER_OF"]`,
		`id: "enschede", depth: 3, entityTypes: ["City", "Region", "Network"], validAt: "2012"`,
		`id: "dalian", depth: 2, direction: IN, during: {from: "2010", to: "2015"}, limit: 4`,
		`id: "enschede", depth: 2, validAt: "2017", datedOnly: true`,
	} {
		sel := `nodes { id name type } edges { id fromId toId type } truncated nodeLink`
		fast := e.post(`{ neighborhood(`+a+`) { `+sel+` } }`, nil)
		slow := e.post(`{ neighborhood(`+a+`) { `+sel+` zzz: nodes { description } } }`, nil)
		if len(fast.Errors) > 0 || len(slow.Errors) > 0 {
			t.Fatalf("%s: errors %v / %v", a, fast.Errors, slow.Errors)
		}
		got, want := neighborhoodFields(t, fast.Data), neighborhoodFields(t, slow.Data)
		for k, w := range want {
			if k != "zzz" && !bytes.Equal(got[k], w) {
				t.Fatalf("%s: %s:\n got %s\nwant %s", a, k, got[k], w)
			}
		}
	}

	// Errors are gqlgen's either way: the resolver reports them.
	for _, q := range []string{
		`{ neighborhood(id: "no-such-entity") { nodes { id } } }`,
		`{ neighborhood(id: "enschede", types: ["NO_SUCH_TYPE"]) { nodes { id } } }`,
	} {
		fast := e.post(q, nil)
		slow := e.post(strings.Replace(q, "nodes { id }", "nodes { id description }", 1), nil)
		if fast.Code() == "" || fast.Code() != slow.Code() || string(fast.Data) != string(slow.Data) {
			t.Errorf("%s: got code %q data %s, gqlgen path %q %s", q, fast.Code(), fast.Data, slow.Code(), slow.Data)
		}
	}

	// Two neighbourhoods in one request are each written for their own
	// selection.
	r := e.post(`{ a: neighborhood(id: "plain") { nodes { id } } b: neighborhood(id: "quoted", depth: 2) { nodes { name } edges { type } } }`, nil)
	want := `{"a":{"nodes":[{"id":"plain"},{"id":"quoted"}]},"b":{"nodes":[{"name":"The \"Quoted\" \\ Co.\n\tLtd \u0001 Zoë 恩斯赫德"},`
	if len(r.Errors) > 0 || !strings.HasPrefix(string(r.Data), want) {
		t.Errorf("two neighbourhoods: got %s %v, want a prefix %s", r.Data, r.Errors, want)
	}
}

// neighborhoodFields splits data.neighborhood into its fields, raw.
func neighborhoodFields(t *testing.T, data json.RawMessage) map[string]json.RawMessage {
	t.Helper()
	var d struct {
		Neighborhood map[string]json.RawMessage `json:"neighborhood"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("%v: %s", err, data)
	}
	return d.Neighborhood
}

func keys(m map[string]json.RawMessage) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
