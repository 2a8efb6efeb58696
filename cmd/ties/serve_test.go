package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store"
)

func TestParseBytes(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"900MiB", 900 << 20, false},
		{"2GiB", 2 << 30, false},
		{"512KiB", 512 << 10, false},
		{"1048576", 1 << 20, false},
		{"10B", 10, false},
		{"0", 0, false},
		{"", 0, true},
		{"1.5GiB", 0, true},
		{"-1MiB", 0, true},
		{"9999999999GiB", 0, true},
		{"lots", 0, true},
	}
	for _, tt := range tests {
		got, err := parseBytes(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseBytes(%q): error %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("parseBytes(%q): got %d, want %d", tt.in, got, tt.want)
		}
	}
}

// Mistakes in the access flags (and in --cache-size) are usage errors,
// found before the data directory is touched.
func TestServeAccessFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"AnonymousAdmin", []string{"--anonymous", "admin"}},
		{"AnonymousUnknown", []string{"--anonymous", "everyone"}},
		{"WildcardWithAnonymousWrite", []string{"--cors-origin", "*"}},
		{"CertWithoutKey", []string{"--tls-cert", "cert.pem"}},
		{"MissingCert", []string{"--tls-cert", "missing.pem", "--tls-key", "missing.pem"}},
		{"CacheSizeNotASize", []string{"--cache-size", "lots"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			args := append([]string{"--data", data, "--addr", "127.0.0.1:0"}, tc.args...)
			_, _, err := cli(t, runServe, args...)
			if !isUsage(err) {
				t.Errorf("ties serve %v: %v, want a usage error", tc.args, err)
			}
			if _, err := os.Stat(data); !os.IsNotExist(err) {
				t.Errorf("ties serve %v created the data directory (%v)", tc.args, err)
			}
		})
	}
}

func TestAnonymousDefault(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want store.Scope
	}{
		{"127.0.0.1:8080", store.ScopeWrite},
		{"[::1]:8080", store.ScopeWrite},
		{"0.0.0.0:8080", store.ScopeNone},
		{"[::]:8080", store.ScopeNone},
		{"192.0.2.7:8080", store.ScopeNone},
	} {
		addr, err := net.ResolveTCPAddr("tcp", tc.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := anonymousScope("", addr); err != nil || got != tc.want {
			t.Errorf("anonymous on %s: %v, %v; want %v", tc.addr, got, err, tc.want)
		}
	}
}

// While the store opens (recovery after a kill -9 can take seconds), the
// service already answers: /healthz is up, /readyz and the API say it is
// starting with 503 and Retry-After; once set, the real handler serves.
func TestStartingHandler(t *testing.T) {
	h := &switchHandler{}
	h.set(startingHandler())
	for _, tc := range []struct {
		path, contentType, body string
		status                  int
	}{
		{"/healthz", "text/plain; charset=utf-8", "ok", http.StatusOK},
		{"/readyz", "text/plain; charset=utf-8", "starting", http.StatusServiceUnavailable},
		{"/query", "application/json; charset=utf-8", `"code":"UNAVAILABLE"`, http.StatusServiceUnavailable},
		{"/export", "text/plain; charset=utf-8", "starting", http.StatusServiceUnavailable},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
		if rec.Code != tc.status || rec.Header().Get("Content-Type") != tc.contentType || !strings.Contains(rec.Body.String(), tc.body) {
			t.Errorf("%s: %d %q %q, want %d %q containing %q", tc.path, rec.Code, rec.Header().Get("Content-Type"), rec.Body, tc.status, tc.contentType, tc.body)
		}
		if tc.status == http.StatusServiceUnavailable && rec.Header().Get("Retry-After") == "" {
			t.Errorf("%s: 503 without Retry-After", tc.path)
		}
	}
	h.set(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if rec.Code != http.StatusTeapot {
		t.Errorf("after set: %d", rec.Code)
	}
}
