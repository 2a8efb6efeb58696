package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store/seed"
)

// TestFormatDocMergeExample runs the example of docs/FORMAT.md section 7
// as written: the five twin-town pairs, dry-run into the founding data with
// the default merge and with --on-existing replace, must print what the
// document says; then the real import keeps Münster's description.
func TestFormatDocMergeExample(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "FORMAT.md"))
	if err != nil {
		t.Fatal(err)
	}
	csv := regexp.MustCompile("(?s)```csv\n(from;to;type.*?)```").FindStringSubmatch(string(raw))
	texts := regexp.MustCompile("(?s)```text\n(entities: .*?)```").FindAllStringSubmatch(string(raw), -1)
	if csv == nil || len(texts) != 2 {
		t.Fatalf("docs/FORMAT.md: want the csv example and its two outputs, found %d outputs", len(texts))
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	founding := writeFile(t, dir, seed.FileName, string(seed.NDJSON()))
	if _, _, err := cli(t, runImport, "--data", data, "--on-existing", "replace", founding); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "twins.csv", csv[1])
	t.Chdir(dir) // errors cite the file as named, as in the document
	twins := "twins.csv"
	for i, args := range [][]string{{"--dry-run"}, {"--dry-run", "--on-existing", "replace"}} {
		out, _, err := cli(t, runImport, append(append([]string{"--data", data}, args...), twins)...)
		if err != nil {
			t.Fatal(err)
		}
		_, report, _ := strings.Cut(out, "\n") // after the summary line, which times the run
		if report != texts[i][1] {
			t.Errorf("ties import %s twins.csv printed\n%s\ndocs/FORMAT.md says\n%s", strings.Join(args, " "), report, texts[i][1])
		}
	}
	if _, _, err := cli(t, runImport, "--data", data, twins); err != nil {
		t.Fatal(err)
	}
	out, _, err := cli(t, runQuery, "--data", data, `{ entity(id: "munster") { description aliases } }`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "North Rhine-Westphalia") || !strings.Contains(out, "Muenster") {
		t.Errorf("after the import Münster lost its fields: %s", out)
	}
}
