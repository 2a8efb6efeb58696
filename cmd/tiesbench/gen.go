package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/exchange"
	"github.com/ties-graph/ties/store/gen"
)

// graphFlags registers the flags that describe a generated graph.
func graphFlags(fs *flag.FlagSet) *gen.Config {
	c := &gen.Config{}
	fs.Var(countValue{&c.Relations}, "relations", "number of relations to generate (accepts 100k, 1M, 10M)")
	fs.Int64Var(&c.Seed, "seed", 1, "seed of the generated graph: one seed, one graph")
	fs.Var(countValue{&c.Entities}, "entities", "number of entities (0 = relations/3)")
	fs.Float64Var(&c.Exponent, "exponent", 0, "power-law exponent of the degrees, in (2, 3] (0 = 2.3)")
	fs.IntVar(&c.CommunitySize, "community-size", 0, "entities per community (0 = 1000)")
	fs.Float64Var(&c.GlobalShare, "global-share", 0, "share of relations drawn across communities, in (0, 1] (0 = 0.1; 1 = pure Chung-Lu)")
	return c
}

// countValue is an int flag that accepts k and M suffixes, since relation
// counts are written that way everywhere else.
type countValue struct{ p *int }

func (v countValue) String() string {
	if v.p == nil {
		return "0"
	}
	return strconv.Itoa(*v.p)
}

func (v countValue) Set(s string) error {
	n, err := parseCount(s)
	if err != nil {
		return err
	}
	*v.p = n
	return nil
}

func parseCount(s string) (int, error) {
	mult := 1
	switch {
	case strings.HasSuffix(s, "k"), strings.HasSuffix(s, "K"):
		mult, s = 1_000, s[:len(s)-1]
	case strings.HasSuffix(s, "M"), strings.HasSuffix(s, "m"):
		mult, s = 1_000_000, s[:len(s)-1]
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("%q is not a count such as 100000, 100k or 1M", s)
	}
	return int(f * float64(mult)), nil
}

func runGen(ctx context.Context, args []string, stdout, stderr io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := graphFlags(fs)
	out := fs.String("o", "", "output file; .gz compresses; - or empty writes to stdout")
	stats := fs.Bool("stats", false, "print the degree distribution instead of writing the graph")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: tiesbench gen --relations N --seed S -o FILE.ndjson[.gz]")
		fmt.Fprintln(stderr, "\nWrites the generated graph in the canonical NDJSON format, ready for `ties import`.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	if *stats {
		return degreeStats(ctx, *cfg, stdout)
	}
	start := time.Now()
	n, err := writeGraph(ctx, *out, *cfg, stdout)
	if err != nil {
		return err
	}
	log.Info("generated graph", "file", *out, "relations", cfg.Relations, "seed", cfg.Seed, "bytes", n, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// writeGraph writes the graph of cfg to path (stdout for "" or "-"),
// gzipped when the name ends in .gz, and returns the bytes written before
// compression.
func writeGraph(ctx context.Context, path string, cfg gen.Config, stdout io.Writer) (int64, error) {
	var w io.Writer = stdout
	var closers []func() error
	if path != "" && path != "-" {
		f, err := os.Create(path)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		w = f
		closers = append(closers, f.Close)
		if strings.HasSuffix(path, ".gz") {
			zw, err := gzip.NewWriterLevel(f, gzip.BestSpeed)
			if err != nil {
				return 0, err
			}
			w = zw
			closers = append([]func() error{zw.Close}, closers...)
		}
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := &countingWriter{w: bw, ctx: ctx}
	if err := exchange.WriteNDJSON(cw, func(yield func(store.Record) error) error { return gen.Generate(cfg, yield) }); err != nil {
		return cw.n, err
	}
	if err := bw.Flush(); err != nil {
		return cw.n, fmt.Errorf("write %s: %w", path, err)
	}
	for _, c := range closers {
		if err := c(); err != nil && !errors.Is(err, os.ErrClosed) {
			return cw.n, fmt.Errorf("close %s: %w", path, err)
		}
	}
	return cw.n, nil
}

// countingWriter counts bytes and stops the write when ctx is done, so an
// interrupted run of ten million relations ends promptly.
type countingWriter struct {
	w   io.Writer
	n   int64
	ctx context.Context
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// degreeStats prints the shape of the generated graph: entity count and
// the distribution of relations per entity.
func degreeStats(ctx context.Context, cfg gen.Config, w io.Writer) error {
	g, err := newCSR(ctx, cfg)
	if err != nil {
		return err
	}
	n := g.plan.Entities
	deg := make([]int, n)
	for i := range deg {
		deg[i] = g.Degree(i)
	}
	slices.Sort(deg)
	at := func(q float64) int { return deg[min(n-1, int(q*float64(n)))] }
	fmt.Fprintf(w, "| relations | entities | communities | mean degree | median | p90 | p99 | p99.9 | max | min |\n|---|---|---|---|---|---|---|---|---|---|\n")
	fmt.Fprintf(w, "| %d | %d | %d | %.1f | %d | %d | %d | %d | %d | %d |\n", cfg.Relations, n, g.plan.Communities,
		2*float64(cfg.Relations)/float64(n), at(0.5), at(0.9), at(0.99), at(0.999), deg[n-1], deg[0])
	return nil
}
