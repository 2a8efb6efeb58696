package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// Benchmarks of the engine. They build their graphs once per top-level
// benchmark (sub-benchmarks share them), so they never run in the normal
// test run: go test -run '^$' -bench . ./store/

func openBenchStore(b *testing.B) *Store {
	b.Helper()
	s, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// loadRecords bulk-loads n records made by gen.
func loadRecords(b *testing.B, s *Store, n int, gen func(i int) Record) {
	b.Helper()
	src := func(ctx context.Context, yield func(Record) error) error {
		for i := range n {
			r := gen(i)
			r.Line = int64(i + 1)
			if err := yield(r); err != nil {
				return err
			}
		}
		return nil
	}
	if _, err := s.Load(context.Background(), src, LoadOptions{Source: "bench"}); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkApply measures upserts through Apply in batches of 1,000
// records: 500 new entities and 500 relations among them and earlier
// ones.
func BenchmarkApply(b *testing.B) {
	s := openBenchStore(b)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	next := 0
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		var batch Batch
		for range 500 {
			batch.Entities = append(batch.Entities, Entity{ID: fmt.Sprintf("p%08d", next), Type: "Person", Name: fakeName(rng)})
			next++
		}
		for range 500 {
			batch.Relations = append(batch.Relations, Relation{
				Type: "INVITED", From: fmt.Sprintf("p%08d", rng.IntN(next)), To: fmt.Sprintf("p%08d", rng.IntN(next)),
			})
		}
		if _, err := s.Apply(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkNeighbors measures the key-only scan of one node's relations at
// degrees 10, 1,000 and 100,000, through Reader.Edges (the hot path of
// traversals) and through Degree (a whole store call).
func BenchmarkNeighbors(b *testing.B) {
	s := openBenchStore(b)
	degrees := []int{10, 1_000, 100_000}
	total := 0
	for _, d := range degrees {
		total += d
	}
	// Hubs h10, h1000, h100000, each with its own leaves.
	loadRecords(b, s, 2*total+len(degrees), func(i int) Record {
		if i < len(degrees) {
			return Record{Entity: &Entity{ID: fmt.Sprintf("h%d", degrees[i]), Type: "Person", Name: "Hub"}}
		}
		i -= len(degrees)
		leaf := i / 2
		hub := 0
		for off := leaf; off >= degrees[hub]; hub++ {
			off -= degrees[hub]
		}
		if i%2 == 0 {
			return Record{Entity: &Entity{ID: fmt.Sprintf("l%07d", leaf), Type: "Person", Name: "Leaf"}}
		}
		return Record{Relation: &Relation{Type: "INVITED", From: fmt.Sprintf("h%d", degrees[hub]), To: fmt.Sprintf("l%07d", leaf)}}
	})
	ctx := context.Background()
	for _, d := range degrees {
		hub := fmt.Sprintf("h%d", d)
		b.Run(fmt.Sprintf("Edges/degree=%d", d), func(b *testing.B) {
			err := s.View(ctx, ReadOptions{}, func(r *Reader) error {
				n, _, err := r.Lookup(hub)
				if err != nil {
					return err
				}
				f, err := r.Filter([]string{"INVITED"}, Out, Date{}, nil)
				if err != nil {
					return err
				}
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					seen := 0
					if err := r.Edges(n, f, func(Edge) error { seen++; return nil }); err != nil {
						return err
					}
					if seen != d {
						b.Fatalf("edges: got %d, want %d", seen, d)
					}
				}
				b.ReportMetric(float64(b.N*d)/b.Elapsed().Seconds(), "edges/s")
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		})
		b.Run(fmt.Sprintf("Degree/degree=%d", d), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				got, err := s.Degree(ctx, hub, RelationFilter{Types: []string{"INVITED"}, Direction: Out}, ReadOptions{})
				if err != nil {
					b.Fatal(err)
				}
				if got != d {
					b.Fatalf("degree: got %d, want %d", got, d)
				}
			}
		})
	}
}

// BenchmarkSearch measures name search over 1 million entities with
// generated names (building them takes a while).
func BenchmarkSearch(b *testing.B) {
	s := openBenchStore(b)
	const n = 1_000_000
	rng := rand.New(rand.NewPCG(3, 4))
	names := make([]string, 0, 4)
	loadRecords(b, s, n, func(i int) Record {
		name := fakeName(rng)
		if i%250_000 == 0 {
			names = append(names, name)
		}
		return Record{Entity: &Entity{ID: fmt.Sprintf("e%07d", i), Type: []string{"City", "Person", "Company"}[i%3], Name: name}}
	})
	first := strings.Fields(names[1])[0]
	benchSearch(b, s, []searchQuery{
		{"OneLetter", "k"},
		{"Prefix", first[:3]},
		{"Exact", names[1]},
		{"Token", strings.Fields(names[2])[1]},
		{"Folded", strings.ToUpper(names[3])},
		{"NoMatch", "xqzv"},
	})
}

// searchQuery is a text to search for, named for what it tries.
type searchQuery struct{ name, text string }

// benchSearch measures Search, the first ten hits, of each query.
func benchSearch(b *testing.B, s *Store, queries []searchQuery) {
	ctx := context.Background()
	for _, q := range queries {
		b.Run(q.name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				if _, err := s.Search(ctx, q.text, nil, opt(10), ReadOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

var syllables = []string{"ka", "lo", "ven", "mar", "dé", "sti", "ro", "an", "bel", "gü", "tor", "ni", "sa", "ël", "fu", "ren", "ko", "wa", "ly", "ön"}

// fakeName makes a two-word name of two to four syllables each, some with
// diacritics, so that folding has work to do.
func fakeName(rng *rand.Rand) string {
	word := func() string {
		var w strings.Builder
		for range 2 + rng.IntN(3) {
			w.WriteString(syllables[rng.IntN(len(syllables))])
		}
		r := []rune(w.String())
		return strings.ToUpper(string(r[:1])) + string(r[1:])
	}
	return word() + " " + word()
}
