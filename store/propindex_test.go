package store

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/ties-graph/ties/store/kv"
)

// candidates returns how many records of type name the index offers for
// the filters, and whether it was asked at all.
func candidates(t *testing.T, s *Store, name string, fs []PropertyFilter) int {
	t.Helper()
	n := 0
	err := s.View(context.Background(), ReadOptions{}, func(r *Reader) error {
		w, err := compileWhere(r.sch, fs, true, "where")
		if err != nil {
			return err
		}
		typ, _ := r.sch.entityType(name)
		return r.eachCandidate(typ, w, func(uint64) error { n++; return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// The index follows every write: upserts that change a value or the type,
// deletions, and the definition of the indexed list itself; the store's
// Check (in the cleanup) verifies the entries both ways after each.
func TestPropertyIndexFollowsWrites(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	var b Batch
	for i := range 100 {
		b.Entities = append(b.Entities, Entity{
			ID: fmt.Sprintf("c%03d", i), Type: "City", Name: fmt.Sprintf("City %d", i),
			Properties: Properties{"population": Number(float64(i * 1000)), "tags": List(Text("a"), Text(fmt.Sprint(i%3)))},
		})
	}
	mustApply(t, s, b)
	o, err := s.Ontology(ctx, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(o.EntityTypes, func(et EntityType) bool { return et.Name == "City" })
	city := o.EntityTypes[i]
	city.Indexed = []string{"population", "tags"}
	res := mustApply(t, s, Batch{EntityTypes: []EntityType{city}})
	if got := res.EntityTypes[0].Indexed; !slices.Equal(got, city.Indexed) {
		t.Errorf("indexed = %v, want %v", got, city.Indexed)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatalf("after building: %v", err)
	}
	eq := []PropertyFilter{{Key: "population", Eq: new(Number(5000))}}
	if n := candidates(t, s, "City", eq); n != 1 {
		t.Errorf("eq reads %d candidates, want 1 from the index", n)
	}
	rng := []PropertyFilter{{Key: "population", Gte: new(Number(10000)), Lt: new(Number(20000))}}
	if n := candidates(t, s, "City", rng); n != 10 {
		t.Errorf("range reads %d candidates, want 10", n)
	}
	if got := findIDs(t, s, EntityFilter{Where: []PropertyFilter{{Key: "tags", In: []Value{Text("1"), Text("2")}}}, First: new(1000)}); len(got) != 66 {
		t.Errorf("in over a list finds %d, want 66", len(got))
	}

	// Change a value, retype one entity, delete another.
	mustApply(t, s, Batch{Entities: []Entity{
		{ID: "c005", Type: "City", Name: "City 5", Properties: Properties{"population": Number(123)}},
		{ID: "c006", Type: "Region", Name: "Region 6", Properties: Properties{"population": Number(6000)}},
	}, DeleteEntities: []string{"c007"}})
	if err := s.Check(ctx); err != nil {
		t.Fatalf("after writes: %v", err)
	}
	for _, c := range []struct {
		f    PropertyFilter
		want []string
	}{
		{PropertyFilter{Key: "population", Eq: new(Number(5000))}, nil},
		{PropertyFilter{Key: "population", Eq: new(Number(123))}, []string{"c005"}},
		{PropertyFilter{Key: "population", Gte: new(Number(6000)), Lte: new(Number(8000))}, []string{"c008"}},
	} {
		got := findIDs(t, s, EntityFilter{Types: []string{"City"}, Where: []PropertyFilter{c.f}})
		if !slices.Equal(got, c.want) {
			t.Errorf("%+v finds %v, want %v", c.f, got, c.want)
		}
	}

	// Drop one index, keep the other.
	city.Indexed = []string{"tags"}
	mustApply(t, s, Batch{EntityTypes: []EntityType{city}})
	if err := s.Check(ctx); err != nil {
		t.Fatalf("after dropping: %v", err)
	}
	if n := candidates(t, s, "City", eq); n != 98 {
		t.Errorf("eq on an unindexed key reads %d candidates, want every city (98)", n)
	}
	// A redefinition without indexed keeps the list.
	city.Indexed = nil
	res = mustApply(t, s, Batch{EntityTypes: []EntityType{city}})
	if got := res.EntityTypes[0].Indexed; !slices.Equal(got, []string{"tags"}) {
		t.Errorf("indexed after a redefinition without it = %v, want [tags]", got)
	}
}

// Check finds a property index entry missing, stale or with a wrong value.
func TestCheckFindsPropertyIndexDamage(t *testing.T) {
	// Property index entries are among those the sequential scan proves,
	// so a sound store needs no detailed walk, and a damaged one is walked.
	lakes := Batch{
		EntityTypes: []EntityType{{Name: "Lake", Parent: "Place", Indexed: []string{"depth"}}},
		Entities:    []Entity{{ID: "ijsselmeer", Type: "Lake", Name: "IJsselmeer", Properties: Properties{"depth": Number(9)}}},
	}
	testCheckFindsDamage(t, lakes, []damageCase{
		{"Missing", func(t *testing.T, s *Store, tx kv.Txn) {
			lake := typeOf(t, s, "Lake")
			must(t, tx.Delete(propIdxKey(lake, "depth", Number(9), "ijsselmeer")))
		}, "lacks index entry"},
		{"Stale", func(t *testing.T, s *Store, tx kv.Txn) {
			lake := typeOf(t, s, "Lake")
			must(t, tx.Set(propIdxKey(lake, "depth", Number(4), "ijsselmeer"), propValue(1, Number(4))))
		}, "is stale"},
		{"WrongValue", func(t *testing.T, s *Store, tx kv.Txn) {
			lake := typeOf(t, s, "Lake")
			k := propIdxKey(lake, "depth", Number(9), "ijsselmeer")
			v, err := tx.Get(k)
			must(t, err)
			must(t, tx.Set(k, append(v[:8:8], "10"...)))
		}, "has value"},
		{"Dangling", func(t *testing.T, s *Store, tx kv.Txn) {
			lake := typeOf(t, s, "Lake")
			must(t, tx.Set(propIdxKey(lake, "depth", Number(3), "ghost"), propValue(999, Number(3))))
		}, "which is no live Lake"},
	})
}
