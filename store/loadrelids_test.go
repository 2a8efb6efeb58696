package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ties-graph/ties/store/kv"
	"github.com/ties-graph/ties/store/kv/badgerkv"
)

// countingKV counts the point reads made through its transactions by
// the prefix byte of the key read.
type countingKV struct {
	kv.Store
	gets *[256]atomic.Int64
}

func (c countingKV) Begin(ctx context.Context, opts kv.TxnOptions) (kv.Txn, error) {
	tx, err := c.Store.Begin(ctx, opts)
	if err != nil {
		return nil, err
	}
	return countingTxn{Txn: tx, gets: c.gets}, nil
}

type countingTxn struct {
	kv.Txn
	gets *[256]atomic.Int64
}

func (t countingTxn) Get(k []byte) ([]byte, error) {
	if len(k) > 0 {
		t.gets[k[0]].Add(1)
	}
	return t.Txn.Get(k)
}

// openCounting opens a store in memory whose point reads gets counts.
func openCounting(t *testing.T, opts Options) (*Store, *[256]atomic.Int64) {
	t.Helper()
	db, err := badgerkv.Open(badgerkv.Options{InMemory: true, LogKey: logKey})
	if err != nil {
		t.Fatal(err)
	}
	gets := new([256]atomic.Int64)
	s, err := New(countingKV{Store: db, gets: gets}, opts)
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, gets
}

// pointReads lists the point reads counted since the last call, by
// prefix, and resets the counts.
func pointReads(gets *[256]atomic.Int64) string {
	var b strings.Builder
	for p := range gets {
		if n := gets[p].Swap(0); n > 0 {
			fmt.Fprintf(&b, "%#02x:%d ", p, n)
		}
	}
	return b.String()
}

// checkNoPointReads fails t if a load made a point read per record: of
// anything but the store's metadata and counters, read once per load.
func checkNoPointReads(t *testing.T, gets *[256]atomic.Int64) {
	t.Helper()
	for p := range gets {
		if n := gets[p].Swap(0); n > 0 && byte(p) != pMeta && byte(p) != pCounter {
			t.Errorf("%d point reads of keys with prefix %#02x, want none", n, p)
		}
	}
}

// relIDsGraph is a graph of n people (n >= 10) whose relations exercise
// every kind of relation id: explicit ids, ids derived for an asymmetric
// type and for a symmetric one declared by the file itself (so that its
// symmetry is known only after the first pass), given with the endpoints
// in either order, and ids given twice with the last occurrence winning.
// Relations come first, before the entities they name.
func relIDsGraph(n int) []Record {
	var rs []Record
	add := func(r Record) { r.Line = int64(len(rs) + 1); rs = append(rs, r) }
	p := func(i int) string { return fmt.Sprintf("p%03d", i%n) }
	w := func(i int) Properties { return Properties{"w": Number(float64(i))} }
	add(Record{RelationType: &RelationType{Name: "KNOWS", Symmetric: true, From: []string{"Person"}, To: []string{"Person"}}})
	add(Record{RelationType: &RelationType{Name: "LIKES", Inverse: "LIKED_BY", From: []string{"Person"}, To: []string{"Person"}}})
	for i := range n {
		from, to := p(i), p(i+1)
		if i%2 == 1 {
			from, to = to, from // derived ids differ by the symmetry
		}
		add(Record{Relation: &Relation{Type: "KNOWS", From: from, To: to, Properties: w(i)}})
		add(Record{Relation: &Relation{Type: "LIKES", From: p(i), To: p(i + 3), Properties: w(i), Sources: []Source{{Document: "doc", Excerpt: "likes"}}}})
		add(Record{Relation: &Relation{ID: fmt.Sprintf("like-%d", i), Type: "LIKES", From: p(i), To: p(i + 5), Properties: w(i)}})
	}
	for i := 0; i < n; i += 4 {
		// Again, later in the file: these win.
		add(Record{Relation: &Relation{Type: "KNOWS", From: p(i + 1), To: p(i), Properties: w(-i)}})
		add(Record{Relation: &Relation{ID: fmt.Sprintf("like-%d", i), Type: "LIKES", From: p(i), To: p(i + 7), Properties: w(-i)}})
	}
	add(Record{Entity: &Entity{ID: p(1), Type: "Person", Name: "Overwritten"}})
	for i := range n {
		add(Record{Entity: &Entity{ID: p(i), Type: "Person", Name: fmt.Sprintf("Person %d", i)}})
	}
	add(Record{Entity: &Entity{ID: "doc", Type: "Document", Name: "The source"}})
	return rs
}

