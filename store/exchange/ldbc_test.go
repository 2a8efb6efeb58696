package exchange

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/storetest"
)

// dataRows counts the rows of LDBC files below the header.
func dataRows(t *testing.T, dir string, files ...string) int {
	t.Helper()
	n := 0
	for _, name := range files {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			n++
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		n-- // the header
	}
	return n
}

// TestLDBCConversion runs examples/ldbc_snb_to_ndjson.py on the LDBC SNB
// data, imports it into an empty store and exports it as neo4j-admin
// CSV: every person, place, organisation and relation of the files
// arrives once, the CSV headers are ones neo4j-admin imports with the
// birthdays and validity as date columns, and the CSV loads back into
// Ties as the same graph.
func TestLDBCConversion(t *testing.T) {
	py := examplesPython(t)
	vanilla := storetest.Shared(t, "data", "ldbc-snb-sf0.003", "vanilla")
	dyn, static := filepath.Join(vanilla, "dynamic"), filepath.Join(vanilla, "static")
	out := filepath.Join(t.TempDir(), "ldbc.ndjson")
	runScript(t, py, filepath.Join("..", "..", "examples", "ldbc_snb_to_ndjson.py"), vanilla, out)
	st := storetest.Open(t)
	importFile(t, st, out)
	stats, err := st.Stats(context.Background(), store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	entities := 1 + dataRows(t, dyn, "person_0_0.csv") + dataRows(t, static, "place_0_0.csv", "organisation_0_0.csv")
	relations := dataRows(t, dyn, "person_knows_person_0_0.csv", "person_isLocatedIn_place_0_0.csv", "person_workAt_organisation_0_0.csv", "person_studyAt_organisation_0_0.csv") +
		dataRows(t, static, "organisation_isLocatedIn_place_0_0.csv", "place_isPartOf_place_0_0.csv")
	if stats.Entities != entities || stats.Relations != relations {
		t.Errorf("store holds %d entities and %d relations, want %d and %d, one for each row", stats.Entities, stats.Relations, entities, relations)
	}

	var nodes, rels bytes.Buffer
	if _, err := ExportCSVFiles(context.Background(), st, &nodes, &rels, ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		name  string
		data  []byte
		roles []string
		want  []string
	}{
		{"nodes.csv", nodes.Bytes(), []string{"ID", "LABEL"}, []string{"birthday:date", "joined:date", "speaks:string[]", "email:string[]"}},
		{"relationships.csv", rels.Bytes(), []string{"START_ID", "END_ID", "TYPE"}, []string{"validFrom:date", "validTo:date"}},
	} {
		header, err := csv.NewReader(bytes.NewReader(f.data)).Read()
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		for _, e := range neo4jHeaderErrors(header, f.roles...) {
			t.Errorf("%s: %s", f.name, e)
		}
		for _, w := range f.want {
			if !strings.Contains(","+strings.Join(header, ",")+",", ","+w+",") {
				t.Errorf("%s header lacks %s: %q", f.name, w, header)
			}
		}
	}
	want := dump(t, st)
	back := storetest.Open(t)
	mustLoad(t, back, "ontology.ndjson", NDJSON, ontologyLines([]byte(want)))
	src, rewrite, err := Sources([]Input{bytesInput("nodes.csv", CSV, nodes.Bytes()), bytesInput("relationships.csv", CSV, rels.Bytes())}, "csv", DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := back.Load(context.Background(), src, store.LoadOptions{Source: "csv"}); err != nil {
		t.Fatalf("load: %v", rewrite(err))
	}
	if got := dump(t, back); got != want {
		t.Errorf("dump after a CSV round trip differs:\n%s", diffLines(want, got))
	}
}
