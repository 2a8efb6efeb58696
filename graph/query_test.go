package graph_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ties-graph/ties/graph"
)

// goldenQueries are answered from the founding data and compared with
// testdata/<name>.json.
var goldenQueries = []struct{ name, query string }{
	{"enschede-relations", `{ entity(id: "enschede") { id name
	    relations(first: 100) { totalCount pageInfo { hasNextPage hasPreviousPage }
	      edges { node { id type fromId toId validFrom validTo properties sources { documentId excerpt locator confidence } } neighbor { id name type } } } } }`},
	{"enschede-neighborhood-depth2", `{ neighborhood(id: "enschede", depth: 2) { truncated
	    nodes { id type name } edges { id type fromId toId validFrom validTo } } }`},
	{"search-munster", `{ search(text: "munster") { score entity { id name type aliases labels { lang value } } } }`},
	{"dalian-relations-2012", `{ entity(id: "dalian") { relations(validAt: "2012", first: 100) { totalCount
	    edges { node { type fromId toId validFrom validTo } } } } }`},
	{"dalian-relations-2018", `{ entity(id: "dalian") { relations(validAt: "2018", first: 100) { totalCount
	    edges { node { type fromId toId validFrom validTo } } } } }`},
}

func TestGolden(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	for _, q := range goldenQueries {
		t.Run(q.name, func(t *testing.T) {
			e := e.at(t)
			r := e.post(q.query, nil)
			if r.Status != http.StatusOK || len(r.Errors) > 0 {
				t.Fatalf("status %d: %s", r.Status, r.Raw)
			}
			golden(t, q.name, r.Raw)
		})
	}
}

// The validity filter is what tells the Dalian story: a friendly
// cooperative city from 2009, a sister city from 2017.
func TestValidAtDalian(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	types := func(validAt string) []string {
		t.Helper()
		var d struct {
			Entity struct {
				Relations struct {
					Edges []struct {
						Node struct{ Type, FromID, ToID string }
					}
				}
			}
		}
		e.ok(`query($at: Date) { entity(id: "dalian") { relations(validAt: $at, types: ["SISTER_CITY_OF", "FRIENDLY_COOPERATIVE_CITY_OF"]) {
		  edges { node { type fromId toId } } } } }`, map[string]any{"at": validAt}, &d)
		var out []string
		for _, ed := range d.Entity.Relations.Edges {
			out = append(out, ed.Node.Type)
		}
		return out
	}
	for _, tc := range []struct {
		at   string
		want []string
	}{
		{"2012", []string{"FRIENDLY_COOPERATIVE_CITY_OF"}},
		{"2018", []string{"SISTER_CITY_OF"}},
	} {
		t.Run(tc.at, func(t *testing.T) {
			if got := types(tc.at); !slices.Equal(got, tc.want) {
				t.Errorf("Dalian's city ties valid at %s: got %v, want %v", tc.at, got, tc.want)
			}
		})
	}
}

