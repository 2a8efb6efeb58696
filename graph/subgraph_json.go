package graph

import (
	"bytes"
	"context"
	"io"

	"github.com/99designs/gqlgen/graphql"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/exchange"
)

// The neighbourhood a dashboard draws (nodes { id name type }, edges
// { fromId toId type }) is written here, not by gqlgen's executor. gqlgen
// marshals each element of an object list in a goroutine of its own, with
// a field context per element and per field: for the 500 entities of a
// depth-3 neighbourhood that was most of the response time, several times
// what the walk itself costs. A selection made only of the fields below
// and nodeLink (aliases, fragments, @skip and @include allowed) is answered from
// store.NeighborhoodHeads and written straight to the response; any other
// selection, such as a field with arguments or a field added later, goes
// through gqlgen as before. nodeLink, already one JSON document, is written
// from heads too, since its chart form holds nothing else. The resolver, the arguments,
// the limits, complexity and admission are gqlgen's either way: only the
// writing of the result differs.

// headLeaf is one scalar field of an element of nodes or edges.
type headLeaf uint8

const (
	leafTypename headLeaf = iota
	leafID
	leafType
	leafName   // Entity.name
	leafFromID // Relation.fromId
	leafToID   // Relation.toId
)

// entityLeaves and relationLeaves are the fields written here, by name.
var (
	entityLeaves   = map[string]headLeaf{"__typename": leafTypename, "id": leafID, "type": leafType, "name": leafName}
	relationLeaves = map[string]headLeaf{"__typename": leafTypename, "id": leafID, "type": leafType, "fromId": leafFromID, "toId": leafToID}
)

// headsArguments are the arguments of neighborhood that
// store.NeighborhoodHeads honours as Store.Neighborhood does. A query that
// gives any other (one added to the schema later, such as a filter that
// only Store.Neighborhood knows) takes gqlgen's path.
var headsArguments = map[string]bool{
	"id": true, "depth": true, "types": true, "direction": true, "entityTypes": true,
	"validAt": true, "during": true, "datedOnly": true, "limit": true, "asOf": true,
}

// subgraphPart is a field of Subgraph.
type subgraphPart uint8

const (
	partTypename subgraphPart = iota
	partTruncated
	partNodes
	partEdges
	partNodeLink
)

type shapeLeaf struct {
	alias string
	leaf  headLeaf
}

type shapeField struct {
	alias  string
	part   subgraphPart
	leaves []shapeLeaf // of nodes and edges
}

// subgraphShape is a neighbourhood selection this file can write.
type subgraphShape struct {
	fields      []shapeField
	edges       bool // edges are asked for
	relationIDs bool // with their ids
}

// planSubgraph returns the shape of field's selection, or false when it
// asks for anything this file does not write.
func planSubgraph(oc *graphql.OperationContext, field graphql.CollectedField) (*subgraphShape, bool) {
	if len(field.Deferrables) > 0 {
		return nil, false
	}
	for _, a := range field.Arguments {
		if !headsArguments[a.Name] {
			return nil, false
		}
	}
	s := &subgraphShape{}
	for _, f := range graphql.CollectFields(oc, field.Selections, subgraphImplementors) {
		if !plainField(f) {
			return nil, false
		}
		sf := shapeField{alias: f.Alias}
		switch f.Name {
		case "__typename":
			sf.part = partTypename
		case "truncated":
			sf.part = partTruncated
		case "nodeLink":
			// The chart document holds heads only (exchange.NodeLinkHeads).
			sf.part = partNodeLink
			s.edges, s.relationIDs = true, true
		case "nodes", "edges":
			sf.part = partNodes
			leaves, implementors := entityLeaves, entityImplementors
			if f.Name == "edges" {
				sf.part, leaves, implementors = partEdges, relationLeaves, relationImplementors
				s.edges = true
			}
			for _, l := range graphql.CollectFields(oc, f.Selections, implementors) {
				k, ok := leaves[l.Name]
				if !ok || !plainField(l) {
					return nil, false
				}
				if sf.part == partEdges && k == leafID {
					s.relationIDs = true
				}
				sf.leaves = append(sf.leaves, shapeLeaf{alias: l.Alias, leaf: k})
			}
		default:
			return nil, false
		}
		s.fields = append(s.fields, sf)
	}
	return s, true
}

