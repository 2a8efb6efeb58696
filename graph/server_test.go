package graph_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ties-graph/ties/graph"
	"github.com/ties-graph/ties/store/exchange"
	"github.com/ties-graph/ties/store/storetest"
)

func TestHTTPEndpoints(t *testing.T) {
	e := newEnv(t, mutationConfig)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	for _, tc := range []struct {
		name, path string
		want       int
	}{
		{"healthz", "/healthz", http.StatusOK},
		{"readyz", "/readyz", http.StatusOK},
		{"UnknownPath", "/nope", http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.at(t).do(http.MethodGet, tc.path, "", nil, nil)
			if got, want := r.Status, tc.want; got != want {
				t.Errorf("status: got %d, want %d", got, want)
			}
		})
	}
	t.Run("PlaygroundRedirectsToTheDefaultQuery", func(t *testing.T) {
		res, err := noRedirect.Get(e.url + "/")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got, want := res.StatusCode, http.StatusFound; got != want {
			t.Fatalf("status: got %d, want %d", got, want)
		}
		loc, err := url.Parse(res.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := loc.Query().Get("query"), graph.DefaultQuery; got != want {
			t.Errorf("default query: got %q, want %q", got, want)
		}
		// The default query must itself work.
		var d struct {
			Entity struct {
				Name      string
				Relations struct{ TotalCount int }
			}
		}
		e.at(t).ok(graph.DefaultQuery, nil, &d)
		if d.Entity.Name != "Enschede" || d.Entity.Relations.TotalCount == 0 {
			t.Errorf("default query answered %+v", d)
		}
	})
	t.Run("Playground", func(t *testing.T) {
		r := e.at(t).do(http.MethodGet, "/?query=%7B__typename%7D", "", nil, nil)
		if r.Status != http.StatusOK || !strings.Contains(string(r.Raw), "graphiql") || !strings.Contains(string(r.Raw), "/query") {
			t.Errorf("playground: status %d: %.200s", r.Status, r.Raw)
		}
	})
	t.Run("PlaygroundAssetsAreLocal", func(t *testing.T) {
		// Every script and style the page loads comes from this server,
		// and its bytes match the digest the page pins: offline, a CDN
		// would leave the playground blank, and so would a mismatch.
		r := e.at(t).do(http.MethodGet, "/?query=%7B__typename%7D", "", nil, nil)
		page := string(r.Raw)
		if strings.Contains(page, "cdn.") || strings.Contains(page, "https://") {
			t.Errorf("the page loads something from elsewhere:\n%s", page)
		}
		tags := regexp.MustCompile(`(?:src|href)="([^"]+)"\s+integrity="([^"]+)"`).FindAllStringSubmatch(page, -1)
		if len(tags) != 4 {
			t.Fatalf("got %d pinned assets, want 4 (React, ReactDOM, GraphiQL's script and style)", len(tags))
		}
		for _, m := range tags {
			m[1], m[2] = html.UnescapeString(m[1]), html.UnescapeString(m[2]) // as a browser reads attributes
			a := e.at(t).do(http.MethodGet, m[1], "", nil, nil)
			if a.Status != http.StatusOK {
				t.Errorf("%s: status %d", m[1], a.Status)
				continue
			}
			sum := sha256.Sum256(a.Raw)
			if got := "sha256-" + base64.StdEncoding.EncodeToString(sum[:]); got != m[2] {
				t.Errorf("%s: digest %s, the page pins %s", m[1], got, m[2])
			}
		}
	})
	t.Run("Explorer", func(t *testing.T) {
		// The explorer and the scripts it links are served by the binary,
		// from nowhere else.
		r := e.at(t).do(http.MethodGet, "/explore?focus=enschede", "", nil, nil)
		page := string(r.Raw)
		if r.Status != http.StatusOK || !strings.Contains(page, "Ties explorer") {
			t.Fatalf("explore: status %d: %.200s", r.Status, r.Raw)
		}
		if strings.Contains(page, "https://") || strings.Contains(page, "http://") {
			t.Errorf("the explorer loads something from elsewhere:\n%s", page)
		}
		scripts := regexp.MustCompile(`src="(/ui/[^"]+)"`).FindAllStringSubmatch(page, -1)
		if len(scripts) != 3 {
			t.Fatalf("got %d scripts, want 3 (cytoscape, graphview, explore)", len(scripts))
		}
		for _, m := range scripts {
			a := e.at(t).do(http.MethodGet, html.UnescapeString(m[1]), "", nil, nil)
			if a.Status != http.StatusOK || !strings.Contains(a.Header.Get("Content-Type"), "javascript") {
				t.Errorf("%s: status %d, Content-Type %q", m[1], a.Status, a.Header.Get("Content-Type"))
			}
		}
	})
	t.Run("Options", func(t *testing.T) {
		r := e.at(t).do(http.MethodOptions, "/query", "", nil, nil)
		if r.Status != http.StatusOK || !strings.Contains(r.Header.Get("Allow"), "POST") {
			t.Errorf("OPTIONS: status %d, Allow %q", r.Status, r.Header.Get("Allow"))
		}
	})
	t.Run("MutationOverGETRefused", func(t *testing.T) {
		before := dump(t, e.at(t))
		r := e.at(t).get(`mutation { deleteEntities(ids: ["tesla-motors"], cascade: true) }`, nil)
		if got, want := r.Status, http.StatusMethodNotAllowed; got != want {
			t.Errorf("status: got %d, want %d: %s", got, want, r.Raw)
		}
		if got, want := r.Header.Get("Allow"), "POST"; got != want {
			t.Errorf("Allow: got %q, want %q", got, want)
		}
		if after := dump(t, e.at(t)); after != before {
			t.Errorf("a mutation over GET changed the graph")
		}
	})
	t.Run("OtherMethods", func(t *testing.T) {
		for _, m := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch} {
			r := e.at(t).do(m, "/query", "application/json", []byte(`{"query":"{ __typename }"}`), nil)
			if got, want := r.Status, http.StatusMethodNotAllowed; got != want {
				t.Errorf("%s: status %d, want %d", m, got, want)
			}
		}
		// HEAD has no body to parse; RFC 9110 wants the Allow header on
		// its 405 as on every other.
		res, err := http.Head(e.url + "/query?query=%7B__typename%7D")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(res.Header.Get("Allow"), "POST") {
			t.Errorf("HEAD: status %d, Allow %q", res.StatusCode, res.Header.Get("Allow"))
		}
	})
	t.Run("UnsupportedContentType", func(t *testing.T) {
		r := e.at(t).do(http.MethodPost, "/query", "text/plain", []byte(`{ __typename }`), nil)
		if got, want := r.Status, http.StatusUnsupportedMediaType; got != want {
			t.Errorf("status: got %d, want %d", got, want)
		}
	})
	t.Run("CompressedBody", func(t *testing.T) {
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write([]byte(`{"query":"{ __typename }"}`))
		zw.Close()
		r := e.at(t).do(http.MethodPost, "/query", "application/json", gz.Bytes(), http.Header{"Content-Encoding": {"gzip"}})
		if got, want := r.Status, http.StatusUnsupportedMediaType; got != want {
			t.Errorf("status: got %d, want %d: %s", got, want, r.Raw)
		}
		if len(r.Errors) == 0 || !strings.Contains(r.Errors[0].Message, "Content-Encoding") {
			t.Errorf("the message does not name Content-Encoding: %s", r.Raw)
		}
	})
	t.Run("OperationName", func(t *testing.T) {
		body, _ := json.Marshal(map[string]any{"query": `query A { a: __typename } query B { b: __typename }`, "operationName": "B"})
		r := e.at(t).do(http.MethodPost, "/query", "application/json", body, nil)
		if got, want := string(r.Data), `{"b":"Query"}`; got != want {
			t.Errorf("got %s, want %s", r.Raw, want)
		}
	})
	t.Run("PersistedQuery", func(t *testing.T) {
		q := `{ entity(id: "linkoping") { name } }`
		sum := sha256.Sum256([]byte(q))
		ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}
		hashOnly, _ := json.Marshal(map[string]any{"extensions": ext})
		r := e.at(t).do(http.MethodPost, "/query", "application/json", hashOnly, nil)
		if got, want := r.Code(), "PERSISTED_QUERY_NOT_FOUND"; got != want {
			t.Errorf("unknown hash: code %q, want %q: %s", got, want, r.Raw)
		}
		full, _ := json.Marshal(map[string]any{"query": q, "extensions": ext})
		if r := e.at(t).do(http.MethodPost, "/query", "application/json", full, nil); len(r.Errors) > 0 {
			t.Fatalf("register: %s", r.Raw)
		}
		r = e.at(t).do(http.MethodPost, "/query", "application/json", hashOnly, nil)
		if got, want := string(r.Data), `{"entity":{"name":"Linköping"}}`; got != want {
			t.Errorf("by hash: got %s, want %s", r.Raw, want)
		}
	})
	// A malformed persisted-query extension is the client's mistake, not
	// an internal error.
	t.Run("PersistedQueryMalformed", func(t *testing.T) {
		for _, body := range []string{
			`{"query": "{ __typename }", "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "deadbeef"}}}`,
			`{"extensions": {"persistedQuery": {"version": 2, "sha256Hash": "deadbeef"}}}`,
			`{"extensions": {"persistedQuery": "deadbeef"}}`,
		} {
			r := e.at(t).do(http.MethodPost, "/query", "application/json", []byte(body), nil)
			if got, want := r.Code(), "BAD_REQUEST"; got != want {
				t.Errorf("%s: code %q, want %q: %s", body, got, want, r.Raw)
			} else if !strings.Contains(r.Errors[0].Message, "extensions.persistedQuery") {
				t.Errorf("%s: message %q does not name extensions.persistedQuery", body, r.Errors[0].Message)
			}
		}
	})
}

