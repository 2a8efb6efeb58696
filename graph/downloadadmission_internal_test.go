package graph

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// An export takes a worker when it reads more than an entity and its
// relations; one the handler refuses at once takes none.
func TestExportWeight(t *testing.T) {
	for _, tc := range []struct {
		method, query string
		want          int64
	}{
		{http.MethodGet, "", 1},
		{http.MethodGet, "format=graphml&types=MEMBER_OF", 1},
		{http.MethodGet, "from=enschede", 0},
		{http.MethodGet, "from=enschede&depth=1", 0},
		{http.MethodGet, "from=enschede&depth=0", 0},
		{http.MethodGet, "from=enschede&depth=2", 1},
		{http.MethodGet, "from=enschede&depth=two", 0},
		{http.MethodHead, "", 0},
		{http.MethodPost, "", 0},
	} {
		r := httptest.NewRequest(tc.method, "/export?"+tc.query, nil)
		if got := exportWeight(r); got != tc.want {
			t.Errorf("%s /export?%s: weight %d, want %d", tc.method, tc.query, got, tc.want)
		}
	}
}
