package exchange

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/storetest"
)

// A subgraph exported in a format that import reads loads into an empty
// store on its own, cited documents included, and gives back the same
// subgraph; the formats that only draw keep to the walk.
func TestSubgraphExportLoadsAlone(t *testing.T) {
	st := founding(t)
	ctx := context.Background()
	sc := Scope{From: "enschede", Depth: 2}
	const doc = "enschede-international-annual-report-2017"
	// csvFiles is the CSV export as two files, which, unlike the zip,
	// carry no time of their own and so compare across exports.
	csvFiles := func(t *testing.T, st *store.Store) []Input {
		var nodes, rels bytes.Buffer
		if _, err := ExportCSVFiles(ctx, st, &nodes, &rels, ExportOptions{Scope: sc}); err != nil {
			t.Fatal(err)
		}
		return []Input{bytesInput("nodes.csv", CSV, nodes.Bytes()), bytesInput("relationships.csv", CSV, rels.Bytes())}
	}
	tests := []struct {
		name   string
		export func(t *testing.T, st *store.Store) []Input
		// lossless: the loaded subgraph is the original in full. CSV
		// writes a property whose values mix kinds (EUREGIO's country
		// list) as text, so it is only the same CSV again.
		lossless bool
	}{
		{"NDJSON", func(t *testing.T, st *store.Store) []Input {
			return []Input{bytesInput("sub.ndjson", NDJSON, export(t, st, NDJSON, sc))}
		}, true},
		{"JSON", func(t *testing.T, st *store.Store) []Input {
			return []Input{bytesInput("sub.json", JSON, export(t, st, JSON, sc))}
		}, true},
		{"CSVZip", func(t *testing.T, st *store.Store) []Input {
			return []Input{bytesInput("sub.zip", CSV, export(t, st, CSV, sc))}
		}, false},
		{"CSVFiles", csvFiles, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sub := tt.export(t, st)
			empty := storetest.Open(t)
			if _, err := Import(ctx, empty, sub, ImportOptions{}); err != nil {
				t.Fatalf("the subgraph does not load into an empty store: %v", err)
			}
			if _, err := empty.FindEntityByID(ctx, doc, store.ReadOptions{}); err != nil {
				t.Errorf("the cited document did not come along: %v", err)
			}
			// The same subgraph, in the format itself and in full.
			again := tt.export(t, empty)
			for i := range sub {
				if got, want := inputBytes(t, again[i]), inputBytes(t, sub[i]); tt.name != "CSVZip" && !bytes.Equal(got, want) {
					t.Errorf("%s exported from the loaded store differs:\n%s", sub[i].Name, diffLines(string(want), string(got)))
				}
			}
			if got, want := string(export(t, empty, NDJSON, sc)), string(export(t, st, NDJSON, sc)); tt.lossless && got != want {
				t.Errorf("the loaded subgraph differs:\n%s", diffLines(want, got))
			}
		})
	}
	for f, node := range map[Format]string{GraphML: `<node id="%s"`, GEXF: `<node id="%s"`, DOT: `"%s" [`} {
		out := export(t, st, f, sc)
		if !bytes.Contains(out, fmt.Appendf(nil, node, "enschede")) {
			t.Fatalf("the %s subgraph has no node enschede written as %s", f, node)
		}
		if bytes.Contains(out, fmt.Appendf(nil, node, doc)) {
			t.Errorf("the %s subgraph gained the cited document as a node", f)
		}
	}
}

// inputBytes returns the bytes of in.
func inputBytes(t *testing.T, in Input) []byte {
	t.Helper()
	rc, err := in.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(rc); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
