package graph_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ties-graph/ties/graph"
	"github.com/ties-graph/ties/store"
)

// Every error a client can meet carries a code and a message that says
// what to change.
func TestErrorCodes(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	for _, tc := range []struct {
		name    string
		query   string
		vars    map[string]any
		code    string
		mention string // a word the message must contain
	}{
		{"NotFound", `{ relations(id: "atlantis") { totalCount } }`, nil, "NOT_FOUND", "atlantis"},
		{"NotFoundPath", `{ path(from: "atlantis", to: "enschede") { length } }`, nil, "NOT_FOUND", "atlantis"},
		{"InvalidDateLiteral", `{ entity(id: "dalian") { relations(validAt: "2017-13") { totalCount } } }`, nil, "INVALID_ARGUMENT", "2017-13"},
		{"InvalidDateVariable", `query($d: Date) { entity(id: "dalian") { degree(validAt: $d) } }`, map[string]any{"d": "last year"}, "INVALID_ARGUMENT", "last year"},
		{"InvalidDateTime", `{ entity(id: "dalian", asOf: "yesterday") { id } }`, nil, "INVALID_ARGUMENT", "yesterday"},
		{"FirstOverMax", `{ entities(first: 5000) { totalCount } }`, nil, "INVALID_ARGUMENT", "first"},
		// No sources is no estimate; leaving samples out takes the default.
		{"SamplesZero", `{ centrality(measure: BETWEENNESS, samples: 0) { samples } }`, nil, "INVALID_ARGUMENT", "samples is 0; it must be between 1 and"},
		{"UnknownRelationType", `{ entity(id: "dalian") { degree(types: ["NO_SUCH_TYPE"]) } }`, nil, "INVALID_ARGUMENT", "NO_SUCH_TYPE"},
		{"Conflict", `mutation { deleteEntities(ids: ["enschede"]) }`, nil, "CONFLICT", "cascade"},
		{"TooComplex", `{ entities(first: 1000) { edges { node { relations(first: 1000) { totalCount } } } } }`, nil, "TOO_COMPLEX", "complexity"},
		{"ParseFailed", `{ entity(id: "enschede" { id } }`, nil, "GRAPHQL_PARSE_FAILED", ""},
		{"ValidationFailed", `{ entity(id: "enschede") { nmae } }`, nil, "GRAPHQL_VALIDATION_FAILED", "nmae"},
		{"VariableMissing", `query($id: ID!) { entity(id: $id) { id } }`, nil, "GRAPHQL_VALIDATION_FAILED", "$id"},
		{"VariableWrongType", `query($n: Int) { entities(first: $n) { totalCount } }`, map[string]any{"n": "many"}, "GRAPHQL_VALIDATION_FAILED", ""},
		// gqlparser's own message names 0, the value it failed to make.
		{"VariableNotAnInt", `query($n: Int) { entities(first: $n) { totalCount } }`, map[string]any{"n": 1.5}, "GRAPHQL_VALIDATION_FAILED", "variable $n: cannot use 1.5 as Int: want a whole number"},
		{"VariableIntOutOfRange", `query($n: Int) { entities(first: $n) { totalCount } }`, map[string]any{"n": json.Number("99999999999999999999")}, "GRAPHQL_VALIDATION_FAILED", "variable $n: cannot use 99999999999999999999 as Int: out of range"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.at(t).post(tc.query, tc.vars)
			if got, want := r.Code(), tc.code; got != want {
				t.Fatalf("code: got %q, want %q: %s", got, want, r.Raw)
			}
			if msg := r.Errors[0].Message; !strings.Contains(msg, tc.mention) || msg == "internal error" {
				t.Errorf("message %q does not mention %q", msg, tc.mention)
			}
			if strings.Contains(string(r.Raw), "Did you mean") {
				t.Errorf("field suggestions are on: %s", r.Raw)
			}
		})
	}
}

