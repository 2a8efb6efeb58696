package store

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
)

// TestNeighborhoodLinkIDsConcurrent walks while relations are moved
// between ends and renamed types are written: every walk's ids must be
// those Neighborhood reads in the same snapshot. Run it with -race.
func TestNeighborhoodLinkIDsConcurrent(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	// A hub and 40 entities around it, tied among themselves.
	entity := func(i int) string { return fmt.Sprintf("e%d", i) }
	hub := "hub"
	b := Batch{Entities: []Entity{{ID: hub, Type: "City", Name: "Hub"}}}
	for i := range 40 {
		b.Entities = append(b.Entities, Entity{ID: entity(i), Type: "City", Name: fmt.Sprintf("City %d", i)})
		b.Relations = append(b.Relations,
			Relation{ID: fmt.Sprintf("h%d", i), Type: "SISTER_CITY_OF", From: hub, To: entity(i)},
			Relation{ID: fmt.Sprintf("r%d", i), Type: "SISTER_CITY_OF", From: entity(i), To: entity((i*7 + 3) % 40)})
	}
	mustApply(t, s, b)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, 3)
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := hub
				if i%2 == 1 {
					id = entity((w*7 + i) % 40)
				}
				err := s.View(ctx, ReadOptions{}, func(r *Reader) error {
					n, _, err := r.Lookup(id)
					if err != nil {
						return err
					}
					_, rels, _, err := r.Neighborhood(n, nil, 2, -1, true)
					if err != nil {
						return err
					}
					want, err := r.Relations(rels)
					if err != nil {
						return err
					}
					got, err := r.neighborhoodHeads(n, nil, 2, -1, HeadOptions{Edges: true, RelationIDs: true, Links: true})
					if err != nil {
						return err
					}
					if len(got.LinkIDs) != len(want) {
						return fmt.Errorf("%s: %d link ids, want %d", id, len(got.LinkIDs), len(want))
					}
					for j, e := range want {
						if got.LinkIDs[j] != e.ID {
							return fmt.Errorf("%s: link %d: id %q, want %q", id, j, got.LinkIDs[j], e.ID)
						}
					}
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for g := range 60 {
		// The same relation ids, between the hub and other ends each
		// time; and one new relation per round.
		var b Batch
		for k := range 5 {
			b.Relations = append(b.Relations, Relation{
				ID: fmt.Sprintf("moving-%d", k), Type: "SISTER_CITY_OF", From: hub, To: entity((g*5 + k) % 40),
			})
		}
		b.Relations = append(b.Relations, Relation{ID: fmt.Sprintf("added-%d", g), Type: "SISTER_CITY_OF", From: hub, To: entity(g % 40)})
		if _, err := s.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestLinkIDsReadWhatTheAnswerKeeps requires the relation ids of a chart
// answer to cost point reads in proportion to the relations it keeps, not
// to the adjacencies it scans: a neighbourhood next to a hub scans the
// hub's thousands of relations on its last level and keeps one of them,
// and reading the ids of all of them to name the hub's cached adjacency
// made every such answer read the hub's bodies.
func TestLinkIDsReadWhatTheAnswerKeeps(t *testing.T) {
	ctx := context.Background()
	s, gets := openCounting(t, Options{})
	const leaves = 3000
	b := Batch{Entities: []Entity{
		{ID: "hub", Type: "Network", Name: "Hub"},
		{ID: "city", Type: "City", Name: "City"},
		{ID: "twin", Type: "City", Name: "Twin"},
	}}
	b.Relations = append(b.Relations,
		Relation{ID: "city-hub", Type: "MEMBER_OF", From: "city", To: "hub"},
		Relation{ID: "twin-hub", Type: "MEMBER_OF", From: "twin", To: "hub"},
		Relation{ID: "city-twin", Type: "SISTER_CITY_OF", From: "city", To: "twin"})
	for i := range leaves {
		id := fmt.Sprintf("member%d", i)
		b.Entities = append(b.Entities, Entity{ID: id, Type: "City", Name: id})
		b.Relations = append(b.Relations, Relation{ID: "m" + id, Type: "MEMBER_OF", From: id, To: "hub"})
	}
	mustApply(t, s, b)
	want := []string{"city-hub", "city-twin", "twin-hub"}
	for pass := range 3 {
		pointReads(gets)
		var got []string
		err := s.View(ctx, ReadOptions{}, func(r *Reader) error {
			n, _, err := r.Lookup("city")
			if err != nil {
				return err
			}
			sg, err := r.neighborhoodHeads(n, nil, 1, -1, HeadOptions{Edges: true, RelationIDs: true, Links: true})
			if err != nil {
				return err
			}
			got = append(got, sg.LinkIDs...)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("pass %d: link ids %q, want %q", pass, got, want)
		}
		if n := gets[pRelation].Load(); n > int64(len(want)) {
			t.Errorf("pass %d: %d relation bodies read for %d links (the hub has %d relations)", pass, n, len(want), leaves+2)
		} else if pass > 0 && n > 0 {
			// The first pass kept the ids it read (relidtable.go).
			t.Errorf("pass %d: %d relation bodies read again", pass, n)
		}
	}
}
