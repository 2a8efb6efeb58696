package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store/seed"
)

// A CSV export that has to write a property as text says so: the founding
// data's EUREGIO lists its countries where other entities have one, and a
// restore from the zip would turn the list into text.
func TestExportNotesTextProperties(t *testing.T) {
	data := foundingDir(t)
	out := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		note bool
	}{
		{"CSVZip", []string{"--format", "csv", "-o", filepath.Join(out, "g.zip")}, true},
		{"CSVSplit", []string{"--format", "csv", "--split", "-o", filepath.Join(out, "split")}, true},
		{"NDJSON", []string{"-o", filepath.Join(out, "g.ndjson")}, false},
		{"JSON", []string{"--format", "json", "-o", filepath.Join(out, "g.json")}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, err := cli(t, runExport, append([]string{"--data", data}, tc.args...)...)
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			if got := strings.Contains(stderr, "writes country (entities) as text"); got != tc.note {
				t.Errorf("note on country: got %v, want %v; stderr %q", got, tc.note, stderr)
			}
		})
	}
}

// The same note reaches an export through a service, which names the
// properties in a trailer after the stream; it once said nothing there.
func TestExportNotesTextPropertiesThroughURL(t *testing.T) {
	srv := exchangeService(t)
	dir := t.TempDir()
	founding := writeFile(t, dir, seed.FileName, string(seed.NDJSON()))
	if _, stderr, err := cli(t, runImport, "--url", srv.URL, founding); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	for _, tc := range []struct {
		name string
		args []string
		note bool
	}{
		{"CSV", []string{"--format", "csv", "-o", filepath.Join(dir, "g.zip")}, true},
		{"CSVToStdout", []string{"--format", "csv"}, true},
		{"NDJSON", []string{"-o", filepath.Join(dir, "g.ndjson")}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, err := cli(t, runExport, append([]string{"--url", srv.URL}, tc.args...)...)
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			if got := strings.Contains(stderr, "note: the csv export writes country (entities) as text"); got != tc.note {
				t.Errorf("note on country: got %v, want %v; stderr %q", got, tc.note, stderr)
			}
		})
	}
}
