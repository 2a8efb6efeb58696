package exchange

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store"
)

// TestImportSlotsShared: one API key cannot take every upload slot.
// Before, a member who kept MaxConcurrentImports uploads trickling (each
// just above the slowest rate allowed) had every other member's import
// refused with UNAVAILABLE for as long as they liked. Now a key holds at
// most one slot; its further uploads are refused at once, and another
// key's import goes in.
func TestImportSlotsShared(t *testing.T) {
	st := founding(t)
	reading := make(chan struct{}, MaxConcurrentImports)
	imports := ImportHandler(st, nil)
	// As the service's access guard does: the request's key and scope.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := store.WithScope(store.WithPrincipal(r.Context(), r.Header.Get("X-Test-Key")), store.ScopeWrite)
		r = r.WithContext(ctx)
		r.Body = &firstRead{ReadCloser: r.Body, seen: reading}
		imports.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	post := func(key string, body io.Reader) (*http.Response, error) {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/import?format=ndjson", body)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-ndjson")
		req.Header.Set("X-Test-Key", key)
		return http.DefaultClient.Do(req)
	}
	type answer struct {
		status     int
		code       string
		retryAfter string
	}
	var pipes []*io.PipeWriter
	answers := make(chan answer, MaxConcurrentImports)
	refused := 0
	for i := range MaxConcurrentImports {
		pr, pw := io.Pipe()
		pipes = append(pipes, pw)
		go func() {
			resp, err := post("hog", pr)
			if err != nil {
				answers <- answer{}
				return
			}
			defer resp.Body.Close()
			var out struct{ Error struct{ Code string } }
			_ = json.NewDecoder(resp.Body).Decode(&out)
			answers <- answer{resp.StatusCode, out.Error.Code, resp.Header.Get("Retry-After")}
		}()
		go fmt.Fprintf(pw, `{"kind":"entity","id":"slow-%d","type":"City","name":"Slow %d"}`+"\n", i, i)
		// Admitted (its body is read) or refused (answered) at once.
		select {
		case <-reading:
		case a := <-answers:
			refused++
			if a.status != http.StatusServiceUnavailable || a.code != "UNAVAILABLE" || a.retryAfter == "" {
				t.Errorf("a second upload of one key: %+v, want 503 UNAVAILABLE with a Retry-After", a)
			}
		}
	}
	if got, want := refused, MaxConcurrentImports-1; got != want {
		t.Errorf("%d of one key's %d uploads at once refused, want %d", got, MaxConcurrentImports, want)
	}
	resp, err := post("colleague", strings.NewReader(`{"kind":"entity","id":"eager","type":"City","name":"Eager"}`+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("another key's import while one key trickles uploads: %d %s, want 200", resp.StatusCode, b)
	}
	for _, pw := range pipes {
		pw.Close()
	}
	for range MaxConcurrentImports - refused {
		if a := <-answers; a.status != http.StatusOK {
			t.Errorf("the admitted slow upload: %+v, want 200", a)
		}
	}
}
