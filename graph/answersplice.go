package graph

import (
	"bytes"
	"context"
	"io"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/ties-graph/ties/store"
)

// answerSplice keeps the neighbourhoods of an answer gqlgen executes out
// of gqlgen's response buffer. gqlgen marshals a query's data into a
// bytes.Buffer of its own, new per request: a planned neighbourhood's
// writer appended its megabytes there, so that buffer grew to the
// answer's size, a fresh zeroed allocation per request. Under an
// answerSplice the writer writes into a buffer lent by answerBuffers
// instead, and notes where in gqlgen's data it belongs; the transport
// then sends the data in parts, the neighbourhoods in their places, and
// returns the buffers (httpTransport.Do). The bytes sent are the same.
//
// Only the HTTP transport makes one, for the one response it sends; the
// streams (SSE, websockets) and every other writer get the bytes
// written in place, as before.
type answerSplice struct {
	buffers *answerBuffers

	mu    sync.Mutex
	into  *bytes.Buffer // gqlgen's buffer, the first one written to
	parts []splicedPart
}

// splicedPart is a neighbourhood's JSON and where it belongs in the data.
type splicedPart struct {
	at  int // the offset in into's bytes
	buf *answerBuffer
}

type answerSpliceKey struct{}

// withAnswerSplice returns ctx carrying s for the writers of the
// neighbourhoods below.
func withAnswerSplice(ctx context.Context, s *answerSplice) context.Context {
	return context.WithValue(ctx, answerSpliceKey{}, s)
}

// mayHoldNeighborhood reports whether op may have a neighbourhood root
// field: a field of that name, or a fragment, at its top.
func mayHoldNeighborhood(op *ast.OperationDefinition) bool {
	if op == nil || op.Operation != ast.Query {
		return false
	}
	for _, s := range op.SelectionSet {
		switch s := s.(type) {
		case *ast.Field:
			if s.Name == "neighborhood" {
				return true
			}
		default:
			return true
		}
	}
	return false
}

// headsWriter is the result handed to gqlgen for the neighbourhood of
// slot, its heads read: their writer, into ctx's answerSplice if it has
// one.
func headsWriter(ctx context.Context, slot *headsSlot) graphql.Marshaler {
	shape, h := slot.shape, slot.heads
	s, _ := ctx.Value(answerSpliceKey{}).(*answerSplice)
	return graphql.WriterFunc(func(w io.Writer) {
		if s == nil || !s.add(w, shape, h) {
			shape.write(w, h)
		}
	})
}

// add writes h in shape into a buffer of its own, to be placed at the
// end of what w holds now, and reports whether it did: only w that is
// the buffer of gqlgen's one response is spliced.
func (s *answerSplice) add(w io.Writer, shape *subgraphShape, h *store.SubgraphHeads) bool {
	into, ok := w.(*bytes.Buffer)
	if !ok {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.into == nil {
		s.into = into
	} else if s.into != into {
		return false
	}
	et := shape.edgeText(h)
	buf := s.buffers.get(shape.estimate(h, et))
	buf.b = shape.appendJSON(buf.b, h, et)
	s.parts = append(s.parts, splicedPart{at: into.Len(), buf: buf})
	return true
}

// data returns the parts of the response data that gqlgen wrote, with
// the spliced neighbourhoods in their places, or nil when nothing was
// spliced into it: none was written, or data is not the buffer they were
// noted in (a response middleware replaced it, as a failed mutation's
// null), and the neighbourhoods have no place in it.
func (s *answerSplice) data(data []byte) [][]byte {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.parts) == 0 || s.into == nil || !sameBytes(s.into.Bytes(), data) {
		return nil
	}
	out := make([][]byte, 0, 2*len(s.parts)+1)
	prev := 0
	for _, p := range s.parts {
		out = append(out, data[prev:p.at], p.buf.b)
		prev = p.at
	}
	return append(out, data[prev:])
}

// release returns the buffers; the parts data returned are not to be
// used after.
func (s *answerSplice) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.parts {
		s.buffers.put(p.buf)
	}
	s.parts, s.into = nil, nil
}

// sameBytes reports whether a and b are the same bytes in memory.
func sameBytes(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}
