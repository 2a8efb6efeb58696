package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store/seed"
)

// TestReimportUnchanged imports the founding data into a data directory
// that holds it already, merging and replacing, and through a service's
// POST /import: every record is reported unchanged, and none gains a
// version in its history.
func TestReimportUnchanged(t *testing.T) {
	dir := t.TempDir()
	founding := writeFile(t, dir, seed.FileName, string(seed.NDJSON()))
	counts := regexp.MustCompile(`: (\d+) entit(?:y|ies), (\d+) relations?`)
	unchangedReport := func(t *testing.T, out string) {
		t.Helper()
		summary, report, _ := strings.Cut(out, "\n")
		m := counts.FindStringSubmatch(summary)
		if m == nil {
			t.Fatalf("summary: got %q", summary)
		}
		want := fmt.Sprintf("entities: 0 new, 0 changed, %s unchanged; relations: 0 new, 0 changed, %s unchanged\n", m[1], m[2])
		if report != want {
			t.Errorf("report: got %q, want %q", report, want)
		}
	}
	t.Run("Local", func(t *testing.T) {
		data := filepath.Join(dir, "data")
		if _, _, err := cli(t, runImport, "--data", data, "--on-existing", "replace", founding); err != nil {
			t.Fatal(err)
		}
		history := `{ entity(id: "dalian") { history { nodes { op } } } }`
		before, _, err := cli(t, runQuery, "--data", data, history)
		if err != nil || !strings.Contains(before, `"op"`) {
			t.Fatalf("dalian's history: %s (%v)", before, err)
		}
		for _, on := range []string{"merge", "replace"} {
			out, _, err := cli(t, runImport, "--data", data, "--on-existing", on, founding)
			if err != nil {
				t.Fatal(err)
			}
			unchangedReport(t, out)
		}
		after, _, err := cli(t, runQuery, "--data", data, history)
		if err != nil {
			t.Fatal(err)
		}
		if after != before {
			t.Errorf("dalian's history changed:\n%s\nwas\n%s", after, before)
		}
	})
	t.Run("Service", func(t *testing.T) {
		srv := exchangeService(t)
		if _, _, err := cli(t, runImport, "--url", srv.URL, "--on-existing", "replace", founding); err != nil {
			t.Fatal(err)
		}
		out, _, err := cli(t, runImport, "--url", srv.URL, "--on-existing", "replace", founding)
		if err != nil {
			t.Fatal(err)
		}
		unchangedReport(t, out)
	})
}
