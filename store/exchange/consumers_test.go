package exchange

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store"
)

// python returns a Python 3 that has NetworkX, or skips the test. The
// Debian package installs for /usr/bin/python3, which may not be the first
// python3 on the PATH.
func python(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		path, err := exec.LookPath(p)
		if err != nil {
			continue
		}
		if exec.Command(path, "-c", "import networkx").Run() == nil {
			return path
		}
	}
	t.Skip("NetworkX is not installed (apt-get install python3-networkx); skipping the check with a real consumer")
	return ""
}

type consumerCheck struct {
	On      string   `json:"on"`
	ID      any      `json:"id"`
	Attr    string   `json:"attr"`
	Value   any      `json:"value"`
	Formats []string `json:"formats,omitempty"`
}

// TestNetworkXReadsExports exports the founding data and the fixture as
// GraphML, GEXF and node-link JSON and has NetworkX load each, checking the
// counts and attributes against the store.
func TestNetworkXReadsExports(t *testing.T) {
	py := python(t)
	founding := founding(t)
	fx, _ := fixture(t)
	// Symmetric relations keep the order the store gives their ends.
	edge := func(typ, from, to, validFrom string) []string {
		id := store.RelationID(typ, from, to, store.MustParseDate(validFrom), true)
		r, err := founding.FindRelationByID(context.Background(), id, store.ReadOptions{})
		if err != nil {
			t.Fatalf("founding data: %s %s %s: %v", from, typ, to, err)
		}
		return []string{r.From, r.To, r.ID}
	}
	dalianSister := edge("SISTER_CITY_OF", "enschede", "dalian", "2017")
	friendly := edge("FRIENDLY_COOPERATIVE_CITY_OF", "enschede", "dalian", "2009")
	tests := []struct {
		name   string
		st     *store.Store
		checks []consumerCheck
	}{
		{"Founding", founding, []consumerCheck{
			{On: "node", ID: "enschede", Attr: "name", Value: "Enschede", Formats: []string{"graphml", "json"}},
			{On: "node", ID: "enschede", Attr: "label", Value: "Enschede", Formats: []string{"graphml", "gexf"}},
			{On: "node", ID: "dalian", Attr: "type", Value: "City"},
			{On: "edge", ID: dalianSister, Attr: "type", Value: "SISTER_CITY_OF"},
			{On: "edge", ID: dalianSister, Attr: "validFrom", Value: "2017"},
			{On: "edge", ID: friendly, Attr: "spells", Value: []any{[]string{"2009-01-01", "2017-12-31"}}, Formats: []string{"gexf"}},
		}},
		{"Fixture", fx, []consumerCheck{
			{On: "node", ID: "enschede", Attr: "population", Value: 160000},
			{On: "node", ID: "enschede", Attr: "area", Value: 142.72},
			{On: "node", ID: "enschede", Attr: "capital", Value: false},
			{On: "node", ID: "enschede", Attr: "founded", Value: "1325", Formats: []string{"graphml", "gexf"}},
			{On: "node", ID: "enschede", Attr: "founded", Value: map[string]any{"date": "1325"}, Formats: []string{"json"}},
			{On: "node", ID: "weird id/\"x\"", Attr: "type", Value: "Topic"},
			{On: "node", ID: "enschede", Attr: "spells", Value: []any{[]any{"1325-01-01", "None"}}, Formats: []string{"gexf"}},
			{On: "edge", ID: []string{"onno", "enschede", "mayor-onno"}, Attr: "properties.type", Value: "property called type", Formats: []string{"graphml", "gexf"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var stats ExportStats
			for _, f := range []Format{GraphML, GEXF, JSON} {
				var b bytes.Buffer
				var err error
				stats, err = Export(context.Background(), tt.st, &b, ExportOptions{Format: f})
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "graph."+f.Extension()), b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			expect, _ := json.Marshal(map[string]any{"nodes": stats.Entities, "edges": stats.Relations, "checks": tt.checks})
			if err := os.WriteFile(filepath.Join(dir, "expect.json"), expect, 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(py, filepath.Join("testdata", "consumers.py"), dir).CombinedOutput()
			if err != nil {
				t.Fatalf("NetworkX: %v\n%s", err, out)
			}
			t.Logf("%s", out)
		})
	}
}

// TestNetworkXReadsNodeLinkChart has NetworkX load the chart document of a
// neighbourhood (the GraphQL nodeLink field) as the directed multigraph it
// is: Enschede and Dalian are joined by two relations, which a simple
// graph would merge.
func TestNetworkXReadsNodeLinkChart(t *testing.T) {
	py := python(t)
	g, err := founding(t).Neighborhood(context.Background(), "dalian", store.NeighborhoodOptions{Depth: 1}, store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "chart.json")
	if err := os.WriteFile(path, NodeLink(g), 0o644); err != nil {
		t.Fatal(err)
	}
	script := `
import json, sys, warnings
import networkx as nx
with open(sys.argv[1], encoding="utf-8") as f:
    data = json.load(f)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)
    try:
        g = nx.node_link_graph(data, edges="links")
    except TypeError:
        g = nx.node_link_graph(data)
print(g.is_directed(), g.is_multigraph(), g.number_of_nodes(), g.number_of_edges())
`
	out, err := exec.Command(py, "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("NetworkX: %v\n%s", err, out)
	}
	if got, want := strings.TrimSpace(string(out)), fmt.Sprintf("True True %d %d", len(g.Nodes), len(g.Edges)); got != want {
		t.Errorf("NetworkX read directed, multigraph, nodes, edges: got %s, want %s", got, want)
	}
}

// TestGraphvizRendersDOT renders the DOT export of the founding data and
// the fixture with dot -Tsvg and counts the nodes and edges drawn.
func TestGraphvizRendersDOT(t *testing.T) {
	dot, err := exec.LookPath("dot")
	if err != nil {
		t.Skip("Graphviz is not installed (apt-get install graphviz); skipping the DOT rendering check")
	}
	fx, _ := fixture(t)
	for name, st := range map[string]*store.Store{"Founding": founding(t), "Fixture": fx} {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			stats, err := Export(context.Background(), st, &b, ExportOptions{Format: DOT})
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(dot, "-Tsvg")
			cmd.Stdin = &b
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("dot -Tsvg: %v\n%s", err, stderr.Bytes())
			}
			if stderr.Len() > 0 {
				t.Errorf("dot -Tsvg warned:\n%s", stderr.Bytes())
			}
			svg := stdout.String()
			if got, want := len(regexp.MustCompile(`class="node"`).FindAllString(svg, -1)), stats.Entities; got != want {
				t.Errorf("svg nodes: got %d, want %d", got, want)
			}
			if got, want := len(regexp.MustCompile(`class="edge"`).FindAllString(svg, -1)), stats.Relations; got != want {
				t.Errorf("svg edges: got %d, want %d", got, want)
			}
		})
	}
}

// TestPartnerNetworkExample runs examples/partner_network.py, the script a
// user copies, on a subgraph export of the founding data.
func TestPartnerNetworkExample(t *testing.T) {
	py := python(t)
	st := founding(t)
	path := filepath.Join(t.TempDir(), "enschede.json")
	data := export(t, st, JSON, Scope{From: "enschede", Depth: 2, Types: []string{"SISTER_CITY_OF", "FRIENDLY_COOPERATIVE_CITY_OF", "MEMBER_OF"}})
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, filepath.Join("..", "..", "examples", "partner_network.py"), path, "enschede").CombinedOutput()
	if err != nil {
		t.Fatalf("partner_network.py: %v\n%s", err, out)
	}
	for _, want := range []string{"Partners of Enschede:", "FRIENDLY_COOPERATIVE_CITY_OF", "Dalian", "2009..2017", "Palo Alto"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The count is of relations, as the script says and as Ties' degree
	// counts: Palo Alto once, Dalian twice (two stages of one tie),
	// Eurocities once (the city is the member).
	if !regexp.MustCompile(`(?m)^  Enschede +4$`).Match(out) {
		t.Errorf("Enschede should count 4 relations:\n%s", out)
	}
}
