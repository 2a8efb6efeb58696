package graph_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ties-graph/ties/graph"
	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/exchange"
	"github.com/ties-graph/ties/store/storetest"
)

// accessEnv is a server with access control over the founding data, and
// a token of each scope.
type accessEnv struct {
	*env
	read, write, admin string
}

func newAccessEnv(t *testing.T, anonymous store.Scope) *accessEnv {
	t.Helper()
	st := storetest.Open(t)
	loadFounding(t, st)
	a := &accessEnv{}
	for _, k := range []struct {
		name  string
		scope store.Scope
		token *string
	}{{"reader", store.ScopeRead, &a.read}, {"writer", store.ScopeWrite, &a.write}, {"root", store.ScopeAdmin, &a.admin}} {
		_, tok, err := st.CreateAPIKey(context.Background(), store.NewAPIKey{Name: k.name, Scope: k.scope, Principal: store.PrincipalCLI})
		if err != nil {
			t.Fatal(err)
		}
		*k.token = tok
	}
	backup := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		st.Backup(r.Context(), w)
	})
	a.env = newEnvWith(t, st, graph.ServerConfig{
		Access: &graph.Access{Anonymous: anonymous},
		Export: exchange.ExportHandler(st, nil), Import: exchange.ImportHandler(st, nil), Backup: backup,
	})
	return a
}

// as sends a GraphQL POST with token ("" for none).
func (a *accessEnv) as(t *testing.T, token, query string, vars map[string]any) *response {
	t.Helper()
	return a.at(t).doAs(token, http.MethodPost, "/query", "application/json", jsonBody(t, map[string]any{"query": query, "variables": vars}))
}

func (e *env) doAs(token, method, path, contentType string, body []byte) *response {
	e.t.Helper()
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	return e.do(method, path, contentType, body, h)
}

func jsonBody(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const upsertHengelo = `mutation { upsertEntities(input: [{id: "hengelo", type: "City", name: "Hengelo"}]) { id } }`

// exists reports whether the entity id is in the store.
func exists(t *testing.T, st *store.Store, id string) bool {
	t.Helper()
	e, err := st.FindEntityByID(context.Background(), id, store.ReadOptions{})
	if err != nil && store.ErrorCode(err) != store.NotFound {
		t.Fatal(err)
	}
	return e != nil
}

// refused checks a refusal: status, code, and the challenge header.
func refused(t *testing.T, r *response, status int, code string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("status %d, want %d: %s", r.Status, status, r.Raw)
	}
	got := r.Code()
	if got == "" {
		// The JSON errors of /export, /import, /backup and /metrics.
		var body struct {
			Error struct{ Code string } `json:"error"`
		}
		_ = json.Unmarshal(r.Raw, &body)
		got = body.Error.Code
	}
	if got != code {
		t.Errorf("code %q, want %q: %s", got, code, r.Raw)
	}
	if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("WWW-Authenticate %q, want a Bearer challenge", r.Header.Get("WWW-Authenticate"))
	}
}

