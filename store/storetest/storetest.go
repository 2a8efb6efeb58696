// Package storetest opens stores for the tests of other packages, with the
// same consistency check in their cleanup that the store's own tests run.
package storetest

import (
	"context"
	"testing"

	"github.com/ties-graph/ties/store"
)

// Open opens an in-memory store whose cleanup runs Check (reporting any
// problem as a test error) and closes it.
func Open(t testing.TB) *store.Store {
	t.Helper()
	return OpenWith(t, store.Options{InMemory: true})
}

// OpenWith is Open with options; opts.InMemory false puts the store in a
// temporary directory of the test.
func OpenWith(t testing.TB, opts store.Options) *store.Store {
	t.Helper()
	s, err := store.Open(t.TempDir(), opts)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Check(context.Background()); err != nil {
			t.Error(err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return s
}
