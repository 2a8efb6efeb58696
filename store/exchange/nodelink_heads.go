package exchange

import (
	"encoding/json"
	"slices"

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

// Constant bytes of a chart document: around the lists, per node and per
// link (with the separating comma), per date member (with its quotes).
const (
	nodeLinkFrame = len(`{"directed":true,"multigraph":true,"graph":{},"nodes":[],"links":[],"truncated":false}`)
	nodeHeadBytes = len(`,{"id":"","type":"","name":""}`)
	linkHeadBytes = len(`,{"source":"","target":"","key":"","type":""}`)
	validFromLen  = len(`,"validFrom":"2017-07-05"`)
	validToLen    = len(`,"validTo":"2017-07-05"`)
)

// NodeLinkHeadsSize is the length of g's chart document when no string in
// it needs escaping (days for dates, a little over for years and
// months), plus a sixteenth: a buffer of that size takes the document
// without growing and is not much larger. A large document is a
// neighbourhood of thousands of relations, and every byte of its buffer
// is zeroed before it is written.
func NodeLinkHeadsSize(g *store.SubgraphHeads) int {
	n := nodeLinkFrame + len(g.Nodes)*nodeHeadBytes + (len(g.Edges)+len(g.Links))*linkHeadBytes
	for i := range g.Nodes {
		h := &g.Nodes[i]
		n += len(h.ID) + len(h.Type) + len(h.Name)
	}
	for i := range g.Edges {
		h := &g.Edges[i]
		n += len(h.From) + len(h.To) + len(h.ID) + len(h.Type) + datesLen(h.ValidFrom, h.ValidTo)
	}
	for i := range g.Links {
		l := &g.Links[i]
		n += len(g.Nodes[l.From].ID) + len(g.Nodes[l.To].ID) + len(g.LinkTypes[l.Type]) + datesLen(l.ValidFrom, l.ValidTo)
	}
	for _, id := range g.LinkIDs {
		n += len(id)
	}
	return n + n/16
}

func datesLen(from, to store.Date) int {
	n := 0
	if !from.IsZero() {
		n += validFromLen
	}
	if !to.IsZero() {
		n += validToLen
	}
	return n
}

// span is where a string already written lies in the document: b[start:end].
type span struct{ start, end int }

// AppendNodeLinkHeads appends NodeLinkHeads(g) to b. It is the same
// document as NodeLinkWriter's chart form, written member by member with
// the names as constants: the writer's general member (a key and an
// interface value) cost an allocation a member, and a date a string.
//
// A string that recurs is quoted and tested for escapes once and copied
// from where it was first written: each node's id (a link's source and
// target, when the relations are Links), and each type's name. A
// neighbourhood has two or three links per node, so most of the strings
// of its links are ends already written among its nodes. The constant
// bytes between two strings, quotes and the end of one element and the
// start of the next included, are one append each.
func AppendNodeLinkHeads(b []byte, g *store.SubgraphHeads) []byte {
	b = append(b, `{"directed":true,"multigraph":true,"graph":{},"nodes":[`...)
	// The spans of a small neighbourhood (a depth-2 answer is tens of
	// nodes) are kept on the stack.
	var idBuf [64]span
	var tailBuf [16]span
	var ids []span // of each node's id, quoted, for Links
	if len(g.Links) > 0 {
		ids = idBuf[:0]
		ids = slices.Grow(ids, len(g.Nodes))[:len(g.Nodes)]
	}
	var types typeSpans
	for i := range g.Nodes {
		h := &g.Nodes[i]
		if i == 0 {
			b = append(b, `{"id":"`...)
		} else {
			b = append(b, `"},{"id":"`...)
		}
		start := len(b) - 1
		b = appendInQuotes(b, h.ID)
		b = append(b, `","type":`...)
		if ids != nil {
			ids[i] = span{start, len(b) - len(`,"type":`)}
		}
		b = types.append(b, h.Type)
		b = append(b, `,"name":"`...)
		b = appendInQuotes(b, h.Name)
	}
	if len(g.Nodes) > 0 {
		b = append(b, `"}`...)
	}
	b = append(b, `],"links":[`...)
	// Each link ends with its last date or its type; the next one
	// starts with the brace that closes it.
	for i := range g.Edges {
		h := &g.Edges[i]
		if i == 0 {
			b = append(b, `{"source":`...)
		} else {
			b = append(b, `},{"source":`...)
		}
		b = appendJSONString(b, h.From)
		b = append(b, `,"target":`...)
		b = appendJSONString(b, h.To)
		b = append(b, `,"key":`...)
		b = appendJSONString(b, h.ID)
		b = append(b, `,"type":`...)
		b = types.append(b, h.Type)
		b = appendDates(b, h.ValidFrom, h.ValidTo)
	}
	// The tail of a link's key and its type member (","type":"T"), by
	// the type's place in g.LinkTypes, written as text once; a zero span
	// is one not written yet (the document's start is never a tail).
	tails := slices.Grow(tailBuf[:0], len(g.LinkTypes))[:len(g.LinkTypes)]
	for i := range g.Links {
		l := &g.Links[i]
		if i == 0 && len(g.Edges) == 0 {
			b = append(b, `{"source":`...)
		} else {
			b = append(b, `},{"source":`...)
		}
		s := ids[l.From]
		b = append(b, b[s.start:s.end]...)
		b = append(b, `,"target":`...)
		s = ids[l.To]
		b = append(b, b[s.start:s.end]...)
		b = append(b, `,"key":"`...)
		if g.LinkIDs != nil {
			b = appendInQuotes(b, g.LinkIDs[i])
		}
		if s = tails[l.Type]; s.end > 0 {
			b = append(b, b[s.start:s.end]...)
		} else {
			start := len(b)
			b = append(b, `","type":`...)
			b = appendJSONString(b, g.LinkTypes[l.Type])
			tails[l.Type] = span{start, len(b)}
		}
		b = appendDates(b, l.ValidFrom, l.ValidTo)
	}
	if len(g.Edges)+len(g.Links) > 0 {
		b = append(b, '}')
	}
	if g.Truncated {
		return append(b, `],"truncated":true}`...)
	}
	return append(b, `],"truncated":false}`...)
}

// appendDates appends a link's validity members, those that are set.
func appendDates(b []byte, validFrom, validTo store.Date) []byte {
	if !validFrom.IsZero() {
		b = append(b, `,"validFrom":"`...)
		b = append(validFrom.AppendTo(b), '"')
	}
	if !validTo.IsZero() {
		b = append(b, `,"validTo":"`...)
		b = append(validTo.AppendTo(b), '"')
	}
	return b
}

// appendInQuotes appends s as appendJSONString does, without the quotes
// around it: the constant before it ends with the opening one, the one
// after it starts with the closing one.
func appendInQuotes(b []byte, s string) []byte {
	if plainASCII(s) {
		return append(b, s...)
	}
	q := jsonText(s) // a string always encodes, quoted
	return append(b, q[1:len(q)-1]...)
}

// typeSpans remembers where the first few type names of a document were
// written. A neighbourhood has a handful of entity types, each the same
// string (the schema's) for all its entities, so the comparison is
// mostly of two equal pointers.
type typeSpans struct {
	n     int
	names [8]string
	at    [8]span
}

// append appends name quoted, copied from where it was written before
// when it was.
func (t *typeSpans) append(b []byte, name string) []byte {
	for i := range t.n {
		if t.names[i] == name {
			s := t.at[i]
			return append(b, b[s.start:s.end]...)
		}
	}
	start := len(b)
	b = appendJSONString(b, name)
	if t.n < len(t.names) {
		t.names[t.n], t.at[t.n] = name, span{start, len(b)}
		t.n++
	}
	return b
}
