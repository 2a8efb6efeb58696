package graph_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/ties-graph/ties/graph"
	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/exchange"
	"github.com/ties-graph/ties/store/storetest"
)

// TestImportTypesNeedAdmin: an import that would change the ontology
// (define a type, or widen one) needs the admin scope, as
// defineEntityType and defineRelationType do. Before, a write key's
// upload could do through /import what GraphQL refused it. An import
// whose type records are as stored (a dump loaded again) changes no type
// and needs only the write scope.
func TestImportTypesNeedAdmin(t *testing.T) {
	a := newAccessEnv(t, store.ScopeNone)
	dump := exportAs(t, a, a.read)
	if !strings.Contains(dump, `"kind":"entityType"`) {
		t.Fatalf("export: want a dump with its types: %.300s", dump)
	}
	for _, tc := range []struct {
		name, token string
		body        string
		status      int
		code        string
		defined     string // a type the import defines, when it is written
	}{
		{"NewEntityTypeWriteKey", a.write,
			`{"kind":"entityType","name":"Spaceship","parent":"Organization"}` + "\n" +
				`{"kind":"entity","id":"enterprise","type":"Spaceship","name":"Enterprise"}` + "\n",
			http.StatusForbidden, "FORBIDDEN", ""},
		{"NewRelationTypeWriteKey", a.write,
			`{"kind":"relationType","name":"DOCKED_AT","from":["City"],"to":["City"]}` + "\n",
			http.StatusForbidden, "FORBIDDEN", ""},
		{"WidenedRelationTypeWriteKey", a.write,
			`{"kind":"relationType","name":"SISTER_CITY_OF","inverse":"SISTER_CITY_OF","symmetric":true,"from":["Place","Person"],"to":["Place","Person"]}` + "\n",
			http.StatusForbidden, "FORBIDDEN", ""},
		{"DumpAgainWriteKey", a.write, dump, http.StatusOK, "", ""},
		{"NewEntityTypeAdminKey", a.admin,
			`{"kind":"entityType","name":"Spaceship","parent":"Organization"}` + "\n",
			http.StatusOK, "", "Spaceship"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := exportAs(t, a, a.admin)
			r := a.at(t).doAs(tc.token, http.MethodPost, "/import?format=ndjson", "application/x-ndjson", []byte(tc.body))
			var body struct {
				Error struct{ Code, Message, Record string }
			}
			_ = json.Unmarshal(r.Raw, &body)
			if r.Status != tc.status || body.Error.Code != tc.code {
				t.Fatalf("import: %d %s, want %d %s", r.Status, r.Raw, tc.status, tc.code)
			}
			after := exportAs(t, a, a.admin)
			if tc.defined == "" && after != before {
				t.Errorf("the import changed the store")
			}
			if tc.code == "FORBIDDEN" && (body.Error.Record == "" || !strings.Contains(body.Error.Message, "admin")) {
				t.Errorf("the refusal %q (record %q) should name the record and the admin scope", body.Error.Message, body.Error.Record)
			}
			if tc.defined != "" && !strings.Contains(after, `"name":"`+tc.defined+`"`) {
				t.Errorf("type %s not defined", tc.defined)
			}
		})
	}
}

// exportAs returns the NDJSON dump of the whole store, exported with token.
func exportAs(t *testing.T, a *accessEnv, token string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, a.url+"/export", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("export: %d %v: %.300s", res.StatusCode, err, b)
	}
	return string(b)
}

// TestImportIntoNewStoreWithoutAdmin: the first import into a new store
// (ties serve with TIES_NO_SEED) writes the default ontology with the
// data, and that is not a type definition of the caller's. Before, a
// relations CSV sent by a write key, or anonymously on loopback, was
// refused with one FORBIDDEN error per default type (APPROVED, Agreement,
// ...), none of which the file named.
func TestImportIntoNewStoreWithoutAdmin(t *testing.T) {
	const twins = "from,to,type,fromType,fromName,toType,toName\n" +
		"berat,amasya,SISTER_CITY_OF,City,Berat,City,Amasya\n" +
		"berat,fermo,SISTER_CITY_OF,City,Berat,City,Fermo\n" +
		"amasya,berat,SISTER_CITY_OF,City,Amasya,City,Berat\n"
	for _, tc := range []struct {
		name      string
		anonymous store.Scope
		key       store.Scope // the key the import is sent with; none when ScopeNone
	}{
		{"AnonymousWrite", store.ScopeWrite, store.ScopeNone},
		{"WriteKey", store.ScopeNone, store.ScopeWrite},
		{"AdminKey", store.ScopeNone, store.ScopeAdmin},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := storetest.OpenWith(t, store.Options{})
			token := ""
			if tc.key != store.ScopeNone {
				var err error
				if _, token, err = st.CreateAPIKey(context.Background(), store.NewAPIKey{Name: "importer", Scope: tc.key, Principal: store.PrincipalCLI}); err != nil {
					t.Fatal(err)
				}
			}
			e := newEnvWith(t, st, graph.ServerConfig{
				Access: &graph.Access{Anonymous: tc.anonymous},
				Import: exchange.ImportHandler(st, nil),
			})
			h := http.Header{"X-Ties-Client": {"test"}}
			if token != "" {
				h.Set("Authorization", "Bearer "+token)
			}
			r := e.do(http.MethodPost, "/import?format=csv&name=twins.csv", "text/csv", []byte(twins), h)
			if r.Status != http.StatusOK {
				t.Fatalf("import: %d %s", r.Status, r.Raw)
			}
			var got struct {
				Entity   struct{ Degree int }
				Ontology struct {
					RelationTypes []struct{ Name string }
				}
			}
			q := `{ entity(id: "berat") { degree } ontology { relationTypes { name } } }`
			res := e.doAs(token, http.MethodPost, "/query", "application/json", jsonBody(t, map[string]any{"query": q}))
			if res.Status != http.StatusOK || len(res.Errors) > 0 {
				t.Fatalf("query: %d %s", res.Status, res.Raw)
			}
			if err := json.Unmarshal(res.Data, &got); err != nil {
				t.Fatal(err)
			}
			// Amasya–Berat is stated from both sides: one relation.
			if got, want := got.Entity.Degree, 2; got != want {
				t.Errorf("berat's degree: got %d, want %d", got, want)
			}
			if got, want := len(got.Ontology.RelationTypes), len(store.DefaultOntology().RelationTypes); got != want {
				t.Errorf("relation types after the first import: got %d, want the default %d", got, want)
			}
		})
	}
}
