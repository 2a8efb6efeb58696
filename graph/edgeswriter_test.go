package graph

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/ties-graph/ties/store"
)

// TestAppendEdges holds the edges list's writer to appendHead, the
// writer of one object it replaced, over random neighbourhoods with ids
// and types that need escaping, and its size to the list's length when
// no link id does.
func TestAppendEdges(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 3))
	word := func(escapes bool) string {
		const plain = "abcxyz-019"
		const odd = "\"\\\n\u0001é\u2028<"
		n := 1 + rng.IntN(12)
		b := make([]rune, n)
		for i := range b {
			if escapes && rng.IntN(4) == 0 {
				b[i] = []rune(odd)[rng.IntN(len([]rune(odd)))]
			} else {
				b[i] = rune(plain[rng.IntN(len(plain))])
			}
		}
		return string(b)
	}
	selections := [][]shapeLeaf{
		{{"fromId", leafFromID}, {"toId", leafToID}, {"type", leafType}},
		{{"id", leafID}, {"t", leafType}, {"__typename", leafTypename}, {"a", leafFromID}},
		{{"toId", leafToID}},
		{{"__typename", leafTypename}},
		{},
	}
	for round := range 200 {
		escapes := round%2 == 1
		h := &store.SubgraphHeads{}
		for range 1 + rng.IntN(30) {
			h.Nodes = append(h.Nodes, store.EntityHead{ID: word(escapes), Type: "City", Name: "n"})
		}
		for range 1 + rng.IntN(4) {
			h.LinkTypes = append(h.LinkTypes, word(escapes))
		}
		for range rng.IntN(60) {
			h.Links = append(h.Links, store.HeadLink{
				From: int32(rng.IntN(len(h.Nodes))), To: int32(rng.IntN(len(h.Nodes))), Type: int32(rng.IntN(len(h.LinkTypes))),
			})
			h.LinkIDs = append(h.LinkIDs, word(false))
		}
		for k, sel := range selections {
			where := fmt.Sprintf("round %d, selection %d", round, k)
			s := &subgraphShape{fields: []shapeField{{alias: "edges", part: partEdges, leaves: sel}}}
			et := s.edgeText(h)
			leaves := headFragments(nil, sel, "Relation")
			got := appendEdges(nil, leaves, h, et)
			want := []byte{'['}
			for j := range h.Links {
				if j > 0 {
					want = append(want, ',')
				}
				l := &h.Links[j]
				want = appendHead(want, leaves, h.LinkIDs[j], h.LinkTypes[l.Type], "", h.Nodes[l.From].ID, h.Nodes[l.To].ID)
			}
			want = append(want, ']')
			if !bytes.Equal(got, want) {
				t.Fatalf("%s:\n got %s\nwant %s", where, got, want)
			}
			if n := et.size(h, sel); n != len(got) {
				t.Fatalf("%s: size %d, the list is %d bytes", where, n, len(got))
			}
		}
	}
}
