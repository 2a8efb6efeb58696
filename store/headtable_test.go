package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestNeighborhoodHeadsSeeWrites requires the heads of a neighbourhood,
// read once to fill the cache's head table and then from it, to follow
// renames, retypes and deletions, and a reader of an earlier snapshot to
// see the heads as they were: heads short enough to lie in their slots,
// and longer ones.
func TestNeighborhoodHeadsSeeWrites(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	b := twinCities()
	long := strings.Repeat("Friendly Cooperative City ", 3) // past a slot's inline room
	huge := strings.Repeat("x", 4000)                       // as long as a name may be
	b.Entities[1].Name = long                               // dalian
	b.Entities[3].Name = huge                               // munster
	b.Relations = append(b.Relations, Relation{Type: "SISTER_CITY_OF", From: "munster", To: "enschede"})
	mustApply(t, s, b)
	read := func(ro ReadOptions) string {
		t.Helper()
		sg, err := s.NeighborhoodHeads(ctx, "enschede", NeighborhoodOptions{Depth: 2}, HeadOptions{}, ro)
		if err != nil {
			t.Fatal(err)
		}
		defer sg.Release()
		var out []string
		for _, h := range sg.Nodes {
			name := h.Name
			if len(name) > 40 {
				name = fmt.Sprintf("%.20s...(%d)", name, len(name))
			}
			out = append(out, h.ID+":"+h.Type+"="+name)
		}
		slices.Sort(out)
		return strings.Join(out, "\n")
	}
	first := read(ReadOptions{})
	for _, want := range []string{"dalian:City=" + long[:20] + "...(78)", "munster:City=xxxxxxxxxxxxxxxxxxxx...(4000)", "palo-alto:City=Palo Alto", "onno:Person=Onno van Veldhuizen"} {
		if !strings.Contains(first, want) {
			t.Errorf("first read lacks %q:\n%s", want, first)
		}
	}
	// The heads are in the table now; a second answer reuses the first's
	// text (Release) and must read the same.
	if again := read(ReadOptions{}); again != first {
		t.Fatalf("read again, from the head table:\n%s\nwant\n%s", again, first)
	}
	if n := s.cache.heads.count(); n < 6 {
		t.Fatalf("the head table holds %d heads after two reads, want the 6 of short and long heads", n)
	}
	time.Sleep(3 * time.Millisecond)
	mid := time.Now()
	time.Sleep(3 * time.Millisecond)
	mustApply(t, s, Batch{
		Entities: []Entity{
			{ID: "dalian", Type: "City", Name: "Dalian"},
			{ID: "palo-alto", Type: "City", Name: "Palo Alto, California, United States of America"},
			{ID: "onno", Type: "Person", Name: "Onno"},
			{ID: "netherlands", Type: "Region", Name: "The Netherlands"},
		},
		DeleteEntities: []string{"eurocities"}, Cascade: true,
	})
	after := read(ReadOptions{})
	want := strings.Join([]string{
		"dalian:City=Dalian",
		"enschede:City=Enschede",
		"munster:City=xxxxxxxxxxxxxxxxxxxx...(4000)",
		"netherlands:Region=The Netherlands",
		"onno:Person=Onno",
		"palo-alto:City=Palo Alto, Californi...(47)",
	}, "\n")
	if after != want {
		t.Errorf("after the write:\n%s\nwant\n%s", after, want)
	}
	if again := read(ReadOptions{}); again != after {
		t.Errorf("after the write, read again:\n%s\nwant\n%s", again, after)
	}
	if got := read(ReadOptions{AsOf: mid}); got != first {
		t.Errorf("as of before the write:\n%s\nwant\n%s", got, first)
	}
	if again := read(ReadOptions{}); again != after {
		t.Errorf("now, after reading the past:\n%s\nwant\n%s", again, after)
	}
}

// count is the number of heads the table holds.
func (h *headTable) count() int {
	n := 0
	for i := range h.slots {
		if h.slots[i].full {
			n++
		}
	}
	return n
}

