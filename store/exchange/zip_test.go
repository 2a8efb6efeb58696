package exchange

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/storetest"
)

// The CSV export is a zip; Import takes it back, from a file on disk or
// from memory, whatever the zip is called.
func TestImportCSVZip(t *testing.T) {
	a, data := fixture(t)
	// neo4j-admin CSV has no empty arrays: an empty cell is no property.
	want := strings.ReplaceAll(dump(t, a), `,"tags":[]`, "")
	zipped := export(t, a, CSV, Scope{})
	onDisk := filepath.Join(t.TempDir(), "graph.zip")
	if err := os.WriteFile(onDisk, zipped, 0o644); err != nil {
		t.Fatal(err)
	}
	file, err := FileInput(onDisk, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		in   Input
	}{
		{"File", file},
		{"Memory", bytesInput("upload", CSV, zipped)},
		{"MisnamedCSV", bytesInput("graph.csv", "", zipped)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := storetest.Open(t)
			mustLoad(t, b, "ontology.ndjson", NDJSON, ontologyLines(data))
			if _, err := Import(context.Background(), b, []Input{tc.in}, ImportOptions{}); err != nil {
				t.Fatalf("import: %v", err)
			}
			if got := dump(t, b); got != want {
				t.Errorf("dump after a zip round trip differs:\n%s", diffLines(want, got))
			}
		})
	}
}

// Errors in a zip name the member and its line; a zip without CSV files
// or that is not a zip says so.
func TestImportCSVZipErrors(t *testing.T) {
	zipOf := func(files ...string) []byte {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		for i := 0; i < len(files); i += 2 {
			w, err := zw.Create(files[i])
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte(files[i+1]))
		}
		zw.Close()
		return b.Bytes()
	}
	st := founding(t)
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"MemberLines", zipOf("nodes.csv", "id:ID,:LABEL,name\nq1,City,Q\nq2,Town,T\n", "relationships.csv", ":START_ID,:END_ID,:TYPE\nq1,atlantis,SISTER_CITY_OF\n"),
			"g.zip/nodes.csv:3: :LABEL: column 2: unknown entity type \"Town\"\ng.zip/relationships.csv:2: :END_ID: column 2: no entity \"atlantis\""},
		{"NoCSV", zipOf("readme.txt", "hello"), "g.zip: the zip holds no .csv file"},
		{"NotAZip", []byte("PK\x03\x04 and then nothing"), "g.zip: not a valid zip file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := dump(t, st)
			_, err := Import(context.Background(), st, []Input{bytesInput("g.zip", "", tc.data)}, ImportOptions{})
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error:\n got %v\nwant %s", err, tc.want)
			}
			if got := store.ErrorCode(err); got != store.Invalid {
				t.Errorf("code: got %s, want %s", got, store.Invalid)
			}
			unchanged(t, st, before, "a refused zip")
		})
	}
}