func TestAccessAnonymousNone(t *testing.T) {
	a := newAccessEnv(t, store.ScopeNone)
	ndjson := []byte(`{"kind":"entity","id":"hengelo","type":"City","name":"Hengelo"}` + "\n")
	for _, tc := range []struct {
		name                      string
		method, path, contentType string
		body                      []byte
		header                    http.Header
	}{
		{"Query", http.MethodPost, "/query", "application/json", []byte(`{"query":"{ stats { entities } }"}`), nil},
		{"QueryGET", http.MethodGet, "/query?query=%7Bstats%7Bentities%7D%7D", "", nil, nil},
		{"Mutation", http.MethodPost, "/query", "application/json", jsonBody(t, map[string]any{"query": upsertHengelo}), nil},
		{"Export", http.MethodGet, "/export", "", nil, nil},
		{"Import", http.MethodPost, "/import?format=ndjson", "application/x-ndjson", ndjson, nil},
		{"Metrics", http.MethodGet, "/metrics", "", nil, nil},
		{"Backup", http.MethodGet, "/backup", "", nil, nil},
		// A websocket that sends a bad Authorization header is refused
		// before it upgrades; one without authenticates in its
		// connection_init (TestSubscriptionAccess).
		{"Websocket", http.MethodGet, "/query", "", nil, http.Header{
			"Connection": {"Upgrade"}, "Upgrade": {"websocket"}, "Sec-Websocket-Version": {"13"}, "Authorization": {"Bearer ties_not-a-key"},
			"Sec-Websocket-Key": {"dGhlIHNhbXBsZSBub25jZQ=="}, "Sec-Websocket-Protocol": {"graphql-transport-ws"}}},
		{"SSE", http.MethodPost, "/query", "application/json", []byte(`{"query":"{ stats { entities } }"}`), http.Header{"Accept": {"text/event-stream"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := a.at(t).do(tc.method, tc.path, tc.contentType, tc.body, tc.header)
			refused(t, r, http.StatusUnauthorized, "UNAUTHENTICATED")
		})
	}
	if exists(t, a.store, "hengelo") {
		t.Error("a refused mutation or import wrote hengelo")
	}
	t.Run("Open", func(t *testing.T) {
		for _, p := range []string{"/healthz", "/readyz", "/?query=x"} {
			if r := a.at(t).do(http.MethodGet, p, "", nil, nil); r.Status != http.StatusOK {
				t.Errorf("GET %s: %d, want 200 without a key", p, r.Status)
			}
		}
	})
	t.Run("BadToken", func(t *testing.T) {
		r := a.as(t, "ties_not-a-key", `{ stats { entities } }`, nil)
		refused(t, r, http.StatusUnauthorized, "UNAUTHENTICATED")
		if !strings.Contains(r.Header.Get("WWW-Authenticate"), "invalid_token") {
			t.Errorf("WWW-Authenticate %q, want error=invalid_token", r.Header.Get("WWW-Authenticate"))
		}
		r = a.do(http.MethodPost, "/query", "application/json", []byte(`{"query":"{ stats { entities } }"}`), http.Header{"Authorization": {"Basic dXNlcjpwYXNz"}})
		refused(t, r, http.StatusUnauthorized, "UNAUTHENTICATED")
	})
	t.Run("TokenNotLogged", func(t *testing.T) {
		if strings.Contains(a.logs.String(), a.read[8:]) || strings.Contains(a.logs.String(), "ties_not-a-key") {
			t.Errorf("the log shows a token:\n%s", a.logs.String())
		}
	})
}

func TestAccessScopes(t *testing.T) {
	a := newAccessEnv(t, store.ScopeNone)
	t.Run("ReadReads", func(t *testing.T) {
		r := a.as(t, a.read, `{ entity(id: "enschede") { name } }`, nil)
		if r.Status != http.StatusOK || len(r.Errors) > 0 {
			t.Fatalf("read key query: %d %s", r.Status, r.Raw)
		}
		if r := a.at(t).doAs(a.read, http.MethodGet, "/export?format=dot", "", nil); r.Status != http.StatusOK {
			t.Errorf("read key export: %d %s", r.Status, r.Raw)
		}
	})
	t.Run("ReadCannotWrite", func(t *testing.T) {
		r := a.as(t, a.read, upsertHengelo, nil)
		refused(t, r, http.StatusForbidden, "FORBIDDEN")
		if got := r.Errors[0].Extensions["scope"]; got != "write" {
			t.Errorf("extensions.scope %v, want write", got)
		}
		if !strings.Contains(r.Errors[0].Message, "write scope") || !strings.Contains(r.Errors[0].Message, "reader") {
			t.Errorf("message %q should name the scope needed and the key", r.Errors[0].Message)
		}
		ndjson := []byte(`{"kind":"entity","id":"hengelo","type":"City","name":"Hengelo"}` + "\n")
		refused(t, a.at(t).doAs(a.read, http.MethodPost, "/import?format=ndjson", "application/x-ndjson", ndjson), http.StatusForbidden, "FORBIDDEN")
		refused(t, a.at(t).doAs(a.read, http.MethodGet, "/backup", "", nil), http.StatusForbidden, "FORBIDDEN")
		refused(t, a.at(t).doAs(a.read, http.MethodGet, "/metrics", "", nil), http.StatusForbidden, "FORBIDDEN")
		if exists(t, a.store, "hengelo") {
			t.Error("a refused write wrote hengelo")
		}
	})
	t.Run("WriteWrites", func(t *testing.T) {
		r := a.as(t, a.write, upsertHengelo, nil)
		if r.Status != http.StatusOK || len(r.Errors) > 0 {
			t.Fatalf("write key mutation: %d %s", r.Status, r.Raw)
		}
		if !strings.Contains(a.logs.String(), "principal=writer") {
			t.Errorf("no request log line names the principal:\n%s", a.logs.String())
		}
	})
	t.Run("WriteIsNotAdmin", func(t *testing.T) {
		for _, q := range []string{
			`mutation { createApiKey(name: "x", scope: ADMIN) { token } }`,
			`mutation { revokeApiKey(name: "root") }`,
			`{ apiKeys { name } }`,
			`mutation { defineEntityType(input: {name: "Village", parent: "City"}) { name } }`,
			// One admin field refuses the whole operation: nothing runs.
			`mutation { upsertEntities(input: [{id: "oldenzaal", type: "City", name: "Oldenzaal"}]) { id } ...f } fragment f on Mutation { revokeApiKey(name: "root") }`,
		} {
			r := a.as(t, a.write, q, nil)
			refused(t, r, http.StatusForbidden, "FORBIDDEN")
			if got := r.Errors[0].Extensions["scope"]; got != "admin" {
				t.Errorf("%s: extensions.scope %v, want admin", q, got)
			}
		}
		if exists(t, a.store, "oldenzaal") {
			t.Error("a refused operation wrote oldenzaal")
		}
	})
	t.Run("AdminKeys", func(t *testing.T) {
		var created struct {
			CreateAPIKey struct {
				Token string
				Key   struct {
					Name, Scope, CreatedBy string
					ExpiresAt              *string
				}
			} `json:"createApiKey"`
		}
		r := a.as(t, a.admin, `mutation { createApiKey(name: "ci", scope: WRITE, expires: "90d") { token key { name scope createdBy expiresAt } } }`, nil)
		if r.Status != http.StatusOK || len(r.Errors) > 0 {
			t.Fatalf("createApiKey: %d %s", r.Status, r.Raw)
		}
		if err := json.Unmarshal(r.Data, &created); err != nil {
			t.Fatal(err)
		}
		k := created.CreateAPIKey
		if k.Key.Name != "ci" || k.Key.Scope != "WRITE" || k.Key.CreatedBy != "root" || k.Key.ExpiresAt == nil || !strings.HasPrefix(k.Token, "ties_") {
			t.Errorf("created %+v", k)
		}
		if r := a.as(t, k.Token, `mutation { deleteEntities(ids: ["hengelo"]) }`, nil); r.Status != http.StatusOK || len(r.Errors) > 0 {
			t.Errorf("new key: %d %s", r.Status, r.Raw)
		}
		var list struct {
			APIKeys []struct {
				Name       string
				LastUsedAt *string
			} `json:"apiKeys"`
		}
		r = a.as(t, a.admin, `{ apiKeys { name lastUsedAt } }`, nil)
		if err := json.Unmarshal(r.Data, &list); err != nil || len(r.Errors) > 0 {
			t.Fatalf("apiKeys: %v %s", err, r.Raw)
		}
		var names []string
		for _, k := range list.APIKeys {
			names = append(names, k.Name)
			if k.Name == "ci" && k.LastUsedAt == nil {
				t.Error("ci was used but has no lastUsedAt")
			}
		}
		if got, want := strings.Join(names, ","), "ci,reader,root,writer"; got != want {
			t.Errorf("apiKeys %s, want %s", got, want)
		}

		r = a.as(t, a.admin, `mutation { revokeApiKey(name: "ci") }`, nil)
		if r.Status != http.StatusOK || len(r.Errors) > 0 || !strings.Contains(string(r.Data), "true") {
			t.Fatalf("revokeApiKey: %d %s", r.Status, r.Raw)
		}
		refused(t, a.as(t, k.Token, `{ stats { entities } }`, nil), http.StatusUnauthorized, "UNAUTHENTICATED")
		if r := a.as(t, a.admin, `mutation { revokeApiKey(name: "ci") }`, nil); r.Code() != "NOT_FOUND" {
			t.Errorf("revoke twice: %s, want NOT_FOUND", r.Raw)
		}
	})
	t.Run("Expired", func(t *testing.T) {
		_, tok, err := a.store.CreateAPIKey(context.Background(), store.NewAPIKey{Name: "brief", Scope: store.ScopeRead, ExpiresAt: time.Now().Add(time.Millisecond)})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
		r := a.as(t, tok, `{ stats { entities } }`, nil)
		refused(t, r, http.StatusUnauthorized, "UNAUTHENTICATED")
		if len(r.Errors) == 0 || !strings.Contains(r.Errors[0].Message, "expired") {
			t.Errorf("an expired key's refusal should say so: %s", r.Raw)
		}
	})
}

func TestAccessAnonymousWrite(t *testing.T) {
	a := newAccessEnv(t, store.ScopeWrite)
	if r := a.as(t, "", upsertHengelo, nil); r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("anonymous mutation: %d %s", r.Status, r.Raw)
	}
	if !strings.Contains(a.logs.String(), "principal=anonymous") {
		t.Errorf("no request log line names the anonymous principal:\n%s", a.logs.String())
	}
	// Anonymous clients may not do what needs admin, and are told to
	// authenticate rather than that they are forbidden.
	refused(t, a.as(t, "", `{ apiKeys { name } }`, nil), http.StatusUnauthorized, "UNAUTHENTICATED")
	refused(t, a.do(http.MethodGet, "/metrics", "", nil, nil), http.StatusUnauthorized, "UNAUTHENTICATED")
	if r := a.at(t).doAs(a.admin, http.MethodGet, "/metrics", "", nil); r.Status != http.StatusOK {
		t.Errorf("admin /metrics: %d", r.Status)
	}
	// A bad token is refused even where anonymous access would do.
	refused(t, a.as(t, "ties_wrong", `{ stats { entities } }`, nil), http.StatusUnauthorized, "UNAUTHENTICATED")
}

