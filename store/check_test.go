package store

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store/kv"
)

// TestCheckFindsCorruption breaks one invariant at a time behind the
// engine's back and expects Check to name it.
func TestCheckFindsCorruption(t *testing.T) {
	testCheckFindsDamage(t, twinCities(), []damageCase{
		{"MissingMirror", func(t *testing.T, s *Store, tx kv.Txn) {
			e := adjOf(t, s, "onno-mayor")
			must(t, tx.Delete(e.mirror().key()))
		}, "has no mirror"},
		{"StaleAdjacencyValue", func(t *testing.T, s *Store, tx kv.Txn) {
			e := adjOf(t, s, "onno-mayor")
			must(t, tx.Set(e.key(), adjValue{otherType: 1}.encode()))
		}, "adjacency value"},
		{"DanglingRelation", func(t *testing.T, s *Store, tx kv.Txn) {
			n := nodeOf(t, s, "onno")
			must(t, tx.Delete(nodeKey(n)))
		}, "which does not exist"},
		{"CounterOff", func(t *testing.T, s *Store, tx kv.Txn) {
			must(t, tx.Set(counterKey(ctrEntities), uint64Value(99)))
		}, "counter entities is 99, want 8"},
		{"NameIndexDangling", func(t *testing.T, s *Store, tx kv.Txn) {
			must(t, tx.Set(nameKey(pNameTok, "ghost", 12345), nameValue{typ: 1, nameLen: 5, ext: "ghost"}.encode()))
		}, "which no live entity has"},
		{"NameIndexStale", func(t *testing.T, s *Store, tx kv.Txn) {
			n := nodeOf(t, s, "munster")
			v, err := tx.Get(nameKey(pNameFull, "munster", n))
			must(t, err)
			must(t, tx.Set(nameKey(pNameTok, "oldname", n), v))
		}, "which no live entity has"},
		{"NameIndexWrongTarget", func(t *testing.T, s *Store, tx kv.Txn) {
			n := nodeOf(t, s, "munster")
			must(t, tx.Set(nameKey(pNameTok, "munster", n), nameValue{typ: 1, nameLen: 7, ext: "dalian"}.encode()))
		}, "the node is \"munster\""},
		{"NameIndexMissing", func(t *testing.T, s *Store, tx kv.Txn) {
			must(t, tx.Delete(nameKey(pNameFull, "munster", nodeOf(t, s, "munster"))))
		}, "missing from the name index"},
		{"CitationMissing", func(t *testing.T, s *Store, tx kv.Txn) {
			it := tx.Iterate(kv.IterOptions{KeysOnly: true, Prefix: citePrefix(nil, "report")})
			defer it.Close()
			it.Seek(citePrefix(nil, "report"))
			if !it.Valid() {
				t.Fatal("nothing cites the report")
			}
			must(t, tx.Delete(bytes.Clone(it.Key())))
		}, "lacks the citation entry of its source 1"},
		{"CitationStale", func(t *testing.T, s *Store, tx kv.Txn) {
			must(t, tx.Set(citeKey("report", kindEntity, uint64(nodeOf(t, s, "munster")), 7), []byte("munster")))
		}, `which "munster" does not cite`},
		{"TextIndexStale", func(t *testing.T, s *Store, tx kv.Txn) {
			n := nodeOf(t, s, "munster")
			v, err := tx.Get(nameKey(pNameFull, "munster", n))
			must(t, err)
			must(t, tx.Set(nameKey(pTextTok, "forgotten", n), v))
		}, "are stale"},
		{"TypeIndexMissing", func(t *testing.T, s *Store, tx kv.Txn) {
			must(t, tx.Delete(typeIdxKey(typeOf(t, s, "Person"), "onno")))
		}, "missing from the index of its type"},
		{"ExtIDDangling", func(t *testing.T, s *Store, tx kv.Txn) {
			must(t, tx.Set(extKey("phantom"), extValue(kindEntity, 999)))
		}, "which does not exist"},
		{"DanglingCitation", func(t *testing.T, s *Store, tx kv.Txn) {
			must(t, tx.Delete(extKey("report")))
		}, `sources[0] cites "report", which is no entity`},
		{"UnknownPrefix", func(t *testing.T, s *Store, tx kv.Txn) {
			must(t, tx.Set([]byte{0x7f, 1}, []byte{1}))
		}, "unknown prefix"},
		{"BadBody", func(t *testing.T, s *Store, tx kv.Txn) {
			must(t, tx.Set(entityKey(nodeOf(t, s, "dalian")), []byte{bodyFormat, 200}))
		}, "truncated body"},
	})
}

