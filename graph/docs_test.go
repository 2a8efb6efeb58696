package graph_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/parser"
)

// Every GraphQL example in the README and the API guide runs, as written,
// against the founding data without an error: the first thing a new user
// copies must work.
func TestDocExamples(t *testing.T) {
	e := newEnv(t, mutationConfig)
	block := regexp.MustCompile("(?s)```graphql\n(.*?)```")
	for _, doc := range []string{"README.md", filepath.Join("docs", "API.md")} {
		raw, err := os.ReadFile(filepath.Join("..", doc))
		if err != nil {
			t.Fatal(err)
		}
		blocks := block.FindAllStringSubmatch(string(raw), -1)
		if len(blocks) == 0 {
			t.Errorf("%s: no graphql examples found", doc)
		}
		for i, b := range blocks {
			// A block may hold several operations, each run on its own.
			src, perr := parser.ParseQuery(&ast.Source{Name: doc, Input: b[1]})
			if perr != nil {
				t.Errorf("%s, example %d: %v", doc, i+1, perr)
				continue
			}
			for j, op := range src.Operations {
				one := &ast.QueryDocument{Operations: ast.OperationList{op}, Fragments: src.Fragments}
				var sb strings.Builder
				formatter.NewFormatter(&sb).FormatQueryDocument(one)
				t.Run(strings.ReplaceAll(doc, "/", "_")+"_"+string(rune('A'+i))+string(rune('1'+j)), func(t *testing.T) {
					r := e.at(t).post(sb.String(), nil)
					if len(r.Errors) > 0 || !r.HasData {
						t.Errorf("%s example %d, operation %d fails:\n%s\nanswer: %s", doc, i+1, j+1, sb.String(), r.Raw)
					}
				})
			}
		}
	}
}
