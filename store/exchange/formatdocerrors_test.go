package exchange

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store"
)

// TestFormatDocErrors imports the file docs/FORMAT.md section 8 describes
// (a bad validTo on line 12, a confidence given as text on line 40, a
// relation to a misspelt entity on line 41) and checks that the errors the
// section shows are the ones an import reports, in one round: the decoder's
// and the store's together, sorted by line. The section once said that the
// store's errors appear only after the decoding ones are fixed.
func TestFormatDocErrors(t *testing.T) {
	lines := make([]string, 41)
	lines[11] = `{"kind":"entity","id":"gronau","type":"City","name":"Gronau","validFrom":"2017","validTo":"2017-7"}`
	lines[39] = `{"kind":"relation","type":"SISTER_CITY_OF","from":"enschede","to":"dalian","sources":[{"document":"enschede-international-annual-report-2017","confidence":"high"}]}`
	lines[40] = `{"kind":"relation","type":"SISTER_CITY_OF","from":"enschede","to":"dalain"}`
	in := BytesInput("data.ndjson", NDJSON, []byte(strings.Join(lines, "\n")+"\n"))
	_, err := Import(context.Background(), founding(t), []Input{in}, ImportOptions{DryRun: true})
	var es store.Errors
	if !errors.As(err, &es) {
		t.Fatalf("import: got %v, want store.Errors", err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.Error())
	}

	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "FORMAT.md"))
	if err != nil {
		t.Skipf("docs/FORMAT.md: %v", err)
	}
	doc := string(raw)
	const intro = "(`validTo`, `properties.population`, `sources[1].confidence`):\n\n```\n"
	i := strings.Index(doc, intro)
	if i < 0 {
		t.Fatalf("docs/FORMAT.md section 8 lacks its example errors")
	}
	block := doc[i+len(intro):]
	block = block[:strings.Index(block, "```")]
	want := strings.Split(strings.TrimSpace(block), "\n")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the import reports\n%s\ndocs/FORMAT.md shows\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
