package graph_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/ties-graph/ties/graph"
	"github.com/ties-graph/ties/store"
)

// dump is everything a client can see of the graph, for before/after
// comparisons.
func dump(t *testing.T, e *env) string {
	t.Helper()
	r := e.post(`{ stats { entities relations byEntityType { type count } byRelationType { type count } }
	  entities(first: 1000) { edges { node { id type name description labels { lang value } aliases properties validFrom validTo
	    relations(first: 1000) { edges { node { id type fromId toId properties validFrom validTo sources { documentId excerpt } } } } } } }
	  ontology { entityTypes { name parent } relationTypes { name inverse symmetric from to } } }`, nil)
	if len(r.Errors) > 0 {
		t.Fatalf("dump: %s", r.Raw)
	}
	return string(r.Data)
}

// mutationConfig turns the complexity limit off (a negative limit), so
// that dump can read the whole graph in one query.
var mutationConfig = graph.ServerConfig{Limits: graph.Limits{Complexity: -1}}

func TestMutations(t *testing.T) {
	e := newEnv(t, mutationConfig)

	t.Run("defineTypes", func(t *testing.T) {
		e := e.at(t)
		var d struct {
			DefineEntityType   struct{ Name, Parent string }
			DefineRelationType struct {
				Name, Inverse string
				From, To      []string
			}
		}
		e.ok(`mutation { defineEntityType(input: {name: "University", parent: "Organization", description: "A university."}) { name parent }
		  defineRelationType(input: {name: "STUDIED_AT", inverse: "HAS_STUDENT", from: ["Person"], to: ["University"]}) { name inverse from to } }`, nil, &d)
		if got, want := d.DefineEntityType.Parent, "Organization"; got != want {
			t.Errorf("parent: got %q, want %q", got, want)
		}
		var o struct {
			Ontology struct{ EntityTypes []struct{ Name string } }
		}
		e.ok(`{ ontology { entityTypes { name } } }`, nil, &o)
		if !slices.ContainsFunc(o.Ontology.EntityTypes, func(et struct{ Name string }) bool { return et.Name == "University" }) {
			t.Errorf("University not in the ontology after defineEntityType")
		}
	})
	t.Run("defineAnswersStoredType", func(t *testing.T) {
		// The answer is the type as stored, not the input echoed: a
		// symmetric type is its own inverse, and a redefinition that
		// leaves the inverse out keeps it.
		e := e.at(t)
		type relType struct {
			Name, Inverse string
			Symmetric     bool
			From, To      []string
		}
		var d struct{ DefineRelationType relType }
		e.ok(`mutation { defineRelationType(input: {name: "TWINNED_WITH", symmetric: true}) { name inverse symmetric from to } }`, nil, &d)
		if got, want := d.DefineRelationType.Inverse, "TWINNED_WITH"; got != want {
			t.Errorf("symmetric type's inverse: got %q, want %q", got, want)
		}
		e.ok(`mutation { defineRelationType(input: {name: "ADVISES", inverse: "ADVISED_BY", from: ["Person"]}) { name } }`, nil, &d)
		e.ok(`mutation { defineRelationType(input: {name: "ADVISES", from: ["Person", "Organization"]}) { name inverse symmetric from to } }`, nil, &d)
		var o struct {
			Ontology struct{ RelationTypes []relType }
		}
		e.ok(`{ ontology { relationTypes { name inverse symmetric from to } } }`, nil, &o)
		i := slices.IndexFunc(o.Ontology.RelationTypes, func(rt relType) bool { return rt.Name == "ADVISES" })
		if i < 0 {
			t.Fatalf("ADVISES not in the ontology")
		}
		if got, want := d.DefineRelationType, o.Ontology.RelationTypes[i]; !jsonEqual(got, want) {
			t.Errorf("defineRelationType answered %+v, the ontology has %+v", got, want)
		}
		if got, want := d.DefineRelationType.Inverse, "ADVISED_BY"; got != want {
			t.Errorf("redefined inverse: got %q, want %q", got, want)
		}
	})
	t.Run("upsert", func(t *testing.T) {
		e := e.at(t)
		var d struct {
			UpsertEntities []struct {
				ID, Name   string
				Properties map[string]any
				ValidFrom  *string
			}
		}
		e.ok(`mutation($in: [EntityInput!]!) { upsertEntities(input: $in) { id name properties validFrom } }`, map[string]any{"in": []any{
			map[string]any{"id": "university-of-twente", "type": "University", "name": "University of Twente",
				"labels": []any{map[string]any{"lang": "nl", "value": "Universiteit Twente"}}, "aliases": []any{"UT"},
				"properties": map[string]any{"founded": map[string]any{"date": "1961"}, "students": 12000, "location": map[string]any{"lat": 52.24, "lon": 6.85}},
				"validFrom":  "1961",
				"sources":    []any{map[string]any{"document": "enschede-international-annual-report-2017", "excerpt": "knowledge institutes", "confidence": 0.5}}},
			map[string]any{"id": "jan-jansen", "type": "Person", "name": "Jan Jansen"},
		}}, &d)
		if got, want := len(d.UpsertEntities), 2; got != want {
			t.Fatalf("upserted %d, want %d", got, want)
		}
		if got, want := d.UpsertEntities[0].Properties["founded"], any(map[string]any{"date": "1961"}); !jsonEqual(got, want) {
			t.Errorf("founded: got %v, want %v", got, want)
		}
		var rels struct {
			UpsertRelations []struct {
				ID, Type string
				From     struct{ Name string }
				To       struct{ Name string }
			}
		}
		e.ok(`mutation { upsertRelations(input: [
		  {type: "STUDIED_AT", from: "jan-jansen", to: "university-of-twente", validFrom: "1990", validTo: "1995", properties: {degree: "MSc"}},
		  {id: "ut-in-enschede", type: "LOCATED_IN", from: "university-of-twente", to: "enschede"}]) { id type from { name } to { name } } }`, nil, &rels)
		if got, want := len(rels.UpsertRelations), 2; got != want {
			t.Fatalf("upserted %d relations, want %d", got, want)
		}
		if rels.UpsertRelations[0].ID == "" || rels.UpsertRelations[1].ID != "ut-in-enschede" {
			t.Errorf("relation ids: %+v", rels.UpsertRelations)
		}
		if got, want := rels.UpsertRelations[0].To.Name, "University of Twente"; got != want {
			t.Errorf("to: got %q, want %q", got, want)
		}
		var deg struct {
			Entity struct{ Degree int }
		}
		e.ok(`{ entity(id: "university-of-twente") { degree } }`, nil, &deg)
		if got, want := deg.Entity.Degree, 2; got != want {
			t.Errorf("degree after upserts: got %d, want %d", got, want)
		}
	})
	t.Run("deleteRefusedWithoutCascade", func(t *testing.T) {
		e := e.at(t)
		before := dump(t, e)
		r := e.post(`mutation { deleteEntities(ids: ["university-of-twente"]) }`, nil)
		if got, want := r.Code(), "CONFLICT"; got != want {
			t.Fatalf("code: got %q, want %q: %s", got, want, r.Raw)
		}
		if after := dump(t, e); after != before {
			t.Errorf("a refused delete changed the graph")
		}
	})
	t.Run("delete", func(t *testing.T) {
		e := e.at(t)
		var d struct{ DeleteRelations, DeleteEntities int }
		before := dump(t, e)
		r := e.post(`mutation { deleteRelations(ids: ["ut-in-enschede", "never-existed"]) }`, nil)
		if got, want := r.Code(), "NOT_FOUND"; got != want {
			t.Errorf("delete of an unknown relation: code %q, want %q: %s", got, want, r.Raw)
		}
		if after := dump(t, e); after != before {
			t.Errorf("a refused delete changed the graph")
		}
		e.ok(`mutation { deleteRelations(ids: ["ut-in-enschede"]) }`, nil, nil)
		r = e.post(`mutation { deleteEntities(ids: ["university-of-twente", "jan-jansen"], cascade: true) }`, nil)
		if len(r.Errors) > 0 {
			t.Fatalf("delete with cascade: %s", r.Raw)
		}
		_ = json.Unmarshal(r.Data, &d)
		if got, want := d.DeleteEntities, 2; got != want {
			t.Errorf("deleted %d entities, want %d", got, want)
		}
		var q struct{ Entity *struct{ ID string } }
		e.ok(`{ entity(id: "university-of-twente") { id } }`, nil, &q)
		if q.Entity != nil {
			t.Errorf("entity still there after delete")
		}
	})
}

