package store

import (
	"context"
	"os"
	"testing"

	"github.com/ties-graph/ties/store/kv/pgkv"
	"github.com/ties-graph/ties/store/kv/pgkv/pgtest"
)

// The store's tests run on badger in memory, or on PostgreSQL when
// TIES_TEST_STORE=postgres (CI runs the package both ways); each test then
// has a schema of its own in one cluster the package starts.
func TestMain(m *testing.M) { pgtest.Main(m) }

// openBackend opens an empty store on the backend the tests run on.
func openBackend(t testing.TB) (*Store, error) {
	t.Helper()
	if os.Getenv("TIES_TEST_STORE") != "postgres" {
		return Open("", Options{InMemory: true})
	}
	db, err := pgkv.Open(context.Background(), pgkv.Options{URL: pgtest.NewSchema(t), LogKey: logKey})
	if err != nil {
		return nil, err
	}
	s, err := New(db, Options{})
	if err != nil {
		db.Close()
	}
	return s, err
}
