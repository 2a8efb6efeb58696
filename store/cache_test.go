package store

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestReadCacheRules(t *testing.T) {
	k := cacheKey{cacheEntity, 7}
	get := func(c *readCache, k cacheKey, ts uint64) (string, bool) { return c.body(k, ts) }
	t.Run("PutOnlyAtValidTs", func(t *testing.T) {
		c := newReadCache(1<<20, 10)
		c.putBody(k, 9, "old snapshot")
		if _, ok := get(c, k, 10); ok {
			t.Errorf("an entry put by a reader of an older snapshot was kept")
		}
		c.putBody(k, 10, "v")
		if v, ok := get(c, k, 10); !ok || v != "v" {
			t.Errorf("get at validTs: got %q %v, want v true", v, ok)
		}
	})
	t.Run("NotForOlderReaders", func(t *testing.T) {
		c := newReadCache(1<<20, 10)
		c.putBody(k, 10, "v")
		if _, ok := get(c, k, 9); ok {
			t.Errorf("a reader at 9 used an entry read at 10")
		}
		if _, ok := get(c, k, 11); !ok {
			t.Errorf("a reader at 11 missed an entry read at 10 that no commit touched")
		}
	})
	t.Run("NoPutWhileWriting", func(t *testing.T) {
		c := newReadCache(1<<20, 10)
		c.putBody(k, 10, "v10")
		c.begin(false)
		c.forget(string(entityKey(7)))
		if _, ok := get(c, k, 10); ok {
			t.Errorf("forget left the entry")
		}
		// A reader of the old snapshot reads the old value and may not
		// put it: the writer's commit may already be visible.
		c.putBody(k, 10, "v10")
		c.putBody(k, 11, "v11")
		c.end(11)
		if _, ok := get(c, k, 11); ok {
			t.Errorf("an entry put while a writer was between begin and end was kept")
		}
		c.putBody(k, 10, "v10")
		if _, ok := get(c, k, 11); ok {
			t.Errorf("an entry put by a reader of the snapshot before the write was kept")
		}
		c.putBody(k, 11, "v11")
		if v, ok := get(c, k, 11); !ok || v != "v11" {
			t.Errorf("after the write: got %q %v, want v11 true", v, ok)
		}
	})
	t.Run("BeginAll", func(t *testing.T) {
		c := newReadCache(1<<20, 10)
		c.putBody(k, 10, "v")
		c.putAdj(cacheKey{cacheAdj, 7}, 10, []adjItem{{dir: pOut}})
		c.begin(true)
		c.end(12)
		if _, ok := get(c, k, 12); ok {
			t.Errorf("a body survived begin(true)")
		}
		if _, ok := c.adjacency(cacheKey{cacheAdj, 7}, 12); ok {
			t.Errorf("an adjacency survived begin(true)")
		}
	})
	t.Run("ExtIDs", func(t *testing.T) {
		c := newReadCache(1<<20, 10)
		c.putExt("dalian", 10, extRef{kindEntity, 3}, true)
		c.putExt("ghost", 10, extRef{}, false)
		if ref, found, ok := c.ext("dalian", 10); !ok || !found || ref != (extRef{kindEntity, 3}) {
			t.Errorf("ext(dalian): got %v %v %v", ref, found, ok)
		}
		if _, found, ok := c.ext("ghost", 10); !ok || found {
			t.Errorf("ext(ghost): got found %v ok %v, want a cached miss", found, ok)
		}
		// An id with the hash of a cached one is not mistaken for it.
		c.index[c.extKey("impostor").slot()] = c.index[c.extKey("dalian").slot()]
		if _, _, ok := c.ext("impostor", 10); ok {
			t.Errorf("ext(impostor) answered with dalian's entry")
		}
	})
	t.Run("SharedSlot", func(t *testing.T) {
		// Keys whose ids differ in the top byte share an index slot:
		// neither is ever answered with the other's entry.
		c := newReadCache(1<<20, 1)
		a, b := cacheKey{cacheEntity, 5}, cacheKey{cacheEntity, 5 | 1<<56}
		c.putBody(a, 1, "a")
		if _, ok := c.body(b, 1); ok {
			t.Errorf("body(b) answered with a's entry")
		}
		c.putBody(b, 1, "b")
		if _, ok := c.body(a, 1); ok {
			t.Errorf("body(a) answered with b's entry")
		}
		if v, ok := c.body(b, 1); !ok || v != "b" {
			t.Errorf("body(b): got %q %v", v, ok)
		}
	})
	t.Run("KeysOfStoreKeys", func(t *testing.T) {
		c := newReadCache(1<<20, 1)
		for _, tc := range []struct {
			name string
			key  []byte
			want cacheKey
		}{
			{"Entity", entityKey(5), cacheKey{cacheEntity, 5}},
			{"Relation", relationKey(6), cacheKey{cacheRelation, 6}},
			{"Out", adjKey(nil, pOut, 7, 1, 8, 9), cacheKey{cacheAdj, 7}},
			{"In", adjKey(nil, pIn, 8, 1, 7, 9), cacheKey{cacheAdj, 8}},
			{"ExtID", extKey("dalian"), c.extKey("dalian")},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if got, ok := c.keyOf(string(tc.key)); !ok || got != tc.want {
					t.Errorf("keyOf(%x): got %v %v, want %v true", tc.key, got, ok, tc.want)
				}
			})
		}
		for _, k := range [][]byte{counterKey(ctrOntologyVers), typeDefKey(3), typeNameKey(kindEntity, "City")} {
			if got, ok := c.keyOf(string(k)); !ok || got.kind != cacheSchema {
				t.Errorf("keyOf(%x): got %v %v, want the ontology", k, got, ok)
			}
		}
		for _, k := range [][]byte{nodeKey(5), typeIdxKey(1, "x"), counterKey(ctrEntities), nameKey(pNameTok, "x", 1)} {
			if got, ok := c.keyOf(string(k)); ok {
				t.Errorf("keyOf(%x): got %v, want none", k, got)
			}
		}
	})
	t.Run("Bounded", func(t *testing.T) {
		const max = 64 << 10
		c := newReadCache(max, 1)
		body := string(make([]byte, 100))
		for i := range 10_000 {
			c.putBody(cacheKey{cacheEntity, uint64(i)}, 1, body)
			if c.size > max {
				t.Fatalf("after %d puts: size %d, over %d", i+1, c.size, max)
			}
		}
		if got, want := len(c.index), len(c.entries); got != want {
			t.Errorf("map holds %d entries, ring %d", got, want)
		}
		for key, i := range c.index {
			if got := c.entries[i].key; got.slot() != key {
				t.Fatalf("index maps %v to entry %d, which holds %v", key, i, got)
			}
		}
		// A value over a sixteenth of the cache is not kept.
		big := cacheKey{cacheRelation, 1}
		c.putBody(big, 1, string(make([]byte, max/16)))
		if _, ok := get(c, big, 1); ok {
			t.Errorf("a value of a sixteenth of the cache was kept")
		}
	})
	t.Run("EvictsUnused", func(t *testing.T) {
		c := newReadCache(40*(100+entryOverhead), 1)
		body := string(make([]byte, 100))
		hot := cacheKey{cacheEntity, 1000}
		c.putBody(hot, 1, body)
		for i := range 400 {
			get(c, hot, 1)
			c.putBody(cacheKey{cacheEntity, uint64(i)}, 1, body)
		}
		if _, ok := get(c, hot, 1); !ok {
			t.Errorf("an entry used between every put was evicted")
		}
	})
}

