package exchange

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/storetest"
)

// neo4jHeaderErrors checks a CSV header against what neo4j-admin database
// import requires of it: every column "name", "name:type" or ":ROLE" with a
// type it knows (arrays as "type[]"), the roles a nodes or relationships
// file needs, and each property name once. A named ID column ("id:ID")
// also stores its value as a property of that name, so a property column
// of the same name is a duplicate header entry, which the import refuses.
func neo4jHeaderErrors(header []string, roles ...string) []string {
	types := map[string]bool{}
	for _, t := range csvTypes {
		types[t] = true
	}
	var errs []string
	seenRole := map[string]int{}
	seenProp := map[string]string{}
	for _, h := range header {
		name, typ, typed := strings.Cut(h, ":")
		switch typ {
		case "ID", "LABEL", "START_ID", "END_ID", "TYPE", "IGNORE":
			seenRole[typ]++
			if typ != "ID" || name == "" {
				continue
			}
		default:
			if typed && !types[strings.TrimSuffix(typ, "[]")] {
				errs = append(errs, h+": unknown type")
			}
		}
		if prev, dup := seenProp[name]; dup {
			errs = append(errs, h+": property "+name+" again (also "+prev+")")
		}
		seenProp[name] = h
	}
	for _, r := range roles {
		if seenRole[r] != 1 {
			errs = append(errs, "want one :"+r+" column")
		}
	}
	return errs
}

// TestCSVExportNeo4jHeaders exports the fixture, and an entity and a
// relation with properties named like the export's own columns, as CSV:
// both headers must be ones neo4j-admin imports, and the files must
// still load back into Ties as they were.
func TestCSVExportNeo4jHeaders(t *testing.T) {
	a, data := fixture(t)
	mustLoad(t, a, "columns.ndjson", NDJSON, []byte(
		`{"kind":"entity","id":"column-names","type":"Topic","name":"Column names","properties":{"id":"wikidata:Q1","name":"other name","labels":"x"}}`+"\n"+
			`{"kind":"relation","id":"columns-rel","type":"MENTIONS","from":"report","to":"column-names","properties":{"id":"r1","type":"t"}}`+"\n"))
	var nodes, rels bytes.Buffer
	if _, err := ExportCSVFiles(context.Background(), a, &nodes, &rels, ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		name  string
		data  []byte
		roles []string
	}{
		{"nodes.csv", nodes.Bytes(), []string{"ID", "LABEL"}},
		{"relationships.csv", rels.Bytes(), []string{"START_ID", "END_ID", "TYPE"}},
	} {
		header, err := csv.NewReader(bytes.NewReader(f.data)).Read()
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		for _, e := range neo4jHeaderErrors(header, f.roles...) {
			t.Errorf("%s header %q: %s", f.name, header, e)
		}
	}
	want := strings.ReplaceAll(dump(t, a), `,"tags":[]`, "")
	b := storetest.Open(t)
	mustLoad(t, b, "ontology.ndjson", NDJSON, ontologyLines(data))
	src, rewrite, err := Sources([]Input{bytesInput("nodes.csv", CSV, nodes.Bytes()), bytesInput("relationships.csv", CSV, rels.Bytes())}, "csv", DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Load(context.Background(), src, store.LoadOptions{Source: "csv"}); err != nil {
		t.Fatalf("load: %v", rewrite(err))
	}
	if got := dump(t, b); got != want {
		t.Errorf("dump after a CSV round trip differs:\n%s", diffLines(want, got))
	}
}

// TestCSVExportNeo4jArrays reads the fixture's nodes.csv as neo4j-admin
// reads an array column: the cell split at every ';'. Enschede's aliases
// are "Enschee" and "Eanske; Twente"; an array column cannot hold the
// second, so the aliases must come as a text column (JSON, as labels and
// sources do) rather than as a string[] cell that neo4j-admin would cut
// into `["Enschee","Eanske` and ` Twente"]`.
func TestCSVExportNeo4jArrays(t *testing.T) {
	st, _ := fixture(t)
	var nodes, rels bytes.Buffer
	if _, err := ExportCSVFiles(context.Background(), st, &nodes, &rels, ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&nodes).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := rows[0]
	for _, row := range rows[1:] {
		for i, cell := range row {
			if !strings.HasSuffix(header[i], "[]") || cell == "" {
				continue
			}
			for _, item := range strings.Split(cell, ";") {
				if strings.ContainsAny(item, `[]"`) && strings.HasPrefix(cell, "[") {
					t.Errorf("%s, column %s: neo4j-admin reads the item %q of %q", row[0], header[i], item, cell)
				}
			}
		}
	}
}