// during asks which ties held at some time within a span: Dalian's
// friendly cooperation (2009-2017) and its twinning (from 2017).
func TestDuringDalian(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	const q = `query($d: DateRange) { entity(id: "dalian") {
	  relations(during: $d, types: ["SISTER_CITY_OF", "FRIENDLY_COOPERATIVE_CITY_OF"]) { edges { node { type } } }
	  degree(during: $d, types: ["SISTER_CITY_OF", "FRIENDLY_COOPERATIVE_CITY_OF"]) } }`
	for _, tc := range []struct {
		name   string
		during map[string]any
		want   []string
	}{
		{"2010to2012", map[string]any{"from": "2010", "to": "2012"}, []string{"FRIENDLY_COOPERATIVE_CITY_OF"}},
		{"2016to2018", map[string]any{"from": "2016", "to": "2018"}, []string{"FRIENDLY_COOPERATIVE_CITY_OF", "SISTER_CITY_OF"}},
		{"From2018", map[string]any{"from": "2018"}, []string{"SISTER_CITY_OF"}},
		{"Before2009", map[string]any{"to": "2008-12"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d struct {
				Entity struct {
					Relations struct {
						Edges []struct{ Node struct{ Type string } }
					}
					Degree int
				}
			}
			e.at(t).ok(q, map[string]any{"d": tc.during}, &d)
			var got []string
			for _, ed := range d.Entity.Relations.Edges {
				got = append(got, ed.Node.Type)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) || d.Entity.Degree != len(tc.want) {
				t.Errorf("during %v: got %v (degree %d), want %v", tc.during, got, d.Entity.Degree, tc.want)
			}
		})
	}
	for _, tc := range []struct{ name, query string }{
		{"Backwards", `{ entity(id: "dalian") { relations(during: {from: "2018", to: "2010"}) { totalCount } } }`},
		{"WithValidAt", `{ neighborhood(id: "dalian", validAt: "2012", during: {from: "2010"}) { truncated } }`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.at(t).post(tc.query, nil)
			if got, want := r.Code(), "INVALID_ARGUMENT"; got != want {
				t.Fatalf("code %q, want %q: %s", got, want, r.Raw)
			}
			if got := r.Errors[0].Extensions["field"]; got != "during" {
				t.Errorf("field %v, want during: %s", got, r.Raw)
			}
		})
	}
}

type pageInfo struct {
	HasNextPage     bool
	HasPreviousPage bool
	StartCursor     *string
	EndCursor       *string
}

// Walking a connection page by page must visit every item exactly once and
// agree with totalCount, for several page sizes.
func TestPagination(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	type edge struct {
		Cursor string
		Node   struct{ ID string }
	}
	type conn struct {
		TotalCount int
		PageInfo   pageInfo
		Edges      []edge
	}
	walk := func(t *testing.T, first int, fetch func(after *string) conn) []string {
		var ids []string
		var after *string
		for pages := 0; ; pages++ {
			if pages > 1000 {
				t.Fatal("pagination does not end")
			}
			c := fetch(after)
			if len(c.Edges) > first {
				t.Fatalf("page of %d items, asked for %d", len(c.Edges), first)
			}
			for _, ed := range c.Edges {
				ids = append(ids, ed.Node.ID)
			}
			if got, want := c.PageInfo.HasPreviousPage, after != nil; after == nil && got != want {
				t.Errorf("first page: hasPreviousPage %v, want %v", got, want)
			}
			if len(c.Edges) > 0 && *c.PageInfo.EndCursor != c.Edges[len(c.Edges)-1].Cursor {
				t.Errorf("endCursor %q is not the last edge's cursor %q", *c.PageInfo.EndCursor, c.Edges[len(c.Edges)-1].Cursor)
			}
			if !c.PageInfo.HasNextPage {
				if got, want := len(ids), c.TotalCount; got != want {
					t.Errorf("visited %d items, totalCount says %d", got, want)
				}
				return ids
			}
			after = c.PageInfo.EndCursor
		}
	}
	unique := func(t *testing.T, ids []string) {
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] {
				t.Errorf("item %s appears twice", id)
			}
			seen[id] = true
		}
	}
	fullRelations := func() []string {
		var d struct{ Entity struct{ Relations conn } }
		e.ok(`{ entity(id: "enschede") { relations(first: 1000) { totalCount pageInfo { hasNextPage } edges { cursor node { id } } } } }`, nil, &d)
		var ids []string
		for _, ed := range d.Entity.Relations.Edges {
			ids = append(ids, ed.Node.ID)
		}
		return ids
	}()
	fullEntities := func() []string {
		var d struct{ Entities conn }
		e.ok(`{ entities(first: 1000) { totalCount pageInfo { hasNextPage } edges { cursor node { id } } } }`, nil, &d)
		var ids []string
		for _, ed := range d.Entities.Edges {
			ids = append(ids, ed.Node.ID)
		}
		return ids
	}()
	if len(fullRelations) < 10 || len(fullEntities) < 40 {
		t.Fatalf("founding data too small for the test: %d relations of enschede, %d entities", len(fullRelations), len(fullEntities))
	}
	for _, first := range []int{1, 3, 7, 50} {
		t.Run(fmt.Sprintf("relations/first=%d", first), func(t *testing.T) {
			e := e.at(t)
			ids := walk(t, first, func(after *string) conn {
				var d struct{ Entity struct{ Relations conn } }
				e.ok(`query($first: Int, $after: String) { entity(id: "enschede") { relations(first: $first, after: $after) {
				  totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } } } } }`,
					map[string]any{"first": first, "after": after}, &d)
				return d.Entity.Relations
			})
			unique(t, ids)
			if !slices.Equal(ids, fullRelations) {
				t.Errorf("pages give %v, one page gives %v", ids, fullRelations)
			}
		})
		t.Run(fmt.Sprintf("entities/first=%d", first), func(t *testing.T) {
			e := e.at(t)
			ids := walk(t, first, func(after *string) conn {
				var d struct{ Entities conn }
				e.ok(`query($first: Int, $after: String) { entities(first: $first, after: $after) {
				  totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } } } }`,
					map[string]any{"first": first, "after": after}, &d)
				return d.Entities
			})
			unique(t, ids)
			if !slices.Equal(ids, fullEntities) {
				t.Errorf("pages give %v, one page gives %v", ids, fullEntities)
			}
		})
	}
}

