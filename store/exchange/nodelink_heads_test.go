package exchange

import (
	"testing"

	"github.com/ties-graph/ties/store"
)

// TestNodeLinkHeadsAsNodeLink checks that the chart document of heads is
// byte for byte the one NodeLink writes for the same entities and
// relations: strings that need escaping, missing and partial dates,
// empty lists, truncated or not.
func TestNodeLinkHeadsAsNodeLink(t *testing.T) {
	names := []string{"", "enschede", "Münster", `say "hi"`, "back\\slash", "tab\there", "<&>", "\xff\xfe", "恩斯赫德", "\u2028"}
	dates := []store.Date{{}, store.MustParseDate("2009"), store.MustParseDate("2017-07"), store.MustParseDate("2017-07-05")}
	for _, n := range []int{0, 1, len(names)} {
		for _, truncated := range []bool{false, true} {
			var g store.Subgraph
			h := store.SubgraphHeads{Truncated: truncated}
			g.Truncated = truncated
			for i := range n {
				e := store.Entity{ID: names[i] + "-id", Type: "City", Name: names[i]}
				g.Nodes = append(g.Nodes, &e)
				h.Nodes = append(h.Nodes, store.EntityHead{ID: e.ID, Type: e.Type, Name: e.Name})
			}
			for i := range n {
				r := store.Relation{ID: "r" + names[i], Type: "SISTER_CITY_OF", From: names[i] + "-id", To: names[(i+1)%n] + "-id",
					ValidFrom: dates[i%len(dates)], ValidTo: dates[(i/len(dates))%len(dates)]}
				g.Edges = append(g.Edges, &r)
				h.Edges = append(h.Edges, store.RelationHead{ID: r.ID, Type: r.Type, From: r.From, To: r.To, ValidFrom: r.ValidFrom, ValidTo: r.ValidTo})
			}
			// The same relations by reference.
			hl := store.SubgraphHeads{Nodes: h.Nodes, Truncated: truncated, LinkTypes: []string{"", "SISTER_CITY_OF"}}
			for i, e := range h.Edges {
				hl.Links = append(hl.Links, store.HeadLink{From: int32(i), To: int32((i + 1) % n), Type: 1, ValidFrom: e.ValidFrom, ValidTo: e.ValidTo})
				hl.LinkIDs = append(hl.LinkIDs, e.ID)
			}
			want := string(NodeLink(&g))
			if got := string(NodeLinkHeads(&hl)); got != want {
				t.Errorf("%d heads as links, truncated %v:\ngot  %s\nwant %s", n, truncated, got, want)
			}
			if got := string(NodeLinkHeads(&h)); got != want {
				t.Errorf("%d heads, truncated %v:\ngot  %s\nwant %s", n, truncated, got, want)
			}
			if got := string(AppendNodeLinkHeads([]byte("x"), &h)); got != "x"+want {
				t.Errorf("AppendNodeLinkHeads after x: got %s, want x%s", got, want)
			}
		}
	}
}
