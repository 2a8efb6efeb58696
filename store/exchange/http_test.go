package exchange

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/ties-graph/ties/store"
)

func server(t *testing.T, st *store.Store) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/export", ExportHandler(st, nil))
	mux.Handle("/import", ImportHandler(st, nil))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestExportHandler(t *testing.T) {
	st, _ := fixture(t)
	srv := server(t, st)
	tests := []struct {
		name        string
		query       string
		status      int
		contentType string
		filename    string
		body        string // a substring of the answer
	}{
		{"Default", "", 200, "application/x-ndjson", "ties.ndjson", `{"kind":"entity","id":"dalian"`},
		{"JSON", "?format=json", 200, "application/json", "ties.json", `"multigraph":true`},
		{"CSV", "?format=csv", 200, "application/zip", "ties.zip", "nodes.csv"},
		{"GraphML", "?format=graphml", 200, "application/graphml+xml", "ties.graphml", `<graphml`},
		{"GEXF", "?format=gexf&validAt=2018", 200, "application/gexf+xml", "ties.gexf", `<spell start="2017-01-01"/>`},
		{"DOT", "?format=dot&from=xiao&depth=1", 200, "text/vnd.graphviz", "ties-xiao.dot", `"onno" -> "xiao"`},
		{"Subgraph", "?from=enschede&depth=1&types=SISTER_CITY_OF,&entityTypes=City", 200, "application/x-ndjson", "ties-enschede.ndjson", `"id":"palo-alto"`},
		{"UnknownFormat", "?format=xlsx", 400, "application/json", "", `"code":"INVALID_ARGUMENT","message":"format: unknown format \"xlsx\" (use ndjson, json, csv, graphml, gexf or dot)","field":"format"`},
		{"UnknownFrom", "?from=atlantis", 404, "application/json", "", `"code":"NOT_FOUND","message":"from: no entity \"atlantis\""`},
		{"BadDepth", "?from=enschede&depth=two", 400, "application/json", "", `"field":"depth"`},
		{"BadValidAt", "?validAt=2017-13", 400, "application/json", "", `invalid date \"2017-13\"`},
		{"UnknownType", "?types=TWINNED", 400, "application/json", "", `TWINNED`},
		{"MisspeltArgument", "?valid-at=2012", 400, "application/json", "", `unknown query argument \"valid-at\"; did you mean \"validAt\"?`},
		{"UnknownArgument", "?format=json&frmo=enschede", 400, "application/json", "", `unknown query argument \"frmo\" (known: format, from,`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Get(srv.URL + "/export" + tt.query)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if got, want := resp.StatusCode, tt.status; got != want {
				t.Errorf("status: got %d, want %d (%s)", got, want, body)
			}
			if got, want := resp.Header.Get("Content-Type"), tt.contentType; got != want {
				t.Errorf("Content-Type: got %q, want %q", got, want)
			}
			if tt.filename != "" {
				if got, want := resp.Header.Get("Content-Disposition"), `attachment; filename=`+tt.filename; got != want {
					t.Errorf("Content-Disposition: got %q, want %q", got, want)
				}
			}
			if !bytes.Contains(body, []byte(tt.body)) {
				t.Errorf("body lacks %q:\n%.500s", tt.body, body)
			}
		})
	}
	t.Run("MethodNotAllowed", func(t *testing.T) {
		resp, err := http.Post(srv.URL+"/export", "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if got, want := resp.StatusCode, 405; got != want {
			t.Errorf("status: got %d, want %d", got, want)
		}
		if got, want := resp.Header.Get("Allow"), "GET, HEAD"; got != want {
			t.Errorf("Allow: got %q, want %q", got, want)
		}
		if !bytes.Contains(body, []byte(`"code":"INVALID_ARGUMENT"`)) {
			t.Errorf("body: %s", body)
		}
	})
}

