package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestEachSorted checks that the bodies of a store come back in id order
// and whole, whether they fit in memory or are merged from sorted runs,
// and that an error of the callback stops the scan.
func TestEachSorted(t *testing.T) {
	s := openTestStore(t)
	rng := rand.New(rand.NewPCG(1, 2))
	// Ids in an order unrelated to the order they are created in, with
	// lengths that need one and two bytes of length prefix.
	var b Batch
	var ids []string
	for i := range 300 {
		id := fmt.Sprintf("e%d-%x", rng.IntN(1000000), i)
		if i%50 == 0 {
			id = fmt.Sprintf("%0200d-Münster-%d", rng.IntN(1000), i)
		}
		ids = append(ids, id)
		b.Entities = append(b.Entities, Entity{ID: id, Type: "City", Name: "n" + id, Description: "d"})
	}
	var relIDs []string
	for range 500 {
		r := Relation{ID: fmt.Sprintf("r%x", rng.Uint64()), Type: "SISTER_CITY_OF",
			From: ids[rng.IntN(len(ids))], To: ids[rng.IntN(len(ids))]}
		if r.From == r.To {
			continue
		}
		relIDs = append(relIDs, r.ID)
		b.Relations = append(b.Relations, r)
	}
	if _, err := s.Apply(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	slices.Sort(ids)
	slices.Sort(relIDs)

	for _, tc := range []struct {
		name   string
		budget int
	}{
		{"InMemory", sortBudget},
		{"Runs", 2 << 10}, // a few runs
		{"RunPerBody", 1}, // as many runs as bodies
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.View(context.Background(), ReadOptions{}, func(r *Reader) error {
				var got []string
				err := eachSorted(r.ctx, r.tx, pEntity, tc.budget, func(id uint64, v []byte) error {
					eb, err := decodeEntity(v)
					if err != nil {
						return err
					}
					if n, ok, err := r.Lookup(eb.e.ID); err != nil || !ok || uint64(n) != id {
						t.Errorf("entity %s came with internal id %d, the store has %d (%v, %v)", eb.e.ID, id, n, ok, err)
					}
					if eb.e.Name != "n"+eb.e.ID || eb.e.Description != "d" {
						t.Errorf("entity %s came back as %+v", eb.e.ID, eb.e)
					}
					got = append(got, eb.e.ID)
					return nil
				})
				if err != nil {
					return err
				}
				if !slices.Equal(got, ids) {
					t.Errorf("entities: got %d ids %.80q..., want %d in id order", len(got), got, len(ids))
				}
				got = got[:0]
				err = eachSorted(r.ctx, r.tx, pRelation, tc.budget, func(_ uint64, v []byte) error {
					rb, err := decodeRelation(v)
					if err != nil {
						return err
					}
					got = append(got, rb.r.ID)
					return nil
				})
				if err != nil {
					return err
				}
				if !slices.Equal(got, relIDs) {
					t.Errorf("relations: got %d ids, want %d in id order", len(got), len(relIDs))
				}
				stop := fmt.Errorf("stop")
				n := 0
				err = eachSorted(r.ctx, r.tx, pRelation, tc.budget, func(uint64, []byte) error {
					n++
					if n == 7 {
						return stop
					}
					return nil
				})
				if err != stop || n != 7 {
					t.Errorf("callback error: got %v after %d bodies, want stop after 7", err, n)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
