package graph_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ties-graph/ties/graph"
)

// The founding data's German cities, mayors and counts, asked as a client
// asks: where, orderBy, relations without an id, and facets.
func TestWhereOrderFacets(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	ids := func(t *testing.T, q string, vars map[string]any) []string {
		t.Helper()
		var d struct {
			Entities struct {
				Nodes      []struct{ ID string }
				TotalCount int
			}
		}
		e.at(t).ok(q, vars, &d)
		var out []string
		for _, n := range d.Entities.Nodes {
			out = append(out, n.ID)
		}
		return out
	}
	t.Run("GermanCities", func(t *testing.T) {
		got := ids(t, `{ entities(types: ["City"], where: [{key: "country", eq: "de"}]) { nodes { id } } }`, nil)
		if want := []string{"heidelberg", "munster"}; !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
	t.Run("OrderByNameDesc", func(t *testing.T) {
		got := ids(t, `{ entities(types: ["City"], where: [{key: "country", in: ["DE", "SE"]}], orderBy: [{by: NAME, desc: true}]) { nodes { id } } }`, nil)
		// Folded names: munster > linkoping > heidelberg.
		if want := []string{"munster", "linkoping", "heidelberg"}; !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})
	t.Run("PagesFollowTheOrder", func(t *testing.T) {
		const q = `query($after: String) { entities(types: ["City"], orderBy: [{by: PROPERTY, key: "country"}], first: 2, after: $after) {
		  nodes { id } pageInfo { hasNextPage endCursor } totalCount } }`
		var all []string
		var after any
		for range 20 {
			var d struct {
				Entities struct {
					Nodes    []struct{ ID string }
					PageInfo struct {
						HasNextPage bool
						EndCursor   string
					}
					TotalCount int
				}
			}
			e.at(t).ok(q, map[string]any{"after": after}, &d)
			for _, n := range d.Entities.Nodes {
				all = append(all, n.ID)
			}
			if !d.Entities.PageInfo.HasNextPage {
				if len(all) != d.Entities.TotalCount {
					t.Errorf("read %d entities, totalCount %d", len(all), d.Entities.TotalCount)
				}
				break
			}
			after = d.Entities.PageInfo.EndCursor
		}
		// CN (beijing, dalian), DE (heidelberg, munster), NL, SE, US.
		want := []string{"beijing", "dalian", "heidelberg", "munster"}
		if len(all) < len(want) || !slices.Equal(all[:len(want)], want) {
			t.Errorf("got %v, want it to begin with %v", all, want)
		}
	})
	t.Run("AllMayors", func(t *testing.T) {
		var d struct {
			Relations struct {
				Edges []struct {
					Node     struct{ FromID, ToID string }
					Neighbor struct{ ID string }
				}
				TotalCount int
			}
		}
		e.at(t).ok(`{ relations(types: ["MAYOR_OF"], where: [{key: "attested", gte: {date: "2017"}}]) {
		  totalCount edges { node { fromId toId } neighbor { id } } } }`, nil, &d)
		var got []string
		for _, ed := range d.Relations.Edges {
			got = append(got, ed.Node.FromID+">"+ed.Node.ToID)
			if ed.Neighbor.ID != ed.Node.ToID {
				t.Errorf("neighbour %s, want the to end %s", ed.Neighbor.ID, ed.Node.ToID)
			}
		}
		if !slices.Contains(got, "onno-van-veldhuizen>enschede") || d.Relations.TotalCount != len(got) {
			t.Errorf("mayors %v (totalCount %d)", got, d.Relations.TotalCount)
		}
	})
	t.Run("NeighborsWhere", func(t *testing.T) {
		var d struct {
			Entity struct {
				Neighbors struct{ Nodes []struct{ ID string } }
			}
		}
		e.at(t).ok(`{ entity(id: "enschede") { neighbors(where: [{key: "country", eq: "US"}]) { nodes { id } } } }`, nil, &d)
		for _, n := range d.Entity.Neighbors.Nodes {
			if n.ID != "palo-alto" {
				t.Errorf("neighbour %s is not in the US", n.ID)
			}
		}
		if len(d.Entity.Neighbors.Nodes) == 0 {
			t.Error("no American neighbour of Enschede")
		}
	})
	t.Run("SearchWhere", func(t *testing.T) {
		var d struct {
			Search []struct{ Entity struct{ ID string } }
		}
		e.at(t).ok(`{ search(text: "m", where: [{key: "country", eq: "DE"}]) { entity { id } } }`, nil, &d)
		var got []string
		for _, h := range d.Search {
			got = append(got, h.Entity.ID)
		}
		// Münster is the one German name match; the entities whose
		// descriptions hold a word starting with m (and country DE)
		// follow it.
		if !slices.Equal(got, []string{"munster", "euregio", "germany", "heidelberg"}) {
			t.Errorf("hits %v, want [munster euregio germany heidelberg]", got)
		}
	})
	t.Run("Facets", func(t *testing.T) {
		var d struct {
			Facets []struct {
				Key   string
				Value any
				Count int
			}
		}
		e.at(t).ok(`{ facets(types: ["City"], by: ["country"]) { key value count } }`, nil, &d)
		if len(d.Facets) == 0 || d.Facets[0].Count != 2 {
			t.Fatalf("facets %+v", d.Facets)
		}
		sum := 0
		for _, f := range d.Facets {
			sum += f.Count
		}
		var s struct{ Entities struct{ TotalCount int } }
		e.at(t).ok(`{ entities(types: ["City"], where: [{key: "country", exists: true}]) { totalCount } }`, nil, &s)
		if sum != s.Entities.TotalCount {
			t.Errorf("facets count %d cities, entities %d", sum, s.Entities.TotalCount)
		}
	})
}

// Ill-typed filters and orders are INVALID_ARGUMENT errors that say what
// is wrong.
func TestWhereErrors(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	cases := []struct{ name, query, says string }{
		{"NoOperator", `{ entities(where: [{key: "country"}]) { totalCount } }`, "no operator"},
		{"RangeOverBoolean", `{ entities(where: [{key: "open", gt: true}]) { totalCount } }`, "not a bool"},
		{"ListInEq", `{ entities(where: [{key: "country", eq: ["DE"]}]) { totalCount } }`, "use in"},
		{"BoundsOfTwoKinds", `{ entities(where: [{key: "population", gt: 5, lt: "x"}]) { totalCount } }`, "different kinds"},
		{"NotADate", `{ entities(where: [{key: "validFrom", gte: "last year"}]) { totalCount } }`, "date"},
		{"NotAnObjectValue", `{ entities(where: [{key: "x", eq: {a: 1}}]) { totalCount } }`, "object values"},
		{"UnknownType", `{ entities(where: [{key: "type", eq: "Cty"}]) { totalCount } }`, "Cty"},
		{"PropertyWithoutKey", `{ entities(orderBy: [{by: PROPERTY}]) { totalCount } }`, "needs the key"},
		{"RelationsWithoutIdOrTypes", `{ relations { totalCount } }`, "types"},
		{"NameOfRelationsWithoutId", `{ relations(types: ["MAYOR_OF"], orderBy: [{by: NAME}]) { totalCount } }`, "NAME"},
		{"CursorOfAnotherOrder", `{ entities(orderBy: [{by: NAME}], after: "aWQ") { totalCount } }`, "another order"},
		{"FacetsWithoutBy", `{ facets(by: []) { count } }`, "at least one"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.at(t).post(c.query, nil)
			if got := r.Code(); got != "INVALID_ARGUMENT" {
				t.Fatalf("code = %q, want INVALID_ARGUMENT: %s", got, r.Raw)
			}
			if !strings.Contains(r.Errors[0].Message, c.says) {
				t.Errorf("message %q does not say %q", r.Errors[0].Message, c.says)
			}
		})
	}
}

// A filter over a whole type costs a whole-graph computation until an
// index answers it: under a complexity limit of 1,000 the scan is
// refused and the indexed query runs.
func TestWhereCostFollowsIndexes(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{Limits: graph.Limits{Complexity: 1000}})
	const q = `{ entities(types: ["City"], where: [{key: "country", eq: "DE"}], first: 10) { totalCount nodes { id } } }`
	if r := e.post(q, nil); r.Code() != "TOO_COMPLEX" {
		t.Fatalf("unindexed: code %q, want TOO_COMPLEX: %s", r.Code(), r.Raw)
	}
	e.ok(`mutation { defineEntityType(input: {name: "City", parent: "Place", indexed: ["country"]}) { indexed } }`, nil, nil)
	var d struct{ Entities struct{ TotalCount int } }
	e.ok(q, nil, &d)
	if d.Entities.TotalCount != 2 {
		t.Errorf("totalCount = %d, want the two German cities", d.Entities.TotalCount)
	}
	var o struct {
		Ontology struct {
			EntityTypes []struct {
				Name    string
				Indexed []string
			}
		}
	}
	e.ok(`{ ontology { entityTypes { name indexed } } }`, nil, &o)
	for _, et := range o.Ontology.EntityTypes {
		if et.Name == "City" && !slices.Equal(et.Indexed, []string{"country"}) {
			t.Errorf("City indexed = %v, want [country]", et.Indexed)
		}
	}
}