// A value a scalar refuses while the arguments are read is named in
// extensions.field as the service's own checks name theirs, so that a
// client can point at what to change.
func TestArgumentErrorsNameTheField(t *testing.T) {
	e := newEnv(t, mutationConfig)
	for _, tc := range []struct {
		name, query string
		vars        map[string]any
		field       string
	}{
		{"DateLiteral", `{ entity(id: "dalian") { relations(validAt: "2017-13") { totalCount } } }`, nil, "validAt"},
		{"DateVariable", `query($d: Date) { entity(id: "dalian") { degree(validAt: $d) } }`, map[string]any{"d": "last year"}, "validAt"},
		{"DateTime", `{ entity(id: "dalian", asOf: "yesterday") { id } }`, nil, "asOf"},
		{"DateRange", `{ entity(id: "dalian") { relations(during: {from: "2010", to: "2015-13"}) { totalCount } } }`, nil, "during.to"},
		{"InputDate", `mutation { upsertEntities(input: [{id: "a", type: "City", name: "A"}, {id: "b", type: "City", name: "B", validFrom: "2017-13"}]) { id } }`, nil, "validFrom"},
		{"InputProperties", `mutation { upsertEntities(input: [{id: "b", type: "City", name: "B", properties: "{}"}]) { id } }`, nil, "properties"},
		// A field the scalar names itself keeps its own name.
		{"PropertyDate", `mutation { upsertEntities(input: [{id: "b", type: "City", name: "B", properties: {opened: {date: "2017-13"}}}]) { id } }`, nil, "properties.opened"},
		// An unknown id names the argument that gave it.
		{"NotFound", `{ path(from: "atlantis", to: "enschede") { length } }`, nil, "from"},
		// An error of the field, not of an argument, names none: the
		// entity exists, the delete conflicts with its relations.
		{"Conflict", `mutation { deleteEntities(ids: ["enschede"]) }`, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.at(t).post(tc.query, tc.vars)
			if len(r.Errors) == 0 {
				t.Fatalf("no error: %s", r.Raw)
			}
			got, _ := r.Errors[0].Extensions["field"].(string)
			if got != tc.field {
				t.Errorf("extensions.field: got %q, want %q: %s", got, tc.field, r.Raw)
			}
		})
	}
}

// Request errors are 200 under application/json and 400 under
// application/graphql-response+json, and carry no data entry.
func TestRequestErrorStatus(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	body := []byte(`{"query": "{ nope }"}`)
	for _, tc := range []struct {
		accept      string
		status      int
		contentType string
	}{
		{"application/json", http.StatusOK, "application/json"},
		{"", http.StatusOK, "application/json"},
		{"*/*", http.StatusOK, "application/json"},
		{"application/graphql-response+json", http.StatusBadRequest, "application/graphql-response+json"},
		{"application/graphql-response+json, application/json;q=0.9", http.StatusBadRequest, "application/graphql-response+json"},
		{"text/html", http.StatusNotAcceptable, "application/json"},
	} {
		t.Run(tc.accept, func(t *testing.T) {
			h := http.Header{}
			if tc.accept != "" {
				h.Set("Accept", tc.accept)
			}
			r := e.at(t).do(http.MethodPost, "/query", "application/json", body, h)
			if got, want := r.Status, tc.status; got != want {
				t.Errorf("status: got %d, want %d", got, want)
			}
			if got := r.Header.Get("Content-Type"); !strings.HasPrefix(got, tc.contentType) {
				t.Errorf("content type: got %q, want %q", got, tc.contentType)
			}
			if r.HasData {
				t.Errorf("request error with a data entry: %s", r.Raw)
			}
		})
	}
}

func TestTimeout(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{Limits: graph.Limits{Timeout: time.Nanosecond}})
	r := e.post(`{ entity(id: "enschede") { name } }`, nil)
	if got, want := r.Code(), "TIMEOUT"; got != want {
		t.Errorf("code: got %q, want %q: %s", got, want, r.Raw)
	}
}

func TestIntrospection(t *testing.T) {
	q := `{ __schema { queryType { name } } __type(name: "Entity") { name } }`
	t.Run("OnByDefault", func(t *testing.T) {
		e := newEnv(t, graph.ServerConfig{})
		r := e.post(q, nil)
		if len(r.Errors) > 0 || !strings.Contains(string(r.Data), `"Query"`) {
			t.Errorf("introspection: %s", r.Raw)
		}
	})
	t.Run("Off", func(t *testing.T) {
		e := newEnv(t, graph.ServerConfig{NoIntrospection: true})
		r := e.post(q, nil)
		if got, want := r.Code(), "FORBIDDEN"; got != want {
			t.Errorf("code: got %q, want %q: %s", got, want, r.Raw)
		}
		var d struct {
			Typename string `json:"__typename"`
		}
		e.ok(`{ __typename }`, nil, &d)
		if d.Typename != "Query" {
			t.Errorf("__typename with introspection off: got %q", d.Typename)
		}
	})
}

