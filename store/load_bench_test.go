package store_test

// Bulk-load benchmarks on the generated graph (store/gen, seeded), sized by
// -bench.relations (see connections_bench_test.go):
//
//	go test ./store -run '^$' -bench 'Load' -benchtime 1x -count 5 -bench.relations 100000
//
// Each iteration loads the whole graph into a new store; records/s counts
// entities and relations, peak-heap-MB is the largest heap in use sampled
// while the loads ran.

import (
	"context"
	"runtime"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/gen"
	"github.com/ties-graph/ties/store/storetest"
)

// BenchmarkLoad measures Store.Load of a generated graph into a new store
// on disk and in memory, and into an existing one on disk that already
// holds it (every record an upsert of what is there).
func BenchmarkLoad(b *testing.B) {
	cfg := gen.Config{Seed: 1, Relations: *benchRelations}
	b.Run("Fresh", func(b *testing.B) { benchFreshLoad(b, cfg, store.Options{}) })
	b.Run("FreshInMemory", func(b *testing.B) { benchFreshLoad(b, cfg, store.Options{InMemory: true}) })
	b.Run("Again", func(b *testing.B) {
		ctx := context.Background()
		s, err := store.Open(b.TempDir(), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		if _, err := s.Load(ctx, gen.Source(cfg), store.LoadOptions{Source: "gen"}); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		stop := storetest.PeakHeap()
		var records int64
		for b.Loop() {
			res, err := s.Load(ctx, gen.Source(cfg), store.LoadOptions{Source: "gen"})
			if err != nil {
				b.Fatal(err)
			}
			records += int64(res.Entities + res.Relations)
		}
		b.ReportMetric(stop(), "peak-heap-MB")
		b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
	})
}

// benchFreshLoad loads the graph into a new store opened with opts per
// iteration; opening and closing the store are not timed.
func benchFreshLoad(b *testing.B, cfg gen.Config, opts store.Options) {
	ctx := context.Background()
	stop := storetest.PeakHeap()
	cpu := storetest.CPUTime()
	var records int64
	for b.Loop() {
		b.StopTimer()
		s, err := store.Open(b.TempDir(), opts)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		b.StartTimer()
		res, err := s.Load(ctx, gen.Source(cfg), store.LoadOptions{Source: "gen"})
		if err != nil {
			b.Fatal(err)
		}
		records += int64(res.Entities + res.Relations)
		b.StopTimer()
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(stop(), "peak-heap-MB")
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(cpu()/float64(b.N), "cpu-s/op")
}
