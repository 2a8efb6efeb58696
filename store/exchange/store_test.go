package exchange

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/seed"
	"github.com/ties-graph/ties/store/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// load imports data in format into st and returns the result of Load.
func load(t testing.TB, st *store.Store, name string, format Format, data []byte, opts store.LoadOptions) (store.LoadResult, error) {
	t.Helper()
	in := bytesInput(name, format, data)
	src, rewrite, err := Sources([]Input{in}, name, DecodeOptions{MaxErrors: opts.MaxErrors})
	if err != nil {
		return store.LoadResult{}, err
	}
	opts.Source = name
	res, err := st.Load(context.Background(), src, opts)
	return res, rewrite(err)
}

func mustLoad(t testing.TB, st *store.Store, name string, format Format, data []byte) store.LoadResult {
	t.Helper()
	res, err := load(t, st, name, format, data, store.LoadOptions{})
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return res
}

// export writes the whole graph, or opts' scope, in format.
func export(t testing.TB, st *store.Store, format Format, sc Scope) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := Export(context.Background(), st, &b, ExportOptions{Format: format, Scope: sc}); err != nil {
		t.Fatalf("export %s: %v", format, err)
	}
	return b.Bytes()
}

func dump(t testing.TB, st *store.Store) string {
	t.Helper()
	return string(export(t, st, NDJSON, Scope{}))
}

// founding opens a store holding the founding data.
func founding(t testing.TB) *store.Store {
	t.Helper()
	st := storetest.Open(t)
	mustLoad(t, st, seed.FileName, NDJSON, seed.NDJSON())
	return st
}

// fixture opens a store holding testdata/fixture.ndjson: a small graph with
// every kind of value, a custom ontology and awkward names.
func fixture(t testing.TB) (*store.Store, []byte) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "fixture.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.Open(t)
	mustLoad(t, st, "fixture.ndjson", NDJSON, data)
	return st, data
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update after checking):\ngot:\n%s", path, got)
	}
}

func TestNDJSONRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(testing.TB) *store.Store
	}{
		{"Founding", founding},
		{"Fixture", func(t testing.TB) *store.Store { st, _ := fixture(t); return st }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.open(t)
			first := dump(t, a)
			b := storetest.Open(t)
			mustLoad(t, b, "dump.ndjson", NDJSON, []byte(first))
			if second := dump(t, b); second != first {
				t.Errorf("dump of the re-imported dump differs:\n%s", diffLines(first, second))
			}
			// Importing the dump again changes nothing.
			mustLoad(t, b, "dump.ndjson", NDJSON, []byte(first))
			if third := dump(t, b); third != first {
				t.Errorf("dump after a second import differs:\n%s", diffLines(first, third))
			}
		})
	}
}

// TestFormatRoundTrip exports in a format, imports that into an empty store
// and compares the canonical dumps: node-link and CSV carry everything
// (CSV all but the ontology, which the fixture's dump adds first).
func TestFormatRoundTrip(t *testing.T) {
	a, data := fixture(t)
	want := dump(t, a)
	ontology := ontologyLines(data)
	t.Run("JSON", func(t *testing.T) {
		b := storetest.Open(t)
		mustLoad(t, b, "graph.json", JSON, export(t, a, JSON, Scope{}))
		if got := dump(t, b); got != want {
			t.Errorf("dump after a node-link round trip differs:\n%s", diffLines(want, got))
		}
	})
	t.Run("CSV", func(t *testing.T) {
		var nodes, rels bytes.Buffer
		if _, err := ExportCSVFiles(context.Background(), a, &nodes, &rels, ExportOptions{}); err != nil {
			t.Fatal(err)
		}
		b := storetest.Open(t)
		mustLoad(t, b, "ontology.ndjson", NDJSON, ontology)
		in := []Input{bytesInput("relationships.csv", CSV, rels.Bytes()), bytesInput("nodes.csv", CSV, nodes.Bytes())}
		src, rewrite, err := Sources(in, "csv", DecodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Load(context.Background(), src, store.LoadOptions{Source: "csv"}); err != nil {
			t.Fatalf("load: %v", rewrite(err))
		}
		// neo4j-admin CSV has no empty arrays: an empty cell is no property.
		want := strings.ReplaceAll(want, `,"tags":[]`, "")
		if got := dump(t, b); got != want {
			t.Errorf("dump after a CSV round trip differs:\n%s", diffLines(want, got))
		}
	})
}

// ontologyLines returns the type records of an NDJSON file.
func ontologyLines(data []byte) []byte {
	var out []byte
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		if bytes.Contains(line, []byte(`"kind":"entityType"`)) || bytes.Contains(line, []byte(`"kind":"relationType"`)) {
			out = append(out, line...)
		}
	}
	return out
}

func TestExportGolden(t *testing.T) {
	st, _ := fixture(t)
	for _, f := range []Format{NDJSON, JSON, GraphML, GEXF, DOT} {
		t.Run(string(f), func(t *testing.T) {
			golden(t, "fixture."+f.Extension(), export(t, st, f, Scope{}))
		})
	}
	t.Run("csv", func(t *testing.T) {
		var nodes, rels bytes.Buffer
		if _, err := ExportCSVFiles(context.Background(), st, &nodes, &rels, ExportOptions{}); err != nil {
			t.Fatal(err)
		}
		golden(t, "fixture.nodes.csv", nodes.Bytes())
		golden(t, "fixture.relationships.csv", rels.Bytes())
	})
}

