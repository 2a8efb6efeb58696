package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store/kv"
)

// randomLoad is a source of n records drawn from seed that exercises
// what a load resolves through its entities: ids given twice, entities
// of unknown types or refused, relations before and after the entities
// they name, endpoints the source lacks, explicit and derived relation
// ids (for a symmetric type declared by the source, in either order),
// relation ids that are entities' ids, and citations of documents, of
// entities that are not documents and of ids the source lacks.
func randomLoad(seed uint64, n int) []Record {
	r := rand.New(rand.NewPCG(seed, 0x7370696c6c))
	// Half the sources are clean, so that they load and the stores they
	// leave are compared; the others carry every kind of problem.
	clean := seed%2 == 0
	bad := func(in int) bool { return !clean && r.IntN(in) == 0 }
	var rs []Record
	add := func(rec Record) { rec.Line = int64(len(rs) + 1); rs = append(rs, rec) }
	ids := 5 + r.IntN(40)
	id := func() string {
		if bad(30) {
			return "ghost"
		}
		return fmt.Sprintf("p%02d", r.IntN(ids))
	}
	cite := func() []Source {
		switch r.IntN(12) {
		case 0:
			return []Source{{Document: "doc", Excerpt: "says so"}}
		case 1:
			if bad(1) {
				return []Source{{Document: id(), Excerpt: "maybe a document"}}
			}
		}
		return nil
	}
	if clean || r.IntN(2) == 0 {
		add(Record{RelationType: &RelationType{Name: "KNOWS", Symmetric: true, From: []string{"Person"}, To: []string{"Person"}}})
	}
	add(Record{RelationType: &RelationType{Name: "LIKES", Inverse: "LIKED_BY", From: []string{"Person"}, To: []string{"Person"}}})
	for range n {
		switch k := r.IntN(10); {
		case k < 4:
			typ := "Person"
			switch {
			case bad(25):
				typ = "Nope"
			case bad(25):
				typ = "Document"
			}
			name := fmt.Sprintf("Person %d", len(rs))
			if bad(40) {
				name = " "
			}
			add(Record{Entity: &Entity{ID: id(), Type: typ, Name: name, Sources: cite()}})
		case k == 4:
			add(Record{Entity: &Entity{ID: "doc", Type: "Document", Name: "The source"}})
		default:
			rel := Relation{Type: "LIKES", From: id(), To: id(), Sources: cite(),
				Properties: Properties{"n": Number(float64(len(rs)))}}
			switch r.IntN(6) {
			case 0:
				rel.Type = "KNOWS"
			case 1:
				rel.ID = fmt.Sprintf("like-%d", r.IntN(8))
			case 2:
				if bad(4) {
					rel.ID = id() // an entity's id
				}
			}
			add(Record{Relation: &rel})
		}
	}
	if clean {
		// Every id an entity, in an order of the seed's.
		for _, i := range r.Perm(ids) {
			add(Record{Entity: &Entity{ID: fmt.Sprintf("p%02d", i), Type: "Person", Name: fmt.Sprintf("Person %d", i)}})
		}
		add(Record{Entity: &Entity{ID: "doc", Type: "Document", Name: "The source"}})
	}
	return rs
}

