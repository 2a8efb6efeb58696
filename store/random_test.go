package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

// model is the graph as a plain map, kept in step with the store by the
// randomized test from what Apply reports.
type model struct {
	entities  map[string]Entity
	relations map[string]Relation
}

var (
	randEntityTypes = []string{"City", "Municipality", "Region", "Person", "Company", "Network"}
	// Mostly types that accept any entity, so that most batches apply;
	// SISTER_CITY_OF (places only) makes some fail.
	randRelationTypes = []string{"LINK", "TWIN", "COOPERATES_WITH", "PART_OF", "SISTER_CITY_OF"}
	randDates         = []string{"", "2009", "2017", "2017-07", "2017-07-05", "2020"}
)

func (m *model) apply(b Batch, res BatchResult) {
	for _, e := range res.Entities {
		m.entities[e.ID] = *e
	}
	for _, r := range res.Relations {
		if r != nil {
			m.relations[r.ID] = *r
		}
	}
	for _, id := range b.DeleteRelations {
		delete(m.relations, id)
	}
	for _, id := range b.DeleteEntities {
		delete(m.entities, id)
		for rid, r := range m.relations {
			if r.From == id || r.To == id {
				delete(m.relations, rid)
			}
		}
	}
}

// degree counts the relations of id under f the way the store must.
func (m *model) degree(id string, f RelationFilter, sym func(string) bool, isA func(entityType, want string) bool) int {
	n := 0
	for _, r := range m.relations {
		if len(f.Types) > 0 && !slices.Contains(f.Types, r.Type) {
			continue
		}
		if !ValidAt(r.ValidFrom, r.ValidTo, f.ValidAt) {
			continue
		}
		out := r.From == id && (f.Direction != In || sym(r.Type))
		in := r.To == id && (f.Direction != Out || sym(r.Type))
		if !out && !in {
			continue
		}
		other := r.To
		if !out {
			other = r.From
		}
		if len(f.EntityTypes) > 0 {
			ok := false
			for _, t := range f.EntityTypes {
				ok = ok || isA(m.entities[other].Type, t)
			}
			if !ok {
				continue
			}
		}
		n++
	}
	return n
}

func TestRandomized(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprintf("Seed%d", seed), func(t *testing.T) {
			randomized(t, seed, 60)
		})
	}
}

