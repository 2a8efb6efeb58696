package graph_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/ties-graph/ties/graph"
)

// An undated fact counts as valid at every date, unless datedOnly asks
// for facts whose dates show they held: the mayor attested only in 2017
// is no answer to "who was mayor in 1990".
func TestDatedOnly(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	count := func(t *testing.T, query string) int {
		t.Helper()
		var d struct {
			Entity *struct {
				Relations struct{ TotalCount int }
				Neighbors struct{ TotalCount int }
				Degree    int
			}
			Relations    *struct{ TotalCount int }
			Neighborhood *struct{ Nodes []struct{ ID string } }
		}
		e.at(t).ok(query, nil, &d)
		switch {
		case d.Entity != nil:
			return d.Entity.Relations.TotalCount + d.Entity.Neighbors.TotalCount + d.Entity.Degree
		case d.Relations != nil:
			return d.Relations.TotalCount
		}
		return len(d.Neighborhood.Nodes)
	}
	tests := []struct {
		name, query string
		want        int
	}{
		{"EntityUndated", `{ entity(id: "enschede") { relations(validAt: "1990", types: ["MAYOR_OF"]) { totalCount } } }`, 1},
		{"EntityDatedOnly", `{ entity(id: "enschede") { relations(validAt: "1990", types: ["MAYOR_OF"], datedOnly: true) { totalCount } } }`, 0},
		{"NeighborsDatedOnly", `{ entity(id: "enschede") { neighbors(validAt: "1990", types: ["MAYOR_OF"], datedOnly: true) { totalCount } } }`, 0},
		{"DegreeDatedOnly", `{ entity(id: "enschede") { degree(validAt: "1990", types: ["MAYOR_OF"], datedOnly: true) } }`, 0},
		{"DuringDatedOnly", `{ entity(id: "dalian") { relations(during: {from: "2010", to: "2015"}, types: ["SISTER_CITY_OF", "FRIENDLY_COOPERATIVE_CITY_OF"], datedOnly: true) { totalCount } } }`, 1},
		{"RelationsDatedOnly", `{ relations(id: "enschede", validAt: "2018", types: ["SISTER_CITY_OF"], datedOnly: true) { totalCount } }`, 1},
		{"RelationsUndated", `{ relations(id: "enschede", validAt: "2018", types: ["SISTER_CITY_OF"]) { totalCount } }`, 2},
		{"NeighborhoodDatedOnly", `{ neighborhood(id: "enschede", validAt: "2018", types: ["SISTER_CITY_OF"], datedOnly: true) { nodes { id } } }`, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := count(t, tt.query); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}

// "What happened in July 2017": entities filter on their own dates.
func TestEntitiesValidTime(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	tests := []struct {
		name, args string
		want       []string
		total      int
	}{
		{"July2017Events", `types: ["Event"], validAt: "2017-07", datedOnly: true`,
			[]string{"dalian-visit-2017", "dalian-work-placement-2017", "smart-city-conference-2017"}, 3},
		{"During2015", `types: ["Event"], during: {from: "2015", to: "2015"}, datedOnly: true`,
			[]string{"palo-alto-work-mission-2015"}, 1},
		{"FirstPage", `types: ["Event"], validAt: "2017", datedOnly: true, first: 1`,
			[]string{"dalian-visit-2017"}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d struct {
				Entities struct {
					TotalCount int
					Nodes      []struct{ ID string }
				}
			}
			e.at(t).ok(`{ entities(`+tt.args+`) { totalCount nodes { id } } }`, nil, &d)
			if got := ids(d.Entities.Nodes); !slices.Equal(got, tt.want) {
				t.Errorf("entities: got %q, want %q", got, tt.want)
			}
			if got, want := d.Entities.TotalCount, tt.total; got != want {
				t.Errorf("totalCount: got %d, want %d", got, want)
			}
		})
	}
	r := e.post(`{ entities(validAt: "2017", during: {from: "2016"}) { totalCount } }`, nil)
	if got, want := r.Code(), "INVALID_ARGUMENT"; got != want {
		t.Errorf("validAt with during: code %q, want %q: %s", got, want, r.Raw)
	}
}

// datedOnly on the connection queries: Enschede and Palo Alto are sister
// cities with no dates on record, so that tie joins them at any date, and
// at none when dates must show it.
func TestDatedOnlyConnections(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{Limits: graph.Limits{Complexity: -1}})
	const filter = `types: ["SISTER_CITY_OF"], validAt: "2012"`
	tests := []struct {
		name, query string
		undated     string // the answer without datedOnly
		dated       string // with datedOnly
	}{
		{"Path", `{ r: path(from: "enschede", to: "palo-alto", %s) { length } }`, `{"r":{"length":1}}`, `{"r":null}`},
		{"Paths", `{ r: paths(from: "enschede", to: "palo-alto", %s) { length } }`, `{"r":[{"length":1}]}`, `{"r":[]}`},
		{"AllPaths", `{ r: allPaths(from: "enschede", to: "palo-alto", %s) { paths { length } } }`, `{"r":{"paths":[{"length":1}]}}`, `{"r":{"paths":[]}}`},
		{"CommonNeighbors", `{ r: commonNeighbors(ids: ["palo-alto"], %s) { id } }`, `{"r":[{"id":"enschede"}]}`, `{"r":[]}`},
		{"Component", `{ r: entity(id: "palo-alto") { component(%s) } }`, `{"r":{"component":"enschede"}}`, `{"r":{"component":"palo-alto"}}`},
		{"Components", `{ r: components(%s) { largest } }`, `{"r":{"largest":2}}`, `{"r":{"largest":1}}`},
		{"Centrality", `{ r: centrality(%s, first: 1) { ranking { score } } }`, `{"r":{"ranking":[{"score":1}]}}`, `{"r":{"ranking":[{"score":0}]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []struct{ args, want string }{{filter, tt.undated}, {filter + `, datedOnly: true`, tt.dated}} {
				r := e.at(t).post(fmt.Sprintf(tt.query, c.args), nil)
				if len(r.Errors) > 0 {
					t.Fatalf("%s: %s", c.args, r.Raw)
				}
				if got := string(r.Data); got != c.want {
					t.Errorf("%s: got %s, want %s", c.args, got, c.want)
				}
			}
		})
	}
}