func TestImportHandler(t *testing.T) {
	st := founding(t)
	srv := server(t, st)
	good := `{"kind":"entity","id":"gronau","type":"City","name":"Gronau"}` + "\n" +
		`{"kind":"relation","type":"SISTER_CITY_OF","from":"gronau","to":"enschede"}` + "\n"
	bad := `{"kind":"entity","id":"gronau","type":"City","name":"Gronau"}` + "\n" +
		`{"kind":"relation","type":"SISTER_CITY_OF","from":"gronau","to":"atlantis"}` + "\n" +
		`{"kind":"entity","id":"hengelo","type":"Town","name":"Hengelo"}` + "\n"
	post := func(t *testing.T, query, contentType string, body []byte) (int, map[string]any) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/import"+query, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		req.Header.Set(ClientHeader, "test")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatalf("answer is not JSON: %v", err)
		}
		return resp.StatusCode, out
	}
	t.Run("Invalid", func(t *testing.T) {
		before := dump(t, st)
		status, out := post(t, "?format=ndjson&name=bad.ndjson", "", []byte(bad))
		if got, want := status, 400; got != want {
			t.Fatalf("status: got %d, want %d: %v", got, want, out)
		}
		errs, _ := out["errors"].([]any)
		if got, want := len(errs), 2; got != want {
			t.Fatalf("errors: got %d, want %d: %v", got, want, out)
		}
		first := errs[0].(map[string]any)
		if got, want := first["record"], "bad.ndjson:2"; got != want {
			t.Errorf("first error record: got %v, want %v", got, want)
		}
		if got, want := first["field"], "to"; got != want {
			t.Errorf("first error field: got %v, want %v", got, want)
		}
		unchanged(t, st, before, "a refused import")
		if _, ok := out["stopped"]; ok {
			t.Errorf("2 errors under the limit are marked as stopped: %v", out)
		}
	})
	// A file with an error on every line, and a client asking for all of
	// them: the list stops at store.MaxLoadErrors, says so, and the store
	// is as before. (Collecting them was once quadratic in their number.)
	t.Run("ErrorsCapped", func(t *testing.T) {
		before := dump(t, st)
		var body bytes.Buffer
		for i := range 3 * store.MaxLoadErrors {
			fmt.Fprintf(&body, `{"kind":"entity","id":"e%d","type":"City","name":"x","validFrom":"2017-13"}`+"\n", i)
		}
		for _, tc := range []struct {
			query string
			want  int
		}{
			{"?format=ndjson&maxErrors=1000000", store.MaxLoadErrors},
			{"?format=ndjson&maxErrors=7", 7},
			{"?format=ndjson", 100},
		} {
			status, out := post(t, tc.query, "", body.Bytes())
			if got, want := status, 400; got != want {
				t.Fatalf("%s: status: got %d, want %d", tc.query, got, want)
			}
			errs, _ := out["errors"].([]any)
			if got := len(errs); got != tc.want {
				t.Errorf("%s: %d errors, want %d", tc.query, got, tc.want)
			}
			if out["stopped"] != true {
				t.Errorf("%s: not marked as stopped", tc.query)
			}
			// Every line's problem is counted, listed or not.
			if got, want := out["total"], float64(3*store.MaxLoadErrors); got != want {
				t.Errorf("%s: total %v, want %v", tc.query, got, want)
			}
		}
		unchanged(t, st, before, "a refused import")
	})
	t.Run("MisspeltDryRun", func(t *testing.T) {
		// Were dry-run ignored, this would write for real.
		before := dump(t, st)
		status, out := post(t, "?dry-run=true", "application/x-ndjson", []byte(good))
		if got, want := status, 400; got != want {
			t.Fatalf("status: got %d, want %d: %v", got, want, out)
		}
		if msg, _ := out["error"].(map[string]any)["message"].(string); !strings.Contains(msg, `did you mean "dryRun"`) {
			t.Errorf("message %q does not point at dryRun", msg)
		}
		unchanged(t, st, before, "a refused import")
	})
	// A dry run in another spelling is still a dry run, and a value that
	// is not a boolean is refused: read as false, it would write for real.
	t.Run("DryRunValues", func(t *testing.T) {
		for _, tc := range []struct {
			value  string
			status int
		}{
			{"True", 200},
			{"1", 200},
			{"yes", 400},
			{"on", 400},
		} {
			before := dump(t, st)
			status, out := post(t, "?dryRun="+tc.value, "application/x-ndjson", []byte(good))
			if got, want := status, tc.status; got != want {
				t.Fatalf("dryRun=%s: status: got %d, want %d: %v", tc.value, got, want, out)
			}
			if tc.status == 400 {
				if got, want := out["error"].(map[string]any)["field"], "dryRun"; got != want {
					t.Errorf("dryRun=%s: field: got %v, want %v", tc.value, got, want)
				}
			}
			unchanged(t, st, before, "dryRun="+tc.value)
		}
	})
	t.Run("DryRun", func(t *testing.T) {
		before := dump(t, st)
		status, out := post(t, "?dryRun=true", "application/x-ndjson", []byte(good))
		if got, want := status, 200; got != want {
			t.Fatalf("status: got %d, want %d: %v", got, want, out)
		}
		if got, want := out["dryRun"], true; got != want {
			t.Errorf("dryRun: got %v, want %v", got, want)
		}
		unchanged(t, st, before, "a dry run")
	})
	t.Run("GzipOK", func(t *testing.T) {
		status, out := post(t, "?format=ndjson", "application/octet-stream", gzipped(t, []byte(good)))
		if got, want := status, 200; got != want {
			t.Fatalf("status: got %d, want %d: %v", got, want, out)
		}
		if got, want := out["entities"], 1.0; got != want {
			t.Errorf("entities: got %v, want %v", got, want)
		}
		if got, want := out["relations"], 1.0; got != want {
			t.Errorf("relations: got %v, want %v", got, want)
		}
		if !strings.Contains(dump(t, st), `"id":"gronau"`) {
			t.Error("gronau is not in the store after the import")
		}
	})
	t.Run("NoFormat", func(t *testing.T) {
		status, out := post(t, "", "text/plain", []byte(good))
		if got, want := status, 400; got != want {
			t.Errorf("status: got %d, want %d: %v", got, want, out)
		}
	})
	t.Run("ExportFormat", func(t *testing.T) {
		status, out := post(t, "?format=graphml", "", []byte(good))
		if got, want := status, 400; got != want {
			t.Errorf("status: got %d, want %d", got, want)
		}
		if got, want := out["error"].(map[string]any)["field"], "format"; got != want {
			t.Errorf("field: got %v, want %v", got, want)
		}
	})
	// Several files in one multipart upload are one load: the
	// relationships may come before the nodes they name, and one bad file
	// keeps the others out too.
	nodes := "id:ID,:LABEL,name\nhaaksbergen,City,Haaksbergen\n"
	rels := ":START_ID,:END_ID,:TYPE\nhaaksbergen,enschede,COOPERATES_WITH\n"
	badRels := ":START_ID,:END_ID,:TYPE\nhaaksbergen,enschede,COOPERATES_WITH\nhaaksbergen,atlantis,COOPERATES_WITH\n"
	for _, tc := range []struct {
		name   string
		parts  [][2]string // file name, content
		status int
		want   string // in the dump after, or in the first error's record
	}{
		{"MultipartRefused", [][2]string{{"rels.csv", badRels}, {"nodes.csv", nodes}}, 400, "rels.csv:3"},
		{"MultipartNotAFile", [][2]string{{"", nodes}}, 400, ""},
		{"MultipartUnknownFormat", [][2]string{{"nodes.txt", nodes}}, 400, ""},
		{"Multipart", [][2]string{{"rels.csv", rels}, {"nodes.csv", nodes}}, 200, `"id":"haaksbergen"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			for _, p := range tc.parts {
				var w io.Writer
				var err error
				if p[0] == "" {
					w, err = mw.CreateFormField("data")
				} else {
					w, err = mw.CreateFormFile("file", p[0])
				}
				if err != nil {
					t.Fatal(err)
				}
				io.WriteString(w, p[1])
			}
			mw.Close()
			before := dump(t, st)
			status, out := post(t, "", mw.FormDataContentType(), body.Bytes())
			if status != tc.status {
				t.Fatalf("status: got %d, want %d: %v", status, tc.status, out)
			}
			after := dump(t, st)
			if status != 200 {
				if after != before {
					t.Errorf("a refused upload changed the store:\n%s", diffLines(before, after))
				}
				if tc.want != "" {
					errs, _ := out["errors"].([]any)
					if len(errs) == 0 {
						t.Fatalf("no errors listed: %v", out)
					}
					if got := errs[0].(map[string]any)["record"]; got != tc.want {
						t.Errorf("first error record: got %v, want %v", got, tc.want)
					}
				}
				return
			}
			if !strings.Contains(after, tc.want) || !strings.Contains(after, `"type":"COOPERATES_WITH","from":"enschede","to":"haaksbergen"`) {
				t.Errorf("the dump lacks the uploaded files' records:\n%s", diffLines(before, after))
			}
		})
	}
}

// cancellingWriter fails the first write and cancels the request's
// context, as a client that closes the connection does.
type cancellingWriter struct {
	*httptest.ResponseRecorder
	cancel context.CancelFunc
}

func (c cancellingWriter) Write(p []byte) (int, error) {
	c.cancel()
	return 0, errors.New("write: broken pipe")
}

// A client that goes away while its import loads is logged as such, not
// as an error of the server, and nothing is imported.
func TestImportClientGone(t *testing.T) {
	st := founding(t)
	var logs bytes.Buffer
	h := ImportHandler(st, slog.New(slog.NewTextHandler(&logs, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	body := `{"kind":"entity","id":"gone","type":"City","name":"Gone"}` + "\n"
	req := httptest.NewRequest(http.MethodPost, "/import?format=ndjson", strings.NewReader(body)).WithContext(ctx)
	req.Header.Set(ClientHeader, "test")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if got := logs.String(); strings.Contains(got, "level=ERROR") || !strings.Contains(got, "request cancelled by the client") {
		t.Errorf("log:\n%s", got)
	}
	if _, err := st.FindEntityByID(context.Background(), "gone", store.ReadOptions{}); store.ErrorCode(err) != store.NotFound {
		t.Errorf("entity of the cancelled import: %v, want NOT_FOUND", err)
	}
}

// A client that goes away mid-export is logged as such, not as an error of
// the server, and the connection is still broken off.
func TestExportClientGone(t *testing.T) {
	st := founding(t)
	var logs bytes.Buffer
	h := ExportHandler(st, slog.New(slog.NewTextHandler(&logs, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req := httptest.NewRequest(http.MethodGet, "/export", nil).WithContext(ctx)
	func() {
		defer func() {
			if got := recover(); got != http.ErrAbortHandler {
				t.Errorf("recovered %v, want http.ErrAbortHandler", got)
			}
		}()
		h.ServeHTTP(cancellingWriter{httptest.NewRecorder(), cancel}, req)
	}()
	if got := logs.String(); strings.Contains(got, "level=ERROR") || !strings.Contains(got, "export cancelled by the client") {
		t.Errorf("log:\n%s", got)
	}
}

// Uploads beyond MaxConcurrentImports are refused with UNAVAILABLE and a
// Retry-After, not queued: a crowd of slow uploads cannot pile up.
func TestImportConcurrencyLimit(t *testing.T) {
	st := founding(t)
	// The handler reads an upload's body only once it holds a slot, so
	// the first read of a body says that its upload holds one: the test
	// waits for that, not for the client's write, which returns when the
	// client's transport has taken the bytes, maybe before the handler
	// has even started.
	// Likewise a slot is given back after the answer is sent, so the
	// test waits for the handlers to return before it tries again.
	reading := make(chan struct{}, MaxConcurrentImports)
	returned := make(chan struct{}, MaxConcurrentImports+2)
	imports := ImportHandler(st, nil)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { returned <- struct{}{} }()
		r.Body = &firstRead{ReadCloser: r.Body, seen: reading}
		imports.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	var pipes []*io.PipeWriter
	done := make(chan int, MaxConcurrentImports)
	for i := range MaxConcurrentImports {
		pr, pw := io.Pipe()
		pipes = append(pipes, pw)
		go func() {
			status := 0
			resp, err := http.Post(srv.URL+"/import?format=ndjson", "application/octet-stream", pr)
			if err == nil {
				status = resp.StatusCode
				resp.Body.Close()
			}
			done <- status
		}()
		line := fmt.Sprintf(`{"kind":"entity","id":"slow-%d","type":"City","name":"Slow %d"}`+"\n", i, i)
		if _, err := pw.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
		<-reading
	}
	one := `{"kind":"entity","id":"eager","type":"City","name":"Eager"}` + "\n"
	resp, err := http.Post(srv.URL+"/import?format=ndjson", "application/x-ndjson", strings.NewReader(one))
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Error struct{ Code string }
	}
	json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || out.Error.Code != "UNAVAILABLE" || resp.Header.Get("Retry-After") == "" {
		t.Errorf("an upload over the limit: status %d, code %q, Retry-After %q; want 503, UNAVAILABLE and a Retry-After",
			resp.StatusCode, out.Error.Code, resp.Header.Get("Retry-After"))
	}
	for _, pw := range pipes {
		pw.Close()
	}
	for range MaxConcurrentImports {
		if status := <-done; status != http.StatusOK {
			t.Errorf("a slow upload finished with status %d, want 200", status)
		}
	}
	for range MaxConcurrentImports + 1 { // the slow ones and the refused one
		<-returned
	}
	resp, err = http.Post(srv.URL+"/import?format=ndjson", "application/x-ndjson", strings.NewReader(one))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("an upload once the others finished: status %d, want 200", resp.StatusCode)
	}
}

// TestImportRefusesCrossSite: a body that a web page could send to any site
// without a CORS preflight (a form post, text/plain, no Content-Type) is
// refused with FORBIDDEN and changes nothing, unless the client shows it
// is not a form with ClientHeader or Authorization; other Content-Types
// need a preflight and are accepted.
func TestImportRefusesCrossSite(t *testing.T) {
	st := founding(t)
	srv := server(t, st)
	body := `{"kind":"entity","id":"gronau","type":"City","name":"Gronau"}` + "\n"
	for _, tc := range []struct {
		name, contentType string
		header            http.Header
		want              int
	}{
		{"NoContentType", "", nil, http.StatusForbidden},
		{"TextPlain", "text/plain; charset=utf-8", nil, http.StatusForbidden},
		{"Form", "application/x-www-form-urlencoded", nil, http.StatusForbidden},
		{"Multipart", "multipart/form-data; boundary=x", nil, http.StatusForbidden},
		{"TextPlainWithClientHeader", "text/plain", http.Header{ClientHeader: {"script"}}, http.StatusOK},
		{"TextPlainWithAuthorization", "text/plain", http.Header{"Authorization": {"Bearer x"}}, http.StatusOK},
		{"NDJSON", "application/x-ndjson", nil, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := dump(t, st)
			req, err := http.NewRequest(http.MethodPost, srv.URL+"/import?format=ndjson", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			for k, v := range tc.header {
				req.Header[k] = v
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			msg, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.want, msg)
			}
			if tc.want == http.StatusForbidden {
				if !strings.Contains(string(msg), `"code":"FORBIDDEN"`) || !strings.Contains(string(msg), ClientHeader) {
					t.Errorf("answer does not say what to do: %s", msg)
				}
				unchanged(t, st, before, "a refused import")
			}
		})
	}
}

// firstRead tells seen, once, that its body is being read.
type firstRead struct {
	io.ReadCloser
	seen chan<- struct{}
	once sync.Once
}

func (f *firstRead) Read(p []byte) (int, error) {
	f.once.Do(func() { f.seen <- struct{}{} })
	return f.ReadCloser.Read(p)
}
