package graph_test

import (
	"net/http"
	"strings"
	"testing"
)

// A client pointed at the playground's address, or at /graphql, is told
// where GraphQL is, in JSON, with the status and Allow header the mux
// decided; the routes themselves are unchanged.
func TestMissesSayWhereGraphQLIs(t *testing.T) {
	e := newEnv(t, mutationConfig)
	for _, tc := range []struct {
		name, method, path string
		status             int
		allow, code, says  string
	}{
		{"PostToThePlayground", http.MethodPost, "/", http.StatusMethodNotAllowed, "GET, HEAD", "BAD_REQUEST", "send GraphQL requests to /query"},
		{"GraphQLPath", http.MethodPost, "/graphql", http.StatusNotFound, "", "NOT_FOUND", `no endpoint "/graphql"; GraphQL requests go to /query`},
		{"UnknownPath", http.MethodGet, "/nope", http.StatusNotFound, "", "NOT_FOUND", `no endpoint "/nope"`},
		{"PostToTheExplorer", http.MethodPost, "/explore", http.StatusMethodNotAllowed, "GET, HEAD", "BAD_REQUEST", `"POST" "/explore" is not supported; use GET, HEAD`},
		{"LongPathCut", http.MethodGet, "/" + strings.Repeat("x", 5000), http.StatusNotFound, "", "NOT_FOUND", `no endpoint "/xxxx`},
		{"LongMethodCut", strings.Repeat("M", 5000), "/explore", http.StatusMethodNotAllowed, "GET, HEAD", "BAD_REQUEST", `"MMMMMMMMMMMMMMMMMMMM" "/explore" is not supported`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.at(t).do(tc.method, tc.path, "application/json", []byte(`{"query":"{ __typename }"}`), nil)
			if r.Status != tc.status {
				t.Fatalf("status: got %d, want %d: %s", r.Status, tc.status, r.Raw)
			}
			if got := r.Header.Get("Allow"); got != tc.allow {
				t.Errorf("Allow: got %q, want %q", got, tc.allow)
			}
			if got := r.Header.Get("Content-Type"); !strings.HasPrefix(got, "application/json") {
				t.Errorf("Content-Type: got %q, want JSON", got)
			}
			if len(r.Errors) != 1 {
				t.Fatalf("want one error, got %s", r.Raw)
			}
			if got := r.Errors[0].Extensions["code"]; got != tc.code {
				t.Errorf("code: got %v, want %s", got, tc.code)
			}
			if msg := r.Errors[0].Message; !strings.Contains(msg, tc.says) || len(msg) > 300 {
				t.Errorf("message: got %q, want it to say %q, in at most 300 bytes", msg, tc.says)
			}
		})
	}
	// What the mux routes is routed as before.
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/healthz", http.StatusOK},
		{http.MethodGet, "/graphiql", http.StatusTemporaryRedirect},
		{http.MethodPost, "/query", http.StatusOK},
		{http.MethodPut, "/query", http.StatusMethodNotAllowed},
	} {
		req, err := http.NewRequest(tc.method, e.url+tc.path, strings.NewReader(`{"query":"{ __typename }"}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		res, err := noRedirects.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != tc.status {
			t.Errorf("%s %s: status %d, want %d", tc.method, tc.path, res.StatusCode, tc.status)
		}
	}
}

var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