// An error without a code is logged in full and shown as "internal error".
func TestInternalErrorsAreHidden(t *testing.T) {
	// Not storetest.Open: its cleanup checks the store, which this test
	// closes on purpose.
	st, err := store.Open(t.TempDir(), store.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	loadFounding(t, st)
	e := newEnvWith(t, st, graph.ServerConfig{})
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	r := e.post(`{ entity(id: "enschede") { name } }`, nil)
	if got, want := r.Code(), "INTERNAL"; got != want {
		t.Fatalf("code: got %q, want %q: %s", got, want, r.Raw)
	}
	if got, want := r.Errors[0].Message, "internal error"; got != want {
		t.Errorf("message: got %q, want %q", got, want)
	}
	if !strings.Contains(e.logs.String(), "internal error") {
		t.Errorf("the internal error was not logged:\n%s", e.logs.String())
	}
	// The readiness probe notices too.
	res := e.do(http.MethodGet, "/readyz", "", nil, nil)
	if got, want := res.Status, http.StatusServiceUnavailable; got != want {
		t.Errorf("readyz over a closed store: got %d, want %d", got, want)
	}
}

func TestReadOnly(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{ReadOnly: true})
	r := e.post(`mutation { deleteEntities(ids: ["tesla-motors"], cascade: true) }`, nil)
	if got, want := r.Code(), "FORBIDDEN"; got != want {
		t.Errorf("mutation on a read-only server: code %q, want %q: %s", got, want, r.Raw)
	}
	var d struct{ Entity struct{ Name string } }
	e.ok(`{ entity(id: "tesla-motors") { name } }`, nil, &d)
	if got, want := d.Entity.Name, "Tesla Motors"; got != want {
		t.Errorf("after the refused mutation: got %q, want %q", got, want)
	}
}

// A document of several operations needs operationName; the message says
// so and lists the names, rather than gqlgen's "operation  not found".
func TestOperationNameErrors(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	doc := `query A { stats { entities } } query B { stats { relations } }`
	for _, tc := range []struct {
		name, body, mention string
	}{
		{"none named", `{"query": "` + doc + `"}`, "name the one to run with operationName (A, B)"},
		{"unknown name", `{"query": "` + doc + `", "operationName": "C"}`, `operationName "C" names no operation of the document (it has A, B)`},
		{"no operation", `{"query": "fragment F on Query { stats { entities } }"}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.at(t).do(http.MethodPost, "/query", "application/json", []byte(tc.body), nil)
			if got, want := r.Code(), "GRAPHQL_VALIDATION_FAILED"; got != want {
				t.Fatalf("code: got %q, want %q: %s", got, want, r.Raw)
			}
			if msg := r.Errors[0].Message; !strings.Contains(msg, tc.mention) || strings.Contains(msg, "  ") {
				t.Errorf("message %q does not say %q", msg, tc.mention)
			}
		})
	}
	r := e.do(http.MethodPost, "/query", "application/json", []byte(`{"query": "`+doc+`", "operationName": "B"}`), nil)
	if len(r.Errors) > 0 {
		t.Errorf("operationName B: %s", r.Raw)
	}
}

// An unknown id reads the same whichever field met it, and
// extensions.field names the argument that gave it, where one did.
func TestNotFoundMessages(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	for _, tc := range []struct{ query, field string }{
		{`{ relations(id: "atlantis") { totalCount } }`, "id"},
		{`{ path(from: "atlantis", to: "enschede") { length } }`, "from"},
		{`{ paths(from: "enschede", to: "atlantis") { length } }`, "to"},
		{`{ commonNeighbors(ids: ["enschede", "atlantis"]) { id } }`, "ids"},
		{`{ neighborhood(id: "atlantis") { truncated } }`, "id"},
		{`{ neighborhood(id: "atlantis") { nodes { id } } }`, "id"},
		{`query($to: ID!) { path(from: "enschede", to: $to) { length } }`, "to"},
		{`{ path(from: "atlantis", to: "atlantis") { length } }`, ""}, // both: neither named
	} {
		r := e.post(tc.query, map[string]any{"to": "atlantis"})
		if got, want := r.Code(), "NOT_FOUND"; got != want {
			t.Errorf("%s: code %q, want %q: %s", tc.query, got, want, r.Raw)
			continue
		}
		if got, want := r.Errors[0].Message, `no entity "atlantis"`; got != want {
			t.Errorf("%s: message %q, want %q", tc.query, got, want)
		}
		if got, _ := r.Errors[0].Extensions["field"].(string); got != tc.field {
			t.Errorf("%s: field %q, want %q", tc.query, got, tc.field)
		}
	}
}