// TestHeadTableFollowsEntries requires a head to be kept exactly while
// its entity's entry is, a reader of an older snapshot not to use it, and
// a read of a head alone to count as a use of the entry, so that entities
// read only for their heads are not the first evicted.
func TestHeadTableFollowsEntries(t *testing.T) {
	body := func(i int) string {
		return string(encodeEntity(&Entity{ID: fmt.Sprintf("e%02d", i), Name: fmt.Sprintf("Entity %02d %s", i, strings.Repeat("-", 60))}, 3))
	}
	size := int64(len(body(0))) + entryOverhead + int64(len("e00Entity 00 ")+60)
	c := newReadCache(32*size, 1)
	c.heads.max = 1 << 10 // the cache is tiny; its table need not be
	key := func(i int) cacheKey { return cacheKey{cacheEntity, uint64(i)} }
	for i := range 32 {
		c.putBody(key(i), 1, body(i))
	}
	sch := &schema{}
	heads := func(ts uint64, ids ...NodeID) ([]EntityHead, []bool) {
		hs, found := make([]EntityHead, len(ids)), make([]bool, len(ids))
		places := make([]headPlace, len(ids))
		text, _ := c.entityHeads(ids, ts, sch, hs, places, found, nil)
		pointHeads(hs, places, found, text)
		return hs, found
	}
	if hs, found := heads(1, 5, 7); !found[0] || !found[1] || hs[0].ID != "e05" || !strings.HasPrefix(hs[1].Name, "Entity 07 -") {
		t.Fatalf("heads of 5 and 7: got %+v, %v", hs, found)
	}
	if _, found := heads(0, 5); found[0] {
		t.Errorf("a reader at 0 used a head read at 1")
	}
	// Entry 5's head was read, its body not: it gets a second chance.
	for i := 32; i < 48; i++ {
		c.putBody(key(i), 1, body(i))
	}
	if _, found := heads(1, 5); !found[0] {
		t.Errorf("entity 5, whose head was read, was evicted before unread ones")
	}
	evicted := 0
	for i := range 48 {
		_, inCache := c.body(key(i), 1)
		_, found := heads(1, NodeID(i))
		if inCache != found[0] {
			t.Errorf("entity %d: entry cached %v, head kept %v", i, inCache, found[0])
		}
		if !inCache {
			evicted++
		}
	}
	if evicted != 16 {
		t.Errorf("entries evicted: got %d, want 16", evicted)
	}
	// A writer forgets the key: the head goes with the entry.
	c.begin(false)
	c.forget(string(entityKey(5)))
	c.end(2)
	if _, found := heads(2, 5); found[0] {
		t.Errorf("entity 5's head is still kept after a writer forgot its key")
	}
	c.begin(true)
	c.end(3)
	if n := c.heads.count(); n != 0 {
		t.Errorf("after the cache was emptied, the table holds %d heads", n)
	}
}

// TestHeadsConcurrentSnapshots is TestCacheConcurrentSnapshots for heads:
// a writer renames two neighbours to the same generation in each batch
// while readers ask for their heads; a head served from the table that
// the reader's snapshot should not see would show two generations at once.
func TestHeadsConcurrentSnapshots(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	mustApply(t, s, twinCities())
	rename := func(gen int) Batch {
		return Batch{Entities: []Entity{
			{ID: "dalian", Type: "City", Name: fmt.Sprintf("Dalian %d", gen)},
			{ID: "munster", Type: "City", Name: fmt.Sprintf("Münster, a longer name past a slot's room, %d", gen)},
		}, Relations: []Relation{{ID: "dm", Type: "SISTER_CITY_OF", From: "dalian", To: "munster"}}}
	}
	mustApply(t, s, rename(0))
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, 3)
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				sg, err := s.NeighborhoodHeads(ctx, "dalian", NeighborhoodOptions{Depth: 1}, HeadOptions{}, ReadOptions{})
				if err != nil {
					errs <- err
					return
				}
				a, b := -1, -2
				for _, h := range sg.Nodes {
					fmt.Sscanf(h.Name, "Dalian %d", &a)
					fmt.Sscanf(strings.TrimPrefix(h.Name, "Münster, a longer name past a slot's room, "), "%d", &b)
				}
				sg.Release()
				if a != b {
					errs <- fmt.Errorf("one snapshot shows generations %d and %d", a, b)
					return
				}
			}
		}()
	}
	for gen := 1; gen <= 200; gen++ {
		mustApply(t, s, rename(gen))
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
