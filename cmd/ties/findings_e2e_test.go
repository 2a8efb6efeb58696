package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestE2EUntrustedInput sends the running binary what a careless or
// hostile client would: duplicate ids in node-link JSON, a request whose
// second mutation fails, cross-site and DNS-rebinding requests, an
// asOf before any history, ids that differ only invisibly, an upload with
// an error on every line, and mutations while a long import runs. After
// each, the data is what the answer said and ties check passes.
func TestE2EUntrustedInput(t *testing.T) {
	bin := e2eBinary(t)
	dir := filepath.Join(t.TempDir(), "data")
	srv := serveTies(t, bin, dir, nil)
	ctx := context.Background()
	export := func() string {
		_, b := srv.request(t, "", http.MethodGet, "/export", "", nil)
		return string(b)
	}
	code := func(b []byte) string {
		if i := bytes.Index(b, []byte(`"code":"`)); i >= 0 {
			rest := b[i+8:]
			return string(rest[:bytes.IndexByte(rest, '"')])
		}
		return ""
	}

	t.Run("DuplicateNodeLinkIDs", func(t *testing.T) {
		body := `{"nodes":[{"id":"dj","type":"Organization","name":"a"},{"id":"dj","type":"Person","name":"b"}],"links":[]}`
		if status, b := srv.request(t, "", http.MethodPost, "/import?format=json", "application/json", []byte(body)); status != http.StatusOK {
			t.Fatalf("import: %d %s", status, b)
		}
		var d struct{ Entity struct{ Type, Name string } }
		if err := srv.query(ctx, `{ entity(id: "dj") { type name } }`, nil, &d); err != nil || d.Entity.Name != "b" || d.Entity.Type != "Person" {
			t.Errorf("dj after the import: %+v %v, want the last node", d, err)
		}
	})
	t.Run("OneRequestOneTransaction", func(t *testing.T) {
		before := export()
		_, b := srv.request(t, "", http.MethodPost, "/query", "application/json", gql(`mutation {
			a: upsertEntities(input: [{id: "gronau", type: "City", name: "Gronau"}]) { id }
			b: upsertRelations(input: [{type: "SISTER_CITY_OF", from: "gronau", to: "atlantis"}]) { id } }`))
		if !bytes.Contains(b, []byte(`"data":null`)) {
			t.Errorf("answer: %s", b)
		}
		if export() != before {
			t.Errorf("the first mutation of a failed request was written")
		}
	})
	t.Run("CrossSiteImport", func(t *testing.T) {
		before := export()
		status, b := srv.request(t, "", http.MethodPost, "/import?format=ndjson", "text/plain", []byte(`{"kind":"entity","id":"x","type":"City","name":"X"}`+"\n"))
		if status != http.StatusForbidden || code(b) != "FORBIDDEN" {
			t.Errorf("text/plain import: %d %s", status, b)
		}
		if export() != before {
			t.Errorf("a cross-site import was written")
		}
	})
	t.Run("DNSRebinding", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, srv.url+"/export", nil)
		req.Host = "attacker.example:80"
		resp, err := srv.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMisdirectedRequest {
			t.Errorf("a request for another host: %d", resp.StatusCode)
		}
	})
	t.Run("AsOfBeforeHistory", func(t *testing.T) {
		_, b := srv.request(t, "", http.MethodPost, "/query", "application/json", gql(`{ entity(id: "enschede", asOf: "1970-01-01T00:00:00Z") { name } }`))
		if code(b) != "INVALID_ARGUMENT" || !bytes.Contains(b, []byte("oldest instant")) {
			t.Errorf("asOf 1970: %s", b)
		}
	})
	t.Run("InvisibleIDs", func(t *testing.T) {
		_, b := srv.request(t, "", http.MethodPost, "/query", "application/json", gql("mutation { upsertEntities(input: [{id: \"enschede\u200b\", type: \"City\", name: \"Fake\"}]) { id } }"))
		if code(b) != "INVALID_ARGUMENT" {
			t.Errorf("a zero-width id: %s", b)
		}
		if err := srv.query(ctx, "mutation { upsertEntities(input: [{id: \"s\u00e3o-paulo\", type: \"City\", name: \"S\u00e3o Paulo\"}]) { id } }", nil, nil); err != nil {
			t.Fatal(err)
		}
		var d struct{ Entity struct{ ID string } }
		if err := srv.query(ctx, "{ entity(id: \"sa\u0303o-paulo\") { id } }", nil, &d); err != nil || d.Entity.ID != "s\u00e3o-paulo" {
			t.Errorf("the decomposed id: %+v %v, want the composed entity", d, err)
		}
	})
	t.Run("ErrorOnEveryLine", func(t *testing.T) {
		before := export()
		var body bytes.Buffer
		for i := range 100_000 {
			fmt.Fprintf(&body, `{"kind":"entity","id":"e%d","type":"City","name":"x","validFrom":"2017-13"}`+"\n", i)
		}
		status, b := srv.request(t, "", http.MethodPost, "/import?format=ndjson&maxErrors=10000000", "application/x-ndjson", body.Bytes())
		if status != http.StatusBadRequest || !bytes.Contains(b, []byte(`"stopped":true`)) || !bytes.Contains(b, []byte(`"total":100000`)) || bytes.Count(b, []byte(`"record":`)) > 1001 {
			t.Errorf("an upload with 100,000 errors: %d, %d records listed", status, bytes.Count(b, []byte(`"record":`)))
		}
		if export() != before {
			t.Errorf("a refused import changed the data")
		}
	})
	t.Run("MutationsDuringImport", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "big.ndjson")
		writeGraph(t, file, "big", 60_000, 1)
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		wg.Add(1)
		importStatus := 0
		go func() {
			defer wg.Done()
			importStatus, _ = srv.request(t, "", http.MethodPost, "/import?format=ndjson", "application/x-ndjson", data)
		}()
		// While the import runs, mutations answer at once: BUSY with
		// Retry-After, or committed before or after it; never a timeout.
		busy := 0
		for i := 0; i < 400; i++ {
			req, _ := http.NewRequest(http.MethodPost, srv.url+"/query", bytes.NewReader(gql(fmt.Sprintf(`mutation { upsertEntities(input: [{id: "m%d", type: "City", name: "M"}]) { id } }`, i))))
			req.Header.Set("Content-Type", "application/json")
			start := time.Now()
			resp, err := srv.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			switch c := code(b); c {
			case "":
			case "BUSY":
				busy++
				if resp.Header.Get("Retry-After") == "" {
					t.Errorf("BUSY without Retry-After")
				}
			default:
				t.Fatalf("a mutation during the import after %s: %s", time.Since(start), b)
			}
			if busy > 0 && i > 20 {
				break
			}
		}
		wg.Wait()
		if importStatus != http.StatusOK {
			t.Errorf("the import: %d", importStatus)
		}
		t.Logf("%d mutations refused with BUSY while the import ran", busy)
	})
	srv.stop(t)
	if out, errOut, err := tryTies(bin, "check", "--data", dir); err != nil {
		t.Fatalf("ties check: %v\n%s%s", err, out, errOut)
	}
	if strings.Contains(srv.logs.String(), `"level":"ERROR"`) {
		t.Errorf("the service logged errors:\n%s", srv.logs)
	}
}
