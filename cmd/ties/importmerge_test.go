package main

import (
	"errors"
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

// TestImportOnExistingThroughURL sends --on-existing and --delimiter to a
// service and prints its report as a local import does.
func TestImportOnExistingThroughURL(t *testing.T) {
	srv := exchangeService(t)
	dir := t.TempDir()
	founding := writeFile(t, dir, seed.FileName, string(seed.NDJSON()))
	if _, _, err := cli(t, runImport, "--url", srv.URL, "--on-existing", "replace", founding); err != nil {
		t.Fatal(err)
	}
	// Pipes: not a delimiter any spreadsheet is told apart by.
	piped := writeFile(t, dir, "munster.csv", "id:ID|:LABEL|description\nmunster|City|Westphalian.\n")
	out, _, err := cli(t, runImport, "--url", srv.URL, "--dry-run", "--delimiter", "|", piped)
	if err != nil {
		t.Fatal(err)
	}
	if want := "entities: 0 new, 1 changed, 0 unchanged; relations: 0 new, 0 changed, 0 unchanged\n  entity munster (munster.csv:2) would change: description\n"; !strings.HasSuffix(out, want) {
		t.Errorf("dry run through the service printed\n%s\nwant it to end\n%s", out, want)
	}
	if _, stderr, err := cli(t, runImport, "--url", srv.URL, "--on-existing", "fail", "--delimiter", "|", piped); err == nil || !strings.Contains(stderr, `munster.csv:2: id: entity "munster" already exists`) {
		t.Errorf("fail: %v\n%s", err, stderr)
	}
	for _, args := range [][]string{{"--on-existing", "upsert"}, {"--delimiter", "||"}} {
		_, _, err := cli(t, runImport, append(append([]string{"--url", srv.URL}, args...), piped)...)
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), args[0]) {
			t.Errorf("%v: got %v, want a usage error naming the flag", args, err)
		}
	}
}
