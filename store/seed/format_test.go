package seed_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/seed"
)

// formatDoc is the format document, whose worked example quotes the founding
// data and whose last section is generated from the default ontology.
var formatDoc = filepath.Join("..", "..", "docs", "FORMAT.md")

// section returns the text between the marker lines <!-- name:begin -->
// and <!-- name:end -->, and the offsets of that text in doc.
func section(t *testing.T, doc, name string) (text string, start, end int) {
	t.Helper()
	begin, stop := "<!-- "+name+":begin -->\n", "<!-- "+name+":end -->"
	i := strings.Index(doc, begin)
	j := strings.Index(doc, stop)
	if i < 0 || j < i {
		t.Fatalf("%s: no %q ... %q section", formatDoc, strings.TrimSpace(begin), stop)
	}
	start = i + len(begin)
	return doc[start:j], start, j
}

func TestFormatDoc(t *testing.T) {
	raw, err := os.ReadFile(formatDoc)
	if err != nil {
		t.Fatalf("read format document: %v", err)
	}
	doc := string(raw)

	t.Run("OntologyIsFresh", func(t *testing.T) {
		got, start, end := section(t, doc, "ontology")
		want := ontologyMarkdown(store.DefaultOntology())
		if got == want {
			return
		}
		if *update {
			doc = doc[:start] + want + doc[end:]
			if err := os.WriteFile(formatDoc, []byte(doc), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("%s: the default ontology section is stale; run go test ./store/seed -run TestFormatDoc -update\n%s",
			formatDoc, diffLines(want, got))
	})

	t.Run("ExampleQuotesTheSeed", func(t *testing.T) {
		example, _, _ := section(t, doc, "example")
		example = strings.TrimPrefix(example, "```json\n")
		example = strings.TrimSuffix(example, "```\n")
		lines := strings.Split(strings.TrimSuffix(example, "\n"), "\n")
		if len(lines) < 2 {
			t.Fatalf("worked example has %d lines, want several", len(lines))
		}
		data := seed.NDJSON()
		for i, l := range lines {
			if !bytes.Contains(data, []byte("\n"+l+"\n")) && !bytes.HasPrefix(data, []byte(l+"\n")) {
				t.Errorf("example line %d is not a line of %s: %.80s...", i+1, seed.FileName, l)
			}
		}
	})

	t.Run("DerivedIDInTheText", func(t *testing.T) {
		id := store.RelationID("SISTER_CITY_OF", "dalian", "enschede", store.MustParseDate("2017"), true)
		if !strings.Contains(doc, "`"+id+"`") {
			t.Errorf("%s does not give the derived id %s of Enschede SISTER_CITY_OF Dalian 2017", formatDoc, id)
		}
	})
}

// ontologyMarkdown renders an ontology as the tables of docs/FORMAT.md.
func ontologyMarkdown(o store.Ontology) string {
	var b strings.Builder
	or := func(s, alt string) string {
		if s == "" {
			return alt
		}
		return s
	}
	list := func(ts []string) string {
		if len(ts) == 0 {
			return "any"
		}
		return strings.Join(ts, ", ")
	}
	b.WriteString("Entity types (a type also matches its subtypes):\n\n")
	b.WriteString("| type | parent | description |\n|---|---|---|\n")
	for _, t := range o.EntityTypes {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", t.Name, or(code(t.Parent), "none"), t.Description)
	}
	b.WriteString("\nRelation types (`from` and `to` list the entity types each end may have, subtypes included):\n\n")
	b.WriteString("| type | inverse | symmetric | from | to | description |\n|---|---|---|---|---|---|\n")
	for _, t := range o.RelationTypes {
		sym := "no"
		if t.Symmetric {
			sym = "yes"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s |\n",
			t.Name, or(code(t.Inverse), "none"), sym, list(t.From), list(t.To), t.Description)
	}
	return b.String()
}

func code(s string) string {
	if s == "" {
		return ""
	}
	return "`" + s + "`"
}
