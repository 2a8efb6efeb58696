package main

import (
	"path/filepath"
	"strings"
	"testing"
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
