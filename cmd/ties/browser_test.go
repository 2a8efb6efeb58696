//go:build unix

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// e2eDir holds the browser tests: browser.mjs and the package.json that
// pins playwright-core.
const e2eDir = "../../web/e2e"

// TestBrowser runs web/e2e/browser.mjs: headless Chromium, driven by
// playwright-core, against a real ties serve with the founding data and
// a 500-entity neighbourhood, with every request outside the service
// blocked. It skips, saying why, under -short and when Chromium, Node or
// playwright-core (npm ci in web/e2e) is absent. Screenshots go to
// $TIES_BROWSER_ARTIFACTS when set, else to a temporary directory.
func TestBrowser(t *testing.T) {
	bin := e2eBinary(t)
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		for _, name := range []string{"chromium", "chromium-browser"} {
			if p, err := exec.LookPath(name); err == nil {
				chromium = p
				break
			}
		}
	}
	if chromium == "" {
		t.Skip("browser test: no chromium on PATH (apt-get install chromium, or set CHROMIUM)")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("browser test: no node on PATH")
	}
	if _, err := os.Stat(filepath.Join(e2eDir, "node_modules", "playwright-core", "package.json")); err != nil {
		t.Skip("browser test: playwright-core is not installed (npm ci in web/e2e)")
	}
	artifacts := os.Getenv("TIES_BROWSER_ARTIFACTS")
	if artifacts == "" {
		artifacts = t.TempDir()
	} else if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}

	srv := serveTies(t, bin, t.TempDir(), nil)
	file := filepath.Join(t.TempDir(), "star.ndjson")
	writeStar(t, file, "bench", 499)
	postImport(t, srv, file)

	ctx, cancel := context.WithTimeout(context.Background(), 2*e2eTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "browser.mjs")
	cmd.Dir = e2eDir
	cmd.Env = append(os.Environ(), "TIES_URL="+srv.url, "CHROMIUM="+chromium, "ARTIFACTS="+artifacts, "BENCH_FOCUS=bench-hub")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	t.Logf("browser.mjs:\n%s", stderr.String())
	if err != nil {
		t.Fatalf("browser tests failed: %v\nservice log:\n%s", err, srv.logs)
	}
	t.Logf("screenshots in %s", artifacts)

	// The measurements are the last line of the output.
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var raw struct {
		Bench []map[string]float64 `json:"bench"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &raw); err != nil {
		t.Fatalf("measurements: %v: %q", err, lines[len(lines)-1])
	}
	for i, r := range raw.Bench {
		t.Logf("500-entity neighbourhood, run %d: %v entities, %v relations; request %.0f ms, layout and first frame %.0f ms, request to drawing %.0f ms; then the side list %.0f ms; main-thread CPU from the click to the list %.0f ms",
			i+1, r["entities"], r["relations"], r["fetchMs"], r["drawMs"], r["totalMs"], r["listMs"], r["cpuMs"])
	}
}

// writeStar writes an NDJSON file of a hub city and n entities around it
// of several types, each tied to the hub, half of the ties dated, and a
// ring of cooperations among them: a neighbourhood of n+1 entities.
func writeStar(t *testing.T, path, prefix string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, `{"kind":"entity","id":"%s-hub","type":"City","name":"Hub city"}`+"\n", prefix)
	kinds := []struct{ entity, relation string }{
		{"Organization", "BASED_IN"}, {"Company", "BASED_IN"}, {"Person", "LOCATED_IN"},
		{"City", "SISTER_CITY_OF"}, {"Event", "LOCATED_IN"}, {"Network", "LOCATED_IN"},
	}
	for i := range n {
		k := kinds[i%len(kinds)]
		fmt.Fprintf(w, `{"kind":"entity","id":"%s-%d","type":"%s","name":"%s %d"}`+"\n", prefix, i, k.entity, k.entity, i)
		dates := ""
		if i%2 == 0 {
			dates = fmt.Sprintf(`,"validFrom":"%d"`, 2000+i%20)
		}
		fmt.Fprintf(w, `{"kind":"relation","type":"%s","from":"%s-%d","to":"%s-hub"%s}`+"\n", k.relation, prefix, i, prefix, dates)
		if i%3 == 0 {
			fmt.Fprintf(w, `{"kind":"relation","type":"COOPERATES_WITH","from":"%s-%d","to":"%s-%d"}`+"\n", prefix, i, prefix, (i+7)%n)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// postImport loads an NDJSON file into the running service.
func postImport(t *testing.T, srv *process, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	resp, err := srv.client.Post(srv.url+"/import?format=ndjson", "application/x-ndjson", f)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		t.Fatalf("POST /import: %s: %s", resp.Status, b.String())
	}
}
