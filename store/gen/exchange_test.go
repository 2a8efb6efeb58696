package gen

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/exchange"
)

// writeNDJSON writes the graph of cfg as `tiesbench gen` does.
func writeNDJSON(w io.Writer, cfg Config) error {
	return exchange.WriteNDJSON(w, func(yield func(store.Record) error) error { return Generate(cfg, yield) })
}

// TestNDJSONReadsBackThroughImport decodes WriteNDJSON's output with the
// decoder `ties import` uses and requires the very records Generate
// yields, line numbers included, so the file and the in-process source
// load the same graph.
func TestNDJSONReadsBackThroughImport(t *testing.T) {
	cfg := Config{Seed: 11, Relations: 4000}
	var file bytes.Buffer
	if err := writeNDJSON(&file, cfg); err != nil {
		t.Fatal(err)
	}
	in := exchange.BytesInput("generated.ndjson", exchange.NDJSON, file.Bytes())
	src, err := exchange.NewSource(in, exchange.DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	encode := func(r store.Record) string {
		var b bytes.Buffer
		if err := exchange.EncodeNDJSONRecord(&b, r); err != nil {
			t.Fatalf("encode line %d: %v", r.Line, err)
		}
		return b.String()
	}
	var want []store.Record
	if err := Generate(cfg, func(r store.Record) error { want = append(want, r); return nil }); err != nil {
		t.Fatal(err)
	}
	i := 0
	err = src(context.Background(), func(r store.Record) error {
		if i >= len(want) {
			t.Fatalf("decoded more records than the %d generated", len(want))
		}
		if got, want := r.Line, want[i].Line; got != want {
			t.Errorf("record %d: line: got %d, want %d", i, got, want)
		}
		if got, want := encode(r), encode(want[i]); got != want {
			t.Errorf("record %d:\n got %s\nwant %s", i, got, want)
		}
		i++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := i, len(want); got != want {
		t.Errorf("records: got %d, want %d", got, want)
	}
}

// TestGraphLoadsIntoStore loads a generated graph through Store.Load, so
// the store's own validation judges every record, then checks the store's
// invariants and counts.
func TestGraphLoadsIntoStore(t *testing.T) {
	cfg := Config{Seed: 12, Relations: 3000}
	p, err := NewPlan(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	res, err := s.Load(ctx, Source(cfg), store.LoadOptions{Source: "generated"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Entities, p.Entities; got != want {
		t.Errorf("entities loaded: got %d, want %d", got, want)
	}
	if got, want := res.Relations, cfg.Relations; got != want {
		t.Errorf("relations loaded: got %d, want %d", got, want)
	}
	if err := s.Check(ctx); err != nil {
		t.Errorf("Check: %v", err)
	}
	st, err := s.Stats(ctx, store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := st.Relations, cfg.Relations; got != want {
		t.Errorf("stats relations: got %d, want %d", got, want)
	}
}
