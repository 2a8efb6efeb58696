package store_test

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/gen"
)

// TestNeighborhoodHeadsLentWalkers asks the heads of many neighbourhoods
// of different sizes and shapes from several goroutines at once, the
// store lending each walk a walker another walk gave back and each answer
// lists another answer gave back (Release): every answer must equal the
// one asked alone before, and the answers not given back must stay equal
// after the others ran (no answer shares a list with a lent walker or
// with a later answer). Run it with -race.
func TestNeighborhoodHeadsLentWalkers(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cfg := gen.Config{Seed: 5, Relations: 3000}
	if _, err := s.Load(ctx, gen.Source(cfg), store.LoadOptions{Source: "gen"}); err != nil {
		t.Fatal(err)
	}
	plan, err := gen.NewPlan(cfg)
	if err != nil {
		t.Fatal(err)
	}
	type ask struct {
		id   string
		opts store.NeighborhoodOptions
		ho   store.HeadOptions
	}
	shapes := []store.HeadOptions{{}, {Edges: true}, {Edges: true, RelationIDs: true, Links: true}, {Edges: true, RelationIDs: true}}
	var asks []ask
	for i := range 30 {
		id := plan.EntityID(i * 53 % plan.Entities)
		for d := 1; d <= 3; d++ {
			o := store.NeighborhoodOptions{Depth: d}
			if i%5 == 0 {
				o.Direction = store.Out
			}
			if i%7 == 0 {
				o.Limit = new(25)
			}
			asks = append(asks, ask{id, o, shapes[(i+d)%len(shapes)]})
		}
	}
	heads := func(a ask) *store.SubgraphHeads {
		h, err := s.NeighborhoodHeads(ctx, a.id, a.opts, a.ho, store.ReadOptions{})
		if err != nil {
			t.Error(err)
		}
		return h
	}
	want := make([]*store.SubgraphHeads, len(asks))
	for i, a := range asks {
		want[i] = heads(a)
	}
	// Deep copies, to hold the first answers to after the others ran.
	kept := make([]store.SubgraphHeads, len(want))
	for i, h := range want {
		kept[i] = copyHeads(h)
	}
	var wg sync.WaitGroup
	for g := range 3 {
		wg.Go(func() {
			for round := range 4 {
				for k := range asks {
					i := (k*7 + g*11 + round*3) % len(asks)
					got := heads(asks[i])
					if c := copyHeads(got); !reflect.DeepEqual(c, kept[i]) {
						t.Errorf("%s %+v %+v: got %+v, want %+v", asks[i].id, asks[i].opts, asks[i].ho, c, kept[i])
						return
					}
					// Given back, the lists serve a later answer.
					got.Release()
				}
			}
		})
	}
	wg.Wait()
	for i, h := range want {
		if c := copyHeads(h); !reflect.DeepEqual(c, kept[i]) {
			t.Fatalf("%s: the first answer changed after other walks: %+v, was %+v", fmt.Sprint(asks[i]), *h, kept[i])
		}
	}
}

// copyHeads copies h's lists and strings.
func copyHeads(h *store.SubgraphHeads) store.SubgraphHeads {
	c := store.SubgraphHeads{Truncated: h.Truncated}
	str := func(s string) string { return string(append([]byte(nil), s...)) }
	for _, n := range h.Nodes {
		c.Nodes = append(c.Nodes, store.EntityHead{ID: str(n.ID), Type: str(n.Type), Name: str(n.Name)})
	}
	for _, e := range h.Edges {
		e.ID, e.Type, e.From, e.To = str(e.ID), str(e.Type), str(e.From), str(e.To)
		c.Edges = append(c.Edges, e)
	}
	c.Links = append(c.Links, h.Links...)
	for _, t := range h.LinkTypes {
		c.LinkTypes = append(c.LinkTypes, str(t))
	}
	for _, id := range h.LinkIDs {
		c.LinkIDs = append(c.LinkIDs, str(id))
	}
	return c
}