// stableDump hashes the store's keys and values but for the change log,
// the history and the metadata, which name the commit's timestamp: two
// loads of one source into empty stores leave equal dumps.
func stableDump(t testing.TB, s *Store) string {
	t.Helper()
	tx, err := s.db.Begin(context.Background(), kv.TxnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Discard()
	it := tx.Iterate(kv.IterOptions{})
	defer it.Close()
	h := sha256.New()
	n := 0
	for it.Rewind(); it.Valid(); it.Next() {
		k := it.Key()
		if p := k[0]; p == pLog || p == pHist || p == pMeta {
			continue
		}
		v, err := it.Value()
		if err != nil {
			t.Fatal(err)
		}
		h.Write(k)
		h.Write([]byte{0})
		h.Write(v)
		h.Write([]byte{0})
		n++
	}
	return hex.EncodeToString(h.Sum(nil)) + " keys=" + itoa(n)
}

// loadOutcome loads rs into a new empty store with the given budgets and
// returns what a caller sees: the errors, or the counts and the store.
func loadOutcome(t *testing.T, rs []Record, entityBudget, sortBudget int, maxErrors int) string {
	t.Helper()
	return loadOutcomeInto(t, nil, rs, OnExistingReplace, entityBudget, sortBudget, maxErrors)
}

// loadOutcomeInto is loadOutcome into a store that holds base, loaded
// first with the default budgets, under on.
func loadOutcomeInto(t *testing.T, base, rs []Record, on OnExisting, entityBudget, sortBudget int, maxErrors int) string {
	t.Helper()
	s := openLoadStore(t, 0)
	if base != nil {
		if _, err := s.Load(context.Background(), sourceOf(base), LoadOptions{Source: "base"}); err != nil {
			t.Fatalf("base: %v", err)
		}
	}
	s.opts.LoadEntityBudget = entityBudget
	s.opts.loadSortBudget = sortBudget
	res, err := s.Load(context.Background(), sourceOf(rs), LoadOptions{Source: "r", MaxErrors: maxErrors, OnExisting: on})
	if err != nil {
		var b strings.Builder
		for _, e := range errorsOf(t, err) {
			fmt.Fprintln(&b, e.Error())
		}
		return b.String()
	}
	return fmt.Sprintf("entities=%d relations=%d\nreport=%+v\n%s\n%s", res.Entities, res.Relations, res.Report, stableDump(t, s), dump(t, s, ReadOptions{}))
}

// randomBase is what a store holds before randomLoad's source is loaded
// into it: entities under some of the same ids, a few of them documents
// that the source may turn into people, relations between them, some
// given ids the source may give its entities, and citations.
func randomBase(seed uint64) []Record {
	r := rand.New(rand.NewPCG(seed, 0x62617365))
	var rs []Record
	add := func(rec Record) { rec.Line = int64(len(rs) + 1); rs = append(rs, rec) }
	add(Record{RelationType: &RelationType{Name: "KNOWS", Symmetric: true, From: []string{"Person"}, To: []string{"Person"}}})
	add(Record{RelationType: &RelationType{Name: "LIKES", Inverse: "LIKED_BY", From: []string{"Person"}, To: []string{"Person"}}})
	add(Record{Entity: &Entity{ID: "doc", Type: "Document", Name: "The stored source"}})
	// Tricky bases hold documents and relation ids where the source has
	// people: most loads into them are refused.
	tricky := r.IntN(3) == 0
	m := 3 + r.IntN(30)
	docs := []string{"doc"}
	var people []string
	for i := range m {
		id := fmt.Sprintf("p%02d", i)
		if tricky && r.IntN(6) == 0 {
			docs = append(docs, id)
			add(Record{Entity: &Entity{ID: id, Type: "Document", Name: "Document " + id}})
			continue
		}
		people = append(people, id)
		e := Entity{ID: id, Type: "Person", Name: "Stored " + id, Description: "from the base"}
		if r.IntN(5) == 0 {
			e.Sources = []Source{{Document: docs[r.IntN(len(docs))], Excerpt: "stored"}}
		}
		add(Record{Entity: &e})
	}
	if len(people) == 0 {
		return rs
	}
	for i := range 2 * m {
		rel := Relation{Type: "LIKES", From: people[r.IntN(len(people))], To: people[r.IntN(len(people))],
			Properties: Properties{"stored": Number(float64(i))}}
		switch r.IntN(5) {
		case 0:
			rel.Type = "KNOWS"
		case 1:
			rel.ID = fmt.Sprintf("like-%d", r.IntN(8))
		case 2:
			if tricky {
				rel.ID = fmt.Sprintf("p%02d", m+r.IntN(10)) // an id the source may give an entity
			}
		}
		if r.IntN(4) == 0 {
			rel.Sources = []Source{{Document: docs[r.IntN(len(docs))], Excerpt: "stored"}}
		}
		add(Record{Relation: &rel})
	}
	return rs
}

// FuzzLoadSpilledIntoData is FuzzLoadSpilled into a store that holds
// data, under each OnExisting: the entities and the endpoints are then
// matched with the store's from the sorts.
func FuzzLoadSpilledIntoData(f *testing.F) {
	for seed := range uint64(8) {
		f.Add(seed, uint16(20+seed*37))
	}
	f.Fuzz(func(t *testing.T, seed uint64, n uint16) {
		rs := randomLoad(seed, int(n%600))
		base := randomBase(seed / 2)
		on := []OnExisting{OnExistingReplace, OnExistingMerge, OnExistingSkip, OnExistingFail}[(seed/2)%4]
		maxErrors := 100
		if seed%5 == 0 {
			maxErrors = 3
		}
		want := loadOutcomeInto(t, base, rs, on, 0, 0, maxErrors)
		for _, b := range []struct{ entities, sorts int }{{1, 0}, {1, 64}, {2000, 0}, {2000, 200}} {
			if got := loadOutcomeInto(t, base, rs, on, b.entities, b.sorts, maxErrors); got != want {
				t.Fatalf("%s, entity budget %d, sort budget %d:\n%s\nwant (the table)\n%s", on, b.entities, b.sorts, got, want)
			}
		}
	})
}

// TestLoadSpilledIntoDataSucceeds makes sure that loads into stores that
// hold data also succeed, with the entities spilled, and keeps them
// correct beside the table's (FuzzLoadSpilledIntoData compares).
func TestLoadSpilledIntoDataSucceeds(t *testing.T) {
	loaded := 0
	for seed := range uint64(16) {
		on := []OnExisting{OnExistingReplace, OnExistingMerge, OnExistingSkip}[seed%3]
		if out := loadOutcomeInto(t, randomBase(seed), randomLoad(2*seed, int(20+seed*41)), on, 1, 64, 100); strings.HasPrefix(out, "entities=") {
			loaded++
		}
	}
	if loaded < 5 {
		t.Errorf("%d of 16 random sources load into stores that hold data, want at least 5", loaded)
	}
}

// FuzzLoadSpilled checks that a load whose entities are spilled to sorts,
// from the first entity, part way or with the sorts writing runs, leaves
// the store a load with the table leaves, and reports the same errors.
func FuzzLoadSpilled(f *testing.F) {
	// Each seed opens five stores: eight keep the package's tests quick;
	// go test -fuzz FuzzLoadSpilled draws more.
	for seed := range uint64(8) {
		f.Add(seed, uint16(20+seed*37))
	}
	f.Fuzz(func(t *testing.T, seed uint64, n uint16) {
		rs := randomLoad(seed, int(n%600))
		maxErrors := 100
		if seed%5 == 0 {
			maxErrors = 3
		}
		want := loadOutcome(t, rs, 0, 0, maxErrors)
		for _, b := range []struct{ entities, sorts int }{{1, 0}, {1, 64}, {2000, 0}, {2000, 200}} {
			if got := loadOutcome(t, rs, b.entities, b.sorts, maxErrors); got != want {
				t.Fatalf("entity budget %d, sort budget %d:\n%s\nwant (the table)\n%s", b.entities, b.sorts, got, want)
			}
		}
	})
}

// TestLoadSpilledSucceeds makes sure the random sources also load: a
// comparison of two refusals alone would not compare stores.
func TestLoadSpilledSucceeds(t *testing.T) {
	loaded := 0
	for seed := range uint64(12) {
		if out := loadOutcome(t, randomLoad(seed, int(20+seed*41)), 0, 0, 100); strings.HasPrefix(out, "entities=") {
			loaded++
		}
	}
	if loaded < 4 {
		t.Errorf("%d of 12 random sources load, want at least 4", loaded)
	}
}

// TestEntityBudget: the option wins, a negative one means no bound, and
// without one the budget is an eighth of the soft memory limit, or the
// default when there is none.
func TestEntityBudget(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
	for _, c := range []struct {
		option int
		limit  int64
		want   int
	}{
		{5 << 20, 1 << 30, 5 << 20},
		{-1, 1 << 30, 0},
		{0, 1 << 30, 128 << 20},
		{0, 64 << 20, minLoadEntityBudget},
		{0, math.MaxInt64, DefaultLoadEntityBudget},
	} {
		debug.SetMemoryLimit(c.limit)
		s := &Store{opts: Options{LoadEntityBudget: c.option}}
		if got := s.entityBudget(); got != c.want {
			t.Errorf("option %d, limit %d: got %d, want %d", c.option, c.limit, got, c.want)
		}
	}
}
