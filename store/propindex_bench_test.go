package store_test

import (
	"context"
	"flag"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/kv/pgkv/pgcluster"
)

var benchFilterEntities = flag.Int("bench.filter.entities", 100_000, "entities of BenchmarkPropertyFilter (a multiple of 10)")

var benchCountries = []string{"NL", "DE", "CN", "US", "FR", "PL", "SE", "ES", "IT", "JP", "BR", "IN"}

// filterEntity is entity i of the benchmark: code takes each value ten
// times, so an eq filter on it has ten hits.
func filterEntity(i, n int) *store.Entity {
	return &store.Entity{
		ID: fmt.Sprintf("city-%07d", i), Type: "City", Name: fmt.Sprintf("City %d", i),
		Properties: store.Properties{
			"code":    store.Number(float64(i % (n / 10))),
			"country": store.Text(benchCountries[i%len(benchCountries)]),
			"rank":    store.Number(float64(i % (n / 10))),
		},
	}
}

// BenchmarkPropertyFilter measures where filters and facets over
// -bench.filter.entities cities: an eq filter with ten hits on an indexed
// property and on an unindexed one (the same values), facets of an
// indexed property, and the same eq query in PostgreSQL with a btree
// index when PostgreSQL is installed:
//
//	go test -run '^$' -bench PropertyFilter -benchtime 200x -bench.filter.entities 1000000 ./store/
func BenchmarkPropertyFilter(b *testing.B) {
	n := *benchFilterEntities
	s, err := store.Open(b.TempDir(), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	ctx := context.Background()
	src := func(ctx context.Context, yield func(store.Record) error) error {
		city := store.EntityType{Name: "City", Parent: "Place", Description: "A city or town.", Indexed: []string{"code", "country"}}
		if err := yield(store.Record{Line: 1, EntityType: &city}); err != nil {
			return err
		}
		for i := range n {
			if err := yield(store.Record{Line: int64(i + 2), Entity: filterEntity(i, n)}); err != nil {
				return err
			}
		}
		return nil
	}
	if _, err := s.Load(ctx, src, store.LoadOptions{Source: "bench"}); err != nil {
		b.Fatal(err)
	}
	eq := func(key string) func(b *testing.B) {
		return func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				v := store.Number(float64(i * 7919 % (n / 10)))
				p, err := s.FindEntities(ctx, store.EntityFilter{Types: []string{"City"}, Where: []store.PropertyFilter{{Key: key, Eq: &v}}}, store.ReadOptions{})
				if err != nil {
					b.Fatal(err)
				}
				if len(p.Entities) != 10 {
					b.Fatalf("%d hits, want 10", len(p.Entities))
				}
			}
		}
	}
	b.Run("IndexedEq10Hits", eq("code"))
	if n <= 100_000 {
		b.Run("ScannedEq10Hits", eq("rank"))
	}
	b.Run("IndexedFacets", func(b *testing.B) {
		for b.Loop() {
			fs, err := s.EntityFacets(ctx, store.FacetQuery{Types: []string{"City"}, By: []string{"country"}}, store.ReadOptions{})
			if err != nil {
				b.Fatal(err)
			}
			if len(fs) != len(benchCountries) {
				b.Fatalf("%d facets", len(fs))
			}
		}
	})
	b.Run("PostgresBtreeEq10Hits", func(b *testing.B) { benchPostgresEq(b, n) })
}

// benchPostgresEq runs the indexed eq query in PostgreSQL: the cities in
// a table with a btree index on code, selected with the whole row as
// Ties returns it.
func benchPostgresEq(b *testing.B, n int) {
	ctx := context.Background()
	c, err := pgcluster.Start(ctx, pgcluster.Config{})
	if err != nil {
		b.Skipf("PostgreSQL: %v", err)
	}
	b.Cleanup(func() { c.Stop() })
	pool, err := pgxpool.New(ctx, c.DSN("postgres"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	for _, q := range []string{
		`CREATE TABLE cities (id text PRIMARY KEY, name text NOT NULL, code double precision, country text, rank double precision)`,
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	rows := make([][]any, 0, n)
	for i := range n {
		e := filterEntity(i, n)
		rows = append(rows, []any{e.ID, e.Name, e.Properties["code"].Num, e.Properties["country"].Text, e.Properties["rank"].Num})
	}
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{"cities"}, []string{"id", "name", "code", "country", "rank"}, pgx.CopyFromRows(rows)); err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{`CREATE INDEX cities_code ON cities USING btree (code)`, `VACUUM ANALYZE cities`} {
		if _, err := pool.Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		r, err := pool.Query(ctx, `SELECT id, name, code, country, rank FROM cities WHERE code = $1 ORDER BY id LIMIT 50`, float64(i*7919%(n/10)))
		if err != nil {
			b.Fatal(err)
		}
		got := 0
		for r.Next() {
			got++
		}
		r.Close()
		if got != 10 {
			b.Fatalf("%d hits, want 10", got)
		}
	}
}
