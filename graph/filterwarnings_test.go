package graph_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/ties-graph/ties/graph"
	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/storetest"
)

// TestFilterKindWarnings: a where bound of another kind than a property's
// values ({key: "birthday", gte: "1980-01-01"} on dates) matched nothing
// and said nothing. It still matches nothing (properties may mix kinds),
// but the answer carries extensions.warnings naming the filter, the kinds
// the property holds and how to write the bound; a filter that is empty
// for other reasons, or a property that holds the operand's kind among
// others, gets no warning.
func TestFilterKindWarnings(t *testing.T) {
	st := storetest.Open(t)
	loadFounding(t, st)
	date := func(s string) store.Value {
		d, err := store.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return store.DateValue(d)
	}
	b := store.Batch{
		Entities: []store.Entity{
			{ID: "ann", Type: "Person", Name: "Ann", Properties: store.Properties{"birthday": date("1975-03-01"), "founded": date("1990")}},
			{ID: "bob", Type: "Person", Name: "Bob", Properties: store.Properties{"birthday": date("1984-11-20"), "founded": store.Text("unknown")}},
			{ID: "testville", Type: "City", Name: "Testville"},
			{ID: "testtown", Type: "City", Name: "Testtown"},
		},
		Relations: []store.Relation{
			{Type: "MAYOR_OF", From: "ann", To: "testville"},
			{Type: "MAYOR_OF", From: "bob", To: "testville"},
			{Type: "MAYOR_OF", From: "ann", To: "testtown"},
		},
	}
	if _, err := st.Apply(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, st, graph.ServerConfig{})

	ask := func(t *testing.T, query string) (data string, ws []warning) {
		t.Helper()
		r := e.at(t).post(query, nil)
		if len(r.Errors) > 0 {
			t.Fatalf("errors: %s", r.Raw)
		}
		return string(r.Data), warningsOf(t, r.Raw)
	}
	const birthday = `where[0] (key "birthday"): no value is text; the property holds dates: write gte: {date: "1980-01-01"}`
	for _, tc := range []struct {
		name, query, data string
		want              []warning
	}{{
		name:  "Entities",
		query: `{ entities(types: ["Person"], where: [{key: "birthday", gte: "1980-01-01"}]) { totalCount } }`,
		data:  `{"entities":{"totalCount":0}}`,
		want:  []warning{{birthday, "FILTER_KIND_MISMATCH", []any{"entities"}}},
	}, {
		name:  "EntitiesAsWritten",
		query: `{ entities(types: ["Person"], where: [{key: "birthday", gte: {date: "1980-01-01"}}]) { totalCount } }`,
		data:  `{"entities":{"totalCount":1}}`,
	}, {
		name:  "Neighbors",
		query: `{ entity(id: "testville") { partners: neighbors(where: [{key: "birthday", gte: "1980-01-01"}]) { totalCount } } }`,
		data:  `{"entity":{"partners":{"totalCount":0}}}`,
		want:  []warning{{birthday, "FILTER_KIND_MISMATCH", []any{"entity", "partners"}}},
	}, {
		name:  "NeighborsDistinct",
		query: `{ entity(id: "testville") { neighbors(distinct: true, where: [{key: "birthday", gte: "1980-01-01"}]) { totalCount } } }`,
		data:  `{"entity":{"neighbors":{"totalCount":0}}}`,
		want:  []warning{{birthday, "FILTER_KIND_MISMATCH", []any{"entity", "neighbors"}}},
	}, {
		name:  "Neighborhood",
		query: `{ neighborhood(id: "testville", where: [{key: "birthday", gte: "1980-01-01"}]) { nodes { id } } }`,
		data:  `{"neighborhood":{"nodes":[{"id":"testville"}]}}`,
		want:  []warning{{birthday, "FILTER_KIND_MISMATCH", []any{"neighborhood"}}},
	}, {
		name:  "EntityRelations",
		query: `{ entity(id: "enschede") { relations(types: ["MAYOR_OF"], where: [{key: "attested", eq: 2017}]) { totalCount } } }`,
		data:  `{"entity":{"relations":{"totalCount":0}}}`,
		want: []warning{{`where[0] (key "attested"): no value is a number; the property holds dates: write eq: {date: "2017"}`,
			"FILTER_KIND_MISMATCH", []any{"entity", "relations"}}},
	}, {
		name:  "Relations",
		query: `{ relations(types: ["MAYOR_OF"], where: [{key: "attested", lt: "2000"}]) { totalCount } }`,
		data:  `{"relations":{"totalCount":0}}`,
		want: []warning{{`where[0] (key "attested"): no value is text; the property holds dates: write lt: {date: "2000"}`,
			"FILTER_KIND_MISMATCH", []any{"relations"}}},
	}, {
		// founded holds a date and a text: a text that matches nothing
		// is a legitimate empty answer.
		name:  "MixedKinds",
		query: `{ entities(types: ["Person"], where: [{key: "founded", eq: "1990"}]) { totalCount } }`,
		data:  `{"entities":{"totalCount":0}}`,
	}, {
		name:  "RightKindNoMatch",
		query: `{ entities(types: ["Person"], where: [{key: "birthday", gte: {date: "2020"}}]) { totalCount } }`,
		data:  `{"entities":{"totalCount":0}}`,
	}, {
		name:  "NoSuchProperty",
		query: `{ entities(types: ["Person"], where: [{key: "shoeSize", gt: "40"}]) { totalCount } }`,
		data:  `{"entities":{"totalCount":0}}`,
	}, {
		name:  "BuiltinField",
		query: `{ entities(types: ["Person"], where: [{key: "validFrom", gte: "2999"}]) { totalCount } }`,
		data:  `{"entities":{"totalCount":0}}`,
	}, {
		// A field in a list is checked once, not once per entity.
		name:  "InAList",
		query: `{ entities(types: ["City"], where: [{key: "name", contains: "test"}]) { nodes { neighbors(where: [{key: "birthday", gte: "1980-01-01"}]) { totalCount } } } }`,
		want:  []warning{{birthday, "FILTER_KIND_MISMATCH", nil}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			data, ws := ask(t, tc.query)
			if tc.data != "" && data != tc.data {
				t.Errorf("data: got %s, want %s", data, tc.data)
			}
			if tc.want != nil && tc.want[0].Path == nil && len(ws) == 1 {
				// A path into the list: entities.nodes.N.neighbors.
				if len(ws[0].Path) != 4 || ws[0].Path[0] != "entities" || ws[0].Path[3] != "neighbors" {
					t.Errorf("path %v is not that of a list's neighbors", ws[0].Path)
				}
				tc.want[0].Path = ws[0].Path
			}
			if !reflect.DeepEqual(ws, tc.want) {
				t.Errorf("warnings:\n got %+v\nwant %+v", ws, tc.want)
			}
		})
	}
}

