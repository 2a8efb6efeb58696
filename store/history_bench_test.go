package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkChangeLogApply measures what the history index costs a write:
// Apply of one-entity batches and of batches of 1,000 records (500
// entities, 500 relations), with and without the history keys (the change
// log record is written in both).
func BenchmarkChangeLogApply(b *testing.B) {
	for _, size := range []int{1, 1000} {
		for _, hist := range []bool{true, false} {
			b.Run(fmt.Sprintf("Batch%d/History=%v", size, hist), func(b *testing.B) {
				s, err := Open(b.TempDir(), Options{noHistoryIndex: !hist})
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				ctx := context.Background()
				rng := rand.New(rand.NewPCG(1, 2))
				next := 0
				for b.Loop() {
					var batch Batch
					for range max(1, size/2) {
						batch.Entities = append(batch.Entities, Entity{ID: fmt.Sprintf("p%08d", next), Type: "Person", Name: fakeName(rng)})
						next++
					}
					for range size / 2 {
						batch.Relations = append(batch.Relations, Relation{
							Type: "INVITED", From: fmt.Sprintf("p%08d", rng.IntN(next)), To: fmt.Sprintf("p%08d", rng.IntN(next)),
						})
					}
					if _, err := s.Apply(ctx, batch); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N*max(1, size))/b.Elapsed().Seconds(), "records/s")
			})
		}
	}
}

// BenchmarkChangeLogLoad measures Load of 100,000 entities and 100,000
// relations into a store that already holds them (every record an
// upsert, the ordinary bulk path), with and without the history keys.
func BenchmarkChangeLogLoad(b *testing.B) {
	const n = 100_000
	var recs []Record
	for i := range n {
		recs = append(recs, Record{Entity: &Entity{ID: fmt.Sprintf("p%07d", i), Type: "Person", Name: fmt.Sprintf("Person %d", i)}})
	}
	for i := range n {
		recs = append(recs, Record{Relation: &Relation{ID: fmt.Sprintf("r%07d", i), Type: "INVITED", From: fmt.Sprintf("p%07d", i), To: fmt.Sprintf("p%07d", (i*7919)%n)}})
	}
	for _, hist := range []bool{true, false} {
		b.Run(fmt.Sprintf("History=%v", hist), func(b *testing.B) {
			s, err := Open(b.TempDir(), Options{noHistoryIndex: !hist})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			mustApply(b, s, Batch{RelationTypes: []RelationType{{Name: "INVITED"}}})
			if _, err := s.Load(ctx, sourceOf(recs), LoadOptions{Source: "first"}); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := s.Load(ctx, sourceOf(recs), LoadOptions{Source: "again"}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*2*n)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