// TestLoadRelationIDs loads into stores that hold data, with the sorts
// of relation ids in memory and writing runs, and checks that the store
// ends as a load into an empty one leaves it, and that a reload makes no
// point read per record: ids, node types, entity and relation bodies are
// all read by forward walks.
func TestLoadRelationIDs(t *testing.T) {
	ctx := context.Background()
	const n = 40
	full := relIDsGraph(n)
	ref := openTestStore(t)
	res0, err := ref.Load(ctx, sourceOf(full), LoadOptions{Source: "g"})
	if err != nil {
		t.Fatal(err)
	}
	want := dump(t, ref, ReadOptions{})
	for _, eb := range entityBudgets {
		for _, budget := range []int{0, 64} {
			for _, on := range []OnExisting{OnExistingReplace, OnExistingMerge} {
				testLoadRelationIDs(t, full, res0, want, Options{loadSortBudget: budget, LoadEntityBudget: eb.bytes},
					fmt.Sprintf("%s/budget=%d/%s", on, budget, eb.name), on)
			}
		}
	}
}

// testLoadRelationIDs runs TestLoadRelationIDs's cases with one set of
// budgets.
func testLoadRelationIDs(t *testing.T, full []Record, res0 LoadResult, want string, opts Options, name string, on OnExisting) {
	ctx := context.Background()
	t.Run("Reload/"+name, func(t *testing.T) {
		s, gets := openCounting(t, opts)
		if _, err := s.Load(ctx, sourceOf(full), LoadOptions{Source: "g"}); err != nil {
			t.Fatal(err)
		}
		pointReads(gets)
		res, err := s.Load(ctx, sourceOf(full), LoadOptions{Source: "g", OnExisting: on})
		if err != nil {
			t.Fatal(err)
		}
		if got := dump(t, s, ReadOptions{}); got != want {
			t.Errorf("store after the reload:\n%s\nwant\n%s", got, want)
		}
		if got, want := res.Relations, res0.Relations; got != want {
			t.Errorf("relations loaded: got %d, want %d", got, want)
		}
		if got, want := res.Report.Relations, (Tally{Unchanged: res0.Relations}); got != want {
			t.Errorf("relations: got %+v, want %+v", got, want)
		}
		checkNoPointReads(t, gets)
		// The relations alone: their ends and the document they
		// cite are all in the store.
		var rels []Record
		for _, r := range full {
			if r.Relation != nil {
				rels = append(rels, r)
			}
		}
		if _, err := s.Load(ctx, sourceOf(rels), LoadOptions{Source: "g", OnExisting: on}); err != nil {
			t.Fatal(err)
		}
		checkNoPointReads(t, gets)
		if got := dump(t, s, ReadOptions{}); got != want {
			t.Errorf("store after loading the relations again:\n%s\nwant\n%s", got, want)
		}
	})
	t.Run("Mix/"+name, func(t *testing.T) {
		// The store holds the first part of the relations, some
		// of them given again later in the file: the load meets
		// existing and new relations, and duplicates across both.
		s, gets := openCounting(t, opts)
		var part []Record
		for i, r := range full {
			if r.Relation == nil || i%3 != 0 && i < 2*len(full)/3 {
				part = append(part, r)
			}
		}
		res1, err := s.Load(ctx, sourceOf(part), LoadOptions{Source: "part"})
		if err != nil {
			t.Fatal(err)
		}
		pointReads(gets)
		res, err := s.Load(ctx, sourceOf(full), LoadOptions{Source: "g", OnExisting: on})
		if err != nil {
			t.Fatal(err)
		}
		checkNoPointReads(t, gets)
		if got := dump(t, s, ReadOptions{}); got != want {
			t.Errorf("store after the load:\n%s\nwant\n%s", got, want)
		}
		if got, want := res.Report.Relations.New, res0.Relations-res1.Relations; got != want {
			t.Errorf("new relations: got %d, want %d", got, want)
		}
	})
}