func randomized(t *testing.T, seed uint64, batches int) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, 7))
	s := openTestStore(t)
	mustApply(t, s, Batch{RelationTypes: []RelationType{{Name: "LINK", Inverse: "LINKED_FROM"}, {Name: "TWIN", Symmetric: true}}})
	m := &model{entities: map[string]Entity{}, relations: map[string]Relation{}}
	var sch *schema
	if err := s.View(ctx, ReadOptions{}, func(r *Reader) error { sch = r.sch; return nil }); err != nil {
		t.Fatal(err)
	}
	sym := func(typ string) bool { rt, _ := sch.relationType(typ); return rt.def.Symmetric }
	isA := func(et, want string) bool {
		a, _ := sch.entityType(et)
		b, _ := sch.entityType(want)
		return sch.isA(a, b)
	}
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	entityID := func() string { return fmt.Sprintf("e%02d", rng.IntN(16)) }
	// existing is mostly an entity of the model, now and then any id.
	existing := func() string {
		ids := slices.Sorted(mapKeys(m.entities))
		if len(ids) == 0 || rng.IntN(10) == 0 {
			return entityID()
		}
		return pick(ids)
	}
	applied, deleting, maxRels := 0, 0, 0
	defer func() {
		// The test means something only if writes and deletions got
		// through and a graph built up.
		t.Logf("%d of %d batches applied (%d deleting), at most %d relations", applied, batches, deleting, maxRels)
		if applied < batches/4 || deleting == 0 || maxRels < 5 {
			t.Errorf("only %d of %d batches applied (%d deleting), at most %d relations", applied, batches, deleting, maxRels)
		}
	}()
	for i := range batches {
		var b Batch
		for range 1 + rng.IntN(4) {
			switch rng.IntN(12) {
			case 0, 1, 2:
				b.Entities = append(b.Entities, Entity{
					ID: entityID(), Type: pick(randEntityTypes), Name: pick([]string{"Münster", "Palo Alto", "Dalian", "Enschede", "大连"}),
					Aliases: []string{pick([]string{"a", "b b", "Muenster"})},
				})
			case 3, 4, 5, 6, 7:
				r := Relation{Type: pick(randRelationTypes), From: existing(), To: existing(), ValidFrom: MustParseDate(pick(randDates[:3]))}
				if to := MustParseDate(pick(randDates)); to.IsZero() || to.Last() >= r.ValidFrom.First() {
					r.ValidTo = to
				}
				if rng.IntN(3) == 0 {
					r.ID = fmt.Sprintf("r%02d", rng.IntN(10))
				}
				b.Relations = append(b.Relations, r)
			case 8, 9:
				ids := slices.Sorted(mapKeys(m.relations))
				if len(ids) > 0 {
					b.DeleteRelations = append(b.DeleteRelations, pick(ids))
				}
			case 10:
				b.DeleteEntities = append(b.DeleteEntities, existing())
				b.Cascade = rng.IntN(4) != 0
			case 11:
				b.DeleteRelations = append(b.DeleteRelations, fmt.Sprintf("r%02d", rng.IntN(10)))
			}
		}
		before := rawDump(t, s)
		res, err := s.Apply(ctx, b)
		if err != nil {
			if ErrorCode(err) == Internal {
				t.Fatalf("batch %d: %v", i, err)
			}
			if got := rawDump(t, s); got != before {
				t.Fatalf("batch %d was refused (%v) but changed the store", i, err)
			}
		} else {
			m.apply(b, res)
			applied++
			if len(b.DeleteEntities)+len(b.DeleteRelations) > 0 {
				deleting++
			}
		}
		if err := s.Check(ctx); err != nil {
			t.Fatalf("after batch %d: %v", i, err)
		}
		compare(t, s, m, sym, isA, rng, i)
		maxRels = max(maxRels, len(m.relations))
	}
}

func compare(t *testing.T, s *Store, m *model, sym func(string) bool, isA func(string, string) bool, rng *rand.Rand, batch int) {
	t.Helper()
	ctx := context.Background()
	st, err := s.Stats(ctx, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := [2]int{st.Entities, st.Relations}, [2]int{len(m.entities), len(m.relations)}; got != want {
		t.Fatalf("batch %d: stats %v, model %v", batch, got, want)
	}
	for _, id := range slices.Sorted(mapKeys(m.entities)) {
		for range 3 {
			f := RelationFilter{Direction: Direction(rng.IntN(3))}
			if rng.IntN(2) == 0 {
				f.Types = []string{randRelationTypes[rng.IntN(len(randRelationTypes))]}
			}
			if rng.IntN(2) == 0 {
				f.ValidAt = MustParseDate(randDates[1+rng.IntN(len(randDates)-1)])
			}
			if rng.IntN(3) == 0 {
				f.EntityTypes = []string{[]string{"City", "Place", "Organization", "Person"}[rng.IntN(4)]}
			}
			got, err := s.Degree(ctx, id, f, ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if want := m.degree(id, f, sym, isA); got != want {
				t.Fatalf("batch %d: degree of %s under %+v: got %d, want %d", batch, id, f, got, want)
			}
			f.First = opt(3)
			total := 0
			for {
				p, err := s.FindRelations(ctx, id, f, ReadOptions{})
				if err != nil {
					t.Fatal(err)
				}
				total += len(p.Relations)
				if !p.HasNext {
					break
				}
				f.After = p.Cursors[len(p.Cursors)-1]
			}
			if total != got {
				t.Fatalf("batch %d: paging %s found %d relations, degree %d", batch, id, total, got)
			}
		}
	}
	var want []string
	for _, e := range m.entities {
		want = append(want, e.ID)
	}
	sort.Strings(want)
	if got := findIDs(t, s, EntityFilter{First: opt(100)}); !slices.Equal(got, want) {
		t.Fatalf("batch %d: entities %v, model %v", batch, got, want)
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
