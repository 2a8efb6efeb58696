package graph_test

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/ties-graph/ties/graph"
)

// TestResponseContentLength checks that answers go out with a
// Content-Length, not chunked, over real HTTP: two neighbourhoods (9 and
// 12 KiB, over net/http's 4 KiB buffer, which chunked them), a GraphQL
// error and a request error.
func TestResponseContentLength(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	for _, tc := range []struct {
		name, body string
		status     int
	}{
		{"Neighborhood", `{"query":"{ neighborhood(id: \"enschede\", depth: 3) { truncated nodes { id name type } edges { fromId toId type } } }"}`, http.StatusOK},
		{"NodeLink", `{"query":"{ neighborhood(id: \"enschede\", depth: 2) { nodeLink } }"}`, http.StatusOK},
		{"ErrNotFound", `{"query":"{ neighborhood(id: \"nowhere\") { nodes { id } } }"}`, http.StatusOK},
		{"ErrBadRequest", `{"query":`, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.Post(e.url+"/query", "application/json", strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := resp.StatusCode, tc.status; got != want {
				t.Fatalf("status %d, want %d: %s", got, want, b)
			}
			if len(resp.TransferEncoding) > 0 {
				t.Errorf("Transfer-Encoding %v, want none", resp.TransferEncoding)
			}
			if got, want := resp.Header.Get("Content-Length"), strconv.Itoa(len(b)); got != want {
				t.Errorf("Content-Length %q, want %s (the body read)", got, want)
			}
		})
	}
}