// A batch with one bad record writes nothing, and every bad record is its
// own error naming the record and the field.
func TestMutationBatchAllOrNothing(t *testing.T) {
	e := newEnv(t, mutationConfig)
	before := dump(t, e)
	for _, tc := range []struct {
		name  string
		query string
		vars  map[string]any
		codes []string
	}{
		{"unknownType", `mutation($in: [EntityInput!]!) { upsertEntities(input: $in) { id } }`, map[string]any{"in": []any{
			map[string]any{"id": "good-one", "type": "City", "name": "Good"},
			map[string]any{"id": "bad-one", "type": "Spaceship", "name": "Bad"},
		}}, []string{"INVALID_ARGUMENT"}},
		{"twoBadRecords", `mutation($in: [EntityInput!]!) { upsertEntities(input: $in) { id } }`, map[string]any{"in": []any{
			map[string]any{"id": "good-two", "type": "City", "name": "Good"},
			map[string]any{"id": "bad-two", "type": "Spaceship", "name": "Bad"},
			map[string]any{"id": "bad-three", "type": "City", "name": "Bad", "validFrom": "2017", "validTo": "2009"},
		}}, []string{"INVALID_ARGUMENT", "INVALID_ARGUMENT"}},
		{"danglingRelation", `mutation { upsertRelations(input: [
		  {type: "SISTER_CITY_OF", from: "enschede", to: "munster"},
		  {type: "SISTER_CITY_OF", from: "enschede", to: "atlantis"}]) { id } }`, nil, nil},
		{"badProperty", `mutation { upsertEntities(input: [{id: "x-city", type: "City", name: "X", properties: {nested: {a: 1}}}]) { id } }`, nil, []string{"INVALID_ARGUMENT"}},
		{"badDateInInput", `mutation { upsertEntities(input: [{id: "y-city", type: "City", name: "Y", validFrom: "2017-13"}]) { id } }`, nil, []string{"INVALID_ARGUMENT"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := e.at(t)
			r := e.post(tc.query, tc.vars)
			if len(r.Errors) == 0 {
				t.Fatalf("bad batch accepted: %s", r.Raw)
			}
			if tc.codes != nil {
				var codes []string
				for _, er := range r.Errors {
					c, _ := er.Extensions["code"].(string)
					codes = append(codes, c)
				}
				if !slices.Equal(codes, tc.codes) {
					t.Errorf("codes: got %v, want %v: %s", codes, tc.codes, r.Raw)
				}
			}
			for _, er := range r.Errors {
				if er.Extensions["code"] == "INTERNAL" {
					t.Errorf("internal error for bad input: %s", r.Raw)
				}
			}
			if tc.name == "twoBadRecords" {
				for i, er := range r.Errors {
					if er.Extensions["record"] == nil {
						t.Errorf("error %d names no record: %s", i, r.Raw)
					}
					// Each points at the mutation field, as a lone error does.
					if want := []map[string]int{{"line": 1, "column": 34}}; !jsonEqual(er.Locations, want) {
						t.Errorf("error %d: locations %v, want %v: %s", i, er.Locations, want, r.Raw)
					}
				}
			}
			if after := dump(t, e); after != before {
				t.Errorf("a refused batch changed the graph")
			}
		})
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// path(weight:) follows the cheapest route by a numeric relation property,
// not the one with the fewest hops.
func TestWeightedPath(t *testing.T) {
	e := newEnv(t, mutationConfig)
	e.ok(`mutation {
	  upsertEntities(input: [{id: "w-a", type: "City", name: "A"}, {id: "w-b", type: "City", name: "B"}, {id: "w-c", type: "City", name: "C"}]) { id }
	}`, nil, nil)
	e.ok(`mutation {
	  upsertRelations(input: [
	    {id: "w-ab", type: "COOPERATES_WITH", from: "w-a", to: "w-b", properties: {km: 10}},
	    {id: "w-bc", type: "COOPERATES_WITH", from: "w-b", to: "w-c", properties: {km: 10}},
	    {id: "w-ac", type: "COOPERATES_WITH", from: "w-a", to: "w-c", properties: {km: 50}}]) { id }
	}`, nil, nil)
	var d struct {
		Hops, Km struct {
			Length int
			Cost   float64
			Edges  []struct{ ID string }
		}
	}
	e.ok(`{ hops: path(from: "w-a", to: "w-c", types: ["COOPERATES_WITH"]) { length cost edges { id } }
	  km: path(from: "w-a", to: "w-c", types: ["COOPERATES_WITH"], weight: "km") { length cost edges { id } } }`, nil, &d)
	if got, want := d.Hops.Length, 1; got != want {
		t.Errorf("fewest hops: length %d, want %d", got, want)
	}
	if got, want := d.Km.Cost, 20.0; got != want {
		t.Errorf("cheapest by km: cost %v, want %v", got, want)
	}
	if got, want := len(d.Km.Edges), 2; got != want {
		t.Errorf("cheapest by km: %d edges, want %d", got, want)
	}
}

// Property values written as GraphQL literals arrive as Go integers, not
// JSON numbers: a geo point with whole degrees is still a geo point, and
// one out of range says so.
func TestPropertyLiterals(t *testing.T) {
	e := newEnv(t, mutationConfig)
	r := e.post(`mutation { upsertEntities(input: [{id: "hengelo", type: "City", name: "Hengelo",
	  properties: {location: {lat: 52, lon: 6.8}, founded: {date: "1802"}, tags: [1, "a", true]}}]) { properties } }`, nil)
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %s", r.Raw)
	}
	if got, want := string(r.Data), `{"upsertEntities":[{"properties":{"founded":{"date":"1802"},"location":{"lat":52,"lon":6.8},"tags":[1,"a",true]}}]}`; got != want {
		t.Errorf("properties\n got %s\nwant %s", got, want)
	}
	r = e.post(`mutation { upsertEntities(input: [{id: "nowhere", type: "City", name: "N", properties: {location: {lat: 91, lon: 0}}}]) { id } }`, nil)
	if len(r.Errors) == 0 || !strings.Contains(r.Errors[0].Message, "out of range") {
		t.Errorf("lat 91: want an out-of-range error, got %s", r.Raw)
	}
}

// TestMutationDuringLoad: while a bulk load holds the writer, a mutation is
// refused at once with BUSY and a Retry-After header, and the store is
// unchanged; after the load it commits.
func TestMutationDuringLoad(t *testing.T) {
	e := newEnv(t, mutationConfig)
	started, release := make(chan struct{}), make(chan struct{})
	loaded := make(chan error, 1)
	go func() {
		src := func(ctx context.Context, yield func(store.Record) error) error {
			select {
			case <-started:
			default:
				close(started)
				select {
				case <-release:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return yield(store.Record{Line: 1, Entity: &store.Entity{ID: "gronau", Type: "City", Name: "Gronau"}})
		}
		_, err := e.store.Load(context.Background(), src, store.LoadOptions{Source: "slow.ndjson"})
		loaded <- err
	}()
	<-started
	const m = `mutation { upsertEntities(input: [{id: "hengelo", type: "City", name: "Hengelo"}]) { id } }`
	r := e.post(m, nil)
	close(release)
	if got, want := r.Code(), "BUSY"; got != want {
		t.Fatalf("code: got %q, want %q: %s", got, want, r.Raw)
	}
	if got := r.Header.Get("Retry-After"); got == "" {
		t.Errorf("no Retry-After header on a BUSY answer")
	}
	if msg := r.Errors[0].Message; !strings.Contains(msg, "slow.ndjson") {
		t.Errorf("message %q does not name the load", msg)
	}
	if err := <-loaded; err != nil {
		t.Fatalf("load: %v", err)
	}
	if _, err := e.store.FindEntityByID(context.Background(), "hengelo", store.ReadOptions{}); store.ErrorCode(err) != store.NotFound {
		t.Errorf("the refused mutation wrote hengelo (err %v)", err)
	}
	e.ok(m, nil, nil)
}

// TestMutationsOfOneRequestAreOneTransaction: the mutation fields of one
// request are written all or nothing, each seeing what the ones before it
// wrote.
func TestMutationsOfOneRequestAreOneTransaction(t *testing.T) {
	e := newEnv(t, mutationConfig)
	t.Run("OneFailsNoneWritten", func(t *testing.T) {
		before := dump(t, e)
		r := e.post(`mutation {
		  a: upsertEntities(input: [{id: "gronau", type: "City", name: "Gronau"}]) { id }
		  b: upsertRelations(input: [{type: "SISTER_CITY_OF", from: "gronau", to: "atlantis"}]) { id }
		}`, nil)
		if len(r.Errors) == 0 {
			t.Fatalf("no error: %s", r.Raw)
		}
		if string(r.Data) != "null" {
			t.Errorf("data: got %s, want null: nothing of the request was written", r.Data)
		}
		if after := dump(t, e); after != before {
			t.Errorf("a refused request wrote its first mutation")
		}
	})
	t.Run("LaterSeesEarlier", func(t *testing.T) {
		var d struct {
			A []struct{ Name string }
			B []struct{ ID, FromID, ToID string }
			C []struct{ ID, Type string }
		}
		e.ok(`mutation {
		  t: defineEntityType(input: {name: "Village", parent: "City"}) { name }
		  a: upsertEntities(input: [{id: "gronau", type: "City", name: "Gronau"}]) { name }
		  b: upsertRelations(input: [{type: "SISTER_CITY_OF", from: "gronau", to: "enschede"}]) { id fromId toId }
		  c: upsertEntities(input: [{id: "lonneker", type: "Village", name: "Lonneker"}]) { id type }
		}`, nil, &d)
		if len(d.A) != 1 || len(d.B) != 1 || len(d.C) != 1 || d.C[0].Type != "Village" {
			t.Fatalf("results: %+v", d)
		}
		var q struct {
			Entity struct{ Degree int }
		}
		e.ok(`{ entity(id: "gronau") { degree } }`, nil, &q)
		if q.Entity.Degree != 1 {
			t.Errorf("gronau's degree after the request: %d, want 1", q.Entity.Degree)
		}
	})
	t.Run("FailureAfterOntologyChange", func(t *testing.T) {
		before := dump(t, e)
		r := e.post(`mutation {
		  t: defineEntityType(input: {name: "Hamlet", parent: "City"}) { name }
		  a: upsertEntities(input: [{id: "x", type: "Hamlet", name: ""}]) { id }
		}`, nil)
		if len(r.Errors) == 0 || string(r.Data) != "null" {
			t.Fatalf("want errors and null data: %s", r.Raw)
		}
		if after := dump(t, e); after != before {
			t.Errorf("the type of a refused request was defined")
		}
		// The ontology the process keeps did not learn the discarded type.
		r = e.post(`mutation { upsertEntities(input: [{id: "y", type: "Hamlet", name: "Y"}]) { id } }`, nil)
		if r.Code() != "INVALID_ARGUMENT" {
			t.Errorf("an entity of the discarded type: %s", r.Raw)
		}
	})
}
