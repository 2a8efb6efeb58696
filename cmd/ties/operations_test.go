//go:build unix

package main

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// freePort returns a port no one listens on at the moment.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestOperationsDoc runs every shell command of docs/OPERATIONS.md, in
// order, in one bash session with the built ties first on PATH, in an
// empty directory, with ports 8080 and 8443 changed to free ones; then the
// ExecStart line of its systemd unit, with the paths changed.
func TestOperationsDoc(t *testing.T) {
	bin := e2eBinary(t)
	for _, tool := range []string{"bash", "curl", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("docs/OPERATIONS.md uses %s, which is not installed", tool)
		}
	}
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "OPERATIONS.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	http, https := strconv.Itoa(freePort(t)), strconv.Itoa(freePort(t))
	ports := strings.NewReplacer("8080", http, "8443", https)

	var script strings.Builder
	// Any service the commands leave running ends with the script.
	script.WriteString("set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n")
	blocks := regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(doc, -1)
	if len(blocks) < 8 {
		t.Fatalf("found %d sh blocks in docs/OPERATIONS.md", len(blocks))
	}
	for _, b := range blocks {
		script.WriteString(ports.Replace(b[1]))
		script.WriteString("\n")
	}

	unit := regexp.MustCompile(`(?m)^ExecStart=(.*)$`).FindStringSubmatch(doc)
	if unit == nil {
		t.Fatal("no ExecStart in docs/OPERATIONS.md")
	}
	work := t.TempDir()
	execStart := strings.NewReplacer("/usr/local/bin/ties", "ties", "/var/lib/ties", filepath.Join(work, "unit-data")).Replace(ports.Replace(unit[1]))
	script.WriteString("unset TIES_URL TIES_TOKEN\n" + execStart + " &\nUNIT=$!\n" +
		"until curl -sf http://localhost:" + http + "/readyz >/dev/null; do sleep 0.2; done\nkill $UNIT && wait $UNIT\n")

	ctx, cancel := context.WithTimeout(context.Background(), e2eTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script.String())
	cmd.Dir = work
	env := []string{"PATH=" + filepath.Dir(bin) + string(os.PathListSeparator) + os.Getenv("PATH"), "HOME=" + work}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TIES_") && !strings.HasPrefix(kv, "PATH=") && !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "SSL_CERT") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the commands of docs/OPERATIONS.md fail: %v\n%s\nscript:\n%s", err, out, script.String())
	}
	for _, want := range []string{
		"401",                      // anonymous refused
		"refused, as it should be", // the read key cannot import
		"Access-Control-Allow-Origin: https://dash.example.org", // CORS preflight
		"nightly-import", "dashboard", // keys list
		"ties_http_requests_total", // metrics
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the output of docs/OPERATIONS.md's commands lacks %q:\n%s", want, out)
		}
	}
}
