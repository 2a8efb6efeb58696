package graph

import (
	"bytes"
	"net/http"
	"sync"
)

// responseBuffers lends writeResponse the buffers it builds answers in.
// Every answer of up to directData bytes is copied into one before its
// single write; a fresh buffer of the answer's size was an allocation,
// zeroed, per request. The response writer copies what it is given, so
// a buffer is free again once written.
type responseBuffers struct{ pool sync.Pool }

func newResponseBuffers() *responseBuffers {
	return &responseBuffers{pool: sync.Pool{New: func() any { return new(bytes.Buffer) }}}
}

// get returns an empty buffer; a nil b lends a new one.
func (b *responseBuffers) get() *bytes.Buffer {
	if b == nil {
		return new(bytes.Buffer)
	}
	buf := b.pool.Get().(*bytes.Buffer)
	buf.Reset()
	return buf
}

// put takes buf back, unless it grew past what answers written whole
// need.
func (b *responseBuffers) put(buf *bytes.Buffer) {
	if b == nil || buf.Cap() > 2*directData {
		return
	}
	b.pool.Put(buf)
}

// The header values of every GraphQL answer, shared: net/http only reads
// them, and setting them as strings cost an allocation each.
var (
	contentTypeJSON            = []string{mediaJSON + "; charset=utf-8"}
	contentTypeGraphQLResponse = []string{mediaGraphQLResponse + "; charset=utf-8"}
	cacheNoStore               = []string{"no-store"}
)

// setResponseHeaders sets Content-Type (media, in UTF-8) and
// Cache-Control: no-store.
func setResponseHeaders(h http.Header, media string) {
	switch media {
	case mediaJSON:
		h["Content-Type"] = contentTypeJSON
	case mediaGraphQLResponse:
		h["Content-Type"] = contentTypeGraphQLResponse
	default:
		h.Set("Content-Type", media+"; charset=utf-8")
	}
	h["Cache-Control"] = cacheNoStore
}
