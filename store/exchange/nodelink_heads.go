package exchange

import (
	"bytes"
	"encoding/json"

	"github.com/ties-graph/ties/store"
)

// NodeLinkHeads is NodeLink for a neighbourhood read as heads
// (store.NeighborhoodHeads with relation ids): a chart document holds
// only what heads hold, so it is written byte for byte the same without
// reading or decoding whole bodies.
func NodeLinkHeads(g *store.SubgraphHeads) json.RawMessage {
	var b bytes.Buffer
	b.Grow(64 + 64*len(g.Nodes) + 128*len(g.Edges))
	n := NewNodeLinkWriter(&b, true)
	// A bytes.Buffer does not fail.
	n.Begin(nil)
	for i := range g.Nodes {
		h := &g.Nodes[i]
		n.nodeHead(h.ID, h.Type, h.Name)
		n.element()
	}
	n.Links()
	for i := range g.Edges {
		h := &g.Edges[i]
		n.linkHead(h.From, h.To, h.ID, h.Type, h.ValidFrom, h.ValidTo)
		n.element()
	}
	n.End("truncated", g.Truncated)
	return b.Bytes()
}
