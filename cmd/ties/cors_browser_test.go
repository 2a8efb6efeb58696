//go:build unix

package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// browserScript loads a page from each of two origins in headless
// Chromium and has each call the service's /query with fetch, as a
// dashboard would. Every request that goes anywhere but the service and
// the two pages is aborted, so the test never touches the network.
const browserScript = `
const { chromium } = require('playwright-core');
const [service, allowed, refused] = process.argv.slice(2);
(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const context = await browser.newContext();
  const mine = [service, allowed, refused];
  await context.route('**/*', route => {
    const url = route.request().url();
    if (mine.some(base => url.startsWith(base + '/'))) return route.continue();
    return route.abort();
  });
  const out = {};
  for (const [name, origin] of [['allowed', allowed], ['refused', refused]]) {
    const page = await context.newPage();
    await page.goto(origin + '/');
    out[name] = await page.evaluate(async (service) => {
      try {
        const res = await fetch(service + '/query', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ query: '{ entity(id: "enschede") { name } }' }),
        });
        return { status: res.status, body: await res.text() };
      } catch (e) {
        return { error: String(e) };
      }
    }, service);
    await page.close();
  }
  await browser.close();
  console.log(JSON.stringify(out));
})().catch(e => { console.error(e); process.exit(1); });
`

// browser finds node with playwright-core and Chromium, or skips: CI
// installs them (Debian's chromium, npm's playwright-core).
func browser(t *testing.T) (node, chromium string, env []string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("browser test: node is not installed")
	}
	chromium = os.Getenv("CHROMIUM")
	if chromium == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				chromium = p
				break
			}
		}
	}
	if chromium == "" {
		t.Skip("browser test: Chromium is not installed (Debian: apt-get install chromium)")
	}
	env = append(os.Environ(), "CHROMIUM="+chromium)
	// playwright-core as web/e2e's lock file pins it (npm ci there), else
	// a global install.
	paths := []string{}
	if local, err := filepath.Abs(filepath.Join("..", "..", "web", "e2e", "node_modules")); err == nil {
		paths = append(paths, local)
	}
	if npm, err := exec.LookPath("npm"); err == nil {
		if root, err := exec.Command(npm, "root", "-g").Output(); err == nil {
			paths = append(paths, strings.TrimSpace(string(root)))
		}
	}
	env = append(env, "NODE_PATH="+strings.Join(paths, string(os.PathListSeparator)))
	check := exec.Command(node, "-e", "require.resolve('playwright-core')")
	check.Env = env
	if err := check.Run(); err != nil {
		t.Skip("browser test: the npm module playwright-core is not installed (npm ci in web/e2e)")
	}
	return node, chromium, env
}

func TestE2ECORSInBrowser(t *testing.T) {
	bin := e2eBinary(t)
	node, _, env := browser(t)

	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<!doctype html><title>dashboard</title><p>dashboard</p>"))
	})
	allowed := httptest.NewServer(page)
	defer allowed.Close()
	refused := httptest.NewServer(page)
	defer refused.Close()

	p := serveTies(t, bin, filepath.Join(t.TempDir(), "data"), nil, "--anonymous", "read", "--cors-origin", allowed.URL)
	script := filepath.Join(t.TempDir(), "cors.js")
	if err := os.WriteFile(script, []byte(browserScript), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), e2eTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script, p.url, allowed.URL, refused.URL)
	cmd.Env = env
	cmd.Dir = filepath.Dir(script)
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("the browser script failed: %v\n%s\n%s", err, out, stderr)
	}
	var res map[string]struct {
		Status int
		Body   string
		Error  string
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("the browser script printed %q: %v", out, err)
	}
	if a := res["allowed"]; a.Status != http.StatusOK || !strings.Contains(a.Body, "Enschede") {
		t.Errorf("from the allowed origin: %+v, want 200 with Enschede", a)
	}
	if r := res["refused"]; r.Error == "" || r.Status != 0 {
		t.Errorf("from another origin: %+v, want the browser to refuse the response", r)
	}
}