// damageCase is one invariant broken behind the engine's back, and what
// Check must say of it.
type damageCase struct {
	name    string
	corrupt func(t *testing.T, s *Store, tx kv.Txn)
	want    string
}

// testCheckFindsDamage runs each case on a fresh in-memory store holding
// b, sound before the damage; after it, Check's sequential scan must find
// the store unsound (or Check would never run its detailed walk) and the
// walk must name the damage.
func testCheckFindsDamage(t *testing.T, b Batch, tests []damageCase) {
	t.Helper()
	ctx := context.Background()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open("", Options{InMemory: true})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			mustApply(t, s, b)
			if err := s.Check(ctx); err != nil {
				t.Fatalf("Check before the damage: %v", err)
			}
			if !scanSound(t, s) {
				t.Fatalf("scanCheck: not sound before the damage")
			}
			tx, err := s.db.Begin(ctx, kv.TxnOptions{Update: true})
			if err != nil {
				t.Fatal(err)
			}
			tc.corrupt(t, s, tx)
			if _, err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			if scanSound(t, s) {
				t.Errorf("scanCheck: sound after the damage")
			}
			if err := s.Check(ctx); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Check: got %v, want a problem containing %q", err, tc.want)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// readOf runs fn on the latest snapshot of s, failing t if it fails.
func readOf[T any](t *testing.T, s *Store, fn func(r *Reader) (T, error)) T {
	t.Helper()
	v, err := Read(context.Background(), s, ReadOptions{}, fn)
	must(t, err)
	return v
}

func nodeOf(t *testing.T, s *Store, id string) NodeID {
	t.Helper()
	return readOf(t, s, func(r *Reader) (NodeID, error) {
		n, _, err := r.Lookup(id)
		return n, err
	})
}

func typeOf(t *testing.T, s *Store, name string) TypeID {
	t.Helper()
	return readOf(t, s, func(r *Reader) (TypeID, error) {
		typ, _ := r.sch.entityType(name)
		return typ, nil
	})
}

// adjOf returns the out-key entry of relation id.
func adjOf(t *testing.T, s *Store, id string) adjEntry {
	t.Helper()
	return readOf(t, s, func(r *Reader) (adjEntry, error) {
		ref, _, err := lookupAny(r.tx, id)
		if err != nil {
			return adjEntry{}, err
		}
		rid := RelID(ref.id)
		v, err := r.tx.Get(relationKey(rid))
		if err != nil {
			return adjEntry{}, err
		}
		rb, err := decodeRelation(v)
		if err != nil {
			return adjEntry{}, err
		}
		return adjEntry{dir: pOut, self: rb.from, typ: rb.typ, other: rb.to, rel: rid}, nil
	})
}

// scanSound runs the sequential scan of Check alone.
func scanSound(t *testing.T, s *Store) bool {
	t.Helper()
	tx, err := s.db.Begin(context.Background(), kv.TxnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Discard()
	sch, err := loadSchema(tx)
	if err != nil {
		t.Fatal(err)
	}
	sound, err := scanCheck(context.Background(), tx, sch)
	if err != nil {
		t.Fatal(err)
	}
	return sound
}
