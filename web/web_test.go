package web

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
)

var fetch = flag.Bool("fetch", false, "download the pinned cytoscape tarball from the npm registry, verify it and rewrite ui/cytoscape.min.js")

// The page pins each file by its digest: a browser refuses a file whose
// bytes do not match, and the playground would stay blank.
func TestGraphiQLIntegrity(t *testing.T) {
	f := GraphiQLFiles()
	for _, a := range []Asset{f.JS, f.CSS, f.React, f.ReactDOM} {
		b, err := files.ReadFile("graphiql/" + a.Name)
		if err != nil {
			t.Fatalf("%s: %v", a.Name, err)
		}
		sum := sha256.Sum256(b)
		if got := "sha256-" + base64.StdEncoding.EncodeToString(sum[:]); got != a.Integrity {
			t.Errorf("%s: digest %s, want %s", a.Name, got, a.Integrity)
		}
	}
}

// The vendored cytoscape is the npm package's file byte for byte. With
// -fetch the test re-fetches it and verifies the tarball against npm's
// integrity before writing it.
func TestCytoscapeVendored(t *testing.T) {
	pin := Cytoscape()
	if *fetch {
		refetchCytoscape(t, pin)
	}
	b, err := files.ReadFile("ui/cytoscape.min.js")
	if *fetch {
		// The embedded copy is stale until the next build.
		b, err = os.ReadFile("ui/cytoscape.min.js")
	}
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if got, want := hex.EncodeToString(sum[:]), pin.FileSHA256; got != want {
		t.Errorf("ui/cytoscape.min.js: sha256 %s, want %s (%s); run go test ./web -run TestCytoscapeVendored -fetch", got, want, pin.Package)
	}
}

func refetchCytoscape(t *testing.T, pin Vendored) {
	resp, err := http.Get(pin.Tarball)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", pin.Tarball, resp.Status)
	}
	tgz, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha512.Sum512(tgz)
	if got := "sha512-" + base64.StdEncoding.EncodeToString(sum[:]); got != pin.TarballIntegrity {
		t.Fatalf("%s: integrity %s, want %s", pin.Tarball, got, pin.TarballIntegrity)
	}
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			t.Fatalf("%s has no %s", pin.Tarball, pin.File)
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Name != pin.File {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("ui/cytoscape.min.js", b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote ui/cytoscape.min.js from %s (%d bytes)", pin.Package, len(b))
		return
	}
}

// Every script and style a page links is served, with the digest in its
// URL, and nothing is loaded from another origin.
func TestPagesLinkServedFiles(t *testing.T) {
	p, err := NewPages()
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", p.Playground())
	mux.Handle("GET /explore", p.Explorer())
	mux.Handle("GET "+GraphiQLPath, p.GraphiQLFiles())
	mux.Handle("GET "+UIPath, p.UIFiles())
	srv := httptest.NewServer(mux)
	defer srv.Close()

	link := regexp.MustCompile(`(?:src|href)="([^"]+)"`)
	for _, path := range []string{"/", "/explore"} {
		body := get(t, srv.URL+path, "text/html")
		if strings.Contains(body, "http://") || strings.Contains(body, "https://") {
			t.Errorf("%s links another origin", path)
		}
		n := 0
		for _, m := range link.FindAllStringSubmatch(body, -1) {
			u := m[1]
			if !strings.HasPrefix(u, GraphiQLPath) && !strings.HasPrefix(u, UIPath) {
				continue
			}
			n++
			if strings.HasPrefix(u, UIPath) && !strings.Contains(u, "?v=") {
				t.Errorf("%s: %s has no digest in its URL", path, u)
			}
			get(t, srv.URL+u, "")
		}
		if n < 3 {
			t.Errorf("%s links %d scripts and styles, want at least 3", path, n)
		}
	}
}

func get(t *testing.T, url, contentType string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if ct := resp.Header.Get("Content-Type"); contentType != "" && !strings.HasPrefix(ct, contentType) {
		t.Errorf("GET %s: Content-Type %q, want %s", url, ct, contentType)
	}
	return string(b)
}
