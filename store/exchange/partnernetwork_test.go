package exchange

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestPartnerNetworkScriptSendsToken runs examples/partner-network.sh
// against a service that, like a team's, answers only requests with an API
// key: TIES_TOKEN is sent as a bearer token, as the ties commands send it.
// The script once sent none and stopped at a bare 401.
func TestPartnerNetworkScriptSendsToken(t *testing.T) {
	py := python(t)
	for _, p := range []string{"sh", "curl"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("%s is not installed: %v", p, err)
		}
	}
	const token = "ties_partner-network-test-token"
	export := ExportHandler(founding(t), nil)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, `{"error":{"code":"UNAUTHENTICATED"}}`, http.StatusUnauthorized)
			return
		}
		export.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	// The script runs "python3": make it the one that has NetworkX.
	bin := t.TempDir()
	if err := os.Symlink(py, filepath.Join(bin, "python3")); err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs(filepath.Join("..", "..", "examples", "partner-network.sh"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", script, "enschede", "2")
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"TIES_URL="+srv.URL, "TIES_TOKEN="+token)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("partner-network.sh: %v\n%s", err, out)
	}
	for _, want := range []string{"Partners of Enschede:", "Dalian", "Palo Alto", "4 entities, 4 relations, citing 1 document\n"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The report is in the export because the facts cite it, not as a
	// partner: it is no entity "with most relations".
	if bytes.Contains(out, []byte("International Annual Report")) {
		t.Errorf("output ranks the cited report among the entities:\n%s", out)
	}
}
