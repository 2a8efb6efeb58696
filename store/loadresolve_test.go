package store

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/ties-graph/ties/store/kv"
)

// TestMergeJoin resolves ids present and absent, near each other and far
// apart (so that the join both steps and seeks), and expects what point
// reads of the same keys give.
func TestMergeJoin(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	var b Batch
	for i := 0; i < 300; i += 3 {
		b.Entities = append(b.Entities, Entity{ID: fmt.Sprintf("e%04d", i), Type: "Person", Name: "P"})
	}
	mustApply(t, s, b)
	var ids []string
	for i := 0; i < 300; i++ {
		if i%7 == 0 || i > 250 || i < 40 {
			ids = append(ids, fmt.Sprintf("e%04d", i))
		}
	}
	ids = append(ids, "a", "zzz")
	slices.Sort(ids)
	tx, err := s.db.Begin(ctx, kv.TxnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Discard()
	var got []string
	err = mergeJoin(tx, pExtID, len(ids), func(i int, k []byte) []byte {
		return appendExtKey(k, ids[i])
	}, func(i int, v []byte) error {
		got = append(got, fmt.Sprintf("%s=%x", ids[i], v))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, id := range ids {
		v, _, err := txGetter(tx)(extKey(id))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, fmt.Sprintf("%s=%x", id, v))
	}
	if !slices.Equal(got, want) {
		t.Errorf("mergeJoin:\ngot  %v\nwant %v", got, want)
	}
}
