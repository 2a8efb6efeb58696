package graph_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/ties-graph/ties/graph"
)

// One request reading several snapshots, one of them older than the
// history kept: only the field that asked for the old instant fails.
// Analysts compare a record now and in the past with aliases in one query,
// and a mistyped date in one alias used to fail every alias read in the
// same batch with its error.
func TestAsOfErrorStaysWithItsField(t *testing.T) {
	// A long wait puts both lookups in one batch, as a busy server does.
	e := newEnv(t, graph.ServerConfig{LoaderWait: 200 * time.Millisecond})
	if e.store.Features().AllHistory {
		t.Skip("the backend keeps every version: no instant is older than its history")
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	r := e.post(`query($now: DateTime!) {
  ok: entity(id: "enschede", asOf: $now) { name }
  old: entity(id: "dalian", asOf: "2000-01-01T00:00:00Z") { name }
  rel: relation(id: "rel-afbbd6fd6a53ac752721", asOf: $now) { type }
  oldRel: relation(id: "rel-afbbd6fd6a53ac752721", asOf: "2000-01-01T00:00:00Z") { type }
}`, map[string]any{"now": now})
	if r.Status != http.StatusOK {
		t.Fatalf("status %d: %s", r.Status, r.Raw)
	}
	var failed []string
	for _, e := range r.Errors {
		if len(e.Path) > 0 {
			failed = append(failed, e.Path[0].(string))
		}
		if got, want := e.Extensions["code"], any("INVALID_ARGUMENT"); got != want {
			t.Errorf("%v: code %v, want %v", e.Path, got, want)
		}
	}
	if got, want := len(failed), 2; got != want || failed[0] == "ok" || failed[0] == "rel" || failed[1] == "ok" || failed[1] == "rel" {
		t.Errorf("errors at %v, want only at old and oldRel: %s", failed, r.Raw)
	}
	var d struct {
		OK  *struct{ Name string }
		Rel *struct{ Type string }
	}
	if err := json.Unmarshal(r.Data, &d); err != nil {
		t.Fatalf("decode %s: %v", r.Data, err)
	}
	if d.OK == nil || d.OK.Name != "Enschede" {
		t.Errorf("ok: got %+v, want Enschede: %s", d.OK, r.Raw)
	}
	if d.Rel == nil || d.Rel.Type != "SISTER_CITY_OF" {
		t.Errorf("rel: got %+v, want SISTER_CITY_OF: %s", d.Rel, r.Raw)
	}
}
