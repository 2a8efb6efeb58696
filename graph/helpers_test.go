package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/ties-graph/ties/graph"
	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/exchange"
	"github.com/ties-graph/ties/store/seed"
	"github.com/ties-graph/ties/store/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// logBuffer collects the server's log lines.
type logBuffer = storetest.LogBuffer

// env is a running server over a store with the founding data.
type env struct {
	t     testing.TB
	url   string
	store *store.Store
	logs  *logBuffer
}

// newEnv starts a server over a fresh in-memory store loaded with the
// founding data; cfg's Store and Logger are filled in.
func newEnv(t testing.TB, cfg graph.ServerConfig) *env {
	t.Helper()
	st := storetest.Open(t)
	loadFounding(t, st)
	return newEnvWith(t, st, cfg)
}

func newEnvWith(t testing.TB, st *store.Store, cfg graph.ServerConfig) *env {
	t.Helper()
	logs := &logBuffer{}
	cfg.Store = st
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	ts := httptest.NewServer(graph.NewServer(cfg))
	t.Cleanup(func() {
		ts.Close()
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return &env{t: t, url: ts.URL, store: st, logs: logs}
}

// loadFounding writes the founding data into st in one batch.
func loadFounding(t testing.TB, st *store.Store) {
	t.Helper()
	src, err := exchange.NewSource(exchange.BytesInput(seed.FileName, exchange.NDJSON, seed.NDJSON()), exchange.DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var b store.Batch
	err = src(context.Background(), func(r store.Record) error {
		switch {
		case r.EntityType != nil:
			b.EntityTypes = append(b.EntityTypes, *r.EntityType)
		case r.RelationType != nil:
			b.RelationTypes = append(b.RelationTypes, *r.RelationType)
		case r.Entity != nil:
			b.Entities = append(b.Entities, *r.Entity)
		case r.Relation != nil:
			b.Relations = append(b.Relations, *r.Relation)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("decode the founding data: %v", err)
	}
	if _, err := st.Apply(context.Background(), b); err != nil {
		t.Fatalf("load the founding data: %v", err)
	}
}

// gqlError and response are the client's reading of an answer, shared
// with the tests of the commands that serve it.
type (
	gqlError = storetest.GraphQLError
	response = storetest.Response
)

// warning is one entry of a response's extensions.warnings, as a client
// reads it.
type warning struct {
	Message string `json:"message"`
	Code    string `json:"code"`
	Path    []any  `json:"path"`
}

// warningsOf returns the extensions.warnings of a raw response.
func warningsOf(t testing.TB, raw []byte) []warning {
	t.Helper()
	var body struct {
		Extensions struct {
			Warnings []warning `json:"warnings"`
		} `json:"extensions"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return body.Extensions.Warnings
}

// at returns e reporting to t, for use inside subtests.
func (e *env) at(t testing.TB) *env {
	c := *e
	c.t = t
	return &c
}

// post sends a query as a JSON POST.
func (e *env) post(query string, vars map[string]any) *response {
	e.t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		e.t.Fatal(err)
	}
	return e.do(http.MethodPost, "/query", "application/json", body, nil)
}

// get sends a query as a GET.
func (e *env) get(query string, vars map[string]any) *response {
	e.t.Helper()
	q := url.Values{"query": {query}}
	if vars != nil {
		b, _ := json.Marshal(vars)
		q.Set("variables", string(b))
	}
	return e.do(http.MethodGet, "/query?"+q.Encode(), "", nil, nil)
}

// do sends a raw request and decodes the response.
func (e *env) do(method, path, contentType string, body []byte, header http.Header) *response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	r, err := storetest.Do(nil, req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

// ok sends a query that must succeed and decodes its data into v.
func (e *env) ok(query string, vars map[string]any, v any) {
	e.t.Helper()
	r := e.post(query, vars)
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		e.t.Fatalf("query failed: status %d: %s\nquery: %s", r.Status, r.Raw, query)
	}
	if v != nil {
		if err := json.Unmarshal(r.Data, v); err != nil {
			e.t.Fatalf("decode %s: %v", r.Data, err)
		}
	}
}

// golden compares got (JSON) with testdata/name.json, indented; with
// -update it rewrites the file instead.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, got, "", "  "); err != nil {
		t.Fatalf("golden %s: not JSON: %v\n%s", name, err, got)
	}
	buf.WriteByte('\n')
	path := filepath.Join("testdata", name+".json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden %s: %v (run go test ./graph -update to create it)", name, err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("golden %s differs (run go test ./graph -update after checking the change)\ngot:\n%s\nwant:\n%s", name, buf.Bytes(), want)
	}
}
