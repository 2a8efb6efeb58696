package graph

import (
	"net/http"
	"slices"
	"strings"
)

// corsMaxAge is how long, in seconds, a browser may cache a preflight's
// answer: two hours, Chromium's own cap.
const corsMaxAge = "7200"

// cors answers cross-origin requests from an allowlist of origins, so that
// a dashboard served elsewhere can call the API from the browser. An
// origin not on the list gets no CORS headers at all, and the browser
// keeps the response from the page. "*" allows every origin, without
// credentials; the command line allows it only while anonymous clients
// cannot write, since any page on the web could otherwise write through
// its visitors' browsers.
type cors struct {
	origins []string
	any     bool
	next    http.Handler
}

func newCORS(origins []string, next http.Handler) http.Handler {
	if len(origins) == 0 {
		return next
	}
	return &cors{origins: origins, any: slices.Contains(origins, "*"), next: next}
}

func (c *cors) allowed(origin string) bool {
	return c.any || slices.Contains(c.origins, origin)
}

func (c *cors) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	h := w.Header()
	h.Add("Vary", "Origin")
	preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
	if origin == "" || !c.allowed(origin) {
		if preflight {
			// Answered, but without the headers that would allow it.
			w.WriteHeader(http.StatusNoContent)
			return
		}
		c.next.ServeHTTP(w, r)
		return
	}
	if c.any {
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if preflight {
		h.Add("Vary", "Access-Control-Request-Method")
		h.Add("Vary", "Access-Control-Request-Headers")
		h.Set("Access-Control-Allow-Methods", "GET, POST")
		h.Set("Access-Control-Allow-Headers", "Content-Type, Authorization")
		h.Set("Access-Control-Max-Age", corsMaxAge)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	h.Set("Access-Control-Expose-Headers", strings.Join([]string{"WWW-Authenticate", "Content-Disposition", "Retry-After"}, ", "))
	c.next.ServeHTTP(w, r)
}
