package graph_test

import (
	"encoding/json"
	"testing"

	"github.com/ties-graph/ties/graph"
)

// A text the data does not give is null in the answer, not "": a client
// must be able to tell a root type from one whose parent is named "", and
// a source that quotes nothing from one that quotes an empty sentence.
func TestAbsentTextIsNull(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	e.ok(`mutation {
	  defineRelationType(input: {name: "ADVISES", from: ["Person"], to: ["City"]}) { name }
	  upsertEntities(input: [{id: "quiet-town", type: "City", name: "Quiet Town",
	    sources: [{document: "enschede-international-annual-report-2017"}]}]) { id } }`, nil, nil)

	r := e.post(`{
	  quiet: entity(id: "quiet-town") { description sources { excerpt locator } }
	  said: entity(id: "enschede") { description }
	  ontology { entityTypes { name parent description } relationTypes { name inverse description } } }`, nil)
	if r.Status != 200 || len(r.Errors) > 0 {
		t.Fatalf("query failed: %s", r.Raw)
	}
	var d struct {
		Quiet struct {
			Description *string
			Sources     []struct{ Excerpt, Locator *string }
		}
		Said     struct{ Description *string }
		Ontology struct {
			EntityTypes []struct {
				Name                string
				Parent, Description *string
			}
			RelationTypes []struct {
				Name                 string
				Inverse, Description *string
			}
		}
	}
	if err := json.Unmarshal(r.Data, &d); err != nil {
		t.Fatal(err)
	}
	if d.Quiet.Description != nil {
		t.Errorf("description of an entity without one = %q, want null", *d.Quiet.Description)
	}
	if len(d.Quiet.Sources) != 1 || d.Quiet.Sources[0].Excerpt != nil || d.Quiet.Sources[0].Locator != nil {
		t.Errorf("source without excerpt or locator = %s, want both null", r.Data)
	}
	if d.Said.Description == nil || *d.Said.Description == "" {
		t.Errorf("Enschede's description is missing: %s", r.Data)
	}
	types := map[string]struct{ parent, inverse, description *string }{}
	for _, et := range d.Ontology.EntityTypes {
		types[et.Name] = struct{ parent, inverse, description *string }{et.Parent, nil, et.Description}
	}
	for _, rt := range d.Ontology.RelationTypes {
		types[rt.Name] = struct{ parent, inverse, description *string }{nil, rt.Inverse, rt.Description}
	}
	if p := types["Place"].parent; p != nil {
		t.Errorf("parent of the root type Place = %q, want null", *p)
	}
	if p := types["City"].parent; p == nil || *p != "Place" {
		t.Errorf("parent of City = %v, want Place", p)
	}
	if a := types["ADVISES"]; a.inverse != nil || a.description != nil {
		t.Errorf("ADVISES, defined without inverse or description: %s", r.Data)
	}
	if a := types["MAYOR_OF"].inverse; a == nil || *a != "HAS_MAYOR" {
		t.Errorf("inverse of MAYOR_OF = %v, want HAS_MAYOR", a)
	}
}