func TestQueries(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})

	t.Run("entity", func(t *testing.T) {
		e := e.at(t)
		var d struct {
			Entity struct {
				ID, Name, Type string
				Labels         []struct{ Lang, Value string }
				Properties     map[string]any
				Sources        []struct{ Document struct{ ID, Type string } }
			}
		}
		e.ok(`{ entity(id: "enschede") { id name type labels { lang value } properties sources { document { id type } } } }`, nil, &d)
		if got, want := d.Entity.Name, "Enschede"; got != want {
			t.Errorf("name: got %q, want %q", got, want)
		}
		if !slices.Contains(d.Entity.Labels, struct{ Lang, Value string }{"zh", "恩斯赫德"}) {
			t.Errorf("labels %v lack the Chinese name", d.Entity.Labels)
		}
		if got, want := d.Entity.Properties["wikidata"], "Q10002"; got != want {
			t.Errorf("properties.wikidata: got %v, want %v", got, want)
		}
		if len(d.Entity.Sources) == 0 || d.Entity.Sources[0].Document.Type != "Document" {
			t.Errorf("sources: got %+v, want a Document", d.Entity.Sources)
		}
	})
	t.Run("EntityUnknownIsNull", func(t *testing.T) {
		e := e.at(t)
		r := e.post(`{ entity(id: "atlantis") { id } relation(id: "no-such") { id } node(id: "nowhere") { id } }`, nil)
		if got, want := string(r.Data), `{"entity":null,"relation":null,"node":null}`; got != want || len(r.Errors) > 0 {
			t.Errorf("got %s, want %s", r.Raw, want)
		}
	})
	t.Run("node", func(t *testing.T) {
		e := e.at(t)
		var d struct {
			E struct{ Typename, ID, Name string } `json:"e"`
		}
		e.ok(`{ e: node(id: "dalian") { __typename id ... on Entity { name } } }`, nil, &d)
		if got, want := d.E.Name, "Dalian"; got != want {
			t.Errorf("node(dalian).name: got %q, want %q", got, want)
		}
		var rels struct {
			Entity struct {
				Relations struct{ Nodes []struct{ ID, Type string } }
			}
		}
		e.ok(`{ entity(id: "dalian") { relations(first: 1) { nodes { id type } } } }`, nil, &rels)
		id := rels.Entity.Relations.Nodes[0].ID
		var n struct {
			Node struct {
				Typename string `json:"__typename"`
				ID       string
				Type     string
			}
		}
		e.ok(`query($id: ID!) { node(id: $id) { __typename id ... on Relation { type } } }`, map[string]any{"id": id}, &n)
		if got, want := n.Node.Typename, "Relation"; got != want {
			t.Errorf("node(%s).__typename: got %q, want %q", id, got, want)
		}
		if got, want := n.Node.Type, rels.Entity.Relations.Nodes[0].Type; got != want {
			t.Errorf("node(%s).type: got %q, want %q", id, got, want)
		}
	})
	t.Run("neighbors", func(t *testing.T) {
		e := e.at(t)
		var d struct {
			Entity struct {
				Neighbors struct {
					TotalCount int
					Edges      []struct {
						Node     struct{ ID, Type string }
						Relation struct{ Type, FromID, ToID string }
					}
				}
				Degree int
			}
		}
		e.ok(`{ entity(id: "enschede") { degree(types: ["SISTER_CITY_OF"])
		  neighbors(types: ["SISTER_CITY_OF"], entityTypes: ["City"]) { totalCount edges { node { id type } relation { type fromId toId } } } } }`, nil, &d)
		var ids []string
		for _, ed := range d.Entity.Neighbors.Edges {
			ids = append(ids, ed.Node.ID)
			if ed.Relation.Type != "SISTER_CITY_OF" || (ed.Relation.FromID != "enschede" && ed.Relation.ToID != "enschede") {
				t.Errorf("edge to %s through %+v", ed.Node.ID, ed.Relation)
			}
		}
		slices.Sort(ids)
		if got, want := ids, []string{"dalian", "palo-alto"}; !slices.Equal(got, want) {
			t.Errorf("sister cities: got %v, want %v", got, want)
		}
		if got, want := d.Entity.Degree, len(ids); got != want {
			t.Errorf("degree: got %d, want %d", got, want)
		}
	})
	t.Run("direction", func(t *testing.T) {
		e := e.at(t)
		var d struct {
			Entity struct {
				Out, In, Both int
			}
		}
		e.ok(`{ entity(id: "enschede") { out: degree(direction: OUT) in: degree(direction: IN) both: degree } }`, nil, &d)
		if d.Entity.Out == 0 || d.Entity.In == 0 || d.Entity.Both < d.Entity.Out || d.Entity.Both < d.Entity.In {
			t.Errorf("degrees out %d, in %d, both %d", d.Entity.Out, d.Entity.In, d.Entity.Both)
		}
	})
	t.Run("relationsRoot", func(t *testing.T) {
		e := e.at(t)
		var d struct {
			Relations struct{ TotalCount int }
			Entity    struct{ Relations struct{ TotalCount int } }
		}
		e.ok(`{ relations(id: "munster") { totalCount } entity(id: "munster") { relations { totalCount } } }`, nil, &d)
		if d.Relations.TotalCount == 0 || d.Relations.TotalCount != d.Entity.Relations.TotalCount {
			t.Errorf("relations(id) totalCount %d, entity.relations %d", d.Relations.TotalCount, d.Entity.Relations.TotalCount)
		}
	})
	t.Run("neighborhood", func(t *testing.T) {
		e := e.at(t)
		var d struct {
			Neighborhood struct {
				Truncated bool
				Nodes     []struct{ ID string }
				Edges     []struct{ ID, FromID, ToID string }
				NodeLink  struct {
					Nodes     []struct{ ID, Type, Name string }
					Directed  bool
					Multi     bool `json:"multigraph"`
					Links     []struct{ Key, Source, Target string }
					Truncated bool
				}
			}
		}
		e.ok(`{ neighborhood(id: "enschede", depth: 2, limit: 20) { truncated nodes { id } edges { id fromId toId } nodeLink } }`, nil, &d)
		g := d.Neighborhood
		if got, want := len(g.Nodes), 20; got != want || !g.Truncated {
			t.Errorf("limit 20: got %d nodes, truncated %v; want %d, true", got, g.Truncated, want)
		}
		if g.Nodes[0].ID != "enschede" {
			t.Errorf("first node %q, want the start", g.Nodes[0].ID)
		}
		in := map[string]bool{}
		for i, n := range g.Nodes {
			in[n.ID] = true
			if g.NodeLink.Nodes[i].ID != n.ID {
				t.Errorf("nodeLink node %d is %q, typed node is %q", i, g.NodeLink.Nodes[i].ID, n.ID)
			}
		}
		if got, want := len(g.NodeLink.Links), len(g.Edges); got != want {
			t.Errorf("nodeLink has %d links, edges %d", got, want)
		}
		for i, ed := range g.Edges {
			if !in[ed.FromID] || !in[ed.ToID] {
				t.Errorf("edge %s joins %s and %s, not both in the subgraph", ed.ID, ed.FromID, ed.ToID)
			}
			if l := g.NodeLink.Links[i]; l.Key != ed.ID || l.Source != ed.FromID || l.Target != ed.ToID {
				t.Errorf("nodeLink link %d is %+v, edge is %+v", i, l, ed)
			}
		}
		if !g.NodeLink.Directed || !g.NodeLink.Multi {
			t.Errorf("nodeLink directed %v, multigraph %v; want both true, as relations are", g.NodeLink.Directed, g.NodeLink.Multi)
		}
		if g.NodeLink.Truncated != g.Truncated {
			t.Errorf("nodeLink truncated %v, subgraph %v", g.NodeLink.Truncated, g.Truncated)
		}
		// Asked for in any shape (a fragment, nodeLink alone), the edges
		// are there; asked for nowhere, they are not read.
		for _, q := range []string{
			`{ neighborhood(id: "enschede") { ... on Subgraph { edges { id } } } }`,
			`{ neighborhood(id: "enschede") { ...E } } fragment E on Subgraph { edges { id } }`,
		} {
			var f struct {
				Neighborhood struct{ Edges []struct{ ID string } }
			}
			e.ok(q, nil, &f)
			if len(f.Neighborhood.Edges) == 0 {
				t.Errorf("%s: no edges", q)
			}
		}
		var nl struct {
			Neighborhood struct{ NodeLink struct{ Links []any } }
		}
		e.ok(`{ neighborhood(id: "enschede") { nodeLink } }`, nil, &nl)
		if len(nl.Neighborhood.NodeLink.Links) == 0 {
			t.Error("nodeLink alone has no links")
		}
	})
	t.Run("search", func(t *testing.T) {
		e := e.at(t)
		var d struct {
			Search []struct{ Entity struct{ ID string } }
		}
		e.ok(`{ search(text: "MÜNSTER", types: ["City"], first: 3) { entity { id } } }`, nil, &d)
		if len(d.Search) == 0 || d.Search[0].Entity.ID != "munster" {
			t.Errorf("search MÜNSTER: got %+v, want munster first", d.Search)
		}
	})
	t.Run("ontology", func(t *testing.T) {
		e := e.at(t)
		var d struct {
			Ontology struct {
				EntityTypes   []struct{ Name, Parent string }
				RelationTypes []struct {
					Name, Inverse string
					Symmetric     bool
					From, To      []string
				}
			}
		}
		e.ok(`{ ontology { entityTypes { name parent } relationTypes { name inverse symmetric from to } } }`, nil, &d)
		found := false
		for _, rt := range d.Ontology.RelationTypes {
			if rt.Name == "SISTER_CITY_OF" {
				found = rt.Symmetric && rt.Inverse == "SISTER_CITY_OF"
			}
		}
		if !found {
			t.Errorf("SISTER_CITY_OF missing or not symmetric in %+v", d.Ontology.RelationTypes)
		}
		if !slices.Contains(d.Ontology.EntityTypes, struct{ Name, Parent string }{"City", "Place"}) {
			t.Errorf("City < Place missing from %+v", d.Ontology.EntityTypes)
		}
	})
	t.Run("stats", func(t *testing.T) {
		e := e.at(t)
		var d struct {
			Stats struct {
				Entities, Relations int
				ByEntityType        []struct {
					Type  string
					Count int
				}
			}
		}
		e.ok(`{ stats { entities relations byEntityType { type count } byRelationType { type count } } }`, nil, &d)
		sum := 0
		for _, tc := range d.Stats.ByEntityType {
			sum += tc.Count
		}
		if d.Stats.Entities == 0 || d.Stats.Relations == 0 || sum != d.Stats.Entities {
			t.Errorf("stats %+v: by type sums to %d", d.Stats, sum)
		}
	})
	t.Run("path", func(t *testing.T) {
		e := e.at(t)
		var d struct {
			Path struct {
				Length int
				Cost   float64
				Nodes  []struct{ ID string }
				Edges  []struct {
					FromID, ToID string
					Sources      []struct{ Excerpt string }
				}
			}
		}
		e.ok(`{ path(from: "enschede", to: "tesla-motors") { length cost nodes { id } edges { fromId toId sources { excerpt } } } }`, nil, &d)
		p := d.Path
		if p.Length == 0 || len(p.Nodes) != p.Length+1 || len(p.Edges) != p.Length {
			t.Fatalf("path %+v: length, nodes and edges disagree", p)
		}
		if p.Nodes[0].ID != "enschede" || p.Nodes[len(p.Nodes)-1].ID != "tesla-motors" {
			t.Errorf("path runs from %s to %s", p.Nodes[0].ID, p.Nodes[len(p.Nodes)-1].ID)
		}
		for i, ed := range p.Edges {
			a, b := p.Nodes[i].ID, p.Nodes[i+1].ID
			if !(ed.FromID == a && ed.ToID == b) && !(ed.FromID == b && ed.ToID == a) {
				t.Errorf("edge %d joins %s-%s, not %s-%s", i, ed.FromID, ed.ToID, a, b)
			}
		}
		if got, want := p.Cost, float64(p.Length); got != want {
			t.Errorf("unweighted cost: got %v, want %v", got, want)
		}
		r := e.post(`{ path(from: "enschede", to: "tesla-motors", maxDepth: 1) { length } }`, nil)
		if string(r.Data) != `{"path":null}` {
			t.Errorf("path within 1 hop: got %s, want null", r.Raw)
		}
	})
	t.Run("paths", func(t *testing.T) {
		e := e.at(t)
		var d struct {
			Paths []struct {
				Length int
				Edges  []struct{ ID string }
			}
			AllPaths struct {
				Truncated bool
				Paths     []struct{ Length int }
			}
		}
		e.ok(`{ paths(from: "enschede", to: "dalian", k: 4) { length edges { id } }
		  allPaths(from: "enschede", to: "dalian", maxDepth: 2, limit: 5) { truncated paths { length } } }`, nil, &d)
		if len(d.Paths) == 0 || len(d.Paths) > 4 {
			t.Fatalf("paths k=4: got %d", len(d.Paths))
		}
		seen := map[string]bool{}
		for i, p := range d.Paths {
			if i > 0 && p.Length < d.Paths[i-1].Length {
				t.Errorf("paths not shortest first: %d after %d", p.Length, d.Paths[i-1].Length)
			}
			key := fmt.Sprint(p.Edges)
			if seen[key] {
				t.Errorf("path %s twice", key)
			}
			seen[key] = true
		}
		if n := len(d.AllPaths.Paths); n == 0 || n > 5 {
			t.Errorf("allPaths limit 5: got %d", n)
		}
	})
	t.Run("commonNeighbors", func(t *testing.T) {
		e := e.at(t)
		var d struct{ CommonNeighbors []struct{ ID string } }
		e.ok(`{ commonNeighbors(ids: ["munster", "heidelberg"]) { id } }`, nil, &d)
		var ids []string
		for _, n := range d.CommonNeighbors {
			ids = append(ids, n.ID)
		}
		if !slices.Contains(ids, "germany") || !slices.Contains(ids, "smart-city-conference-2017") {
			t.Errorf("shared neighbours of Münster and Heidelberg: got %v, want germany and the conference", ids)
		}
	})
	t.Run("centrality", func(t *testing.T) {
		e := e.at(t)
		for _, m := range []string{"DEGREE", "PAGERANK", "BETWEENNESS"} {
			var d struct {
				Centrality struct {
					Ranking []struct {
						Entity struct{ ID string }
						Score  float64
					}
					Nodes int
				}
			}
			e.ok(`query($m: CentralityMeasure) { centrality(measure: $m, first: 5) { ranking { entity { id } score } sampled samples seed iterations converged nodes } }`,
				map[string]any{"m": m}, &d)
			rk := d.Centrality.Ranking
			if len(rk) != 5 {
				t.Fatalf("%s: %d ranked, want 5", m, len(rk))
			}
			for i := 1; i < len(rk); i++ {
				if rk[i].Score > rk[i-1].Score {
					t.Errorf("%s: ranking not best first at %d", m, i)
				}
			}
			if m == "DEGREE" && rk[0].Entity.ID != "enschede" {
				t.Errorf("DEGREE: %s ranks first, want enschede", rk[0].Entity.ID)
			}
		}
	})
	t.Run("components", func(t *testing.T) {
		e := e.at(t)
		var d struct {
			Components struct {
				Count, Largest int
				Sizes          []int
			}
			Entity struct{ Component string }
		}
		e.ok(`{ components { count largest sizes } entity(id: "tesla-motors") { component } }`, nil, &d)
		c := d.Components
		if c.Count == 0 || len(c.Sizes) == 0 || c.Sizes[0] != c.Largest {
			t.Errorf("components %+v", c)
		}
		if d.Entity.Component == "" {
			t.Errorf("tesla-motors has no component")
		}
	})
	t.Run("asOf", func(t *testing.T) {
		e := e.at(t)
		var d struct {
			Entity *struct{ Name string }
		}
		// Any instant after the last commit reads the newest state, up to
		// the largest instant RFC 3339 can write.
		for _, future := range []string{"2099-01-01T00:00:00Z", "2300-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z"} {
			e.ok(`{ entity(id: "enschede", asOf: "`+future+`") { name } }`, nil, &d)
			if d.Entity == nil || d.Entity.Name != "Enschede" {
				t.Errorf("asOf %s: got %+v, want the entity as now", future, d.Entity)
			}
		}
		// Older than the history retention: refused, naming the oldest
		// instant that can be read, rather than read from a past that
		// compaction may have thinned. 1970 and the zero time were once
		// taken for "no asOf" and answered with today's data; anything
		// before 1970 is named as 1970.
		if e.store.Features().AllHistory {
			t.Skip("the backend keeps every version: no instant is older than its history")
		}
		for _, tc := range []struct{ asOf, named string }{
			{"2000-01-01T00:00:00Z", "2000-01-01T00:00:00Z"},
			{"1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"},
			{"0001-01-01T00:00:00Z", "1970-01-01T00:00:00Z"},
			{"1500-06-01T00:00:00+02:00", "1970-01-01T00:00:00Z"},
		} {
			r := e.post(`{ entity(id: "enschede", asOf: "`+tc.asOf+`") { name } }`, nil)
			if got, want := r.Code(), "INVALID_ARGUMENT"; got != want {
				t.Fatalf("asOf %s beyond the retention: code %q, want %q: %s", tc.asOf, got, want, r.Raw)
			}
			if got, want := r.Errors[0].Extensions["field"], any("asOf"); got != want {
				t.Errorf("field: got %v, want %v", got, want)
			}
			if msg := r.Errors[0].Message; !strings.Contains(msg, tc.named) || !strings.Contains(msg, "oldest instant that can be read is") {
				t.Errorf("asOf %s: message %q names neither %s nor the horizon", tc.asOf, msg, tc.named)
			}
		}
	})
	t.Run("GETandPOST", func(t *testing.T) {
		e := e.at(t)
		q := `query($id: ID!) { entity(id: $id) { name degree } }`
		vars := map[string]any{"id": "palo-alto"}
		get, post := e.get(q, vars), e.post(q, vars)
		if get.Status != http.StatusOK || string(get.Raw) != string(post.Raw) {
			t.Errorf("GET answered %d %s; POST %d %s", get.Status, get.Raw, post.Status, post.Raw)
		}
	})
	t.Run("batchedLoads", func(t *testing.T) {
		e := e.at(t)
		// Aliased lookups and relation ends in one request.
		var d map[string]json.RawMessage
		e.ok(`{ a: relation(id: "missing") { id } b: entity(id: "munster") { relations { edges { node { from { id } to { id } } } } } }`, nil, &d)
	})
}

