package graph_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ties-graph/ties/store"
)

// TestRefusedUploadAnsweredAtOnce: a request the guard refuses is
// answered while its body is still coming. Before, the server drained
// the unread body (up to 256 KiB) before it sent the refusal, so a
// script uploading slowly with the wrong key waited for its whole upload
// to learn that none of it would be taken.
func TestRefusedUploadAnsweredAtOnce(t *testing.T) {
	a := newAccessEnv(t, store.ScopeNone)
	host := strings.TrimPrefix(a.url, "http://")
	for _, tc := range []struct {
		name, path, token string
		status            int
	}{
		{"ReadKeyImport", "/import?format=ndjson", a.read, http.StatusForbidden},
		{"NoKeyImport", "/import?format=ndjson", "", http.StatusUnauthorized},
		{"BadTokenQuery", "/query", "ties_not-a-key", http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.Dial("tcp", host)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			auth := ""
			if tc.token != "" {
				auth = "Authorization: Bearer " + tc.token + "\r\n"
			}
			line := `{"kind":"entity","id":"never","type":"City","name":"Never"}` + "\n"
			// One chunk of a body that is not finished: the client is
			// still uploading when the answer should come.
			fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: %s\r\n%sContent-Type: application/x-ndjson\r\nX-Ties-Client: test\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n",
				tc.path, host, auth, len(line), line)
			// The deadline only bounds a hang; the answer needs none of it.
			if err := c.SetReadDeadline(time.Now().Add(20 * time.Second)); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatalf("no answer while the body was still coming: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
		})
	}
}
