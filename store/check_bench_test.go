package store_test

import (
	"context"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/gen"
	"github.com/ties-graph/ties/store/storetest"
)

// BenchmarkCheck measures Store.Check of a generated graph loaded into a
// store on disk, sized by -bench.relations:
//
//	go test ./store -run '^$' -bench 'Check$' -benchtime 1x -bench.relations 1000000
func BenchmarkCheck(b *testing.B) {
	ctx := context.Background()
	cfg := gen.Config{Seed: 1, Relations: *benchRelations}
	s, err := store.Open(b.TempDir(), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Load(ctx, gen.Source(cfg), store.LoadOptions{Source: "gen"}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu := storetest.CPUTime()
	for b.Loop() {
		if err := s.Check(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(*benchRelations)*float64(b.N)/b.Elapsed().Seconds(), "relations/s")
	b.ReportMetric(cpu()/float64(b.N), "cpu-s/op")
}
