package store_test

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/exchange"
	"github.com/ties-graph/ties/store/gen"
	"github.com/ties-graph/ties/store/seed"
	"github.com/ties-graph/ties/store/storetest"
)

// neighborhoodByReader answers Store.Neighborhood for unfiltered options
// the way it was answered before entities were kept decoded: the walk,
// then every body decoded afresh (Reader.Entities, Reader.Relations).
func neighborhoodByReader(t *testing.T, s *store.Store, id string, o store.NeighborhoodOptions, ro store.ReadOptions) *store.Subgraph {
	t.Helper()
	sg, err := store.Read(context.Background(), s, ro, func(r *store.Reader) (*store.Subgraph, error) {
		start, err := r.LookupEntity(id)
		if err != nil {
			return nil, err
		}
		f, err := r.Filter(o.Types, o.Direction, o.ValidAt, o.EntityTypes)
		if err != nil {
			return nil, err
		}
		limit := store.DefaultNeighborhoodLimit
		if o.Limit != nil {
			limit = *o.Limit
		}
		nodes, rels, truncated, err := r.Neighborhood(start, f, o.Depth, limit, !o.NodesOnly)
		if err != nil {
			return nil, err
		}
		ents, err := r.Entities(nodes)
		if err != nil {
			return nil, err
		}
		rs, err := r.Relations(rels)
		if err != nil {
			return nil, err
		}
		return &store.Subgraph{Nodes: ents, Edges: rs, Truncated: truncated}, nil
	})
	if err != nil {
		t.Fatalf("reference Neighborhood(%s, %+v): %v", id, o, err)
	}
	return sg
}

