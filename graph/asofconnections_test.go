package graph_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ties-graph/ties/graph"
)

// The connection fields and the ontology read the graph as recorded at
// asOf: an analyst auditing who the store said was connected to whom, and
// through what, asks at an instant before a relation was deleted, one was
// added, an entity renamed, a relation's evidence rewritten and a type
// defined and redefined. The founding data's Dalian story is the case: the
// friendly cooperative tie of 2009 became a sister-city tie in 2017, and
// deleting that later tie changes every answer that crossed it.
func TestAsOfConnections(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	var rels struct {
		Relations struct {
			Nodes []struct{ ID, FromID, ToID string }
		}
	}
	e.ok(`{ relations(id: "enschede", types: ["SISTER_CITY_OF"]) { nodes { id fromId toId } } }`, nil, &rels)
	var sisterDalian string
	for _, r := range rels.Relations.Nodes {
		if r.FromID == "dalian" || r.ToID == "dalian" { // a symmetric tie is stored in one order
			sisterDalian = r.ID
		}
	}
	if sisterDalian == "" {
		t.Fatalf("no SISTER_CITY_OF from enschede to dalian: %+v", rels)
	}

	// The instant read as "before": commits are stamped to the
	// millisecond, so it must fall in one of its own.
	time.Sleep(3 * time.Millisecond)
	before := time.Now().UTC().Format(time.RFC3339Nano)
	time.Sleep(3 * time.Millisecond)
	e.ok(`mutation {
	  defineRelationType(input: {name: "PARTNER_OF", symmetric: true, description: "Partners in a project."}) { name }
	  defineEntityType(input: {name: "City", parent: "Place", description: "A city, town or village."}) { name }
	}`, nil, nil)
	e.ok(`mutation($sister: ID!) {
	  deleteRelations(ids: [$sister])
	  upsertRelations(input: [
	    {type: "PARTNER_OF", from: "enschede", to: "linkoping"},
	    {type: "FRIENDLY_COOPERATIVE_CITY_OF", from: "enschede", to: "dalian", validFrom: "2009", validTo: "2017",
	     sources: [{document: "enschede-international-annual-report-2017", excerpt: "Friendly cooperative city from 2009."}]}
	  ]) { id }
	  upsertEntities(input: [{id: "dalian", type: "City", name: "Dalian (大连)"}]) { id }
	}`, map[string]any{"sister": sisterDalian}, nil)

	const (
		oldExcerpt = "Dalian, a Chinese metropolis, became a sister city of Enschede in 2009."
		newExcerpt = "Friendly cooperative city from 2009."
	)
	tests := []struct {
		name  string
		query string // $at is the asOf
		// pick, when set, reduces the decoded data to what is compared
		// (the whole ontology is too long to spell out).
		pick        func(t *testing.T, data json.RawMessage) string
		before, now string
	}{
		{"PathDeletedRelation",
			`query($at: DateTime) { path(from: "enschede", to: "dalian", types: ["SISTER_CITY_OF"], asOf: $at) { length edges { id type } } }`, nil,
			`{"path":{"length":1,"edges":[{"id":"` + sisterDalian + `","type":"SISTER_CITY_OF"}]}}`,
			`{"path":null}`},
		{"PathAddedRelation",
			`query($at: DateTime) { path(from: "enschede", to: "linkoping", types: ["PARTNER_OF"], asOf: $at) { length edges { type } } }`, nil,
			`{"path":null}`,
			`{"path":{"length":1,"edges":[{"type":"PARTNER_OF"}]}}`},
		// The tie is symmetric, stored from dalian to enschede.
		{"PathRenamedEntityAndEvidence",
			`query($at: DateTime) { path(from: "enschede", to: "dalian", types: ["FRIENDLY_COOPERATIVE_CITY_OF"], asOf: $at) {
			  nodes { name } edges { from { name } sources { excerpt } } evidence { to { name } } } }`, nil,
			`{"path":{"nodes":[{"name":"Enschede"},{"name":"Dalian"}],"edges":[{"from":{"name":"Dalian"},"sources":[{"excerpt":"` + oldExcerpt + `"},` +
				`{"excerpt":"` + "Signing the memorandum transformed Enschede from a 'Friendly Cooperative City' into an official 'Sister City' with\u00a0 the approval of the Ministry of Foreign Affairs in Beijing." + `"}]}],"evidence":[[{"to":{"name":"Enschede"}}]]}}`,
			`{"path":{"nodes":[{"name":"Enschede"},{"name":"Dalian (大连)"}],"edges":[{"from":{"name":"Dalian (大连)"},"sources":[{"excerpt":"` + newExcerpt + `"}]}],"evidence":[[{"to":{"name":"Enschede"}}]]}}`},
		// Valid time and recorded time together: in 2012 the tie was the
		// friendly one, recorded then and now; in 2018 the sister-city
		// tie, recorded then and deleted since.
		{"PathsValidAt",
			`query($at: DateTime) {
			  in2012: paths(from: "enschede", to: "dalian", types: ["SISTER_CITY_OF", "FRIENDLY_COOPERATIVE_CITY_OF"], validAt: "2012", asOf: $at) { evidence { type } }
			  in2018: paths(from: "enschede", to: "dalian", types: ["SISTER_CITY_OF", "FRIENDLY_COOPERATIVE_CITY_OF"], validAt: "2018", asOf: $at) { evidence { type } }
			  any: paths(from: "enschede", to: "dalian", types: ["SISTER_CITY_OF", "FRIENDLY_COOPERATIVE_CITY_OF"], asOf: $at) { evidence { type } } }`, nil,
			`{"in2012":[{"evidence":[[{"type":"FRIENDLY_COOPERATIVE_CITY_OF"}]]}],"in2018":[{"evidence":[[{"type":"SISTER_CITY_OF"}]]}],` +
				`"any":[{"evidence":[[{"type":"SISTER_CITY_OF"},{"type":"FRIENDLY_COOPERATIVE_CITY_OF"}]]}]}`,
			`{"in2012":[{"evidence":[[{"type":"FRIENDLY_COOPERATIVE_CITY_OF"}]]}],"in2018":[],"any":[{"evidence":[[{"type":"FRIENDLY_COOPERATIVE_CITY_OF"}]]}]}`},
		{"AllPaths",
			`query($at: DateTime) { allPaths(from: "enschede", to: "dalian", maxDepth: 1, types: ["SISTER_CITY_OF", "FRIENDLY_COOPERATIVE_CITY_OF", "INVITED"], asOf: $at) { paths { edges { type } } truncated } }`,
			func(t *testing.T, data json.RawMessage) string {
				// One hop each, in an order the walk keeps: compare the set.
				var d struct {
					AllPaths struct {
						Paths []struct{ Edges []struct{ Type string } }
					}
				}
				if err := json.Unmarshal(data, &d); err != nil {
					t.Fatal(err)
				}
				var types []string
				for _, p := range d.AllPaths.Paths {
					for _, e := range p.Edges {
						types = append(types, e.Type)
					}
				}
				slices.Sort(types)
				return strings.Join(types, " ")
			},
			"FRIENDLY_COOPERATIVE_CITY_OF INVITED SISTER_CITY_OF",
			"FRIENDLY_COOPERATIVE_CITY_OF INVITED"},
		{"CommonNeighborsDeletedRelation",
			`query($at: DateTime) { commonNeighbors(ids: ["palo-alto", "dalian"], types: ["SISTER_CITY_OF"], asOf: $at) { id name } }`, nil,
			`{"commonNeighbors":[{"id":"enschede","name":"Enschede"}]}`,
			`{"commonNeighbors":[]}`},
		{"CommonNeighborsRenamedEntity",
			`query($at: DateTime) { commonNeighbors(ids: ["enschede", "china"], types: ["FRIENDLY_COOPERATIVE_CITY_OF", "LOCATED_IN"], asOf: $at) { id name } }`, nil,
			`{"commonNeighbors":[{"id":"dalian","name":"Dalian"}]}`,
			`{"commonNeighbors":[{"id":"dalian","name":"Dalian (大连)"}]}`},
		{"Centrality",
			`query($at: DateTime) { centrality(types: ["SISTER_CITY_OF"], entityTypes: ["City"], first: 3, asOf: $at) { ranking { entity { id name } score } } }`, nil,
			`{"centrality":{"ranking":[{"entity":{"id":"enschede","name":"Enschede"},"score":2},{"entity":{"id":"dalian","name":"Dalian"},"score":1},{"entity":{"id":"palo-alto","name":"Palo Alto"},"score":1}]}}`,
			`{"centrality":{"ranking":[{"entity":{"id":"enschede","name":"Enschede"},"score":1},{"entity":{"id":"palo-alto","name":"Palo Alto"},"score":1},{"entity":{"id":"beijing","name":"Beijing"},"score":0}]}}`},
		{"Components",
			`query($at: DateTime) { components(types: ["SISTER_CITY_OF"], entityTypes: ["City"], asOf: $at) { largest } }`, nil,
			`{"components":{"largest":3}}`,
			`{"components":{"largest":2}}`},
		{"Ontology",
			`query($at: DateTime) { ontology(asOf: $at) { entityTypes { name description } relationTypes { name } } }`,
			func(t *testing.T, data json.RawMessage) string {
				var d struct {
					Ontology struct {
						EntityTypes   []struct{ Name, Description string }
						RelationTypes []struct{ Name string }
					}
				}
				if err := json.Unmarshal(data, &d); err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, et := range d.Ontology.EntityTypes {
					if et.Name == "City" {
						out = append(out, "City: "+et.Description)
					}
				}
				for _, rt := range d.Ontology.RelationTypes {
					if rt.Name == "PARTNER_OF" {
						out = append(out, rt.Name)
					}
				}
				return strings.Join(out, "; ")
			},
			"City: A city or town.",
			"City: A city, town or village.; PARTNER_OF"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := e.at(t)
			// The same document at both instants, and in the future: a
			// remembered plan or answer for one must not serve another.
			for _, side := range []struct {
				name string
				at   any
				want string
			}{
				{"before", before, tc.before},
				{"now", nil, tc.now},
				{"future", "2099-01-01T00:00:00Z", tc.now},
				{"before again", before, tc.before},
			} {
				r := e.post(tc.query, map[string]any{"at": side.at})
				if r.Status != http.StatusOK || len(r.Errors) > 0 {
					t.Fatalf("%s: status %d: %s", side.name, r.Status, r.Raw)
				}
				got := string(r.Data)
				if tc.pick != nil {
					got = tc.pick(t, r.Data)
				}
				if got != side.want {
					t.Errorf("%s:\ngot  %s\nwant %s", side.name, got, side.want)
				}
			}
		})
	}
}