// /export and /import answer a wrong method with 405 and a JSON error, as
// their other errors are, rather than the mux's plain-text answer.
func TestExportImportMethods(t *testing.T) {
	st := storetest.Open(t)
	loadFounding(t, st)
	e := newEnvWith(t, st, graph.ServerConfig{Export: exchange.ExportHandler(st, nil), Import: exchange.ImportHandler(st, nil)})
	for _, tc := range []struct{ method, path, allow string }{
		{http.MethodPost, "/export", "GET, HEAD"},
		{http.MethodDelete, "/export", "GET, HEAD"},
		{http.MethodGet, "/import", "POST, PUT"},
	} {
		r := e.do(tc.method, tc.path, "application/json", nil, nil)
		if got, want := r.Status, http.StatusMethodNotAllowed; got != want {
			t.Errorf("%s %s: status %d, want %d: %s", tc.method, tc.path, got, want, r.Raw)
		}
		if got, want := r.Header.Get("Allow"), tc.allow; got != want {
			t.Errorf("%s %s: Allow %q, want %q", tc.method, tc.path, got, want)
		}
		if !strings.Contains(string(r.Raw), `"code":"INVALID_ARGUMENT"`) {
			t.Errorf("%s %s: not a JSON error: %s", tc.method, tc.path, r.Raw)
		}
	}
	// PUT /import is what the handler says it takes.
	body := []byte(`{"kind":"entity","id":"gronau","type":"City","name":"Gronau"}` + "\n")
	if r := e.do(http.MethodPut, "/import?format=ndjson", "application/x-ndjson", body, nil); r.Status != http.StatusOK {
		t.Errorf("PUT /import: status %d: %s", r.Status, r.Raw)
	}
}

