package seed_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/seed"
)

// TestEnschedeIsAMemberOfEurocities asks the README's first question,
// Enschede's MEMBER_OF relations, and checks that it finds Eurocities,
// with the municipality named as the body acting for the city and the
// report's sentence as evidence.
func TestEnschedeIsAMemberOfEurocities(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	load(t, s)
	page, err := s.FindRelations(ctx, "enschede", store.RelationFilter{Types: []string{"MEMBER_OF"}, Direction: store.Out, First: new(20)}, store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Relations) != 1 || page.Relations[0].To != "eurocities" {
		t.Fatalf("Enschede's MEMBER_OF relations: got %+v, want one, to eurocities", page.Relations)
	}
	r := page.Relations[0]
	if got := r.Properties["representedBy"]; got.Kind != store.KindText || got.Text != "municipality-of-enschede" {
		t.Errorf("representedBy: got %+v, want the municipality", got)
	}
	if _, err := s.FindEntityByID(ctx, "municipality-of-enschede", store.ReadOptions{}); err != nil {
		t.Errorf("the body named in representedBy: %v", err)
	}
	cited := false
	for _, src := range r.Sources {
		if src.Document == seed.DocumentID && strings.Contains(src.Excerpt, "Eurocities") {
			cited = true
		}
	}
	if !cited {
		t.Errorf("no source quotes the report on Eurocities: %+v", r.Sources)
	}
	// The municipality is no member of its own: one membership, the city's.
	page, err = s.FindRelations(ctx, "municipality-of-enschede", store.RelationFilter{Types: []string{"MEMBER_OF"}, First: new(20)}, store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Relations) != 0 {
		t.Errorf("the municipality's MEMBER_OF relations: got %+v, want none", page.Relations)
	}
}
