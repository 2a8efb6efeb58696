package main

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestCapListener: with a cap of 2, a third connection is answered 503
// with Retry-After and closed; when a held connection closes, a new one is
// served again.
func TestCapListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })}
	go hs.Serve(newCapListener(ln, 2))
	t.Cleanup(func() { hs.Close() })
	addr := ln.Addr().String()
	dial := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	get := func(c net.Conn) *http.Response {
		t.Helper()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Write([]byte("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	a, b := dial(), dial()
	// Both held connections are served, so both hold their slots.
	for _, c := range []net.Conn{a, b} {
		if resp := get(c); resp.StatusCode != http.StatusOK {
			t.Fatalf("held connection: status %d", resp.StatusCode)
		}
	}
	resp := get(dial())
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("connection over the cap: status %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if body := readAll(resp); !strings.Contains(body, "too many connections") {
		t.Errorf("body %q", body)
	}
	a.Close()
	// The slot comes back once the server sees the close.
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp := get(dial())
		if resp.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no slot came back after a connection closed: status %d", resp.StatusCode)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func readAll(resp *http.Response) string {
	var b strings.Builder
	buf := make([]byte, 512)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}
