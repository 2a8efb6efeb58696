package exchange

import (
	"fmt"
	"math/rand/v2"
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
			if got := string(AppendNodeLinkHeads([]byte("x"), &hl)); got != "x"+want {
				t.Errorf("AppendNodeLinkHeads of links after x: got %s, want x%s", got, want)
			}
		}
	}
}

// TestNodeLinkHeadsRandom holds the chart document of links to NodeLink's
// on random neighbourhoods: strings copied from where they were first
// written (ends, type names, more entity types than are remembered),
// ids that need escaping, parallel links and self-loops, and the size
// estimate, which a document without escapes must not exceed.
func TestNodeLinkHeadsRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 14))
	strs := []string{"a", "enschede", "Münster", `q"uote`, "b\\s", "tab\t", "\u2028", "\xff", "a-rather-longer-identifier-0123456789"}
	for round := range 200 {
		plain := round%2 == 0
		pick := func(i int) string {
			if plain {
				return fmt.Sprintf("s%d-%d", i, rng.IntN(1000))
			}
			return strs[rng.IntN(len(strs))] + fmt.Sprint(i)
		}
		var g store.Subgraph
		h := store.SubgraphHeads{Truncated: rng.IntN(2) == 0}
		g.Truncated = h.Truncated
		entityTypes := make([]string, 1+rng.IntN(12))
		for i := range entityTypes {
			entityTypes[i] = "Type" + fmt.Sprint(i)
			if !plain && i%3 == 1 {
				entityTypes[i] += `"`
			}
		}
		n := rng.IntN(40)
		for i := range n {
			e := store.Entity{ID: pick(i), Type: entityTypes[rng.IntN(len(entityTypes))], Name: pick(i)}
			g.Nodes = append(g.Nodes, &e)
			h.Nodes = append(h.Nodes, store.EntityHead{ID: e.ID, Type: e.Type, Name: e.Name})
		}
		h.LinkTypes = []string{"", "SISTER_CITY_OF", "MEMBER_OF", "odd\ttype"}
		if plain {
			h.LinkTypes[3] = "INVITED"
		}
		dates := []store.Date{{}, store.MustParseDate("2009"), store.MustParseDate("2017-07"), store.MustParseDate("2017-07-05")}
		ids := rng.IntN(2) == 0
		for i := range 3 * n {
			from, to := rng.IntN(n), rng.IntN(n)
			l := store.HeadLink{From: int32(from), To: int32(to), Type: int32(1 + rng.IntN(3)),
				ValidFrom: dates[rng.IntN(len(dates))], ValidTo: dates[rng.IntN(len(dates))]}
			r := store.Relation{Type: h.LinkTypes[l.Type], From: h.Nodes[from].ID, To: h.Nodes[to].ID, ValidFrom: l.ValidFrom, ValidTo: l.ValidTo}
			if ids {
				r.ID = pick(i)
				h.LinkIDs = append(h.LinkIDs, r.ID)
			}
			h.Links = append(h.Links, l)
			g.Edges = append(g.Edges, &r)
		}
		want := string(NodeLink(&g))
		if got := string(AppendNodeLinkHeads([]byte("xy"), &h)); got != "xy"+want {
			t.Fatalf("round %d:\ngot  %s\nwant xy%s", round, got, want)
		}
		if size := NodeLinkHeadsSize(&h); plain && len(want) > size {
			t.Errorf("round %d: document of %d bytes, estimated %d", round, len(want), size)
		}
	}
}
