package graph

import (
	"fmt"
	"net/http"

	"github.com/ties-graph/ties/store"
)

// answerMisses answers the requests mux has no handler for, an unknown
// path or a method its path does not take, in JSON like every other
// error of the server, and says where GraphQL is. The README gives the
// playground's address, http://localhost:8080/, and clients pointed at it
// (or at /graphql, the path many assume) got a bare "Method Not Allowed"
// or "404 page not found" that did not say what to do instead.
//
// The mux still routes every request: its answer for a miss is only
// looked at, through a recorder, to keep its status and Allow header. The
// lookup ahead of routing costs some 60 ns and no allocation per request
// (measured on this mux's patterns), against tens of microseconds for
// the cheapest query.
func answerMisses(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		var rec missRecorder
		h.ServeHTTP(&rec, r)
		if rec.status == http.StatusMethodNotAllowed {
			allow := rec.header.Get("Allow")
			w.Header().Set("Allow", allow)
			// Cut, as the path: a client chooses both, and any length.
			msg := fmt.Sprintf("%.20q %.100q is not supported; use %s", r.Method, r.URL.Path, allow)
			if r.URL.Path == "/" {
				msg = fmt.Sprintf("%.20q / is not supported: / serves the playground to browsers; send GraphQL requests to /query", r.Method)
			}
			writeHTTPError(w, mediaJSON, http.StatusMethodNotAllowed, codeBadRequest, msg)
			return
		}
		writeHTTPError(w, mediaJSON, http.StatusNotFound, string(store.NotFound),
			fmt.Sprintf("no endpoint %.100q; GraphQL requests go to /query, the playground is at /", r.URL.Path))
	})
}

// missRecorder keeps the status and headers of the mux's answer to a
// miss, and drops its text.
type missRecorder struct {
	header http.Header
	status int
}

func (m *missRecorder) Header() http.Header {
	if m.header == nil {
		m.header = http.Header{}
	}
	return m.header
}

func (m *missRecorder) Write(b []byte) (int, error) {
	if m.status == 0 {
		m.status = http.StatusOK
	}
	return len(b), nil
}

func (m *missRecorder) WriteHeader(status int) {
	if m.status == 0 {
		m.status = status
	}
}
