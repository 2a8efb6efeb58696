//go:build unix

package main

// End-to-end tests of access control on the real binary: keys and scopes,
// anonymous access on a network bind, revocation, expiry, the principal in
// the change log, online backups while writes go on, TLS, and a port in
// use.

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ties-graph/ties/store"
)

// tiesEnv runs one ties command with extra environment variables, and
// returns its output streams and error.
func tiesEnv(bin string, env []string, args ...string) (stdout, stderr []byte, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), e2eTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.Bytes(), e.Bytes(), err
}

// createKey runs ties keys create and returns the token it prints.
func createKey(t *testing.T, bin string, env []string, args ...string) string {
	t.Helper()
	out, errOut, err := tiesEnv(bin, env, append([]string{"keys", "create"}, args...)...)
	if err != nil {
		t.Fatalf("ties keys create %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	token := strings.TrimSpace(string(out))
	if !strings.HasPrefix(token, "ties_") || strings.Contains(token, "\n") {
		t.Fatalf("ties keys create printed %q on standard output, want the token alone", out)
	}
	if !strings.Contains(string(errOut), "shown once") {
		t.Errorf("ties keys create said %q on standard error, want a warning that the token is shown once", errOut)
	}
	return token
}

// request sends a request with an optional token and returns the status
// and body.
func (p *process) request(t *testing.T, token, method, path, contentType string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, p.url+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func gql(query string) []byte {
	b, _ := json.Marshal(map[string]string{"query": query})
	return b
}

func TestE2EAccess(t *testing.T) {
	bin := e2eBinary(t)
	dir := filepath.Join(t.TempDir(), "data")
	// The first key comes before the first start, offline.
	admin := createKey(t, bin, nil, "--data", dir, "--name", "root", "--scope", "admin")

	// Every interface: anonymous clients get nothing.
	p := serveTies(t, bin, dir, nil, "--addr", "0.0.0.0:0")
	if !strings.Contains(p.logs.String(), "anonymous clients have no access") {
		t.Errorf("the start-up log does not say anonymous clients have no access:\n%s", p.logs)
	}
	for _, c := range []struct{ method, path, ct string }{
		{"POST", "/query", "application/json"}, {"GET", "/export", ""}, {"POST", "/import?format=ndjson", "application/x-ndjson"},
		{"GET", "/metrics", ""}, {"GET", "/backup", ""},
	} {
		if status, body := p.request(t, "", c.method, c.path, c.ct, gql(`{ stats { entities } }`)); status != http.StatusUnauthorized || !strings.Contains(string(body), "UNAUTHENTICATED") {
			t.Errorf("anonymous %s %s: %d %s, want 401 UNAUTHENTICATED", c.method, c.path, status, body)
		}
	}

	url := []string{"TIES_URL=" + p.url}
	asAdmin := append(url, "TIES_TOKEN="+admin)
	reader := createKey(t, bin, asAdmin, "--name", "reader", "--scope", "read")
	writer := createKey(t, bin, asAdmin, "--name", "writer", "--scope", "write")
	list, errOut, err := tiesEnv(bin, asAdmin, "keys", "list")
	if err != nil {
		t.Fatalf("ties keys list: %v\n%s", err, errOut)
	}
	for _, name := range []string{"root", "reader", "writer"} {
		if !strings.Contains(string(list), name) {
			t.Errorf("ties keys list does not show %s:\n%s", name, list)
		}
	}
	if strings.Contains(string(list), reader) || strings.Contains(string(list), "ties_") {
		t.Errorf("ties keys list shows a token:\n%s", list)
	}

	t.Run("ReadKeyReads", func(t *testing.T) {
		out, errOut, err := tiesEnv(bin, append(url, "TIES_TOKEN="+reader), "query", `{ entity(id: "enschede") { name } }`)
		if err != nil || !strings.Contains(string(out), "Enschede") {
			t.Fatalf("read key query: %v\n%s%s", err, out, errOut)
		}
		if _, errOut, err := tiesEnv(bin, nil, "export", "--url", p.url, "--token", reader, "-o", filepath.Join(t.TempDir(), "g.ndjson")); err != nil {
			t.Errorf("read key export: %v\n%s", err, errOut)
		}
	})
	t.Run("ReadKeyCannotWrite", func(t *testing.T) {
		env := append(url, "TIES_TOKEN="+reader)
		_, errOut, err := tiesEnv(bin, env, "query", `mutation { upsertEntities(input: [{id: "hengelo", type: "City", name: "Hengelo"}]) { id } }`)
		if err == nil || !strings.Contains(string(errOut), "write scope") {
			t.Errorf("read key mutation: %v %s, want a refusal naming the write scope", err, errOut)
		}
		file := filepath.Join(t.TempDir(), "more.ndjson")
		os.WriteFile(file, []byte(`{"kind":"entity","id":"hengelo","type":"City","name":"Hengelo"}`+"\n"), 0o644)
		if _, errOut, err := tiesEnv(bin, env, "import", file); err == nil || !strings.Contains(string(errOut), "write scope") {
			t.Errorf("read key import: %v %s, want a refusal naming the write scope", err, errOut)
		}
		if _, errOut, err := tiesEnv(bin, env, "backup", "-o", filepath.Join(t.TempDir(), "b")); err == nil || !strings.Contains(string(errOut), "admin scope") {
			t.Errorf("read key backup: %v %s, want a refusal naming the admin scope", err, errOut)
		}
		if status, body := p.request(t, reader, "POST", "/query", "application/json", gql(`{ entity(id: "hengelo") { id } }`)); status != 200 || !strings.Contains(string(body), `"entity":null`) {
			t.Errorf("a refused write wrote hengelo: %d %s", status, body)
		}
	})
	t.Run("WriteKeyWrites", func(t *testing.T) {
		out, errOut, err := tiesEnv(bin, append(url, "TIES_TOKEN="+writer), "query", `mutation { upsertEntities(input: [{id: "hengelo", type: "City", name: "Hengelo"}]) { id } }`)
		if err != nil {
			t.Fatalf("write key mutation: %v\n%s%s", err, out, errOut)
		}
		if !strings.Contains(p.logs.String(), `"principal":"writer"`) {
			t.Errorf("no request log line names the writer:\n%s", p.logs)
		}
	})
	t.Run("RevokedAtOnce", func(t *testing.T) {
		temp := createKey(t, bin, asAdmin, "--name", "temp", "--scope", "write")
		if status, body := p.request(t, temp, "POST", "/query", "application/json", gql(`{ stats { entities } }`)); status != 200 {
			t.Fatalf("new key: %d %s", status, body)
		}
		if _, errOut, err := tiesEnv(bin, asAdmin, "keys", "revoke", "temp"); err != nil {
			t.Fatalf("ties keys revoke: %v\n%s", err, errOut)
		}
		if status, body := p.request(t, temp, "POST", "/query", "application/json", gql(`{ stats { entities } }`)); status != http.StatusUnauthorized {
			t.Errorf("revoked key: %d %s, want 401", status, body)
		}
	})
	t.Run("Expired", func(t *testing.T) {
		at := time.Now().Add(2 * time.Second).UTC().Format(time.RFC3339)
		brief := createKey(t, bin, asAdmin, "--name", "brief", "--scope", "read", "--expires", at)
		exp, _ := time.Parse(time.RFC3339, at)
		time.Sleep(time.Until(exp) + 10*time.Millisecond)
		status, body := p.request(t, brief, "POST", "/query", "application/json", gql(`{ stats { entities } }`))
		if status != http.StatusUnauthorized || !strings.Contains(string(body), "expired") {
			t.Errorf("expired key: %d %s, want 401 saying it expired", status, body)
		}
	})
	p.stop(t)

	// The change log names each change's principal: the founding data
	// loaded by the command line, the writer's mutation, root's keys.
	st, err := store.Open(dir, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var principals []string
	st.ChangeLog(context.Background(), func(_ time.Time, rec store.ChangeRecord) error {
		what := "keys"
		switch {
		case rec.Load != nil:
			what = "load"
		case len(rec.Entities) > 0:
			what = "entities"
		}
		principals = append(principals, what+":"+rec.Principal)
		return nil
	})
	st.Close()
	got := strings.Join(principals, " ")
	for _, want := range []string{"keys:cli", "load:cli", "keys:root", "entities:writer"} {
		if !strings.Contains(got, want) {
			t.Errorf("change log %s: no %s", got, want)
		}
	}
}

// TestE2EOnlineBackup backs up a running service while a writer goes on,
// restores the backup, and checks that it is one consistent state (the
// writer's entities up to some point, none missing before it) and that a
// backup once the writes stop restores to a byte-identical export.
func TestE2EOnlineBackup(t *testing.T) {
	bin := e2eBinary(t)
	dir := filepath.Join(t.TempDir(), "data")
	admin := createKey(t, bin, nil, "--data", dir, "--name", "root", "--scope", "admin")
	p := serveTies(t, bin, dir, nil)
	env := []string{"TIES_URL=" + p.url, "TIES_TOKEN=" + admin}

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var written int
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			q := fmt.Sprintf(`mutation { upsertEntities(input: [{id: "w-%05d", type: "Topic", name: "w %d"}]) { id } }`, i, i)
			if status, body := p.request(t, admin, "POST", "/query", "application/json", gql(q)); status != 200 || strings.Contains(string(body), "errors") {
				t.Errorf("write %d: %d %s", i, status, body)
				return
			}
			written = i + 1
		}
	}()
	// Let some writes land first, without asserting anything on time.
	for {
		_, body := p.request(t, admin, "POST", "/query", "application/json", gql(`{ entity(id: "w-00010") { id } }`))
		if strings.Contains(string(body), "w-00010") {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	during := filepath.Join(t.TempDir(), "during.backup")
	if _, errOut, err := tiesEnv(bin, env, "backup", "-o", during); err != nil {
		t.Fatalf("ties backup --url: %v\n%s", err, errOut)
	}
	cancel()
	wg.Wait()
	if written == 0 {
		t.Fatal("no write succeeded")
	}

	restored := filepath.Join(t.TempDir(), "restored")
	runTies(t, bin, "restore", "--data", restored, during)
	d := exportDir(t, bin, restored)
	n := 0
	for id := range d.entities {
		if strings.HasPrefix(id, "w-") {
			n++
		}
	}
	for i := range n {
		if id := fmt.Sprintf("w-%05d", i); !d.entities[id] {
			t.Errorf("the backup has %d of the writer's entities but not %s: not one consistent state", n, id)
		}
	}
	if n < 10 {
		t.Errorf("the backup has %d of the writer's entities, want at least the 10 written before it began", n)
	}

	after := filepath.Join(t.TempDir(), "after.backup")
	if _, errOut, err := tiesEnv(bin, env, "backup", "-o", after); err != nil {
		t.Fatalf("ties backup --url: %v\n%s", err, errOut)
	}
	live, errOut, err := tiesEnv(bin, env, "export", "--format", "ndjson")
	if err != nil {
		t.Fatalf("ties export --url: %v\n%s", err, errOut)
	}
	restored2 := filepath.Join(t.TempDir(), "restored2")
	runTies(t, bin, "restore", "--data", restored2, after)
	if got := exportDir(t, bin, restored2); !bytes.Equal(got.raw, live) {
		t.Errorf("the restored export (%d bytes) differs from the service's (%d bytes)", len(got.raw), len(live))
	}
}

func TestE2EPortInUse(t *testing.T) {
	bin := e2eBinary(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dir := filepath.Join(t.TempDir(), "data")
	_, errOut, err := tiesEnv(bin, nil, "serve", "--data", dir, "--addr", ln.Addr().String())
	if err == nil || !strings.Contains(string(errOut), "in use") || !strings.Contains(string(errOut), "--addr or TIES_ADDR") {
		t.Errorf("ties serve on a port in use: %v\n%s\nwant a message naming --addr and TIES_ADDR", err, errOut)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("ties serve created %s before it could listen (%v)", dir, err)
	}
}

func TestE2EVersion(t *testing.T) {
	bin := e2eBinary(t)
	out := runTies(t, bin, "--version")
	if !strings.HasPrefix(string(out), "ties ") || len(strings.TrimSpace(string(out))) <= len("ties ") {
		t.Errorf("ties --version printed %q", out)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns
// their paths and a pool that trusts the certificate.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "ties test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	d := t.TempDir()
	certFile, keyFile = filepath.Join(d, "cert.pem"), filepath.Join(d, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestE2ETLS(t *testing.T) {
	bin := e2eBinary(t)
	certFile, keyFile, pool := selfSigned(t)
	p := startTies(t, bin, nil, "serve", "--data", filepath.Join(t.TempDir(), "data"), "--addr", "127.0.0.1:0",
		"--log-format", "json", "--tls-cert", certFile, "--tls-key", keyFile)
	deadline := time.Now().Add(e2eTimeout)
	for p.url == "" {
		for _, line := range strings.Split(p.logs.String(), "\n") {
			var l struct{ Playground string }
			if json.Unmarshal([]byte(line), &l) == nil && l.Playground != "" {
				p.url = strings.TrimSuffix(l.Playground, "/")
			}
		}
		if p.exited() || time.Now().After(deadline) {
			t.Fatalf("ties serve with TLS did not start: %v\n%s", p.err, p.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.HasPrefix(p.url, "https://") {
		t.Fatalf("the playground URL %s is not https", p.url)
	}
	p.client = &http.Client{Timeout: e2eTimeout, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	for {
		status, body := p.request(t, "", "POST", "/query", "application/json", gql(`{ entity(id: "enschede") { name } }`))
		if status == 200 && strings.Contains(string(body), "Enschede") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no answer over HTTPS: %d %s\n%s", status, body, p.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.stop(t)
}
