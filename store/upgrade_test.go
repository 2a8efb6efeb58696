package store

import (
	"context"
	"testing"

	"github.com/ties-graph/ties/store/kv"
)

// TestUpgradeFrom1 turns a store into what a format-1 Ties wrote (no
// citation or text index entries, marker 1) and reopens it: a read-only
// open reads it as it is, a writable one rebuilds the entries, after which
// Check passes and search and citedBy find what they find in a new store.
func TestUpgradeFrom1(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := mustOpen(t, dir, Options{})
	mustApply(t, s, Batch{Entities: []Entity{
		{ID: "report", Type: "Document", Name: "International report 2017"},
		{ID: "dalian", Type: "City", Name: "Dalian", Description: "A port city in Liaoning, sister city of Enschede since 2017.",
			Sources: []Source{{Document: "report", Excerpt: "Dalian became a sister city."}}},
		{ID: "enschede", Type: "City", Name: "Enschede"},
	}, Relations: []Relation{{ID: "twin", Type: "SISTER_CITY_OF", From: "dalian", To: "enschede",
		Sources: []Source{{Document: "report", Excerpt: "The Memorandum of Understanding."}}}}})
	want := func(s *Store) (hits, cites int) {
		t.Helper()
		hs, err := s.Search(ctx, "liaoning", nil, nil, ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.FindCitations(ctx, "report", nil, "", ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return len(hs), p.TotalCount
	}
	if h, c := want(s); h != 1 || c != 2 {
		t.Fatalf("new store: %d hits, %d citations; want 1 and 2", h, c)
	}
	// Back to format 1.
	tx, err := s.db.Begin(ctx, kv.TxnOptions{Update: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []byte{pCite, pTextTok} {
		it := tx.Iterate(kv.IterOptions{Prefix: []byte{p}, KeysOnly: true})
		var keys [][]byte
		for it.Rewind(); it.Valid(); it.Next() {
			keys = append(keys, append([]byte(nil), it.Key()...))
		}
		it.Close()
		if len(keys) == 0 {
			t.Fatalf("no keys of prefix %#x to remove", p)
		}
		for _, k := range keys {
			if err := tx.Delete(k); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tx.Set(metaKey(metaFormat), []byte{1}); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	ro := mustOpen(t, dir, Options{ReadOnly: true})
	if h, c := want(ro); h != 0 || c != 0 {
		t.Errorf("format-1 store read as it is: %d hits, %d citations; want none", h, c)
	}
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}

	s = mustOpen(t, dir, Options{})
	defer s.Close()
	if err := s.Check(ctx); err != nil {
		t.Errorf("after the upgrade: %v", err)
	}
	if h, c := want(s); h != 1 || c != 2 {
		t.Errorf("after the upgrade: %d hits, %d citations; want 1 and 2", h, c)
	}
}