// TestLoopbackOnlyChecksHost: a service bound to loopback answers only
// requests addressed to a loopback host, so that a web page cannot reach
// it through DNS rebinding; a service on the network takes any Host.
func TestLoopbackOnlyChecksHost(t *testing.T) {
	st := storetest.Open(t)
	for _, tc := range []struct {
		host     string
		loopback bool
		want     int
	}{
		{"localhost:8080", true, http.StatusOK},
		{"LOCALHOST", true, http.StatusOK},
		{"127.0.0.1:8080", true, http.StatusOK},
		{"127.1.2.3", true, http.StatusOK},
		{"[::1]:8080", true, http.StatusOK},
		{"app.localhost:8080", true, http.StatusOK},
		{"rebind.example.com:8080", true, http.StatusMisdirectedRequest},
		{"192.168.1.10:8080", true, http.StatusMisdirectedRequest},
		{"localhost.example.com", true, http.StatusMisdirectedRequest},
		{"rebind.example.com:8080", false, http.StatusOK},
		{"ties.example.org", true, http.StatusOK},
		{"TIES.example.org.:443", true, http.StatusOK},
	} {
		h := graph.NewServer(graph.ServerConfig{Store: st, LoopbackOnly: tc.loopback, AllowedHosts: []string{"ties.example.org"}})
		req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
		req.Host = tc.host
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("Host %q (loopback only: %v): status %d, want %d: %s", tc.host, tc.loopback, rec.Code, tc.want, rec.Body)
		}
	}
}

