package graph

import "net/http"

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
