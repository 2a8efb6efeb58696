package graph_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/ties-graph/ties/graph"
)

// An import sent to a read-only service (ties serve --read-only, which
// mounts no import handler) is refused in the import's error form, saying
// why, as a mutation is; it was a bare "404 page not found", which
// ties import --url passed on as it was.
func TestReadOnlyRefusesImport(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{ReadOnly: true})
	r := e.do(http.MethodPost, "/import?format=ndjson", "application/x-ndjson",
		[]byte(`{"kind":"entity","id":"gronau","type":"City","name":"Gronau"}`+"\n"), nil)
	if got, want := r.Status, http.StatusForbidden; got != want {
		t.Fatalf("status: got %d, want %d: %s", got, want, r.Raw)
	}
	var body struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(r.Raw, &body); err != nil {
		t.Fatalf("answer is not the import's error JSON: %v: %s", err, r.Raw)
	}
	if got, want := body.Error.Code, "FORBIDDEN"; got != want {
		t.Errorf("code: got %q, want %q", got, want)
	}
	if !strings.Contains(body.Error.Message, "read-only") {
		t.Errorf("message %q does not say the service is read-only", body.Error.Message)
	}
	var d struct{ Entity *struct{ ID string } }
	e.ok(`{ entity(id: "gronau") { id } }`, nil, &d)
	if d.Entity != nil {
		t.Errorf("the refused import wrote gronau")
	}
}