// An asOf older than the history kept is refused by every field that
// takes it with the error neighborhood answers: INVALID_ARGUMENT on the
// field asOf, naming the oldest instant that can be read.
func TestAsOfConnectionsBeyondHistory(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	if e.store.Features().AllHistory {
		t.Skip("the backend keeps every version: no instant is older than its history")
	}
	const old = "2000-01-01T00:00:00Z"
	ref := e.post(`query($at: DateTime) { neighborhood(id: "enschede", asOf: $at) { truncated } }`, map[string]any{"at": old})
	if len(ref.Errors) != 1 {
		t.Fatalf("neighborhood: want one error: %s", ref.Raw)
	}
	tests := []struct{ name, query string }{
		{"path", `query($at: DateTime) { path(from: "enschede", to: "dalian", asOf: $at) { length } }`},
		{"paths", `query($at: DateTime) { paths(from: "enschede", to: "dalian", asOf: $at) { length } }`},
		{"allPaths", `query($at: DateTime) { allPaths(from: "enschede", to: "dalian", asOf: $at) { truncated } }`},
		{"commonNeighbors", `query($at: DateTime) { commonNeighbors(ids: ["munster", "heidelberg"], asOf: $at) { id } }`},
		{"centrality", `query($at: DateTime) { centrality(asOf: $at) { nodes } }`},
		{"components", `query($at: DateTime) { components(asOf: $at) { count } }`},
		{"ontology", `query($at: DateTime) { ontology(asOf: $at) { entityTypes { name } } }`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.at(t).post(tc.query, map[string]any{"at": old})
			if r.Status != http.StatusOK || len(r.Errors) != 1 {
				t.Fatalf("status %d, want one error: %s", r.Status, r.Raw)
			}
			got, want := r.Errors[0], ref.Errors[0]
			// The oldest instant moves on with the clock between the two.
			prefix := func(m string) string { m, _, _ = strings.Cut(m, " is older than"); return m }
			if prefix(got.Message) != prefix(want.Message) || !strings.Contains(got.Message, "the oldest instant that can be read is") ||
				got.Extensions["code"] != want.Extensions["code"] || got.Extensions["field"] != want.Extensions["field"] {
				t.Errorf("error %q %v, want neighborhood's %q %v", got.Message, got.Extensions, want.Message, want.Extensions)
			}
			if got, want := r.Errors[0].Path, []any{tc.name}; !slices.Equal(got, want) {
				t.Errorf("path %v, want %v", got, want)
			}
		})
	}
}
