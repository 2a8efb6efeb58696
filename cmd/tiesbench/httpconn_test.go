package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// TestHTTPConn posts over one connection to a server that answers in
// chunks or with a length, larger and smaller answers in turn, and at
// times closes the connection after answering: every answer arrives
// whole, and a closed connection is replaced.
func TestHTTPConn(t *testing.T) {
	var n, conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.URL.Path != "/query" || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		i := n.Add(1)
		if i%3 == 0 {
			w.Header().Set("Connection", "close")
		}
		if i%2 == 0 {
			w.Header().Set("Content-Length", strconv.Itoa(1000*len(b)))
		}
		for range 1000 { // over the server's buffer: sent chunked
			w.Write(b)
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	h, err := newHTTPConn(srv.URL + "/query")
	if err != nil {
		t.Fatal(err)
	}
	defer h.close()
	for i := range 10 {
		body := `{"i":` + strings.Repeat("1", (i*7)%10+1) + `}`
		status, b, err := h.post(context.Background(), []byte(body))
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if got, want := string(b), strings.Repeat(body, 1000); status != http.StatusOK || got != want {
			t.Fatalf("request %d: status %d, %d bytes, want 200 and %d bytes", i, status, len(got), len(want))
		}
	}
	if got, want := conns.Load(), int64(4); got != want {
		t.Errorf("connections: got %d, want %d (one, and one after each close)", got, want)
	}
}