// A size argument of 0 asks for nothing (Relay's first: 0), not for the
// default size: a client counting with first: 0 must not pay for a page.
// Totals and hasNextPage still answer.
func TestZeroSizeArguments(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	tests := []struct{ name, query, want string }{
		{"entities", `{ entities(first: 0) { totalCount edges { cursor } nodes { id } pageInfo { hasNextPage startCursor endCursor } } }`,
			`{"entities":{"totalCount":49,"edges":[],"nodes":[],"pageInfo":{"hasNextPage":true,"startCursor":null,"endCursor":null}}}`},
		{"entity relations", `{ entity(id: "enschede") { relations(first: 0) { totalCount edges { cursor } pageInfo { hasNextPage endCursor } } } }`,
			`{"entity":{"relations":{"totalCount":33,"edges":[],"pageInfo":{"hasNextPage":true,"endCursor":null}}}}`},
		{"entity relations, none after", `{ entity(id: "tesla-motors") { relations(first: 0, types: ["MAYOR_OF"]) { totalCount edges { cursor } pageInfo { hasNextPage } } } }`,
			`{"entity":{"relations":{"totalCount":0,"edges":[],"pageInfo":{"hasNextPage":false}}}}`},
		{"neighbors", `{ entity(id: "enschede") { neighbors(first: 0) { totalCount nodes { id } pageInfo { hasNextPage } } } }`,
			`{"entity":{"neighbors":{"totalCount":33,"nodes":[],"pageInfo":{"hasNextPage":true}}}}`},
		{"relations", `{ relations(id: "dalian", first: 0) { totalCount nodes { id } } }`,
			`{"relations":{"totalCount":14,"nodes":[]}}`},
		{"search", `{ search(text: "palo", first: 0) { score } }`, `{"search":[]}`},
		{"commonNeighbors", `{ commonNeighbors(ids: ["munster", "heidelberg"], first: 0) { id } }`, `{"commonNeighbors":[]}`},
		{"centrality", `{ centrality(first: 0) { ranking { score } nodes } }`, `{"centrality":{"ranking":[],"nodes":49}}`},
		{"paths k", `{ paths(from: "enschede", to: "tesla-motors", k: 0) { length } }`, `{"paths":[]}`},
		{"allPaths limit", `{ allPaths(from: "enschede", to: "tesla-motors", limit: 0) { truncated paths { length } } }`,
			`{"allPaths":{"truncated":true,"paths":[]}}`},
		{"neighborhood limit", `{ neighborhood(id: "enschede", limit: 0) { truncated nodes { id } edges { id } } }`,
			`{"neighborhood":{"truncated":true,"nodes":[],"edges":[]}}`},
		{"path maxDepth", `{ path(from: "enschede", to: "tesla-motors", maxDepth: 0) { length } }`, `{"path":null}`},
		{"path maxDepth to itself", `{ path(from: "enschede", to: "enschede", maxDepth: 0) { length } }`, `{"path":{"length":0}}`},
		{"paths maxDepth", `{ paths(from: "enschede", to: "tesla-motors", maxDepth: 0) { length } }`, `{"paths":[]}`},
		{"allPaths maxDepth", `{ allPaths(from: "enschede", to: "tesla-motors", maxDepth: 0) { paths { length } } }`,
			`{"allPaths":{"paths":[]}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.at(t).post(tc.query, nil)
			if len(r.Errors) > 0 {
				t.Fatalf("errors: %s", r.Raw)
			}
			if got, want := string(r.Data), tc.want; got != want {
				t.Errorf("data\n got %s\nwant %s", got, want)
			}
		})
	}
}

// The arguments are still checked when nothing is asked for.
func TestZeroSizeStillValidates(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	for _, q := range []string{
		`{ search(text: "palo", first: 0, types: ["Ciyt"]) { score } }`,
		`{ entities(first: 0, types: ["Ciyt"]) { totalCount } }`,
		`{ paths(from: "enschede", to: "nowhere", k: 0) { length } }`,
	} {
		r := e.post(q, nil)
		if r.Code() == "" {
			t.Errorf("%s: no error, got %s", q, r.Raw)
		}
	}
}
