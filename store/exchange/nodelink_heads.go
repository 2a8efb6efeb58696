package exchange

import (
	"encoding/json"

	"github.com/ties-graph/ties/store"
)

// NodeLinkHeads is NodeLink for a neighbourhood read as heads
// (store.NeighborhoodHeads with relation ids, as Edges or as Links, or
// both, the Edges first): a chart document holds
// only what heads hold, so it is written byte for byte the same without
// reading or decoding whole bodies.
func NodeLinkHeads(g *store.SubgraphHeads) json.RawMessage {
	return AppendNodeLinkHeads(make([]byte, 0, NodeLinkHeadsSize(g)), g)
}

// NodeLinkHeadsSize is about the length of g's chart document, for a
// buffer that takes it without growing.
func NodeLinkHeadsSize(g *store.SubgraphHeads) int {
	return 96 + 64*len(g.Nodes) + 128*(len(g.Edges)+len(g.Links))
}

// AppendNodeLinkHeads appends NodeLinkHeads(g) to b. It is the same
// document as NodeLinkWriter's chart form, written member by member with
// the names as constants: the writer's general member (a key and an
// interface value) cost an allocation a member, and a date a string.
func AppendNodeLinkHeads(b []byte, g *store.SubgraphHeads) []byte {
	b = append(b, `{"directed":true,"multigraph":true,"graph":{},"nodes":[`...)
	for i := range g.Nodes {
		h := &g.Nodes[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":`...)
		b = appendJSONString(b, h.ID)
		b = append(b, `,"type":`...)
		b = appendJSONString(b, h.Type)
		b = append(b, `,"name":`...)
		b = appendJSONString(b, h.Name)
		b = append(b, '}')
	}
	b = append(b, `],"links":[`...)
	for i := range g.Edges {
		h := &g.Edges[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = appendLinkHead(b, h.From, h.To, h.ID, h.Type, h.ValidFrom, h.ValidTo)
	}
	for i := range g.Links {
		l := &g.Links[i]
		if i > 0 || len(g.Edges) > 0 {
			b = append(b, ',')
		}
		var id string
		if g.LinkIDs != nil {
			id = g.LinkIDs[i]
		}
		b = appendLinkHead(b, g.Nodes[l.From].ID, g.Nodes[l.To].ID, id, g.LinkTypes[l.Type], l.ValidFrom, l.ValidTo)
	}
	if g.Truncated {
		return append(b, `],"truncated":true}`...)
	}
	return append(b, `],"truncated":false}`...)
}

// appendLinkHead appends one link of a chart document.
func appendLinkHead(b []byte, from, to, id, typ string, validFrom, validTo store.Date) []byte {
	b = append(b, `{"source":`...)
	b = appendJSONString(b, from)
	b = append(b, `,"target":`...)
	b = appendJSONString(b, to)
	b = append(b, `,"key":`...)
	b = appendJSONString(b, id)
	b = append(b, `,"type":`...)
	b = appendJSONString(b, typ)
	if !validFrom.IsZero() {
		b = append(b, `,"validFrom":"`...)
		b = append(validFrom.AppendTo(b), '"')
	}
	if !validTo.IsZero() {
		b = append(b, `,"validTo":"`...)
		b = append(validTo.AppendTo(b), '"')
	}
	return append(b, '}')
}
