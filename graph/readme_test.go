package graph_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/parser"
)

// readmeOperation returns the README's GraphQL operation whose text holds
// marker, formatted to send. A README whose examples no longer hold the
// marker fails the test, so that the answers checked below are always
// those of what the README shows.
func readmeOperation(t *testing.T, marker string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)```graphql\n(.*?)```")
	for _, b := range block.FindAllStringSubmatch(string(raw), -1) {
		src, perr := parser.ParseQuery(&ast.Source{Name: "README.md", Input: b[1]})
		if perr != nil {
			t.Fatalf("README.md: %v", perr)
		}
		for _, op := range src.Operations {
			var sb strings.Builder
			formatter.NewFormatter(&sb).FormatQueryDocument(&ast.QueryDocument{Operations: ast.OperationList{op}})
			if strings.Contains(sb.String(), marker) {
				return sb.String()
			}
		}
	}
	t.Fatalf("README.md has no GraphQL example holding %q", marker)
	return ""
}

// The README says what its first queries answer on the founding data (the
// path to Tesla Motors, Dalian's two stages, search through accents and
// typos); TestDocExamples checks they run, this that they answer so.
func TestReadmeAnswers(t *testing.T) {
	e := newEnv(t, mutationConfig)
	ask := func(t *testing.T, marker string, into any) {
		t.Helper()
		r := e.at(t).post(readmeOperation(t, marker), nil)
		if len(r.Errors) > 0 {
			t.Fatalf("errors: %s", r.Raw)
		}
		if err := json.Unmarshal(r.Data, into); err != nil {
			t.Fatalf("decode %s: %v", r.Raw, err)
		}
	}
	type edges struct {
		Edges []struct {
			Node struct{ Type string }
		}
	}
	types := func(c edges) string {
		var out []string
		for _, e := range c.Edges {
			out = append(out, e.Node.Type)
		}
		return strings.Join(out, ",")
	}

	t.Run("PathToTesla", func(t *testing.T) {
		var got struct {
			Path struct {
				Length int
				Nodes  []struct{ ID string }
				Edges  []struct{ Type string }
			}
		}
		ask(t, `to: "tesla-motors"`, &got)
		var ids, rels []string
		for _, n := range got.Path.Nodes {
			ids = append(ids, n.ID)
		}
		for _, r := range got.Path.Edges {
			rels = append(rels, r.Type)
		}
		if got.Path.Length != 3 ||
			strings.Join(ids, " ") != "enschede palo-alto silicon-valley tesla-motors" ||
			strings.Join(rels, " ") != "SISTER_CITY_OF LOCATED_IN BASED_IN" {
			t.Errorf("path: length %d, %v, %v; the README shows Enschede → Palo Alto → Silicon Valley ← Tesla Motors",
				got.Path.Length, ids, rels)
		}
	})
	t.Run("DalianStages", func(t *testing.T) {
		var got struct {
			Entity struct{ In2012, In2018 edges }
		}
		ask(t, "in2012:", &got)
		if a, b := types(got.Entity.In2012), types(got.Entity.In2018); a != "FRIENDLY_COOPERATIVE_CITY_OF" || b != "SISTER_CITY_OF" {
			t.Errorf("2012: %s, 2018: %s; the README says friendly cooperative in 2012, sister city in 2018", a, b)
		}
	})
	t.Run("During", func(t *testing.T) {
		var got struct {
			Entity struct{ Relations edges }
		}
		ask(t, "during:", &got)
		if a := types(got.Entity.Relations); a != "FRIENDLY_COOPERATIVE_CITY_OF" {
			t.Errorf("2010-2015: %s; the README says only the friendly cooperation held", a)
		}
	})
	t.Run("SearchAccentsAndTypos", func(t *testing.T) {
		var folded struct {
			Search []struct{ Entity struct{ ID string } }
		}
		ask(t, `search(text: "munster")`, &folded)
		if len(folded.Search) == 0 || folded.Search[0].Entity.ID != "munster" {
			t.Errorf(`"munster" finds %+v first; the README says Münster`, folded.Search)
		}
		var typo struct {
			Typo []struct {
				Entity struct{ ID string }
				Typo   bool
			}
		}
		ask(t, `"Dalien"`, &typo)
		if len(typo.Typo) == 0 || typo.Typo[0].Entity.ID != "dalian" || !typo.Typo[0].Typo {
			t.Errorf(`"Dalien" finds %+v first; the README says Dalian, as a typo`, typo.Typo)
		}
	})
	t.Run("NameForID", func(t *testing.T) {
		r := e.at(t).post(readmeOperation(t, "typedName"), nil)
		ws := warningsOf(t, r.Raw)
		if len(r.Errors) > 0 || string(r.Data) != `{"typedName":null}` || len(ws) != 1 || !strings.Contains(ws[0].Message, `did you mean "enschede"`) {
			t.Errorf("entity(id: \"Enschede\"): %s; the README says null, with a warning naming enschede", r.Raw)
		}
	})
	t.Run("GermanCities", func(t *testing.T) {
		var got struct {
			Entities struct{ Nodes []struct{ ID string } }
		}
		ask(t, `"DE"`, &got)
		var ids []string
		for _, n := range got.Entities.Nodes {
			ids = append(ids, n.ID)
		}
		if strings.Join(ids, " ") != "heidelberg munster" {
			t.Errorf("German cities: %v; the founding data has Heidelberg and Münster", ids)
		}
	})
}
