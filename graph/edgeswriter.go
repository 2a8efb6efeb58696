package graph

import (
	"github.com/ties-graph/ties/store"
)

// edgeText is what the writer of `edges` knows before it writes: each
// node's id and each relation type's name quoted once, in one small
// buffer, and the answer's exact length when nothing else needs escaping.
//
// A neighbourhood has two to four relations per node, each naming two
// nodes and a type. Written string by string, every end was tested for
// escapes again (a fifth of a power-law depth-3 answer's CPU) and copied
// from the entity body it lies in, one cache line somewhere in the read
// cache per end; quoted once, an end is one copy from a buffer of a few
// tens of kilobytes that stays in the CPU's cache.
type edgeText struct {
	buf   []byte
	nodes []span32 // the quoted id of h.Nodes[i], in buf
	types []span32 // the quoted name of h.LinkTypes[i], in buf
}

// span32 is where a quoted string lies in edgeText.buf.
type span32 struct{ start, end int32 }

// newEdgeText quotes what the edges lists of a selection name: the
// ends' ids when one asks for fromId or toId (ends), the types' names when
// one asks for type (types). It returns nil when there is nothing to
// quote.
func newEdgeText(h *store.SubgraphHeads, ends, types bool) *edgeText {
	if !ends && !types || len(h.Links) == 0 {
		return nil
	}
	n := 0
	if ends {
		for i := range h.Nodes {
			n += len(h.Nodes[i].ID) + 2
		}
	}
	if types {
		for _, t := range h.LinkTypes {
			n += len(t) + 2
		}
	}
	t := &edgeText{buf: make([]byte, 0, n+n/16)}
	if ends {
		t.nodes = make([]span32, len(h.Nodes))
		for i := range h.Nodes {
			t.nodes[i] = t.quote(h.Nodes[i].ID)
		}
	}
	if types {
		t.types = make([]span32, len(h.LinkTypes))
		for i, name := range h.LinkTypes {
			if name != "" {
				t.types[i] = t.quote(name)
			}
		}
	}
	return t
}

func (t *edgeText) quote(s string) span32 {
	start := len(t.buf)
	t.buf = appendJSONString(t.buf, s)
	return span32{int32(start), int32(len(t.buf))}
}

// size is the length of the list of h's links with leaves, when no link
// id needs escaping.
func (t *edgeText) size(h *store.SubgraphHeads, leaves []shapeLeaf) int {
	per := 1 // the comma before the next
	if len(leaves) == 0 {
		per += len("{}")
	} else {
		per += len("}")
	}
	for _, l := range leaves {
		per += len(l.alias) + 4 // {"alias": or ,"alias":
		if l.leaf == leafTypename {
			per += len(`"Relation"`)
		}
	}
	n := len("[]") + len(h.Links)*per
	if len(h.Links) > 0 {
		n-- // no comma before the first
	}
	for _, f := range leaves {
		switch f.leaf {
		case leafFromID, leafToID:
			for i := range h.Links {
				l := &h.Links[i]
				s := t.nodes[l.From]
				if f.leaf == leafToID {
					s = t.nodes[l.To]
				}
				n += int(s.end - s.start)
			}
		case leafType:
			for i := range h.Links {
				s := t.types[h.Links[i].Type]
				n += int(s.end - s.start)
			}
		case leafID:
			for _, id := range h.LinkIDs {
				n += len(id) + 2
			}
		}
	}
	return n
}

// appendEdges writes h's links as the list of edge objects with leaves,
// byte for byte what appendHead writes for each: the same leaves in the
// same order, strings quoted the same way.
func appendEdges(b []byte, leaves []headFragment, h *store.SubgraphHeads, t *edgeText) []byte {
	b = append(b, '[')
	for j := range h.Links {
		if j > 0 {
			b = append(b, ',')
		}
		if len(leaves) == 0 {
			b = append(b, "{}"...)
			continue
		}
		l := &h.Links[j]
		for i := range leaves {
			f := &leaves[i]
			b = append(b, f.prefix...)
			switch f.leaf {
			case leafID:
				var id string
				if h.LinkIDs != nil {
					id = h.LinkIDs[j]
				}
				b = appendJSONString(b, id)
			case leafType:
				s := t.types[l.Type]
				b = append(b, t.buf[s.start:s.end]...)
			case leafFromID:
				s := t.nodes[l.From]
				b = append(b, t.buf[s.start:s.end]...)
			case leafToID:
				s := t.nodes[l.To]
				b = append(b, t.buf[s.start:s.end]...)
			}
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// edgeText quotes, for h, what the shape's edges lists name, or returns
// nil when it has none.
func (s *subgraphShape) edgeText(h *store.SubgraphHeads) *edgeText {
	var ends, types bool
	for _, f := range s.fields {
		if f.part != partEdges {
			continue
		}
		for _, l := range f.leaves {
			switch l.leaf {
			case leafFromID, leafToID:
				ends = true
			case leafType:
				types = true
			}
		}
	}
	return newEdgeText(h, ends, types)
}