// TestMinBodyRate: a body that trickles in slower than the minimum rate is
// cut off with a message that says so and the server goes on serving; a
// body that keeps the rate arrives whole however long it takes.
func TestMinBodyRate(t *testing.T) {
	st := storetest.Open(t)
	rate := graph.MinBodyRate{Bytes: 64, Window: 150 * time.Millisecond}
	srv := httptest.NewServer(graph.NewServer(graph.ServerConfig{Store: st, MinBodyRate: rate}))
	t.Cleanup(srv.Close)
	send := func(chunk string, every time.Duration, chunks int) (int, string) {
		pr, pw := io.Pipe()
		go func() {
			defer pw.Close()
			pw.Write([]byte(`{"query":"{ stats { entities } }","x":"`))
			for range chunks {
				time.Sleep(every)
				if _, err := pw.Write([]byte(chunk)); err != nil {
					return
				}
			}
			pw.Write([]byte(`"}`))
		}()
		resp, err := http.Post(srv.URL+"/query", "application/json", pr)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// 8 bytes every 100 ms is 12 bytes per window: too slow.
	if status, body := send("abcdefgh", 100*time.Millisecond, 30); status == http.StatusOK {
		t.Errorf("a trickling body was read whole: %d %s", status, body)
	} else if status != 0 && !strings.Contains(body, "slower than") {
		t.Errorf("status %d, body %s: want it to say the body was too slow", status, body)
	}
	// 64 bytes every 50 ms keeps the rate, for longer than a window.
	if status, body := send(strings.Repeat("x", 64), 50*time.Millisecond, 10); status != http.StatusOK {
		t.Errorf("a body at the rate: status %d: %s", status, body)
	}
}

// TestMinBodyRateEndsWithTheBody: once the body has arrived, the rate's
// read deadline no longer applies. A handler that works on the body for
// longer than a window (an import loading what it received) keeps its
// request: the server's watch for a vanished client must not mistake the
// stale deadline for the client going away.
func TestMinBodyRateEndsWithTheBody(t *testing.T) {
	st := storetest.Open(t)
	rate := graph.MinBodyRate{Bytes: 64, Window: 100 * time.Millisecond}
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		select {
		case <-time.After(5 * rate.Window):
			io.WriteString(w, "done")
		case <-r.Context().Done():
			http.Error(w, "the request was cancelled: "+context.Cause(r.Context()).Error(), http.StatusInternalServerError)
		}
	})
	srv := httptest.NewServer(graph.NewServer(graph.ServerConfig{Store: st, MinBodyRate: rate, Import: slow}))
	t.Cleanup(srv.Close)
	resp, err := http.Post(srv.URL+"/import", "application/x-ndjson", strings.NewReader(strings.Repeat("x", 10_000)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(b) != "done" {
		t.Errorf("status %d: %s", resp.StatusCode, b)
	}
}
