package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// referenceWalk is walkNeighborhood as it was written over Expand, one
// Edge at a time: the definition the walk over cached items must keep.
func referenceWalk(r *Reader, start NodeID, f *EdgeFilter, depth, limit int, relations bool) (walk, error) {
	w := walk{nodes: []NodeID{start}, at: newNodePlaces()}
	w.at.put(start, 0)
	var seenRel map[RelID]struct{}
	if relations && f.direction != Both {
		seenRel = map[RelID]struct{}{}
	}
	keep := func(e Edge, self, other int32) {
		if seenRel == nil {
			if self > other {
				return
			}
		} else {
			if _, ok := seenRel[e.Relation]; ok {
				return
			}
			seenRel[e.Relation] = struct{}{}
		}
		we := walkEdge{rel: e.Relation, typ: e.Type, from: other, to: self, validFrom: e.ValidFrom, validTo: e.ValidTo}
		if e.Outgoing {
			we.from, we.to = self, other
		}
		w.edges = append(w.edges, we)
	}
	lo, hi := 0, 1
	for d := 0; d < depth && lo < hi && !w.truncated; d++ {
		err := r.Expand(w.nodes[lo:hi], f, func(i int, e Edge) error {
			other, ok := w.at.get(e.Other)
			if !ok {
				if limit >= 0 && len(w.nodes) >= limit {
					w.truncated = true
					return nil
				}
				other = int32(len(w.nodes))
				w.at.put(e.Other, other)
				w.nodes = append(w.nodes, e.Other)
			}
			if relations {
				keep(e, int32(lo+i), other)
			}
			return nil
		})
		if err != nil {
			return walk{}, err
		}
		lo, hi = hi, len(w.nodes)
	}
	if lo < hi && relations {
		err := r.Expand(w.nodes[lo:hi], f, func(i int, e Edge) error {
			if other, ok := w.at.get(e.Other); ok && int(other) >= lo {
				keep(e, int32(lo+i), other)
			}
			return nil
		})
		if err != nil {
			return walk{}, err
		}
	}
	return w, nil
}

// TestWalkNeighborhoodAsExpand requires walkNeighborhood, which reads
// cached adjacencies in place, to return what the walk over Expand
// returns, node for node and relation for relation, on random graphs with
// self-loops, symmetric and dated relations and parallel ties, for every
// direction and filter, with the read cache off, cold and warm.
func TestWalkNeighborhoodAsExpand(t *testing.T) {
	ctx := context.Background()
	for seed := uint64(1); seed <= 3; seed++ {
		for _, cache := range []int64{-1, 0} {
			t.Run(fmt.Sprintf("seed=%d/cache=%d", seed, cache), func(t *testing.T) {
				s, err := Open(t.TempDir(), Options{CacheSize: cache})
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				rng := rand.New(rand.NewPCG(seed, 11))
				b := Batch{RelationTypes: []RelationType{{Name: "LINK", Inverse: "LINKED_FROM"}, {Name: "TWIN", Symmetric: true}}}
				const n = 30
				types := []string{"City", "Person", "Company"}
				for i := range n {
					b.Entities = append(b.Entities, Entity{ID: fmt.Sprintf("e%02d", i), Type: types[i%len(types)], Name: fmt.Sprint("E", i)})
				}
				dates := []string{"", "2009", "2017-07", "2020"}
				for i := range 120 {
					from := rng.IntN(n)
					to := rng.IntN(n)
					if i%15 == 0 {
						to = from // a self-loop
					}
					r := Relation{Type: []string{"LINK", "TWIN", "COOPERATES_WITH"}[rng.IntN(3)],
						From: fmt.Sprintf("e%02d", from), To: fmt.Sprintf("e%02d", to)}
					if d := dates[rng.IntN(len(dates))]; d != "" {
						r.ValidFrom = MustParseDate(d)
					}
					b.Relations = append(b.Relations, r)
				}
				if _, err := s.Apply(ctx, b); err != nil {
					t.Fatal(err)
				}
				cases := []NeighborhoodOptions{
					{Depth: 1}, {Depth: 2}, {Depth: 3}, {Depth: 3, Limit: new(7)}, {Depth: 2, Limit: new(1)},
					{Depth: 2, Direction: Out}, {Depth: 3, Direction: In},
					{Depth: 2, Types: []string{"TWIN"}}, {Depth: 2, Types: []string{"LINK", "TWIN"}, Direction: Out},
					{Depth: 2, EntityTypes: []string{"City", "Person"}},
					{Depth: 2, ValidAt: MustParseDate("2018")}, {Depth: 3, DatedOnly: true},
				}
				// Twice: the first pass finds the adjacencies uncached
				// (and caches them), the second cached.
				for pass := range 2 {
					for i := range n {
						id := fmt.Sprintf("e%02d", i)
						for _, o := range cases {
							for _, relations := range []bool{false, true} {
								var got, want walk
								err := s.viewNeighborhood(ctx, id, o, ReadOptions{}, func(r *Reader, start NodeID, f *EdgeFilter, limit int) (err error) {
									if want, err = referenceWalk(r, start, f, o.Depth, limit, relations); err != nil {
										return err
									}
									got, err = r.walkNeighborhood(start, f, o.Depth, limit, relations)
									return err
								})
								if err != nil {
									t.Fatal(err)
								}
								if !slices.Equal(got.nodes, want.nodes) || !slices.Equal(got.edges, want.edges) || got.truncated != want.truncated {
									t.Fatalf("pass %d, %s %+v, relations %v:\ngot  %v %v %v\nwant %v %v %v", pass, id, o, relations,
										got.nodes, got.edges, got.truncated, want.nodes, want.edges, want.truncated)
								}
							}
						}
					}
				}
			})
		}
	}
}
