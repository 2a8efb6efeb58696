package pgkv_test

import (
	"context"
	"testing"

	"github.com/ties-graph/ties/store/kv"
	"github.com/ties-graph/ties/store/kv/kvtest"
	"github.com/ties-graph/ties/store/kv/pgkv"
	"github.com/ties-graph/ties/store/kv/pgkv/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func open(t *testing.T, url string) *pgkv.DB {
	t.Helper()
	db, err := pgkv.Open(context.Background(), pgkv.Options{URL: url, LogKey: kvtest.LogKey})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return db
}

func TestConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	kvtest.Run(t, func(t *testing.T) kv.Store {
		db := open(t, pgtest.NewSchema(t))
		t.Cleanup(func() { db.Close() })
		return db
	})
	t.Run("Reopen", func(t *testing.T) {
		kvtest.RunReopen(t, func(t *testing.T) func() kv.Store {
			url := pgtest.NewSchema(t)
			return func() kv.Store { return open(t, url) }
		})
	})
}
