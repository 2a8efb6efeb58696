package store

import (
	"context"
	"fmt"
	"testing"
)

// TestDecodedShare reads whole neighbourhoods of a graph whose decoded
// entities would fill a small read cache many times over: the decoded
// bodies must stay within their share of the cache, and the cache's count
// of them must equal what its entries hold, through evictions and writes.
func TestDecodedShare(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	const n = 300
	entity := func(i int) string { return fmt.Sprintf("e%03d", i) }
	b := Batch{}
	for i := range n {
		b.Entities = append(b.Entities, Entity{ID: entity(i), Type: "City", Name: fmt.Sprintf("City %d", i),
			Properties: Properties{"population": Number(float64(1000 + i)), "rank": Number(float64(i))}})
		b.Relations = append(b.Relations, Relation{ID: fmt.Sprintf("r%d", i), Type: "SISTER_CITY_OF", From: entity(i), To: entity((i + 1) % n)})
	}
	mustApply(t, s, b)
	s.cache = newReadCache(64<<10, s.cache.validTs)
	c := s.cache
	check := func(when string) int64 {
		t.Helper()
		c.mu.RLock()
		defer c.mu.RUnlock()
		var held int64
		for i := range c.entries {
			if e := c.entries[i].ent; e != nil {
				held += e.size
			}
			if r := c.entries[i].rel; r != nil {
				held += r.size
			}
		}
		if held != c.decoded {
			t.Fatalf("%s: entries hold %d bytes decoded, the cache counts %d", when, held, c.decoded)
		}
		if c.decoded > c.max/decodedShare {
			t.Fatalf("%s: %d bytes decoded, more than the share %d", when, c.decoded, c.max/decodedShare)
		}
		return held
	}
	var most int64
	read := func(when string) {
		for i := range n {
			sg, err := s.Neighborhood(ctx, entity(i), NeighborhoodOptions{Depth: 3}, ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(sg.Nodes) != 7 || sg.Nodes[0].Properties["population"].Num != float64(1000+i) {
				t.Fatalf("%s: neighbourhood of %s: %d nodes, first %+v", when, entity(i), len(sg.Nodes), sg.Nodes[0])
			}
			most = max(most, check(fmt.Sprintf("%s, after %s", when, entity(i))))
		}
	}
	read("first reads")
	if most == 0 {
		t.Fatal("no body was ever kept decoded")
	}
	// Writes forget entries; a restore-like write empties the cache.
	mustApply(t, s, Batch{Entities: []Entity{{ID: entity(3), Type: "City", Name: "Renamed",
		Properties: Properties{"population": Number(1003)}}}})
	check("after a write")
	read("reads after a write")
}
