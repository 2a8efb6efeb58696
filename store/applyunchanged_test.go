package store

import (
	"context"
	"testing"
)

// TestApplyUnchangedWritesNothing: a batch of records already stored as
// given, through Apply or a WriteTxn, writes no key, makes no commit and
// adds no version to any history; one changed field among them writes
// that record alone.
func TestApplyUnchangedWritesNothing(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	b := Batch{
		Entities: []Entity{
			{ID: "enschede", Type: "City", Name: "Enschede", Properties: Properties{"population": Number(158986)}},
			{ID: "dalian", Type: "City", Name: "Dalian", ValidFrom: MustParseDate("1899")},
		},
		Relations: []Relation{{ID: "twin", Type: "SISTER_CITY_OF", From: "enschede", To: "dalian", ValidFrom: MustParseDate("2017-05")}},
	}
	first := mustApply(t, s, b)
	before := rawDump(t, s)
	versions := func(kind ChangeKind, id string) int {
		t.Helper()
		p, err := s.History(ctx, kind, id, HistoryOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return len(p.Changes)
	}

	again := mustApply(t, s, b)
	if again.CommitTs != first.CommitTs {
		t.Errorf("Apply of the same batch committed at %d, want no commit (%d)", again.CommitTs, first.CommitTs)
	}
	if len(again.Entities) != 2 || len(again.Relations) != 1 {
		t.Errorf("Apply of the same batch returned %d entities and %d relations, want 2 and 1", len(again.Entities), len(again.Relations))
	}
	wt, err := s.BeginWrite(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wt.Apply(b); err != nil {
		t.Fatal(err)
	}
	if ts, err := wt.Commit(); err != nil || ts != first.CommitTs {
		t.Errorf("WriteTxn of the same batch: Commit = %d, %v, want %d (no commit)", ts, err, first.CommitTs)
	}
	if rawDump(t, s) != before {
		t.Fatal("the same batch again changed the store")
	}
	for _, c := range []struct {
		kind ChangeKind
		id   string
	}{{ChangeEntity, "enschede"}, {ChangeEntity, "dalian"}, {ChangeRelation, "twin"}} {
		if n := versions(c.kind, c.id); n != 1 {
			t.Errorf("history of %s: %d versions, want 1", c.id, n)
		}
	}

	b.Entities[1].Name = "Dalian City"
	changed := mustApply(t, s, b)
	if changed.CommitTs == first.CommitTs {
		t.Fatal("a changed name made no commit")
	}
	for id, want := range map[string]int{"enschede": 1, "dalian": 2} {
		if n := versions(ChangeEntity, id); n != want {
			t.Errorf("history of %s after one changed name: %d versions, want %d", id, n, want)
		}
	}
	if n := versions(ChangeRelation, "twin"); n != 1 {
		t.Errorf("history of twin after one changed name: %d versions, want 1", n)
	}
}
