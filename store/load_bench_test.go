package store_test

// Bulk-load benchmarks on the generated graph (store/gen, seeded), sized by
// -bench.relations (see connections_bench_test.go):
//
//	go test ./store -run '^$' -bench 'Load' -benchtime 1x -count 5 -bench.relations 100000
//
// Each iteration loads the whole graph into a new store; records/s counts
// entities and relations, peak-heap-MB is the largest heap in use sampled
// while the loads ran, cpu-s/op the CPU time of one (storetest.Throughput).

import (
	"context"
	"runtime"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/gen"
	"github.com/ties-graph/ties/store/storetest"
)

// BenchmarkLoad measures Store.Load of a generated graph into a new store
// on disk and in memory, into an existing one on disk that already
// holds it (every record an upsert of what is there), and into one that
// holds other data (every record new).
func BenchmarkLoad(b *testing.B) {
	cfg := gen.Config{Seed: 1, Relations: *benchRelations}
	b.Run("Fresh", func(b *testing.B) { benchFreshLoad(b, cfg, store.Options{}) })
	b.Run("FreshInMemory", func(b *testing.B) { benchFreshLoad(b, cfg, store.Options{InMemory: true}) })
	b.Run("Again", func(b *testing.B) {
		ctx := context.Background()
		s := loadedOnDisk(b, cfg)
		runtime.GC()
		m := storetest.StartThroughput()
		for b.Loop() {
			res, err := s.Load(ctx, gen.Source(cfg), store.LoadOptions{Source: "gen"})
			if err != nil {
				b.Fatal(err)
			}
			m.Records += int64(res.Entities + res.Relations)
		}
		m.Report(b)
	})
	// New relations into a store that holds data (one entity): every id
	// of the load is looked up and none is found.
	b.Run("New", func(b *testing.B) {
		one := func(ctx context.Context, yield func(store.Record) error) error {
			return yield(store.Record{Line: 1, Entity: &store.Entity{ID: "someone-else", Type: "Person", Name: "Someone else"}})
		}
		benchFreshLoad(b, cfg, store.Options{}, func(s *store.Store) {
			if _, err := s.Load(context.Background(), one, store.LoadOptions{Source: "one"}); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// loadedOnDisk opens a store on disk that holds the generated graph of
// cfg, closed when b ends.
func loadedOnDisk(b *testing.B, cfg gen.Config) *store.Store {
	b.Helper()
	s, err := store.Open(b.TempDir(), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if _, err := s.Load(context.Background(), gen.Source(cfg), store.LoadOptions{Source: "gen"}); err != nil {
		b.Fatal(err)
	}
	return s
}

// benchFreshLoad loads the graph into a new store opened with opts per
// iteration, after the untimed prepare steps (none, or what the store
// should hold before the load); opening and closing the store are not
// timed.
func benchFreshLoad(b *testing.B, cfg gen.Config, opts store.Options, prepare ...func(*store.Store)) {
	ctx := context.Background()
	m := storetest.StartThroughput()
	for b.Loop() {
		b.StopTimer()
		s, err := store.Open(b.TempDir(), opts)
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range prepare {
			p(s)
		}
		runtime.GC()
		b.StartTimer()
		res, err := s.Load(ctx, gen.Source(cfg), store.LoadOptions{Source: "gen"})
		if err != nil {
			b.Fatal(err)
		}
		m.Records += int64(res.Entities + res.Relations)
		b.StopTimer()
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	m.Report(b)
}
