// Package storetest opens stores for the tests of other packages, with the
// same consistency check in their cleanup that the store's own tests run.
package storetest

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

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

// PeakHeap samples the heap in use until stop is called and returns the
// largest value seen, in MiB, for benchmarks that report their memory.
func PeakHeap() (stop func() float64) {
	var mu sync.Mutex
	var peak uint64
	done := make(chan struct{})
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		mu.Lock()
		peak = max(peak, m.HeapInuse)
		mu.Unlock()
	}
	go func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				sample()
			}
		}
	}()
	return func() float64 {
		close(done)
		sample()
		mu.Lock()
		defer mu.Unlock()
		return float64(peak) / (1 << 20)
	}
}
