// Package storetest opens stores for the tests of other packages, with the
// same consistency check in their cleanup that the store's own tests run.
//
// The backend is badger, or PostgreSQL when TIES_TEST_STORE=postgres: each
// store is then a schema of its own in a cluster the test binary shares
// (package pgtest), so a package whose tests use storetest runs on either
// backend unchanged. Such a package calls Main from its TestMain, so the
// cluster is stopped when its tests end.
package storetest

import (
	"context"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/kv/pgkv/pgtest"
)

// Main runs a package's tests and then stops the PostgreSQL cluster they
// shared, if any. Call it from TestMain.
func Main(m *testing.M) { pgtest.Main(m) }

// Postgres reports whether the tests run on PostgreSQL
// (TIES_TEST_STORE=postgres).
func Postgres() bool { return os.Getenv("TIES_TEST_STORE") == "postgres" }

// Open opens an empty store whose cleanup runs Check (reporting any
// problem as a test error) and closes it: badger in memory, or a fresh
// PostgreSQL schema (see the package comment).
func Open(t testing.TB) *store.Store {
	t.Helper()
	return OpenWith(t, store.Options{InMemory: true})
}

// OpenWith is Open with options; on badger, opts.InMemory false puts the
// store in a temporary directory of the test. On PostgreSQL the options
// that concern badger's files (InMemory, SyncWrites, HistoryRetention,
// sizes) do not apply, as for store.OpenPostgres. It skips t when
// PostgreSQL is asked for and not installed.
func OpenWith(t testing.TB, opts store.Options) *store.Store {
	t.Helper()
	var s *store.Store
	var err error
	if Postgres() {
		s, err = store.OpenPostgres(context.Background(), pgtest.NewSchema(t), opts)
	} else {
		s, err = store.Open(t.TempDir(), opts)
	}
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

// Throughput measures a benchmark that moves records: from
// StartThroughput on, the peak heap and the CPU time the process uses.
// The benchmark adds what each iteration moved to Records.
type Throughput struct {
	Records int64
	heap    func() float64
	cpu     func() float64
}

// StartThroughput starts measuring.
func StartThroughput() *Throughput {
	return &Throughput{heap: PeakHeap(), cpu: CPUTime()}
}

// Report stops measuring and reports to b the peak heap (peak-heap-MB),
// the records moved per second of b's elapsed time (records/s) and the
// CPU time per iteration (cpu-s/op).
func (m *Throughput) Report(b *testing.B) {
	b.ReportMetric(m.heap(), "peak-heap-MB")
	b.ReportMetric(float64(m.Records)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(m.cpu()/float64(b.N), "cpu-s/op")
}
