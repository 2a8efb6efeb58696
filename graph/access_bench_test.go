package graph

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ties-graph/ties/store"
)

// BenchmarkAuth measures what the guard adds to a request: parsing the
// header, a SHA-256 of the token, a map lookup and the scope check, with
// 1,000 keys in the store and a handler that does nothing. BENCHMARKS.md
// quotes it.
func BenchmarkAuth(b *testing.B) {
	st, err := store.Open(b.TempDir(), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	var token string
	for i := range 1000 {
		_, tok, err := st.CreateAPIKey(ctx, store.NewAPIKey{Name: fmt.Sprintf("key-%04d", i), Scope: store.ScopeWrite})
		if err != nil {
			b.Fatal(err)
		}
		if i == 500 {
			token = tok
		}
	}
	noop := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	for _, bc := range []struct {
		name   string
		access *Access
		header string
	}{
		{"Off", nil, ""},
		{"Anonymous", &Access{Anonymous: store.ScopeRead}, ""},
		{"Key", &Access{Anonymous: store.ScopeNone}, "Bearer " + token},
		{"UnknownKey", &Access{Anonymous: store.ScopeNone}, "Bearer ties_0000000000000000000000000000000000000000000"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			h := guard{store: st, access: bc.access}.require(store.ScopeRead, "a query", true, noop)
			req := httptest.NewRequest(http.MethodPost, "/query", nil)
			if bc.header != "" {
				req.Header.Set("Authorization", bc.header)
			}
			w := httptest.NewRecorder()
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(w, req)
			}
		})
	}
}
