package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/exchange"
	"github.com/ties-graph/ties/store/seed"
	"github.com/ties-graph/ties/store/storetest"
)

// cli runs one subcommand in process with no environment and returns its
// standard output, standard error and error.
func cli(t *testing.T, fn func(context.Context, []string, func(string) string, io.Writer, io.Writer) error, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := fn(context.Background(), args, func(string) string { return "" }, &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

func writeFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const twoCities = `{"kind":"entity","id":"gronau","type":"City","name":"Gronau"}
{"kind":"entity","id":"enschede","type":"City","name":"Enschede"}
{"kind":"relation","type":"SISTER_CITY_OF","from":"gronau","to":"enschede","validFrom":"1990"}
`

func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	good := writeFile(t, dir, "twins.ndjson", twoCities)
	t.Run("DryRun", func(t *testing.T) {
		out, _, err := cli(t, runImport, "--data", data, "--dry-run", good)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(out, "dry run: valid, nothing written: ") {
			t.Errorf("summary: got %q", out)
		}
		if ok, err := isFresh(data); err != nil || !ok {
			t.Errorf("a dry run into a new directory left something in it (%v)", err)
		}
	})
	t.Run("OK", func(t *testing.T) {
		out, stderr, err := cli(t, runImport, "--data", data, good)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := out, "imported "+good+": 2 entities, 1 relation in "; !strings.HasPrefix(got, want) {
			t.Errorf("summary:\ngot  %q\nwant %q...", got, want)
		}
		if strings.Count(out, "\n") != 1 {
			t.Errorf("summary is not one line: %q", out)
		}
		if stderr != "" {
			t.Errorf("stderr is not a terminal, yet got %q", stderr)
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		before, _, _ := cli(t, runExport, "--data", data)
		for _, tc := range []struct{ name, data, want string }{
			// Syntax errors are found in the first pass, reference errors
			// in the second, so a file shows one kind at a time.
			{"bad-date.ndjson", twoCities + `{"kind":"entity","id":"x","type":"City","name":"X","validFrom":"soon"}` + "\n" + `{"kind":"entity","id":"y"}` + "\n",
				`:4: validFrom: invalid date "soon"`},
			{"dangling.ndjson", twoCities + `{"kind":"relation","type":"SISTER_CITY_OF","from":"gronau","to":"atlantis"}` + "\n" + `{"kind":"relation","type":"SISTER_CITY_OF","from":"utopia","to":"gronau"}` + "\n",
				`:4: to: no entity "atlantis"`},
		} {
			bad := writeFile(t, dir, tc.name, tc.data)
			_, stderr, err := cli(t, runImport, "--data", data, bad)
			if err == nil || err.Error() != "nothing was imported: 2 errors" {
				t.Errorf("%s: error: got %v, want %q", tc.name, err, "nothing was imported: 2 errors")
			}
			if !strings.Contains(stderr, bad+tc.want) {
				t.Errorf("%s: stderr lacks %q:\n%s", tc.name, bad+tc.want, stderr)
			}
			if got := strings.Count(stderr, "\n"); got != 2 {
				t.Errorf("%s: got %d error lines, want 2:\n%s", tc.name, got, stderr)
			}
		}
		if after, _, _ := cli(t, runExport, "--data", data); after != before {
			t.Error("a refused import changed the store")
		}
	})
	t.Run("CSVPair", func(t *testing.T) {
		nodes := writeFile(t, dir, "nodes.csv", "id:ID,:LABEL,name,population:int\nhengelo,City,Hengelo,81000\n")
		rels := writeFile(t, dir, "rels.csv", ":START_ID,:END_ID,:TYPE\nhengelo,enschede,COOPERATES_WITH\n")
		// Relationships first: one load covers both files.
		if _, _, err := cli(t, runImport, "--data", data, rels, nodes); err != nil {
			t.Fatal(err)
		}
		dump, _, _ := cli(t, runExport, "--data", data)
		if !strings.Contains(dump, `"properties":{"population":81000}`) || !strings.Contains(dump, `"type":"COOPERATES_WITH","from":"enschede","to":"hengelo"`) {
			t.Errorf("dump lacks the CSV records:\n%s", dump)
		}
	})
	t.Run("UnknownExtension", func(t *testing.T) {
		txt := writeFile(t, dir, "twins.txt", twoCities)
		_, _, err := cli(t, runImport, "--data", data, txt)
		if err == nil || !strings.Contains(err.Error(), "--format") {
			t.Errorf("error: got %v, want one suggesting --format", err)
		}
		if _, _, err := cli(t, runImport, "--data", data, "--format", "ndjson", txt); err != nil {
			t.Errorf("with --format: %v", err)
		}
	})
	t.Run("LeavesNewDirectoryFresh", func(t *testing.T) {
		// An import that writes nothing must not leave an empty store in a
		// new directory: ties serve loads the founding data only into a
		// missing or empty one.
		bad := writeFile(t, dir, "fresh-bad.ndjson", `{"kind":"entity","id":"x","type":"Town","name":"X"}`+"\n")
		for _, tc := range []struct {
			name string
			args []string
		}{
			{"Refused", []string{bad}},
			{"DryRun", []string{"--dry-run", good}},
		} {
			for _, existed := range []bool{false, true} {
				fresh := filepath.Join(t.TempDir(), "new")
				if existed {
					if err := os.Mkdir(fresh, 0o755); err != nil {
						t.Fatal(err)
					}
				}
				_, _, err := cli(t, runImport, append([]string{"--data", fresh}, tc.args...)...)
				if tc.name == "Refused" && err == nil {
					t.Fatalf("%s: the import was not refused", tc.name)
				}
				if ok, err := isFresh(fresh); err != nil || !ok {
					t.Errorf("%s (directory existed: %v): the directory is no longer fresh (%v)", tc.name, existed, err)
				}
				if _, err := os.Stat(fresh); existed != (err == nil) {
					t.Errorf("%s (directory existed: %v): stat after: %v", tc.name, existed, err)
				}
			}
		}
		// A successful import keeps what it wrote.
		kept := filepath.Join(t.TempDir(), "new")
		if _, _, err := cli(t, runImport, "--data", kept, good); err != nil {
			t.Fatal(err)
		}
		if ok, _ := isFresh(kept); ok {
			t.Error("a successful import into a new directory left it empty")
		}
	})
	t.Run("BadMemoryLimit", func(t *testing.T) {
		_, _, err := cli(t, runImport, "--data", data, "--memory-limit", "lots", good)
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "--memory-limit") {
			t.Errorf("error: got %v, want a usage error naming --memory-limit", err)
		}
	})
	t.Run("NoFiles", func(t *testing.T) {
		if _, _, err := cli(t, runImport, "--data", data); err == nil {
			t.Error("import without files: got no error")
		}
	})
	t.Run("Locked", func(t *testing.T) {
		st, err := store.Open(data, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		_, _, err = cli(t, runImport, "--data", data, good)
		if err == nil || !strings.Contains(err.Error(), "in use by a running ties service") || !strings.Contains(err.Error(), "--url") {
			t.Errorf("error: got %v, want one saying the directory is in use and suggesting --url", err)
		}
	})
}

// exchangeService serves POST /import and GET /export as "ties serve"
// wires them, over a new store on disk whose cleanup checks it. Every
// upload, taken or refused, is spooled and removed: the cleanup also
// fails t if one is left behind.
func exchangeService(t *testing.T) *httptest.Server {
	t.Helper()
	st := storetest.OpenWith(t, store.Options{})
	spool := t.TempDir()
	t.Cleanup(func() {
		if left, _ := os.ReadDir(spool); len(left) != 0 {
			t.Errorf("%d spooled uploads left behind", len(left))
		}
	})
	mux := http.NewServeMux()
	mux.Handle("/import", importHandler(st, nil, spool))
	mux.Handle("/export", exportHandler(st, nil))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestImportExportThroughURL runs import and export against a service.
func TestImportExportThroughURL(t *testing.T) {
	srv := exchangeService(t)
	dir := t.TempDir()
	founding := writeFile(t, dir, seed.FileName, string(seed.NDJSON()))
	out, _, err := cli(t, runImport, "--url", srv.URL, founding)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "imported "+founding+": ") {
		t.Errorf("summary: got %q", out)
	}
	bad := writeFile(t, dir, "bad.ndjson", `{"kind":"entity","id":"x","type":"Town","name":"X"}`+"\n")
	_, stderr, err := cli(t, runImport, "--url", srv.URL, bad)
	if err == nil || !strings.Contains(stderr, `bad.ndjson:1: type: unknown entity type "Town"`) {
		t.Errorf("remote errors: got %v, stderr %q", err, stderr)
	}
	// Several files go as one upload and one load: relationships before
	// their nodes are fine, and a bad file keeps the good one out.
	nodes := writeFile(t, dir, "nodes.csv", "id:ID,:LABEL,name\nhaaksbergen,City,Haaksbergen\n")
	rels := writeFile(t, dir, "rels.csv", ":START_ID,:END_ID,:TYPE\nhaaksbergen,enschede,COOPERATES_WITH\n")
	before, _, _ := cli(t, runExport, "--url", srv.URL)
	_, stderr, err = cli(t, runImport, "--url", srv.URL, nodes, bad)
	if err == nil || err.Error() != "nothing was imported: 1 error" || !strings.Contains(stderr, "bad.ndjson:1: type") {
		t.Errorf("a good and a bad file: got %v, stderr %q", err, stderr)
	}
	if after, _, _ := cli(t, runExport, "--url", srv.URL); after != before {
		t.Error("a refused multi-file import changed the store")
	}
	out, _, err = cli(t, runImport, "--url", srv.URL, rels, nodes)
	if err != nil {
		t.Fatal(err)
	}
	if want := "imported " + rels + ", " + nodes + ": 1 entity, 1 relation in "; !strings.HasPrefix(out, want) || strings.Count(out, "\n") != 1 {
		t.Errorf("summary: got %q, want one line starting %q", out, want)
	}
	dot, _, err := cli(t, runExport, "--url", srv.URL, "--format", "dot", "--from", "enschede", "--types", "SISTER_CITY_OF")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dot, `label="Palo Alto"`) || strings.Contains(dot, `label="Eurocities"`) {
		t.Errorf("remote DOT export of Enschede's sister cities:\n%s", dot)
	}
	_, _, err = cli(t, runExport, "--url", srv.URL, "--from", "atlantis")
	if err == nil || !strings.Contains(err.Error(), `no entity "atlantis"`) {
		t.Errorf("remote export error: got %v", err)
	}
}

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
	if _, stderr, err := cli(t, runImport, "--url", srv.URL, "--on-existing", "fail", "--delimiter", "|", piped); err == nil || !strings.Contains(stderr, `munster.csv:2: id:ID: column 1: entity "munster" already exists`) {
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

func TestProgressLine(t *testing.T) {
	var b bytes.Buffer
	p := &progressLine{w: &b, on: true, start: time.Now().Add(-10 * time.Second)}
	p.update(exchange.Progress{Pass: 2, Done: 0.75, Records: 1234567})
	got := b.String()
	for _, want := range []string{"\r\033[K", "writing", " 75%", "1,234,567 records", "records/s", "ETA 3s"} {
		if !strings.Contains(got, want) {
			t.Errorf("progress line %q lacks %q", got, want)
		}
	}
	p.done()
	if !strings.HasSuffix(b.String(), "\r\033[K") {
		t.Errorf("done did not clear the line: %q", b.String())
	}
	var quiet bytes.Buffer
	q := newProgressLine(&quiet) // a buffer is no terminal
	q.update(exchange.Progress{Pass: 1, Done: 0.5})
	q.done()
	if quiet.Len() != 0 {
		t.Errorf("progress on a pipe: got %q, want nothing", quiet.String())
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -45000: "-45,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d): got %q, want %q", n, got, want)
		}
	}
}

// TestImportSummary requires the line an import ends with to count its
// records in words that agree with the numbers.
func TestImportSummary(t *testing.T) {
	for _, c := range []struct {
		entityTypes, relationTypes, entities, relations int
		want                                            string
	}{
		{0, 0, 1, 1, "imported f.ndjson: 1 entity, 1 relation in 0s"},
		{0, 0, 0, 2, "imported f.ndjson: 0 entities, 2 relations in 0s"},
		{1, 0, 1234567, 0, "imported f.ndjson: 1,234,567 entities, 0 relations, 1 entity type, 0 relation types in 0s"},
		{2, 1, 3, 1000, "imported f.ndjson: 3 entities, 1,000 relations, 2 entity types, 1 relation type in 0s"},
	} {
		// No time taken, no rate: the words are the test.
		if got := summary(false, "f.ndjson", c.entityTypes, c.relationTypes, c.entities, c.relations, 0); got != c.want {
			t.Errorf("summary(%d, %d, %d, %d):\n got %q\nwant %q", c.entityTypes, c.relationTypes, c.entities, c.relations, got, c.want)
		}
	}
}
