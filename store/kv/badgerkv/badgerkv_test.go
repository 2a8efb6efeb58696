package badgerkv

import (
	"testing"

	"github.com/ties-graph/ties/store/kv"
	"github.com/ties-graph/ties/store/kv/kvtest"
)

// testMemTable is small enough that a transaction of a few hundred
// kilobytes is too big and batches commit in many parts.
const testMemTable = 2 << 20

func openTest(t *testing.T, opts Options) *DB {
	t.Helper()
	if opts.LogKey == nil {
		opts.LogKey = kvtest.LogKey
	}
	if opts.MemTableSize == 0 {
		opts.MemTableSize = testMemTable
	}
	if opts.BlockCacheSize == 0 {
		opts.BlockCacheSize = 8 << 20
	}
	db, err := Open(opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

func TestConformance(t *testing.T) {
	t.Run("Disk", func(t *testing.T) {
		kvtest.Run(t, func(t *testing.T) kv.Store { return openTest(t, Options{Dir: t.TempDir()}) })
	})
	t.Run("InMemory", func(t *testing.T) {
		kvtest.Run(t, func(t *testing.T) kv.Store { return openTest(t, Options{InMemory: true}) })
	})
	t.Run("Reopen", func(t *testing.T) {
		kvtest.RunReopen(t, func(t *testing.T) func() kv.Store {
			dir := t.TempDir()
			return func() kv.Store {
				db, err := Open(Options{Dir: dir, LogKey: kvtest.LogKey, MemTableSize: testMemTable})
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				return db
			}
		})
	})
}