// TestNoCache runs reads and writes on a store without a read cache.
func TestNoCache(t *testing.T) {
	ctx := context.Background()
	s, err := Open("", Options{InMemory: true, CacheSize: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.cache != nil {
		t.Fatalf("CacheSize -1 made a cache")
	}
	mustApply(t, s, twinCities())
	if _, err := s.FindEntityByID(ctx, "dalian", ReadOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FindRelationsByIDs(ctx, []string{"onno-mayor"}, ReadOptions{}); err != nil {
		t.Fatal(err)
	}
	sg, err := s.Neighborhood(ctx, "dalian", NeighborhoodOptions{Depth: 2}, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sg.Nodes) < 3 {
		t.Errorf("neighbourhood of dalian: %d nodes, want several", len(sg.Nodes))
	}
	if err := s.Check(ctx); err != nil {
		t.Error(err)
	}
}

// TestCacheSeesOntologyChanges reads the ontology, changes it, and reads
// it again, through Apply and through Load.
func TestCacheSeesOntologyChanges(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	has := func(name string) bool {
		t.Helper()
		o, err := s.Ontology(ctx, ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, et := range o.EntityTypes {
			if et.Name == name {
				return true
			}
		}
		for _, rt := range o.RelationTypes {
			if rt.Name == name {
				return true
			}
		}
		return false
	}
	mustApply(t, s, twinCities())
	if has("Village") {
		t.Fatalf("Village before it was defined")
	}
	mustApply(t, s, Batch{EntityTypes: []EntityType{{Name: "Village", Parent: "City"}}})
	if !has("Village") {
		t.Errorf("Village missing after Apply defined it")
	}
	rs := []Record{{Line: 1, RelationType: &RelationType{Name: "KNOWS", Inverse: "KNOWS", Symmetric: true}}}
	if _, err := s.Load(ctx, sourceOf(rs), LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	if !has("KNOWS") {
		t.Errorf("KNOWS missing after Load defined it")
	}
}

// TestCacheSeesWrites reads everything the cache keeps, writes, and reads
// again, now and as of before the write.
func TestCacheSeesWrites(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	mustApply(t, s, twinCities())
	read := func(ro ReadOptions) string {
		t.Helper()
		sg, err := s.Neighborhood(ctx, "dalian", NeighborhoodOptions{Depth: 2}, ro)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range sg.Nodes {
			out = append(out, e.ID+"="+e.Name)
		}
		slices.Sort(out)
		for _, r := range sg.Edges {
			out = append(out, fmt.Sprintf("%s:%s-%s-%s:term=%v", r.ID, r.From, r.Type, r.To, r.Properties["term"].Num))
		}
		return fmt.Sprint(out)
	}
	before := read(ReadOptions{})
	if again := read(ReadOptions{}); again != before {
		t.Fatalf("a second read, from the cache, differs:\n%s\nwant\n%s", again, before)
	}
	time.Sleep(3 * time.Millisecond)
	mid := time.Now()
	time.Sleep(3 * time.Millisecond)
	mustApply(t, s, Batch{
		Entities: []Entity{
			{ID: "dalian", Type: "City", Name: "Dalian City"},
			{ID: "heidelberg", Type: "City", Name: "Heidelberg"},
		},
		Relations: []Relation{
			{ID: "dh", Type: "SISTER_CITY_OF", From: "dalian", To: "heidelberg"},
			{ID: "onno-mayor", Type: "MAYOR_OF", From: "onno", To: "enschede", Properties: Properties{"term": Number(2)}},
		},
		DeleteEntities: []string{"palo-alto"}, Cascade: true,
	})
	after := read(ReadOptions{})
	if after == before {
		t.Fatalf("the read after the write still shows the old graph:\n%s", after)
	}
	for _, want := range []string{"dalian=Dalian City", "heidelberg=Heidelberg", "dh:dalian-SISTER_CITY_OF-heidelberg", "onno-mayor:onno-MAYOR_OF-enschede:term=2"} {
		if !contains(after, want) {
			t.Errorf("after the write, %q is missing from\n%s", want, after)
		}
	}
	if contains(after, "palo-alto") {
		t.Errorf("the deleted palo-alto is still read:\n%s", after)
	}
	if got := read(ReadOptions{AsOf: mid}); got != before {
		t.Errorf("as of before the write:\n%s\nwant\n%s", got, before)
	}
	if _, err := s.FindEntityByID(ctx, "palo-alto", ReadOptions{}); err == nil {
		t.Errorf("FindEntityByID of the deleted palo-alto: got nil error")
	}
	// An id looked up while it did not exist, then created.
	if _, err := s.FindEntityByID(ctx, "linkoping", ReadOptions{}); err == nil {
		t.Fatalf("FindEntityByID of linkoping before it exists: got nil error")
	}
	mustApply(t, s, Batch{Entities: []Entity{{ID: "linkoping", Type: "City", Name: "Linköping"}}})
	if _, err := s.FindEntityByID(ctx, "linkoping", ReadOptions{}); err != nil {
		t.Errorf("FindEntityByID of linkoping after it was created: %v", err)
	}
	// A bulk load replaces what the cache held.
	rs := []Record{{Line: 1, Entity: &Entity{ID: "dalian", Type: "City", Name: "Dalian (loaded)"}}}
	if _, err := s.Load(ctx, sourceOf(rs), LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := read(ReadOptions{}); !contains(got, "dalian=Dalian (loaded)") {
		t.Errorf("after a load: %s", got)
	}
}

func contains(s, sub string) bool { return len(sub) > 0 && len(s) >= len(sub) && indexOf(s, sub) >= 0 }

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// TestCacheConcurrentSnapshots has a writer rename two entities to the same
// generation in each batch while readers read both in one snapshot: a
// reader served a stale entry would see two generations at once.
func TestCacheConcurrentSnapshots(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	mustApply(t, s, twinCities())
	rename := func(gen int) Batch {
		return Batch{Entities: []Entity{
			{ID: "dalian", Type: "City", Name: fmt.Sprintf("Dalian %d", gen)},
			{ID: "munster", Type: "City", Name: fmt.Sprintf("Münster %d", gen)},
		}, Relations: []Relation{
			{ID: "dm", Type: "SISTER_CITY_OF", From: "dalian", To: "munster", Properties: Properties{"gen": Number(float64(gen))}},
		}}
	}
	mustApply(t, s, rename(0))
	const gens = 200
	var wg sync.WaitGroup
	stop := make(chan struct{})
	errs := make(chan error, 4)
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
				err := s.View(ctx, ReadOptions{}, func(r *Reader) error {
					var names []string
					for _, id := range []string{"dalian", "munster"} {
						n, _, err := r.Lookup(id)
						if err != nil {
							return err
						}
						es, err := r.Entities([]NodeID{n})
						if err != nil {
							return err
						}
						names = append(names, es[0].Name)
					}
					var gen float64 = -1
					n, _, err := r.Lookup("dalian")
					if err != nil {
						return err
					}
					err = r.Edges(n, nil, func(e Edge) error {
						rs, err := r.Relations([]RelID{e.Relation})
						if err == nil && rs[0].ID == "dm" {
							gen = rs[0].Properties["gen"].Num
						}
						return err
					})
					if err != nil {
						return err
					}
					var a, b int
					fmt.Sscanf(names[0], "Dalian %d", &a)
					fmt.Sscanf(names[1], "Münster %d", &b)
					if a != b || float64(a) != gen {
						return fmt.Errorf("one snapshot shows %q, %q and relation generation %v", names[0], names[1], gen)
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
	for gen := 1; gen <= gens; gen++ {
		mustApply(t, s, rename(gen))
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestReadCacheStats: the figures the operator's metrics show count what
// the cache took in and what it evicted to make room, and a cache that
// is off reports zeros.
func TestReadCacheStats(t *testing.T) {
	body := string(make([]byte, 100))
	size := int64(len(body)) + entryOverhead
	// Room for 32 entries (one entry may take a sixteenth of the cache).
	c := newReadCache(32*size, 1)
	for i := range 50 {
		c.putBody(cacheKey{cacheEntity, uint64(i)}, 1, body)
	}
	found := 0
	for i := range 50 {
		if _, ok := c.body(cacheKey{cacheEntity, uint64(i)}, 1); ok {
			found++
		}
	}
	if found != 32 {
		t.Errorf("entries found: got %d, want the 32 the cache has room for", found)
	}
	got := c.stats()
	want := CacheStats{Capacity: 32 * size, Bytes: 32 * size, Entries: 32, Fills: 50, Evictions: 18}
	if got != want {
		t.Errorf("stats: got %+v, want %+v", got, want)
	}
	// A put refused (a reader of an older snapshot) is no fill.
	c.putBody(cacheKey{cacheEntity, 99}, 0, body)
	if got := c.stats().Fills; got != 50 {
		t.Errorf("fills after a refused put: got %d, want 50", got)
	}
	var off *readCache
	if got := off.stats(); got != (CacheStats{}) {
		t.Errorf("no cache: got %+v, want zeros", got)
	}
}

// TestReadCacheEvictsTheOldestUnused: past its size, the cache takes a
// stream of new entries in place of the oldest it holds that no reader
// used, not in place of the newest. The hand once stayed on the slot
// where removal moves the last entry, the newest, so that each entry
// added was the next evicted: the cache kept what it held first and
// churned one slot, and a working set larger than that first part was
// read from the store every time (BENCHMARKS.md, "The read cache against
// the working set").
func TestReadCacheEvictsTheOldestUnused(t *testing.T) {
	body := string(make([]byte, 100))
	size := int64(len(body)) + entryOverhead
	c := newReadCache(32*size, 1)
	key := func(i int) cacheKey { return cacheKey{cacheEntity, uint64(i)} }
	for i := range 32 {
		c.putBody(key(i), 1, body)
	}
	// Entry 5 was read: it gets a second chance.
	if _, ok := c.body(key(5), 1); !ok {
		t.Fatal("entry 5 missing before anything was evicted")
	}
	for i := 32; i < 48; i++ {
		c.putBody(key(i), 1, body)
	}
	for i := 32; i < 48; i++ {
		if _, ok := c.body(key(i), 1); !ok {
			t.Errorf("entry %d, among the 16 added last, was evicted", i)
		}
	}
	if _, ok := c.body(key(5), 1); !ok {
		t.Errorf("entry 5, read since it was added, was evicted before unread ones")
	}
	evicted := 0
	for i := range 32 {
		if _, ok := c.body(key(i), 1); !ok {
			evicted++
		}
	}
	if evicted != 16 {
		t.Errorf("old entries evicted: got %d, want 16", evicted)
	}
}