// TestLoadRelationIDErrors checks that the ids resolved in bulk give the
// errors the load always gave, on the record's line.
func TestLoadRelationIDErrors(t *testing.T) {
	ctx := context.Background()
	for _, budget := range []int{0, 64} {
		t.Run(fmt.Sprintf("budget=%d", budget), func(t *testing.T) {
			s, _ := openCounting(t, Options{loadSortBudget: budget})
			if _, err := s.Load(ctx, sourceOf(relIDsGraph(10)), LoadOptions{Source: "g"}); err != nil {
				t.Fatal(err)
			}
			before := rawDump(t, s)
			rs := []Record{
				{Line: 1, Relation: &Relation{ID: "like-2", Type: "LIKES", From: "p001", To: "p002"}},
				{Line: 2, Relation: &Relation{ID: "p003", Type: "LIKES", From: "p001", To: "p002"}},
				{Line: 3, Relation: &Relation{ID: "new-1", Type: "LIKES", From: "p001", To: "p002"}},
				{Line: 4, Relation: &Relation{Type: "KNOWS", From: "p002", To: "p001"}},
			}
			_, err := s.Load(ctx, sourceOf(rs), LoadOptions{Source: "e"})
			entity := `e:2: id: id "p003" is already used by an entity; entities and relations share one id space`
			checkRefusedLoad(t, s, before, err, []string{entity})
			_, err = s.Load(ctx, sourceOf(rs), LoadOptions{Source: "e", OnExisting: OnExistingFail})
			checkRefusedLoad(t, s, before, err, []string{
				`e:1: id: relation "like-2" already exists (on existing records: fail; use merge, replace or skip to load it)`,
				entity,
				// The derived id, found whatever the order of the ends.
				fmt.Sprintf(`e:4: id: relation %q already exists (on existing records: fail; use merge, replace or skip to load it)`, RelationID("KNOWS", "p001", "p002", Date{}, true)),
			})
			res, err := s.Load(ctx, sourceOf(append(rs[:1:1], rs[2:]...)), LoadOptions{Source: "e", OnExisting: OnExistingSkip})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := res.Report.Relations, (Tally{New: 1, Skipped: 2}); got != want {
				t.Errorf("relations: got %+v, want %+v", got, want)
			}
		})
	}
}

// TestLoadRelationIDRuns checks that the sorts' runs are removed when a
// load ends, whether it wrote or was cancelled at the end of its first
// pass, and that a cancelled load leaves the store as it was.
func TestLoadRelationIDRuns(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	leftover := func() []string {
		t.Helper()
		names, err := filepath.Glob(filepath.Join(tmp, "ties-run-*"))
		if err != nil {
			t.Fatal(err)
		}
		return names
	}
	full := relIDsGraph(40)
	s, _ := openCounting(t, Options{loadSortBudget: 64})
	if _, err := s.Load(context.Background(), sourceOf(full), LoadOptions{Source: "g"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(context.Background(), sourceOf(full), LoadOptions{Source: "g"}); err != nil {
		t.Fatal(err)
	}
	if got := leftover(); len(got) > 0 {
		t.Errorf("runs left after a load: %v", got)
	}
	before := rawDump(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := func(ctx context.Context, yield func(Record) error) error {
		if err := sourceOf(full)(ctx, yield); err != nil {
			return err
		}
		cancel() // the first pass ends: the joins see it
		return nil
	}
	if _, err := s.Load(ctx, src, LoadOptions{Source: "g"}); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want %v", err, context.Canceled)
	}
	if got := rawDump(t, s); got != before {
		t.Errorf("a cancelled load changed the store")
	}
	if got := leftover(); len(got) > 0 {
		t.Errorf("runs left after a cancelled load: %v", got)
	}
}
