package graph_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ties-graph/ties/graph"
)

// A client that sends operationName with a document whose one operation
// has no name (a saved query whose name was deleted) is told to leave
// operationName out, rather than "(it has )".
func TestOperationNameForAnonymousOperation(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	r := e.do(http.MethodPost, "/query", "application/json",
		[]byte(`{"query": "{ stats { entities } }", "operationName": "Partners"}`), nil)
	if got, want := r.Code(), "GRAPHQL_VALIDATION_FAILED"; got != want {
		t.Fatalf("code: got %q, want %q: %s", got, want, r.Raw)
	}
	msg := r.Errors[0].Message
	if strings.Contains(msg, "()") || strings.Contains(msg, "has )") {
		t.Errorf("message %q lists no names", msg)
	}
	for _, want := range []string{`"Partners"`, "no name", "leave operationName out"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not say %s", msg, want)
		}
	}
}