// Filters added side by side must work together: a date filter with a
// where, a list of relations without a start entity that still says how
// each reads, and distinct neighbours that honour where.
func TestFiltersCombine(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	t.Run("EntitiesValidAtAndWhere", func(t *testing.T) {
		var d struct {
			Entities struct{ Nodes []struct{ ID string } }
		}
		// Events of 2017 with a season: the date filter alone keeps four
		// 2017 events, the where alone three records of any year.
		e.at(t).ok(`{ entities(types: ["Event"], validAt: "2017", where: [{key: "season", eq: "summer"}]) { nodes { id } } }`, nil, &d)
		var got []string
		for _, n := range d.Entities.Nodes {
			got = append(got, n.ID)
		}
		if want := []string{"dalian-visit-2017"}; !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
		e.at(t).ok(`{ entities(types: ["Event"], validAt: "2015", where: [{key: "season", exists: true}]) { nodes { id } } }`, nil, &d)
		if len(d.Entities.Nodes) != 0 {
			t.Errorf("2015 events with a season: %v, want none", d.Entities.Nodes)
		}
	})
	t.Run("RelationsByTypeReadFromTheirStart", func(t *testing.T) {
		var d struct {
			Relations struct {
				Edges []struct {
					Direction string
					Label     string
					Neighbor  struct{ ID string }
					Node      struct{ ToID string }
				}
			}
		}
		e.at(t).ok(`{ relations(types: ["MAYOR_OF"]) { edges { direction label neighbor { id } node { toId } } } }`, nil, &d)
		if len(d.Relations.Edges) == 0 {
			t.Fatal("no MAYOR_OF relations")
		}
		for _, ed := range d.Relations.Edges {
			if ed.Direction != "OUT" || ed.Label != "MAYOR_OF" || ed.Neighbor.ID != ed.Node.ToID {
				t.Errorf("edge %+v: want OUT, MAYOR_OF, the to end as neighbour", ed)
			}
		}
	})
	t.Run("EntityRelationsWhereSayDirection", func(t *testing.T) {
		var d struct {
			Entity struct {
				Relations struct {
					Edges []struct{ Direction, Label string }
				}
			}
		}
		e.at(t).ok(`{ entity(id: "enschede") { relations(types: ["MAYOR_OF"], where: [{key: "validFrom", exists: false}]) { edges { direction label } } } }`, nil, &d)
		if len(d.Entity.Relations.Edges) == 0 {
			t.Fatal("Enschede has no undated MAYOR_OF relation")
		}
		for _, ed := range d.Entity.Relations.Edges {
			if ed.Direction != "IN" || ed.Label != "HAS_MAYOR" {
				t.Errorf("Enschede's mayor relation reads %s %s, want IN HAS_MAYOR", ed.Direction, ed.Label)
			}
		}
	})
	t.Run("DistinctNeighborsWhere", func(t *testing.T) {
		var d struct {
			Entity struct {
				Neighbors struct {
					Nodes      []struct{ ID string }
					TotalCount int
				}
			}
		}
		e.at(t).ok(`{ entity(id: "enschede") { neighbors(distinct: true, where: [{key: "country", eq: "US"}]) { nodes { id } totalCount } } }`, nil, &d)
		got := d.Entity.Neighbors
		if len(got.Nodes) != 1 || got.Nodes[0].ID != "palo-alto" || got.TotalCount != 1 {
			t.Errorf("American neighbours of Enschede: %+v, want palo-alto once", got)
		}
		r := e.at(t).post(`{ entity(id: "enschede") { neighbors(distinct: true, orderBy: [{by: NAME}]) { totalCount } } }`, nil)
		if r.Code() != "INVALID_ARGUMENT" {
			t.Errorf("distinct with orderBy: code %q, want INVALID_ARGUMENT", r.Code())
		}
	})
}

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
