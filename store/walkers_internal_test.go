package store

import (
	"context"
	"fmt"
	"testing"
)

// TestWalkersKeepNoEntry requires a walker given back to hold no pointer
// into the read cache in the room it keeps, so that a lent walker keeps
// no evicted entry alive, and its next walk to start empty.
func TestWalkersKeepNoEntry(t *testing.T) {
	s := openTestStore(t)
	b := Batch{Entities: []Entity{{ID: "hub", Type: "City", Name: "Hub"}}}
	for i := range 30 {
		b.Entities = append(b.Entities, Entity{ID: fmt.Sprintf("e%d", i), Type: "City", Name: fmt.Sprintf("City %d", i)})
		b.Relations = append(b.Relations,
			Relation{ID: fmt.Sprintf("h%d", i), Type: "SISTER_CITY_OF", From: "hub", To: fmt.Sprintf("e%d", i)},
			Relation{ID: fmt.Sprintf("r%d", i), Type: "SISTER_CITY_OF", From: fmt.Sprintf("e%d", i), To: fmt.Sprintf("e%d", (i+1)%30)})
	}
	mustApply(t, s, b)
	var ws walkers
	err := s.View(context.Background(), ReadOptions{}, func(r *Reader) error {
		if r.distributed || r.cache == nil {
			t.Skip("the walk reads no cached adjacency on this backend")
		}
		r.walkers = &ws
		n, _, err := r.Lookup("hub")
		if err != nil {
			return err
		}
		// Twice: the second walk meets the adjacencies cached by the
		// first. The walker is looked at after put (sync.Pool may drop
		// what it is given, as it does at random under -race).
		for range 2 {
			if _, err := r.neighborhoodHeads(n, nil, 2, -1, HeadOptions{Edges: true, RelationIDs: true, Links: true}); err != nil {
				return err
			}
		}
		wk := &walker{}
		if err := r.walkInto(wk, n, nil, 2, -1, true, true); err != nil {
			return err
		}
		r.cache.entityBodies(wk.nodes, r.ts, wk.bodyRoom(len(wk.nodes)))
		if len(wk.idRefs) == 0 || len(wk.idLists) == 0 || wk.bodies[0] == "" {
			t.Fatalf("the walk found %d ids in %d lists, body %q", len(wk.idRefs), len(wk.idLists), wk.bodies[0])
		}
		ws.put(wk)
		if len(wk.nodes) != 0 || len(wk.edges) != 0 || len(wk.idRefs) != 0 || len(wk.idLists) != 0 || wk.at.n != 0 || wk.seen != nil || wk.truncated {
			t.Errorf("lent walker not empty: %d nodes, %d edges, %d id refs, %d id lists, %d places", len(wk.nodes), len(wk.edges), len(wk.idRefs), len(wk.idLists), wk.at.n)
		}
		if cap(wk.adj) == 0 || cap(wk.bodies) == 0 || cap(wk.idLists) == 0 {
			t.Errorf("lent walker kept no room: adj %d, bodies %d, id lists %d", cap(wk.adj), cap(wk.bodies), cap(wk.idLists))
		}
		for i, a := range wk.adj[:cap(wk.adj)] {
			if a != nil {
				t.Errorf("adj[%d] kept", i)
			}
		}
		for i, l := range wk.idLists[:cap(wk.idLists)] {
			if l != nil {
				t.Errorf("idLists[%d] kept", i)
			}
		}
		for i, u := range wk.unnamed[:cap(wk.unnamed)] {
			if u.items != nil {
				t.Errorf("unnamed[%d] kept", i)
			}
		}
		for i, body := range wk.bodies[:cap(wk.bodies)] {
			if body != "" {
				t.Errorf("bodies[%d] kept", i)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
