package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/ties-graph/ties/store"
)

// TestImportEndsWhenKeyRevoked: an upload whose API key is revoked while
// it streams is refused with UNAUTHENTICATED and writes nothing. Before,
// the key was checked once, when the request began, so a leaked write
// key that an admin revoked went on uploading and its import landed,
// recorded under the revoked key's name.
func TestImportEndsWhenKeyRevoked(t *testing.T) {
	a := newAccessEnv(t, store.ScopeNone)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	body, upload := io.Pipe()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.url+"/import?format=ndjson", body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+a.write)
	req.Header.Set("Content-Type", "application/x-ndjson")
	type answer struct {
		status int
		body   []byte
		err    error
	}
	answered := make(chan answer, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			answered <- answer{err: err}
			return
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		answered <- answer{res.StatusCode, b, err}
	}()
	line := func(i int) {
		fmt.Fprintf(upload, "{\"kind\":\"entity\",\"id\":\"upload-%d\",\"type\":\"City\",\"name\":\"Upload %d\"}\n", i, i)
	}
	line(0)
	if err := a.store.RevokeAPIKey(ctx, "writer", store.PrincipalCLI); err != nil {
		t.Fatal(err)
	}
	// The client goes on sending for four seconds, as a client that does
	// not know would, well past the second within which a revocation is
	// seen. (The answer comes once the body ends: the server drains what
	// is left of it first, as it does for any early answer.)
	var got answer
	for i := 1; ; i++ {
		select {
		case got = <-answered:
		case <-time.After(20 * time.Millisecond):
			if i < 200 {
				line(i)
				continue
			}
			upload.Close()
			got = <-answered
		}
		break
	}
	upload.CloseWithError(io.ErrClosedPipe)
	if got.err != nil {
		t.Fatalf("import: %v", got.err)
	}
	var e struct {
		Error struct{ Code, Message string }
	}
	_ = json.Unmarshal(got.body, &e)
	if got.status != http.StatusUnauthorized || e.Error.Code != "UNAUTHENTICATED" {
		t.Errorf("import whose key was revoked: %d %s, want 401 UNAUTHENTICATED", got.status, got.body)
	}
	r := a.as(t, a.admin, `{ entity(id: "upload-0") { id } }`, nil)
	if string(r.Data) != `{"entity":null}` {
		t.Errorf("the revoked key's upload was written: %s", r.Raw)
	}
}
