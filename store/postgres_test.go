package store

import (
	"context"
	"testing"
	"time"

	"github.com/ties-graph/ties/store/kv/pgkv/pgtest"
)

// openPostgresPair opens two stores over one new database, as two
// services would, each with its read cache on.
func openPostgresPair(t *testing.T) (a, b *Store) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	url := pgtest.NewSchema(t)
	for _, p := range []**Store{&a, &b} {
		s, err := OpenPostgres(context.Background(), url, Options{})
		if err != nil {
			t.Fatalf("OpenPostgres: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		*p = s
	}
	return a, b
}

// TestSharedDatabaseCache writes through one store and reads through the
// other, whose cache holds what it read before: every read sees the
// newest commit.
func TestSharedDatabaseCache(t *testing.T) {
	ctx := context.Background()
	a, b := openPostgresPair(t)
	if a.cache == nil || b.cache == nil {
		t.Fatal("the read cache is off on PostgreSQL")
	}
	mustApply(t, a, twinCities())
	name := func(s *Store, id string) string {
		t.Helper()
		e, err := s.FindEntityByID(ctx, id, ReadOptions{})
		if ErrorCode(err) == NotFound {
			return "<none>"
		}
		if err != nil {
			t.Fatalf("FindEntityByID %s: %v", id, err)
		}
		if e == nil {
			return "<none>"
		}
		return e.Name
	}
	neighbors := func(s *Store, id string) int {
		t.Helper()
		g, err := s.Neighborhood(ctx, id, NeighborhoodOptions{Depth: 1}, ReadOptions{})
		if err != nil {
			t.Fatalf("Neighborhood %s: %v", id, err)
		}
		return len(g.Nodes)
	}
	// Twice each, so that the second read comes from b's cache.
	for range 2 {
		if got, want := name(b, "enschede"), "Enschede"; got != want {
			t.Errorf("b reads %q, want %q", got, want)
		}
		if got, want := neighbors(b, "dalian"), 2; got != want {
			t.Errorf("b: dalian's neighbourhood has %d nodes, want %d", got, want)
		}
	}
	b.cache.mu.RLock()
	cached := len(b.cache.entries)
	b.cache.mu.RUnlock()
	if cached == 0 {
		t.Fatal("b cached nothing of what it read: the test would prove nothing")
	}
	mustApply(t, a, Batch{
		Entities:  []Entity{{ID: "enschede", Type: "City", Name: "Enschede (NL)"}, {ID: "hengelo", Type: "City", Name: "Hengelo"}},
		Relations: []Relation{{Type: "SISTER_CITY_OF", From: "hengelo", To: "dalian"}},
	})
	if got, want := name(b, "enschede"), "Enschede (NL)"; got != want {
		t.Errorf("after a's update, b reads %q, want %q", got, want)
	}
	if got, want := neighbors(b, "dalian"), 3; got != want {
		t.Errorf("after a's new relation, b: dalian's neighbourhood has %d nodes, want %d", got, want)
	}
	mustApply(t, b, Batch{DeleteEntities: []string{"hengelo"}, Cascade: true})
	if got, want := name(a, "hengelo"), "<none>"; got != want {
		t.Errorf("after b's delete, a reads %q, want %q", got, want)
	}
	if got, want := neighbors(a, "dalian"), 2; got != want {
		t.Errorf("after b's delete, a: dalian's neighbourhood has %d nodes, want %d", got, want)
	}
	for _, s := range []*Store{a, b} {
		if err := s.Check(ctx); err != nil {
			t.Error(err)
		}
	}
}

// TestCopyKeepsHistory copies a store between two databases, which keeps
// every version: a read as of before the last change sees the old one.
func TestCopyKeepsHistory(t *testing.T) {
	ctx := context.Background()
	a, dst := openPostgresPair(t)
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	mustApply(t, a, twinCities())
	before := time.Now()
	time.Sleep(5 * time.Millisecond) // asOf is to the millisecond
	mustApply(t, a, Batch{Entities: []Entity{{ID: "enschede", Type: "City", Name: "Enschede (NL)"}}})
	// dst shares a's database in openPostgresPair; copy into a new one.
	dst.Close()
	c, err := OpenPostgres(ctx, pgtest.NewSchema(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	copyKeepsHistory(t, a, c, before,
		map[string]string{"enschede": "Enschede (NL)"},
		map[string]string{"enschede": "Enschede"})
}

// TestCopyHistoryAcrossBackends copies badger to PostgreSQL and back: each
// version arrives at its own commit timestamp, so a read as of before the
// last change sees the old record on every copy.
func TestCopyHistoryAcrossBackends(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	ctx := context.Background()
	a, err := Open("", Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	mustApply(t, a, twinCities())
	time.Sleep(5 * time.Millisecond) // asOf is to the millisecond
	before := time.Now()
	time.Sleep(5 * time.Millisecond)
	mustApply(t, a, Batch{
		Entities:       []Entity{{ID: "enschede", Type: "City", Name: "Enschede (NL)"}},
		DeleteEntities: []string{"palo-alto"}, Cascade: true,
	})
	pg, err := OpenPostgres(ctx, pgtest.NewSchema(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Close() })
	back, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { back.Close() })
	for _, step := range []struct {
		name     string
		from, to *Store
	}{{"BadgerToPostgres", a, pg}, {"PostgresToBadger", pg, back}} {
		t.Run(step.name, func(t *testing.T) {
			copyKeepsHistory(t, step.from, step.to, before,
				map[string]string{"enschede": "Enschede (NL)", "palo-alto": ""},
				map[string]string{"enschede": "Enschede", "palo-alto": "Palo Alto"})
		})
	}
	// A later write lands after every copied version.
	mustApply(t, back, Batch{Entities: []Entity{{ID: "gronau", Type: "City", Name: "Gronau"}}})
	if err := back.Check(ctx); err != nil {
		t.Error(err)
	}
}

// copyKeepsHistory copies from into to and wants the copy to have kept
// history: each entity of now reads now with the name given, and each of
// then as of before ("" for an entity that must not be found); the copy
// must pass Check.
func copyKeepsHistory(t *testing.T, from, to *Store, before time.Time, now, then map[string]string) {
	t.Helper()
	ctx := context.Background()
	res, err := from.CopyTo(ctx, to)
	if err != nil {
		t.Fatalf("CopyTo: %v", err)
	}
	if !res.History {
		t.Errorf("the copy did not keep history: %+v", res)
	}
	for _, at := range []struct {
		ro    ReadOptions
		names map[string]string
	}{{ReadOptions{}, now}, {ReadOptions{AsOf: before}, then}} {
		for id, want := range at.names {
			e, err := to.FindEntityByID(ctx, id, at.ro)
			switch {
			case want == "" && ErrorCode(err) != NotFound:
				t.Errorf("as of %v: %s: got %v, %v; want NOT_FOUND", at.ro.AsOf, id, e, err)
			case want == "":
			case err != nil:
				t.Fatalf("FindEntityByID(%s) %+v: %v", id, at.ro, err)
			case e.Name != want:
				t.Errorf("as of %v: %s is %q, want %q", at.ro.AsOf, id, e.Name, want)
			}
		}
	}
	if err := to.Check(ctx); err != nil {
		t.Error(err)
	}
}
