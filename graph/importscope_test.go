package graph_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store"
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
