package exchange

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/storetest"
)

// TestClient speaks to the handlers of this package through a real HTTP
// server: what the client sends is what the handlers read, and their
// refusals come back as the store's errors.
func TestClient(t *testing.T) {
	ctx := context.Background()
	fx, data := fixture(t)
	want := export(t, fx, NDJSON, Scope{})
	st := storetest.Open(t)
	c, err := NewClient(server(t, st).URL+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("ImportDryRun", func(t *testing.T) {
		res, err := c.Import(ctx, []Input{bytesInput("fixture.ndjson", "", data)}, ImportOptions{DryRun: true})
		if err != nil || !res.DryRun || res.Entities == 0 || res.CommitTs != 0 {
			t.Fatalf("dry run: got %+v, %v; want counts and no commit", res, err)
		}
	})
	t.Run("Import", func(t *testing.T) {
		var uploaded []float64
		res, err := c.Import(ctx, []Input{bytesInput("fixture.ndjson", "", data)}, ImportOptions{
			Progress: func(p Progress) { uploaded = append(uploaded, p.Done) },
		})
		if err != nil || res.Entities == 0 || res.CommitTs == 0 {
			t.Fatalf("import: got %+v, %v; want counts and a commit", res, err)
		}
		if len(uploaded) == 0 || uploaded[len(uploaded)-1] != 1 {
			t.Errorf("upload progress: got %v, want it to end at 1", uploaded)
		}
	})
	t.Run("Export", func(t *testing.T) {
		body, err := c.Export(ctx, ExportOptions{Format: NDJSON})
		if err != nil {
			t.Fatal(err)
		}
		defer body.Close()
		got, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("export through the client differs from the store's export:\n got %.300s\nwant %.300s", got, want)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		bad := []byte(`{"kind":"entity","id":"x","type":"NoSuchType","name":"X"}` + "\n" + `{"kind":"relation","id":"r","type":"MEMBER_OF","from":"x","to":"nowhere"}` + "\n")
		_, err := c.Import(ctx, []Input{bytesInput("bad.ndjson", "", bad), bytesInput("more.ndjson", "", data)}, ImportOptions{})
		var es store.Errors
		if !errors.As(err, &es) || len(es) < 2 || es[0].Code != store.Invalid || !strings.Contains(es[0].Error(), "bad.ndjson:1") {
			t.Fatalf("a refused import: got %v, want store.Errors, the first naming bad.ndjson:1", err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := c.Export(ctx, ExportOptions{Format: NDJSON, Scope: Scope{From: "atlantis", Depth: 1}})
		if got := store.ErrorCode(err); got != store.NotFound {
			t.Errorf("export from a missing entity: got %v (%s), want NOT_FOUND", err, got)
		}
	})
	t.Run("ErrNotHTTP", func(t *testing.T) {
		if _, err := NewClient("ftp://example.org", nil); store.ErrorCode(err) != store.Invalid {
			t.Errorf("NewClient(ftp): got %v, want an Invalid error", err)
		}
	})
}

// TestExportQueryRoundTrip checks that the query the client sends reads
// back, by the handler's own parser, as the options it was made from.
func TestExportQueryRoundTrip(t *testing.T) {
	want := ExportOptions{
		Format: GraphML,
		Scope: Scope{From: "enschede", Depth: 2, Types: []string{"SISTER_CITY_OF", "MEMBER_OF"},
			EntityTypes: []string{"City"}, ValidAt: store.MustParseDate("2017-07")},
		AsOf: time.Date(2024, 3, 1, 10, 0, 0, 123456789, time.UTC),
	}
	r := httptest.NewRequest("GET", "/export?"+exportQuery(want).Encode(), nil)
	got, err := exportOptions(r)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
	}
}
