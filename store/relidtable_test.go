package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// tabled asks c's table for the ids of rels for a reader at ts.
func tabled(c *readCache, ts uint64, rels ...RelID) ([]string, int) {
	ids := make([]string, len(rels))
	missing := c.tabledRelIDs(rels, ts, ids)
	return ids, missing
}

// TestRelIDTableFollowsTheCacheRules requires the table of relation ids to
// keep short and long ids, to serve a reader only the slots its snapshot
// may see, to take ids only from a reader the cache's rules let add
// entries, to stay within its bounds, and to let go of a relation's id
// when a writer forgets its key or empties the cache.
func TestRelIDTableFollowsTheCacheRules(t *testing.T) {
	c := newReadCache(1<<20, 5)
	if got, want := c.relIDs.max, uint64((1<<20)/8/relIDSlotSize); got != want {
		t.Fatalf("max %d, want an eighth of the cache in slots, %d", got, want)
	}
	long := "Q1005$" + strings.Repeat("e4c8-", 8) // past a slot's room
	c.putRelIDs([]RelID{1, 2, 3, RelID(c.relIDs.max)}, 5, []string{"rel-1", long, "", "past-max"})
	ids, missing := tabled(c, 5, 1, 2, 3, RelID(c.relIDs.max), 4000)
	if want := []string{"rel-1", long, "", "", ""}; !slices.Equal(ids, want) || missing != 3 {
		t.Fatalf("at 5: ids %q, %d missing; want %q, 3 missing", ids, missing, want)
	}
	// An id the caller has already is left, and not counted missing.
	ids = []string{"given", "", ""}
	if n := c.tabledRelIDs([]RelID{1, 2, 9}, 5, ids); ids[0] != "given" || ids[1] != long || n != 1 {
		t.Errorf("with the first given: ids %q, %d missing", ids, n)
	}
	if _, missing := tabled(c, 4, 1, 2); missing != 2 {
		t.Errorf("a reader at 4 used %d slots set at 5", 2-missing)
	}
	// Refused: a reader behind the cache, and any while a writer is
	// between begin and end.
	c.putRelIDs([]RelID{7}, 4, []string{"old"})
	c.begin(false)
	c.putRelIDs([]RelID{8}, 5, []string{"during"})
	c.forget(string(relationKey(1)))
	c.end(6)
	if ids, missing := tabled(c, 6, 7, 8, 1, 2); missing != 3 || ids[3] != long {
		t.Errorf("after refused puts and a forgotten relation 1: ids %q, %d missing; want only 2's", ids, missing)
	}
	// The long ids have a budget of their own.
	c.relIDs.longMax = c.relIDs.longBytes + int64(len(long)) + 1
	c.putRelIDs([]RelID{10, 11}, 6, []string{long + "a", long + "b"})
	if ids, _ := tabled(c, 6, 10, 11); ids[0] != long+"a" || ids[1] != "" {
		t.Errorf("past the long ids' budget: %q, want the first alone", ids)
	}
	c.begin(true)
	c.end(7)
	if _, missing := tabled(c, 7, 2, 10); missing != 2 || c.relIDs.longBytes != 0 {
		t.Errorf("after the cache was emptied: %d of 2 missing, %d long bytes", missing, c.relIDs.longBytes)
	}
	var off *readCache
	if ids, missing := tabled(off, 7, 2); missing != 1 || ids[0] != "" {
		t.Errorf("no cache: %q, %d missing", ids, missing)
	}
}

// TestLinkIDsFromTheTable requires the relation ids of chart answers to
// be read once: the bodies a first answer reads for them are not added to
// the cache, and later answers read no body, and they to stay right
// through a relation's deletion and re-creation under the same id (a new
// internal id), with a reader of the snapshot before seeing the ids as
// they were.
func TestLinkIDsFromTheTable(t *testing.T) {
	ctx := context.Background()
	s, gets := openCounting(t, Options{})
	const leaves = 300
	b := Batch{Entities: []Entity{
		{ID: "hub", Type: "Network", Name: "Hub"},
		{ID: "city", Type: "City", Name: "City"},
	}}
	for i := range leaves {
		id := fmt.Sprintf("member%d", i)
		b.Entities = append(b.Entities, Entity{ID: id, Type: "City", Name: id})
		b.Relations = append(b.Relations, Relation{ID: "m" + id, Type: "MEMBER_OF", From: id, To: "hub"})
	}
	b.Relations = append(b.Relations, Relation{ID: "city-hub", Type: "MEMBER_OF", From: "city", To: "hub"})
	mustApply(t, s, b)
	ids := func(ro ReadOptions) []string {
		t.Helper()
		sg, err := s.NeighborhoodHeads(ctx, "city", NeighborhoodOptions{Depth: 2}, HeadOptions{Edges: true, RelationIDs: true, Links: true}, ro)
		if err != nil {
			t.Fatal(err)
		}
		defer sg.Release()
		got := slices.Clone(sg.LinkIDs)
		for i := range got {
			got[i] = strings.Clone(got[i])
		}
		slices.Sort(got)
		return got
	}
	want := []string{"city-hub"}
	for i := range leaves {
		want = append(want, fmt.Sprintf("mmember%d", i))
	}
	slices.Sort(want)
	relationBodiesCached := func() int {
		s.cache.mu.RLock()
		defer s.cache.mu.RUnlock()
		n := 0
		for i := range s.cache.entries {
			if s.cache.entries[i].key.kind == cacheRelation {
				n++
			}
		}
		return n
	}
	pointReads(gets)
	if got := ids(ReadOptions{}); !slices.Equal(got, want) {
		t.Fatalf("first answer: %d ids, want %d", len(got), len(want))
	}
	if n := gets[pRelation].Swap(0); n == 0 || n > leaves+1 {
		t.Errorf("first answer read %d relation bodies, want between 1 and %d", n, leaves+1)
	}
	if n := relationBodiesCached(); n != 0 {
		t.Errorf("%d relation bodies cached for their ids", n)
	}
	for pass := range 2 {
		if got := ids(ReadOptions{}); !slices.Equal(got, want) {
			t.Fatalf("pass %d: %d ids, want %d", pass, len(got), len(want))
		}
		if n := gets[pRelation].Swap(0); n != 0 {
			t.Errorf("pass %d read %d relation bodies", pass, n)
		}
	}
	time.Sleep(3 * time.Millisecond)
	before := time.Now()
	time.Sleep(3 * time.Millisecond)
	mustApply(t, s, Batch{DeleteRelations: []string{"mmember0", "mmember1"}})
	mustApply(t, s, Batch{Relations: []Relation{
		{ID: "mmember0", Type: "MEMBER_OF", From: "member1", To: "hub"},
		{ID: "mmember1", Type: "MEMBER_OF", From: "member0", To: "hub"},
		{ID: "extra", Type: "MEMBER_OF", From: "member2", To: "hub"},
	}})
	after := append(slices.Clone(want), "extra")
	slices.Sort(after)
	for pass := range 2 {
		if got := ids(ReadOptions{}); !slices.Equal(got, after) {
			t.Fatalf("after the writes, pass %d: %q", pass, firstDiff(got, after))
		}
		if got := ids(ReadOptions{AsOf: before}); !slices.Equal(got, want) {
			t.Fatalf("as of before the writes, pass %d: %q", pass, firstDiff(got, want))
		}
	}
}

// firstDiff describes where got first differs from want.
func firstDiff(got, want []string) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("at %d: %q, want %q", i, got[i], want[i])
		}
	}
	return fmt.Sprintf("%d ids, want %d", len(got), len(want))
}