// TestFilterKindWarningsSearchFacets: search, facets and relationFacets
// left empty by a where bound of another kind than the property's values
// give the advice entities does; one that is empty for other reasons (a
// text that matches no name, a bound of the right kind) does not.
func TestFilterKindWarningsSearchFacets(t *testing.T) {
	st := storetest.Open(t)
	loadFounding(t, st)
	date := func(s string) store.Value {
		d, err := store.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return store.DateValue(d)
	}
	b := store.Batch{
		Entities: []store.Entity{
			{ID: "ann", Type: "Person", Name: "Ann Kindtest", Properties: store.Properties{"birthday": date("1975-03-01")}},
			{ID: "bob", Type: "Person", Name: "Bob Kindtest", Properties: store.Properties{"birthday": date("1984-11-20")}},
			{ID: "testville", Type: "City", Name: "Testville"},
		},
		Relations: []store.Relation{
			{Type: "MAYOR_OF", From: "ann", To: "testville", Properties: store.Properties{"elected": date("1999")}},
		},
	}
	if _, err := st.Apply(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, st, graph.ServerConfig{})

	const birthday = `where[0] (key "birthday"): no value is text; the property holds dates: write gte: {date: "1980-01-01"}`
	for _, tc := range []struct {
		name, query, data string
		want              []warning
	}{{
		name:  "Search",
		query: `{ search(text: "kindtest", where: [{key: "birthday", gte: "1980-01-01"}]) { entity { id } } }`,
		data:  `{"search":[]}`,
		want:  []warning{{birthday, "FILTER_KIND_MISMATCH", []any{"search"}}},
	}, {
		name:  "SearchAsWritten",
		query: `{ search(text: "kindtest", where: [{key: "birthday", gte: {date: "1980-01-01"}}]) { entity { id } } }`,
		data:  `{"search":[{"entity":{"id":"bob"}}]}`,
	}, {
		name:  "SearchRightKindNoMatch",
		query: `{ search(text: "kindtest", where: [{key: "birthday", gte: {date: "2020"}}]) { entity { id } } }`,
		data:  `{"search":[]}`,
	}, {
		// No name matches: the filter did not empty the answer.
		name:  "SearchNoName",
		query: `{ search(text: "zzyzx", where: [{key: "birthday", gte: "1980-01-01"}]) { entity { id } } }`,
		data:  `{"search":[]}`,
	}, {
		name:  "SearchAliased",
		query: `{ people: search(text: "kindtest", types: ["Person"], where: [{key: "birthday", gte: "1980-01-01"}]) { entity { id } } }`,
		data:  `{"people":[]}`,
		want:  []warning{{birthday, "FILTER_KIND_MISMATCH", []any{"people"}}},
	}, {
		name:  "Facets",
		query: `{ facets(types: ["Person"], where: [{key: "birthday", gte: "1980-01-01"}], by: ["type"]) { key count } }`,
		data:  `{"facets":[]}`,
		want:  []warning{{birthday, "FILTER_KIND_MISMATCH", []any{"facets"}}},
	}, {
		name:  "FacetsAsWritten",
		query: `{ facets(types: ["Person"], where: [{key: "birthday", gte: {date: "1980-01-01"}}], by: ["type"]) { key count } }`,
		data:  `{"facets":[{"key":"type","count":1}]}`,
	}, {
		name:  "RelationFacets",
		query: `{ relationFacets(types: ["MAYOR_OF"], where: [{key: "elected", lt: "2000"}], by: ["type"]) { key count } }`,
		data:  `{"relationFacets":[]}`,
		want: []warning{{`where[0] (key "elected"): no value is text; the property holds dates: write lt: {date: "2000"}`,
			"FILTER_KIND_MISMATCH", []any{"relationFacets"}}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.at(t).post(tc.query, nil)
			if len(r.Errors) > 0 {
				t.Fatalf("errors: %s", r.Raw)
			}
			if got := string(r.Data); got != tc.data {
				t.Errorf("data: got %s, want %s", got, tc.data)
			}
			if ws := warningsOf(t, r.Raw); !reflect.DeepEqual(ws, tc.want) {
				t.Errorf("warnings:\n got %+v\nwant %+v", ws, tc.want)
			}
		})
	}
}