// TestBadFiles imports every file of testdata/bad into a store holding the
// founding data: each is refused with an error naming the line and the
// field, and the store's dump is byte-identical afterwards.
func TestBadFiles(t *testing.T) {
	st := founding(t)
	before := dump(t, st)
	long := append([]byte(`{"kind":"entity","id":"gronau","type":"City","name":"Gronau"}`+"\n"+`{"kind":"entity","id":"long","type":"City","name":"`), bytes.Repeat([]byte("x"), 1<<20)...)
	long = append(long, "\"}\n"...)
	tests := []struct {
		file string
		data []byte // generated instead of read from testdata/bad
		want string // the start of the error text
	}{
		{file: "truncated.ndjson", want: "truncated.ndjson:3: incomplete JSON object (truncated file?)"},
		{file: "bad-utf8.ndjson", want: "bad-utf8.ndjson:2: invalid UTF-8 at byte 58"},
		{file: "duplicate-id.ndjson", want: `duplicate-id.ndjson:2: id: `},
		{file: "dangling.ndjson", want: `dangling.ndjson:2: to: `},
		{file: "unknown-type.ndjson", want: `unknown-type.ndjson:2: type: `},
		{file: "invalid-date.ndjson", want: `invalid-date.ndjson:2: validFrom: invalid date "2017-7"`},
		{file: "valid-to-before-from.ndjson", want: `valid-to-before-from.ndjson:2: validTo: `},
		{file: "unknown-field.ndjson", want: `unknown-field.ndjson:2: population: unknown field of an entity`},
		{file: "bad-number.csv", want: `bad-number.csv:3: population:int: column 4: "81.000" is not an integer`},
		{file: "missing-type.json", want: `missing-type.json:4: nodes[1].type: missing entity type for "hengelo"`},
		{file: "long-line.ndjson", data: long, want: "long-line.ndjson:2: line longer than 1048576 bytes"},
		{file: "bomb.ndjson.gz", data: bomb(t), want: "bomb.ndjson.gz:"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data := tt.data
			if data == nil {
				var err error
				if data, err = os.ReadFile(filepath.Join("testdata", "bad", tt.file)); err != nil {
					t.Fatal(err)
				}
			}
			format, err := DetectFormat(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			_, err = load(t, st, tt.file, format, data, store.LoadOptions{})
			if err == nil {
				t.Fatalf("load: got no error, want %q", tt.want)
			}
			var es store.Errors
			var e *store.Error
			switch {
			case errors.As(err, &es):
				e = es[0]
			case errors.As(err, &e):
			default:
				t.Fatalf("load: got %T %v, want a store.Error", err, err)
			}
			if got := e.Error(); !strings.HasPrefix(got, tt.want) {
				t.Errorf("error:\ngot  %s\nwant %s...", got, tt.want)
			}
			t.Logf("%s", e)
			if after := dump(t, st); after != before {
				t.Errorf("the store changed:\n%s", diffLines(before, after))
			}
		})
	}
}

// bomb returns a gzip stream that inflates to 80 MiB of blank lines.
func bomb(t testing.TB) []byte {
	t.Helper()
	line := append(bytes.Repeat([]byte(" "), 512<<10), '\n')
	return gzipped(t, bytes.Repeat(line, 160))
}

func TestDryRunWritesNothing(t *testing.T) {
	st := founding(t)
	before := dump(t, st)
	data := []byte(`{"kind":"entity","id":"gronau","type":"City","name":"Gronau"}` + "\n" + `{"kind":"relation","type":"SISTER_CITY_OF","from":"gronau","to":"enschede"}` + "\n")
	res, err := load(t, st, "ok.ndjson", NDJSON, data, store.LoadOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Entities+res.Relations, 2; got != want {
		t.Errorf("dry run counts: got %d records, want %d", got, want)
	}
	unchanged(t, st, before, "a dry run")
}

// diffLines shows the first lines where two texts differ.
// unchanged fails t, showing how, if st no longer dumps as before: what
// says which refused or dry operation changed it.
func unchanged(t testing.TB, st *store.Store, before, what string) {
	t.Helper()
	if after := dump(t, st); after != before {
		t.Errorf("%s changed the store:\n%s", what, diffLines(before, after))
	}
}

func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 5; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("line " + formatNumber(float64(i+1)) + ":\n  want " + wl + "\n  got  " + gl + "\n")
			shown++
		}
	}
	return b.String()
}

// An invalid label is named by its language, the key the file gives it:
// the store sorts labels, so a position would point at another one.
func TestImportErrorNamesLabel(t *testing.T) {
	st := founding(t)
	in := bytesInput("l.ndjson", NDJSON, []byte(`{"kind":"entity","id":"l1","type":"City","name":"L","labels":{"nl":" ","de":"D"}}`+"\n"))
	_, err := Import(context.Background(), st, []Input{in}, ImportOptions{})
	if got, want := store.ErrorMessage(err), "l.ndjson:1: labels.nl: empty"; got != want {
		t.Errorf("error: got %q, want %q", got, want)
	}
}