// plainField reports whether f takes no arguments, is not deferred and
// carries no directive but @skip and @include (which CollectFields has
// already applied).
func plainField(f graphql.CollectedField) bool {
	if len(f.Arguments) > 0 || len(f.Deferrables) > 0 {
		return false
	}
	for _, d := range f.Directives {
		if d.Name != "skip" && d.Name != "include" {
			return false
		}
	}
	return true
}

// headsSlot carries a shape from the root field middleware to the
// resolver, and the heads the resolver read back.
type headsSlot struct {
	shape *subgraphShape
	heads *store.SubgraphHeads
}

type headsSlotKey struct{}

// headsSlotFor returns the slot of the neighbourhood field being
// resolved, or nil when its selection is not one this file writes.
func headsSlotFor(ctx context.Context) *headsSlot {
	s, _ := ctx.Value(headsSlotKey{}).(*headsSlot)
	return s
}

// resolve reads the heads for the slot's shape. The Subgraph it returns
// holds no nodes or edges and is never marshaled: writeHeadsField hands
// gqlgen the slot's writer in its place.
func (s *headsSlot) resolve(ctx context.Context, st *store.Store, id string, opts store.NeighborhoodOptions, ro store.ReadOptions) (*store.Subgraph, error) {
	h, err := st.NeighborhoodHeads(ctx, id, opts, store.HeadOptions{Edges: s.shape.edges, RelationIDs: s.shape.relationIDs, Links: true}, ro)
	if err != nil {
		return nil, err
	}
	s.heads = h
	return &store.Subgraph{Truncated: h.Truncated}, nil
}

// writeSubgraphHeads is the root field middleware that plans the
// neighbourhood fields it can write (plans remembered by c) and writes
// them.
func (c *shapeCache) writeSubgraphHeads(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	rfc := graphql.GetRootFieldContext(ctx)
	if rfc == nil || rfc.Field.Name != "neighborhood" || rfc.Field.ObjectDefinition == nil || rfc.Field.ObjectDefinition.Name != "Query" {
		return next(ctx)
	}
	shape, ok := c.plan(graphql.GetOperationContext(ctx), rfc.Field)
	if !ok {
		return next(ctx)
	}
	slot := &headsSlot{shape: shape}
	// With heads read, m is their writer (writeHeadsField); without, an
	// error already reported, and m its null.
	return next(context.WithValue(ctx, headsSlotKey{}, slot))
}

// write writes h as the JSON object of the shape's selection, with
// gqlgen's string quoting.
func (s *subgraphShape) write(w io.Writer, h *store.SubgraphHeads) {
	// gqlgen collects the response in a bytes.Buffer: appending to its
	// free space and handing it back is one copy in place, where a
	// buffer of our own cost an allocation (zeroed) and the response
	// buffer growing in steps to take it. Any other writer gets one
	// write, so that small pieces never reach a network writer singly.
	et := s.edgeText(h)
	est := s.estimate(h, et)
	var b []byte
	if buf, ok := w.(*bytes.Buffer); ok {
		buf.Grow(est)
		b = buf.AvailableBuffer()
	} else {
		b = make([]byte, 0, est)
	}
	_, _ = w.Write(s.appendJSON(b, h, et))
}

// estimate is about the length of h written in the shape, et being
// s.edgeText(h): a little more for nodes, exact for an edges list and a
// nodeLink document whose strings need no escaping.
func (s *subgraphShape) estimate(h *store.SubgraphHeads, et *edgeText) int {
	est := 64
	for _, f := range s.fields {
		switch f.part {
		case partNodes:
			est += len(h.Nodes) * (24*len(f.leaves) + 8)
		case partEdges:
			est += et.size(h, f.leaves)
		case partNodeLink:
			est += exchange.NodeLinkHeadsSize(h)
		}
	}
	return est
}

