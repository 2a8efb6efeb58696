package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/gen"
)

// walkResult is what Reader.Neighborhood returns.
type walkResult struct {
	nodes     []store.NodeID
	rels      []store.RelID
	truncated bool
}

// referenceWalk is the breadth-first walk of a neighbourhood written
// plainly over Reader.Expand and maps: each level's frontier expanded in
// order, a node joining when first met (while the limit lets it), each
// relation kept when first met between two nodes of the walk, and the
// last level scanned again for the relations among its own nodes.
func referenceWalk(r *store.Reader, start store.NodeID, f *store.EdgeFilter, depth, limit int, relations bool) (walkResult, error) {
	w := walkResult{nodes: []store.NodeID{start}}
	at := map[store.NodeID]int{start: 0}
	seenRel := map[store.RelID]bool{}
	keep := func(e store.Edge) {
		if relations && !seenRel[e.Relation] {
			seenRel[e.Relation] = true
			w.rels = append(w.rels, e.Relation)
		}
	}
	lo, hi := 0, 1
	for d := 0; d < depth && lo < hi && !w.truncated; d++ {
		err := r.Expand(w.nodes[lo:hi], f, func(_ int, e store.Edge) error {
			if _, ok := at[e.Other]; !ok {
				if limit >= 0 && len(w.nodes) >= limit {
					w.truncated = true
					return nil
				}
				at[e.Other] = len(w.nodes)
				w.nodes = append(w.nodes, e.Other)
			}
			keep(e)
			return nil
		})
		if err != nil {
			return walkResult{}, err
		}
		lo, hi = hi, len(w.nodes)
	}
	if lo < hi && relations {
		err := r.Expand(w.nodes[lo:hi], f, func(_ int, e store.Edge) error {
			if p, ok := at[e.Other]; ok && p >= lo {
				keep(e)
			}
			return nil
		})
		if err != nil {
			return walkResult{}, err
		}
	}
	return w, nil
}

// TestWalkNeighborhoodPowerLaw requires the walk to return what the walk
// over Expand (referenceWalk) returns on a generated graph of hubs (the
// pure power law), node for node and relation for relation: depths 1 to
// 3, limits that cut it short in the middle of a hub, filters and
// directions, after writes and as of a time before them, with the read
// cache off, too small for the graph and large, cold and warm, and with
// walks running at once (each with its own visited set).
func TestWalkNeighborhoodPowerLaw(t *testing.T) {
	ctx := context.Background()
	cfg := gen.Config{Seed: 9, Relations: 3000, GlobalShare: 1}
	plan, err := gen.NewPlan(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cases := []store.NeighborhoodOptions{
		{Depth: 1}, {Depth: 2}, {Depth: 3},
		{Depth: 2, Limit: new(30)}, {Depth: 3, Limit: new(200)}, {Depth: 3, Limit: new(1)},
		{Depth: 2, Direction: store.Out}, {Depth: 3, Direction: store.In},
		{Depth: 2, Types: []string{"WORKS_FOR", "MEMBER_OF", "SISTER_CITY_OF"}},
		{Depth: 3, Types: []string{"WORKS_FOR"}, Direction: store.Out, Limit: new(50)},
		{Depth: 2, EntityTypes: []string{"City", "Person"}},
		{Depth: 2, ValidAt: store.MustParseDate("2015")}, {Depth: 3, ValidAt: store.MustParseDate("2010"), Direction: store.Out},
	}
	starts := make([]string, 0, 12)
	for i := range 12 {
		starts = append(starts, plan.EntityID(i*251%plan.Entities))
	}
	for _, cache := range []int64{-1, 64 << 10, 0} {
		t.Run(fmt.Sprintf("cache=%d", cache), func(t *testing.T) {
			s, err := store.Open("", store.Options{InMemory: true, CacheSize: cache})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if _, err := s.Load(ctx, gen.Source(cfg), store.LoadOptions{Source: "gen"}); err != nil {
				t.Fatal(err)
			}
			check := func(t *testing.T, what string, ro store.ReadOptions, starts []string) {
				for _, id := range starts {
					for _, o := range cases {
						for _, relations := range []bool{false, true} {
							var got, want walkResult
							err := s.View(ctx, ro, func(r *store.Reader) (err error) {
								start, err := r.LookupEntity(id)
								if err != nil {
									return err
								}
								f, err := r.Filter(o.Types, o.Direction, o.ValidAt, o.EntityTypes)
								if err != nil {
									return err
								}
								limit := store.DefaultNeighborhoodLimit
								if o.Limit != nil {
									limit = *o.Limit
								}
								if want, err = referenceWalk(r, start, f, o.Depth, limit, relations); err != nil {
									return err
								}
								got.nodes, got.rels, got.truncated, err = r.Neighborhood(start, f, o.Depth, limit, relations)
								return err
							})
							if err != nil {
								t.Error(err)
								return
							}
							if !slices.Equal(got.nodes, want.nodes) || !slices.Equal(got.rels, want.rels) || got.truncated != want.truncated {
								t.Errorf("%s, %s %+v, relations %v: got %d nodes, %d relations, truncated %v; want %d, %d, %v",
									what, id, o, relations, len(got.nodes), len(got.rels), got.truncated, len(want.nodes), len(want.rels), want.truncated)
								return
							}
						}
					}
				}
			}
			// Twice: cold (the walk caches what it reads), then warm.
			check(t, "cold", store.ReadOptions{}, starts)
			check(t, "warm", store.ReadOptions{}, starts)
			before := time.Now()
			time.Sleep(2 * time.Millisecond) // a commit time after before

			// Delete a third of the relations of the starts' hubs and
			// add parallel ones.
			var b store.Batch
			seen := map[string]bool{}
			for _, id := range starts[:6] {
				sg, err := s.Neighborhood(ctx, id, store.NeighborhoodOptions{Depth: 1}, store.ReadOptions{})
				if err != nil {
					t.Fatal(err)
				}
				for k, r := range sg.Edges {
					if seen[r.ID] {
						continue
					}
					seen[r.ID] = true
					switch k % 3 {
					case 0:
						b.DeleteRelations = append(b.DeleteRelations, r.ID)
					case 1:
						p := *r
						p.ID = "parallel-" + r.ID
						b.Relations = append(b.Relations, p)
					}
				}
			}
			if _, err := s.Apply(ctx, b); err != nil {
				t.Fatal(err)
			}
			check(t, "written", store.ReadOptions{}, starts)
			check(t, "as of before", store.ReadOptions{AsOf: before}, starts)

			// At once: four walkers, each over all the starts.
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(func() { check(t, "concurrent", store.ReadOptions{}, starts) })
			}
			wg.Wait()
		})
	}
}
