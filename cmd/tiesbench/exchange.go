package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/exchange"
	"github.com/ties-graph/ties/store/kv/badgerkv"
)

// resetPeakRSS sets this process's VmHWM back to its current resident set
// (Linux 4.0 and later), so that a peak measured afterwards belongs to
// the step that follows, not to the generation before it.
func resetPeakRSS() error {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := graphFlags(fs)
	file := fs.String("file", "", "NDJSON file to import (default: generate one from --relations and --seed into a temporary file)")
	data := fs.String("data", "", "data directory to import into; one that holds data is loaded into under --on-existing (default: a temporary one, removed after)")
	onExisting := fs.String("on-existing", "merge", "what the load does with records whose ids the store holds: merge, replace, skip or fail, as ties import")
	heapProfile := fs.String("heapprofile", "", "write a heap profile `FILE` at the import's peak live heap")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the import alone (not the generation) to `FILE`")
	entityBudget := fs.Int("entity-budget", 0, "memory in `BYTES` the load's table of entities may take before it sorts them on disk (0: the store's default; -1: no bound)")
	compression := fs.String("compression", "default", "how the store's tables are stored on disk: none, snappy, zstd or default (snappy)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `Usage: tiesbench import [--file FILE.ndjson[.gz] | --relations N --seed S] [--data DIR]

Imports one NDJSON file the way "ties import" does (exchange decoder into
Store.Load: validate, then write through the bulk path) and reports the
time, the throughput and the peak resident set of the import alone.

Flags:`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	on, err := store.ParseOnExisting(*onExisting)
	if err != nil {
		return fmt.Errorf("--on-existing: %w", err)
	}
	comp, err := badgerkv.ParseCompression(*compression)
	if err != nil {
		return fmt.Errorf("--compression: %w", err)
	}
	path := *file
	if path == "" {
		if cfg.Relations == 0 {
			return errors.New("give --file or --relations")
		}
		tmp, err := os.MkdirTemp("", "tiesbench-import-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		path = filepath.Join(tmp, "graph.ndjson")
		start := time.Now()
		if _, err := writeGraph(ctx, path, *cfg, io.Discard); err != nil {
			return err
		}
		log.Info("generated", "file", path, "took", time.Since(start).Round(time.Millisecond))
	}
	dir := *data
	if dir == "" {
		d, err := os.MkdirTemp("", "tiesbench-store-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	in, err := exchange.FileInput(path, "")
	if err != nil {
		return err
	}
	src, err := exchange.NewSource(in, exchange.DecodeOptions{})
	if err != nil {
		return err
	}
	s, err := store.Open(dir, store.Options{Logger: log, LoadEntityBudget: *entityBudget, Compression: comp})
	if err != nil {
		return err
	}
	defer s.Close()
	if err := resetPeakRSS(); err != nil {
		log.Warn("cannot reset the peak RSS; it includes the generation", "err", err)
	}
	before, _ := currentRSS(0)
	hw := watchHeap(*heapProfile, 250*time.Millisecond)
	stopCPU, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := s.Load(ctx, src, store.LoadOptions{Source: filepath.Base(path), OnExisting: on})
	took := time.Since(start)
	stopCPU()
	peakHeap, peakAnon, herr := hw.Stop()
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	if herr != nil {
		log.Warn("heap profile", "err", herr)
	}
	peak, _ := peakRSS(0)
	records := res.Entities + res.Relations + res.EntityTypes + res.RelationTypes
	fmt.Fprintf(stdout, "| file | records | size | import | records/s | MB/s | peak RSS | peak anon RSS | peak heap | RSS before | data dir |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
	fmt.Fprintf(stdout, "| %s | %d | %s | %.1f s | %.0f | %.1f | %s | %s | %s | %s | %s |\n",
		filepath.Base(path), records, mib(in.Size), took.Seconds(), float64(records)/took.Seconds(),
		float64(in.Size)/(1<<20)/took.Seconds(), mib(peak), mib(peakAnon), mib(peakHeap), mib(before), mib(dirSize(dir)))
	return nil
}

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "data directory to export (required; not held by a running server)")
	formats := fs.String("formats", "ndjson", "comma-separated formats to time: ndjson, json, csv, graphml, gexf, dot")
	heapProfile := fs.String("heapprofile", "", "write a heap profile `FILE` at each export's peak live heap (FILE.FORMAT)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `Usage: tiesbench export --data DIR [--formats ndjson,graphml]

Exports the whole graph in each format to a byte counter (no disk) and
reports the time, the throughput and the peak resident set of each export.

Flags:`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *data == "" {
		return errors.New("--data is required")
	}
	s, err := store.Open(*data, store.Options{Logger: log, ReadOnly: true})
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintf(stdout, "| format | entities | relations | bytes | export | records/s | MB/s | peak RSS | peak anon RSS | peak heap |\n|---|---|---|---|---|---|---|---|---|---|\n")
	for _, name := range strings.Split(*formats, ",") {
		f, err := exchange.ParseFormat(name)
		if err != nil {
			return err
		}
		if err := resetPeakRSS(); err != nil {
			log.Warn("cannot reset the peak RSS", "err", err)
		}
		cw := &countingWriter{w: io.Discard, ctx: ctx}
		prof := ""
		if *heapProfile != "" {
			prof = *heapProfile + "." + string(f)
		}
		hw := watchHeap(prof, 250*time.Millisecond)
		start := time.Now()
		st, err := exchange.Export(ctx, s, cw, exchange.ExportOptions{Format: f})
		took := time.Since(start)
		peakHeap, peakAnon, herr := hw.Stop()
		if err != nil {
			return fmt.Errorf("export %s: %w", f, err)
		}
		if herr != nil {
			log.Warn("heap profile", "err", herr)
		}
		peak, _ := peakRSS(0)
		records := st.Entities + st.Relations
		fmt.Fprintf(stdout, "| %s | %d | %d | %s | %.1f s | %.0f | %.1f | %s | %s | %s |\n", f, st.Entities, st.Relations, mib(cw.n),
			took.Seconds(), float64(records)/took.Seconds(), float64(cw.n)/(1<<20)/took.Seconds(), mib(peak), mib(peakAnon), mib(peakHeap))
	}
	return nil
}