// appendJSON appends h as the JSON object of the shape's selection, et
// being s.edgeText(h).
func (s *subgraphShape) appendJSON(b []byte, h *store.SubgraphHeads, et *edgeText) []byte {
	b = append(b, '{')
	var leafBuf [8]headFragment
	leaves := leafBuf[:0]
	for i, f := range s.fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, f.alias)
		b = append(b, ':')
		switch f.part {
		case partTypename:
			b = append(b, `"Subgraph"`...)
		case partTruncated:
			if h.Truncated {
				b = append(b, "true"...)
			} else {
				b = append(b, "false"...)
			}
		case partNodeLink:
			b = exchange.AppendNodeLinkHeads(b, h)
		case partNodes:
			leaves = headFragments(leaves[:0], f.leaves, "Entity")
			b = append(b, '[')
			for j := range h.Nodes {
				if j > 0 {
					b = append(b, ',')
				}
				n := &h.Nodes[j]
				b = appendHead(b, leaves, n.ID, n.Type, n.Name, "", "")
			}
			b = append(b, ']')
		case partEdges:
			leaves = headFragments(leaves[:0], f.leaves, "Relation")
			b = appendEdges(b, leaves, h, et)
		}
	}
	return append(b, '}')
}

// headFragment is one leaf of a node or edge object as the writer needs
// it: the bytes before its value ({"alias": for the first leaf, ,"alias":
// for the others), and, for __typename, the whole quoted value.
type headFragment struct {
	prefix []byte
	leaf   headLeaf
}

// headFragments appends the fragments of leaves, the object's type name
// being typename, their bytes in one allocation. They are built once per
// list, not once per element.
func headFragments(frags []headFragment, leaves []shapeLeaf, typename string) []headFragment {
	n := 0
	for _, l := range leaves {
		n += len(l.alias) + len(typename) + 8
	}
	buf := make([]byte, 0, n)
	for i, l := range leaves {
		start := len(buf)
		if i == 0 {
			buf = append(buf, '{')
		} else {
			buf = append(buf, ',')
		}
		buf = appendJSONString(buf, l.alias)
		buf = append(buf, ':')
		if l.leaf == leafTypename {
			buf = appendJSONString(buf, typename)
		}
		frags = append(frags, headFragment{leaf: l.leaf, prefix: buf[start:len(buf):len(buf)]})
	}
	return frags
}

// appendHead writes one node or edge object with the leaves the selection
// asks for, in its order. The schema keeps each leaf to its type (a
// relation has no name, an entity no ends), so one writer serves both.
func appendHead(b []byte, leaves []headFragment, id, typ, name, from, to string) []byte {
	if len(leaves) == 0 {
		return append(b, "{}"...)
	}
	for i := range leaves {
		l := &leaves[i]
		b = append(b, l.prefix...)
		switch l.leaf {
		case leafID:
			b = appendJSONString(b, id)
		case leafType:
			b = appendJSONString(b, typ)
		case leafName:
			b = appendJSONString(b, name)
		case leafFromID:
			b = appendJSONString(b, from)
		case leafToID:
			b = appendJSONString(b, to)
		}
	}
	return append(b, '}')
}

// appendJSONString appends s quoted as gqlgen's MarshalString writes it,
// so that a response reads the same whichever path wrote it.
func appendJSONString(b []byte, s string) []byte {
	if quotePlain(s) {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	var w sliceWriter
	w.b = b
	graphql.MarshalString(s).MarshalGQL(&w)
	return w.b
}

// quotePlain reports whether gqlgen's quoting leaves s as it is: no
// control character, quote or backslash. It tests eight bytes at a time
// (a zero byte of x^c is a byte equal to c; see "Bit Twiddling Hacks",
// haszero and hasless): the strings of a large answer are mostly ids of
// ten or twenty bytes, and the loop a byte at a time was most of their
// writing.
func quotePlain(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		_ = s[i+7]
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		q, bs := x^(ones*'"'), x^(ones*'\\')
		if ((x-ones*0x20)&^x|(q-ones)&^q|(bs-ones)&^bs)&highs != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// sliceWriter is an io.Writer appending to a slice.
type sliceWriter struct{ b []byte }

func (w *sliceWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}