// entityIDs returns every k-th entity id of s, in internal id order.
func entityIDs(t *testing.T, s *store.Store, k int) []string {
	t.Helper()
	ids, err := store.Read(context.Background(), s, store.ReadOptions{}, func(r *store.Reader) ([]string, error) {
		var ids []string
		i := 0
		err := r.EachNode(nil, func(n store.NodeID, _ store.TypeID) error {
			if i++; i%k != 1 && k != 1 {
				return nil
			}
			id, err := r.EntityID(n)
			ids = append(ids, id)
			return err
		})
		return ids, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// sameNeighborhoods checks Store.Neighborhood against neighborhoodByReader
// for starts, at depths 1 to 3, with and without the relations, and with
// a filter and a limit: twice, so that the second round reads what the
// first left decoded in the cache.
func sameNeighborhoods(t *testing.T, s *store.Store, starts []string, ro store.ReadOptions) {
	t.Helper()
	ctx := context.Background()
	cases := []store.NeighborhoodOptions{{Depth: 1}, {Depth: 2}, {Depth: 3}, {Depth: 3, Limit: new(25)}, {Depth: 2, Direction: store.Out}}
	for round := range 2 {
		for _, id := range starts {
			for _, o := range cases {
				for _, nodesOnly := range []bool{true, false} {
					o.NodesOnly = nodesOnly
					got, err := s.Neighborhood(ctx, id, o, ro)
					if err != nil {
						t.Fatalf("Neighborhood(%s, %+v): %v", id, o, err)
					}
					want := neighborhoodByReader(t, s, id, o, ro)
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("round %d: Neighborhood(%s, %+v) differs from the entities read afresh:\ngot  %s\nwant %s", round, id, o, describe(got), describe(want))
					}
				}
			}
		}
	}
}

func describe(sg *store.Subgraph) string {
	s := fmt.Sprintf("%d nodes, %d edges, truncated %v:", len(sg.Nodes), len(sg.Edges), sg.Truncated)
	for _, e := range sg.Nodes {
		s += fmt.Sprintf(" %+v", e)
	}
	return s
}

// TestNeighborhoodWholeEntities checks that the entities and relations
// Store.Neighborhood copies from their decoded forms in the read cache are
// exactly those decoded afresh, on the founding data and on a generated
// graph, with the cache off, on, and too small to keep them all; after
// batches that change and delete entities and relations; as of a time
// before those batches; and that changing an answer's records changes no
// other answer.
func TestNeighborhoodWholeEntities(t *testing.T) {
	ctx := context.Background()
	datasets := []struct {
		name string
		load func(t *testing.T, s *store.Store)
	}{
		{"founding", func(t *testing.T, s *store.Store) {
			src, err := exchange.NewSource(exchange.BytesInput(seed.FileName, exchange.NDJSON, seed.NDJSON()), exchange.DecodeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Load(ctx, src, store.LoadOptions{Source: "seed"}); err != nil {
				t.Fatal(err)
			}
		}},
		{"generated", func(t *testing.T, s *store.Store) {
			if _, err := s.Load(ctx, gen.Source(gen.Config{Seed: 4, Relations: 600}), store.LoadOptions{Source: "gen"}); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, ds := range datasets {
		for _, cache := range []int64{-1, 0, 64 << 10} {
			t.Run(fmt.Sprintf("%s/cache=%d", ds.name, cache), func(t *testing.T) {
				s := storetest.OpenWith(t, store.Options{InMemory: true, CacheSize: cache})
				ds.load(t, s)
				every := 4
				if ds.name == "generated" {
					every = 100
				}
				starts := entityIDs(t, s, every)
				sameNeighborhoods(t, s, starts, store.ReadOptions{})

				// Change a third of the entities (name, labels, aliases,
				// properties, dates, sources) and delete a few, with their
				// relations.
				before := time.Now()
				time.Sleep(2 * time.Millisecond) // AsOf before resolves to the commit before the batch
				all := entityIDs(t, s, 1)
				docs, err := s.FindEntities(ctx, store.EntityFilter{Types: []string{"Document"}, First: new(1)}, store.ReadOptions{})
				if err != nil || len(docs.Entities) == 0 {
					t.Fatalf("a Document to cite: %v, %v", docs.Entities, err)
				}
				var b store.Batch
				for i, id := range all {
					if i%3 != 0 {
						continue
					}
					e, err := s.FindEntityByID(ctx, id, store.ReadOptions{})
					if err != nil {
						t.Fatal(err)
					}
					c := *e
					c.Name = e.Name + " (renamed)"
					c.Labels = append([]store.Label{{Lang: "de", Value: e.Name + " neu"}}, e.Labels...)
					c.Aliases = append([]string{e.Name + " alt"}, e.Aliases...)
					c.Properties = store.Properties{"rank": store.Number(float64(i)), "tags": store.List(store.Text("a"), store.Text(id))}
					if e.ValidTo.IsZero() {
						c.ValidFrom = store.MustParseDate("2001-02")
					}
					c.Sources = append([]store.Source{{Document: docs.Entities[0].ID, Excerpt: "said so", Locator: "p. 1"}}, e.Sources...)
					b.Entities = append(b.Entities, c)
				}
				// and a third of the relations among the first start's
				// neighbours (properties, dates, sources).
				around, err := s.Neighborhood(ctx, starts[0], store.NeighborhoodOptions{Depth: 2}, store.ReadOptions{})
				if err != nil {
					t.Fatal(err)
				}
				for i, rel := range around.Edges {
					if i%3 != 0 {
						continue
					}
					c := *rel
					c.Properties = store.Properties{"weight": store.Number(float64(i)), "note": store.Text("changed")}
					if rel.ValidTo.IsZero() {
						c.ValidFrom = store.MustParseDate("1999")
					}
					c.Sources = append([]store.Source{{Document: docs.Entities[0].ID, Excerpt: "relation " + rel.ID}}, rel.Sources...)
					b.Relations = append(b.Relations, c)
				}
				if _, err := s.Apply(ctx, b); err != nil {
					t.Fatalf("Apply changes: %v", err)
				}
				var del store.Batch
				for i, rel := range around.Edges {
					if i%7 == 3 {
						del.DeleteRelations = append(del.DeleteRelations, rel.ID)
					}
				}
				for i, id := range all[1:] {
					if i%11 == 5 && len(del.DeleteEntities) < 5 {
						del.DeleteEntities = append(del.DeleteEntities, id)
					}
				}
				del.Cascade = true
				if _, err := s.Apply(ctx, del); err != nil {
					t.Fatalf("Apply deletes: %v", err)
				}
				live := entityIDs(t, s, every)
				sameNeighborhoods(t, s, live, store.ReadOptions{})
				sameNeighborhoods(t, s, starts, store.ReadOptions{AsOf: before})

				// An answer's records are the caller's: changing one
				// changes no later answer.
				o := store.NeighborhoodOptions{Depth: 2}
				got, err := s.Neighborhood(ctx, live[0], o, store.ReadOptions{})
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range got.Nodes {
					e.Name, e.Type, e.Labels, e.Properties = "changed", "changed", nil, nil
				}
				for _, rel := range got.Edges {
					rel.ID, rel.Type, rel.From, rel.Sources = "changed", "changed", "changed", nil
				}
				if again, want := must(s.Neighborhood(ctx, live[0], o, store.ReadOptions{})), neighborhoodByReader(t, s, live[0], o, store.ReadOptions{}); !reflect.DeepEqual(again, want) {
					t.Fatalf("after changing an answer: got %s, want %s", describe(again), describe(want))
				}
			})
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestNeighborhoodWholeEntitiesConcurrent has readers ask neighbourhoods
// while batches rename every entity they reach and stamp it with the
// batch's round: each answer must show one round throughout, the round of
// its snapshot, never an entity kept decoded from another.
func TestNeighborhoodWholeEntitiesConcurrent(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenWith(t, store.Options{InMemory: true, CacheSize: 256 << 10})
	if _, err := s.Load(ctx, gen.Source(gen.Config{Seed: 5, Relations: 600}), store.LoadOptions{Source: "gen"}); err != nil {
		t.Fatal(err)
	}
	start := entityIDs(t, s, 1)[0]
	o := store.NeighborhoodOptions{Depth: 2, NodesOnly: true}
	first, err := s.Neighborhood(ctx, start, o, store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range first.Nodes {
		ids = append(ids, e.ID)
	}
	const rounds = 30
	var wg sync.WaitGroup
	done := make(chan struct{})
	errs := make(chan error, 4)
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				sg, err := s.Neighborhood(ctx, start, o, store.ReadOptions{})
				if err != nil {
					errs <- err
					return
				}
				if err := oneRound(sg); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for round := 1; round <= rounds; round++ {
		var b store.Batch
		for _, id := range ids {
			b.Entities = append(b.Entities, store.Entity{ID: id, Type: typeOf(first, id), Name: fmt.Sprintf("%s round %d", id, round), Properties: store.Properties{"round": store.Number(float64(round))}})
		}
		if _, err := s.Apply(ctx, b); err != nil {
			t.Fatalf("Apply round %d: %v", round, err)
		}
	}
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	last, err := s.Neighborhood(ctx, start, o, store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := oneRound(last); err != nil {
		t.Fatal(err)
	}
	if got := last.Nodes[0].Properties["round"].Num; got != rounds {
		t.Fatalf("after the last batch: round %v, want %d", got, rounds)
	}
}

func typeOf(sg *store.Subgraph, id string) string {
	for _, e := range sg.Nodes {
		if e.ID == id {
			return e.Type
		}
	}
	return ""
}

// oneRound reports an error unless every entity of sg carries the same
// round, in its name as in its properties (none before the first batch).
func oneRound(sg *store.Subgraph) error {
	want := sg.Nodes[0].Properties["round"].Num
	for _, e := range sg.Nodes {
		got := e.Properties["round"].Num
		if got != want {
			return fmt.Errorf("one answer holds rounds %v and %v (%s)", want, got, e.ID)
		}
		if got != 0 && e.Name != fmt.Sprintf("%s round %d", e.ID, int(got)) {
			return fmt.Errorf("entity %s of round %v is named %q", e.ID, got, e.Name)
		}
	}
	return nil
}
