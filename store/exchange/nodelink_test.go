package exchange

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/ties-graph/ties/store"
)

func TestNodeLinkChart(t *testing.T) {
	g := &store.Subgraph{
		Nodes: []*store.Entity{
			{ID: "a", Type: "City", Name: `A "quoted" <city>`, Description: "not drawn"},
			{ID: "b", Type: "City", Name: "B"},
		},
		Edges: []*store.Relation{{ID: "r1", Type: "SISTER_CITY_OF", From: "a", To: "b", ValidFrom: store.MustParseDate("2017-07"),
			Properties: store.Properties{"weight": store.Number(2)}}},
		Truncated: true,
	}
	var got struct {
		Directed   bool
		Multigraph bool
		Graph      map[string]any
		Nodes      []map[string]any
		Links      []map[string]any
		Truncated  bool
	}
	b := NodeLink(g)
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("NodeLink is not JSON: %v\n%s", err, b)
	}
	if !got.Directed || !got.Multigraph || got.Graph == nil || !got.Truncated {
		t.Errorf("directed %v, multigraph %v, graph %v, truncated %v; want true, true, {}, true", got.Directed, got.Multigraph, got.Graph, got.Truncated)
	}
	if want := (map[string]any{"id": "a", "type": "City", "name": g.Nodes[0].Name}); len(got.Nodes) != 2 || !equalJSON(got.Nodes[0], want) {
		t.Errorf("nodes: got %v, want 2 with the first %v", got.Nodes, want)
	}
	if want := (map[string]any{"source": "a", "target": "b", "key": "r1", "type": "SISTER_CITY_OF", "validFrom": "2017-07"}); len(got.Links) != 1 || !equalJSON(got.Links[0], want) {
		t.Errorf("links: got %v, want one, %v", got.Links, want)
	}
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "enschede", "Münster", `say "hi"`, "back\\slash", "tab\there", "<&>", "\xff\xfe", "恩斯赫德", "\u2028"} {
		got := appendJSONString(nil, s)
		want := appendJSON(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil || !bytes.Equal(got, want) {
			t.Errorf("appendJSONString(%q) = %s (%v), want %s", s, got, err, want)
		}
	}
}
