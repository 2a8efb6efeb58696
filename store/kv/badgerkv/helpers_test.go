package badgerkv

import (
	"context"
	"fmt"
	"testing"
)

// newBatch begins a batch of db.
func newBatch(t *testing.T, db *DB) *batch {
	t.Helper()
	b, err := db.NewBatch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return b.(*batch)
}

// setMany sets n keys, prefix and a six-digit number, to value in b.
func setMany(t *testing.T, b *batch, prefix string, n int, value []byte) {
	t.Helper()
	for i := range n {
		if err := b.Set(fmt.Appendf(nil, "%s%06d", prefix, i), value); err != nil {
			t.Fatal(err)
		}
	}
}

// crash writes all of b into badger and stops db without finishing it:
// what a process killed before Flush returns leaves in its directory.
func crash(t *testing.T, db *DB, b *batch) {
	t.Helper()
	if err := b.writeAll(); err != nil {
		t.Fatal(err)
	}
	close(db.closing)
	db.bg.Wait()
	if err := db.bdb.Close(); err != nil {
		t.Fatal(err)
	}
}
