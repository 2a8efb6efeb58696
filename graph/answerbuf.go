package graph

import "sync"

// answerBuffers lends the buffers every answer of the HTTP transport is
// written in before it is sent: the dashboard's neighbourhood whole
// (directQuery), a neighbourhood spliced into gqlgen's data
// (answerSplice), and the envelope around gqlgen's data with the data
// copied in (writeResponseParts). One pool for all three, so that what a
// request returns serves the next whatever path it takes. A large
// neighbourhood is megabytes of answer (a depth-3 nodeLink on a
// power-law graph, 2.8 MB): written into a fresh buffer, every such
// request allocated that much, zeroed and, fresh from the operating
// system, page-faulted, a tenth or more of its CPU. The response writer
// copies what it is given, so a buffer is free again once written.
//
// Buffers are kept in two classes, so that the small answers a dashboard
// asks for most do not take, and keep, the large buffers a large answer
// needs; a buffer past maxKeptAnswer is dropped, so that a rare huge
// answer does not stay in memory. sync.Pool empties itself over two
// collections when idle, so what is kept follows the load.
type answerBuffers struct {
	small, large sync.Pool
}

// answerBuffer is a lent buffer; its pointer, not the slice, goes into the
// pools, which would otherwise allocate a slice header per return.
type answerBuffer struct{ b []byte }

const (
	// smallAnswer is the size up to which an answer takes a buffer of the
	// small class: the depth-2 neighbourhoods of a dashboard are 2 to
	// 20 KB.
	smallAnswer = 64 << 10
	// maxKeptAnswer is the capacity past which a buffer is not kept.
	maxKeptAnswer = 16 << 20
)

func newAnswerBuffers() *answerBuffers { return &answerBuffers{} }

// get returns an empty buffer with room for size bytes; a nil b lends a
// new one.
func (b *answerBuffers) get(size int) *answerBuffer {
	var buf *answerBuffer
	if b != nil {
		p := &b.small
		if size > smallAnswer {
			p = &b.large
		}
		buf, _ = p.Get().(*answerBuffer)
	}
	if buf == nil {
		buf = &answerBuffer{}
	}
	if cap(buf.b) < size {
		buf.b = make([]byte, 0, size)
	}
	buf.b = buf.b[:0]
	return buf
}

// put takes buf back into its class, unless it grew past maxKeptAnswer.
// buf must not be used after.
func (b *answerBuffers) put(buf *answerBuffer) {
	if b == nil || buf == nil {
		return
	}
	switch c := cap(buf.b); {
	case c > maxKeptAnswer:
	case c > smallAnswer:
		b.large.Put(buf)
	default:
		b.small.Put(buf)
	}
}