func TestCORS(t *testing.T) {
	st := storetest.Open(t)
	loadFounding(t, st)
	e := newEnvWith(t, st, graph.ServerConfig{Access: &graph.Access{Anonymous: store.ScopeRead}, CORSOrigins: []string{"https://dash.example"}})
	preflight := http.Header{"Origin": {"https://dash.example"}, "Access-Control-Request-Method": {"POST"}, "Access-Control-Request-Headers": {"authorization,content-type"}}
	t.Run("Preflight", func(t *testing.T) {
		r := e.at(t).do(http.MethodOptions, "/query", "", nil, preflight)
		if r.Status != http.StatusNoContent {
			t.Errorf("status %d, want 204", r.Status)
		}
		for k, want := range map[string]string{
			"Access-Control-Allow-Origin":  "https://dash.example",
			"Access-Control-Allow-Methods": "GET, POST",
			"Access-Control-Allow-Headers": "Content-Type, Authorization",
			"Access-Control-Max-Age":       "7200",
		} {
			if got := r.Header.Get(k); got != want {
				t.Errorf("%s: %q, want %q", k, got, want)
			}
		}
	})
	t.Run("Allowed", func(t *testing.T) {
		r := e.at(t).do(http.MethodPost, "/query", "application/json", []byte(`{"query":"{ stats { entities } }"}`), http.Header{"Origin": {"https://dash.example"}})
		if r.Status != http.StatusOK || r.Header.Get("Access-Control-Allow-Origin") != "https://dash.example" {
			t.Errorf("status %d, Access-Control-Allow-Origin %q", r.Status, r.Header.Get("Access-Control-Allow-Origin"))
		}
	})
	t.Run("Refused", func(t *testing.T) {
		h := preflight.Clone()
		h.Set("Origin", "https://evil.example")
		r := e.at(t).do(http.MethodOptions, "/query", "", nil, h)
		for k := range r.Header {
			if strings.HasPrefix(k, "Access-Control-") {
				t.Errorf("a refused origin got %s: %q", k, r.Header.Get(k))
			}
		}
	})
}
