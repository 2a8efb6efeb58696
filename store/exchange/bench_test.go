package exchange

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/gen"
	"github.com/ties-graph/ties/store/kv/pgkv/pgtest"
	"github.com/ties-graph/ties/store/storetest"
)

// The benchmarks measure import and export throughput on generated graphs
// shaped like real relationship networks. TIES_BENCH_RELATIONS sets the
// size (default 100,000); the 1 million and 10 million figures of
// BENCHMARKS.md come from
//
//	TIES_BENCH_RELATIONS=1000000 go test ./store/exchange -run '^$' -bench . -benchtime 1x
//
// Each reports records/s, cpu-s/op and peak-heap-MB, the largest heap in
// use seen while it ran, which stays flat as the graph grows when the code
// streams (storetest.Throughput).

func benchRelations(b *testing.B) int {
	if s := os.Getenv("TIES_BENCH_RELATIONS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("TIES_BENCH_RELATIONS=%q: want a positive number", s)
		}
		return n
	}
	return 100_000
}

// generated writes a generated graph of n relations as NDJSON into dir
// once per process and returns its path.
func generated(b *testing.B, dir string, n int) string {
	b.Helper()
	path := filepath.Join(dir, fmt.Sprintf("graph-%d.ndjson", n))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	cfg := gen.Config{Seed: 42, Relations: n}
	if err := WriteNDJSON(f, func(yield func(store.Record) error) error { return gen.Generate(cfg, yield) }); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// generatedInput is the generated graph of TIES_BENCH_RELATIONS relations
// as an NDJSON input.
func generatedInput(b *testing.B) Input {
	b.Helper()
	in, err := FileInput(generated(b, benchDir(), benchRelations(b)), NDJSON)
	if err != nil {
		b.Fatal(err)
	}
	return in
}

// benchDir holds the generated files across the benchmarks of one run;
// TestMain removes it.
var (
	benchDirOnce sync.Once
	benchDirPath string
)

func benchDir() string {
	benchDirOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ties-exchange-bench-")
		if err != nil {
			panic(err)
		}
		benchDirPath = dir
	})
	return benchDirPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDirPath != "" {
		os.RemoveAll(benchDirPath)
	}
	// The PostgreSQL cluster of TIES_TEST_STORE=postgres (storetest).
	pgtest.StopShared()
	os.Exit(code)
}

func BenchmarkDecodeNDJSON(b *testing.B) {
	in := generatedInput(b)
	src, err := NewSource(in, DecodeOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(in.Size)
	b.ResetTimer()
	m := storetest.StartThroughput()
	for b.Loop() {
		err := src(context.Background(), func(store.Record) error { m.Records++; return nil })
		if err != nil {
			b.Fatal(err)
		}
	}
	m.Report(b)
}

// BenchmarkImport loads the generated file into a new badger store on disk
// per iteration: both passes of Store.Load and the bulk write.
func BenchmarkImport(b *testing.B) {
	in := generatedInput(b)
	b.SetBytes(in.Size)
	b.ResetTimer()
	m := storetest.StartThroughput()
	for b.Loop() {
		b.StopTimer()
		st, err := store.Open(b.TempDir(), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := Import(context.Background(), st, []Input{in}, ImportOptions{})
		if err != nil {
			b.Fatal(err)
		}
		m.Records += int64(res.Entities + res.Relations)
		b.StopTimer()
		if err := st.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	m.Report(b)
}

// BenchmarkExport writes the whole generated graph in each format to
// io.Discard from one snapshot.
func BenchmarkExport(b *testing.B) {
	in := generatedInput(b)
	st, err := store.Open(b.TempDir(), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if _, err := Import(context.Background(), st, []Input{in}, ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	for _, f := range []Format{NDJSON, JSON, CSV, GraphML, GEXF, DOT} {
		b.Run(string(f), func(b *testing.B) {
			runtime.GC()
			m := storetest.StartThroughput()
			var bytes int64
			for b.Loop() {
				cw := &countWriter{}
				stats, err := Export(context.Background(), st, cw, ExportOptions{Format: f})
				if err != nil {
					b.Fatal(err)
				}
				m.Records += int64(stats.Entities + stats.Relations)
				bytes += cw.n
			}
			m.Report(b)
			b.ReportMetric(float64(bytes)/b.Elapsed().Seconds()/(1<<20), "MB/s")
		})
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

var _ io.Writer = (*countWriter)(nil)
