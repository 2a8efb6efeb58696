package store_test

import (
	"context"
	"testing"

	"github.com/ties-graph/ties/store/gen"
	"github.com/ties-graph/ties/store/storetest"
)

// BenchmarkCheck measures Store.Check of a generated graph loaded into a
// store on disk, sized by -bench.relations:
//
//	go test ./store -run '^$' -bench 'Check$' -benchtime 1x -bench.relations 1000000
func BenchmarkCheck(b *testing.B) {
	ctx := context.Background()
	s := loadedOnDisk(b, gen.Config{Seed: 1, Relations: *benchRelations})
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
