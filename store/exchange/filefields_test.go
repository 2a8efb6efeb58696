package exchange

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store"
)

// A bad import line names its line and a field the file has: the column
// or member to edit, not the store's name for it, whichever record of the
// line the store refused.
func TestImportErrorNamesFileField(t *testing.T) {
	st := founding(t)
	before := dump(t, st)
	type file struct{ name, data string }
	tests := []struct {
		name  string
		files []file
		want  []string // every error, in order
	}{
		{
			name: "NDJSON",
			files: []file{{"a.ndjson", `{"kind":"entity","id":"x","type":"Town","name":"X"}` + "\n" +
				`{"kind":"relation","type":"SISTER_CITY_OF","from":"enschede","to":"nowhere"}` + "\n"}},
			want: []string{
				`a.ndjson:1: type: unknown entity type "Town"`,
				`a.ndjson:2: to: no entity "nowhere"`,
			},
		},
		{
			name: "CSVSimple",
			files: []file{{"bad.csv", "from,to,type,fromType,fromName,toType,toName\n" +
				"wp-a,wp-b,SISTER_CITY_OF,City,A,Town,B\n" +
				"wp-c,wp-d,SISTER_CITY_OF,Town,C,City,D\n" +
				"wp-e,enschede,TWINNED,City,E,,\n" +
				"nowhere,enschede,SISTER_CITY_OF,,,,\n"}},
			want: []string{
				`bad.csv:2: toType: column 6: unknown entity type "Town"`,
				`bad.csv:3: fromType: column 4: unknown entity type "Town"`,
				`bad.csv:4: type: column 3: `,
				`bad.csv:5: from: column 1: no entity "nowhere"`,
			},
		},
		{
			// Columns are named as written, whatever their case and order.
			name: "CSVSimpleHeaderAsWritten",
			files: []file{{"twins.csv", "To;From;Type;ToType\n" +
				"wp-f;enschede;SISTER_CITY_OF;Village\n"}},
			want: []string{
				`twins.csv:2: ToType: column 4: unknown entity type "Village"`,
			},
		},
		{
			name: "CSVNeo4j",
			files: []file{
				{"nodes.csv", "cityId:ID(City),:LABEL,name\nx1,Town,X\n"},
				{"relationships.csv", ":START_ID,:END_ID,:TYPE,sources\n" +
					"enschede,nowhere,SISTER_CITY_OF,\n" +
					"enschede,dalian,TWINNED,\n" +
					`enschede,dalian,SISTER_CITY_OF,"[{""document"":""no-doc""}]"` + "\n"},
			},
			want: []string{
				`nodes.csv:2: :LABEL: column 2: unknown entity type "Town"`,
				`relationships.csv:2: :END_ID: column 2: no entity "nowhere"`,
				`relationships.csv:3: :TYPE: column 3: `,
				`relationships.csv:4: sources[0].document: column 4: no document entity "no-doc"`,
			},
		},
		{
			name: "NodeLink",
			files: []file{{"sub.json", `{"directed":true,"multigraph":true,"graph":{},` + "\n" +
				`"nodes":[{"id":"x2","type":"Town","name":"X"}],` + "\n" +
				`"links":[{"source":"enschede","target":"nowhere","type":"SISTER_CITY_OF"},` + "\n" +
				`{"source":"nowhere","target":"enschede","type":"SISTER_CITY_OF","key":"k1"},` + "\n" +
				`{"source":"enschede","target":"dalian","type":"SISTER_CITY_OF","key":"dalian"}]}` + "\n"}},
			want: []string{
				`sub.json:2: nodes[0].type: unknown entity type "Town"`,
				`sub.json:3: links[0].target: no entity "nowhere"`,
				`sub.json:4: links[1].source: no entity "nowhere"`,
				`sub.json:5: links[2].key: id "dalian" is already used by an entity`,
			},
		},
		{
			// NetworkX's edges="edges" and a document on one line, as
			// json.dump writes it: only the element's index tells which.
			name: "NodeLinkEdgesOneLine",
			files: []file{{"nx.json", `{"nodes":[{"id":"gronau","type":"City"},{"id":"enschede","type":"Town"}],` +
				`"edges":[{"source":"gronau","target":"enschede","type":"SISTER_CITY_OF"},{"source":"nowhere","target":"enschede","type":"SISTER_CITY_OF"}]}`}},
			want: []string{
				`nx.json:1: nodes[1].type: unknown entity type "Town"`,
				`nx.json:1: edges[1].source: no entity "nowhere"`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var inputs []Input
			for _, f := range tt.files {
				format, err := DetectFormat(f.name)
				if err != nil {
					t.Fatal(err)
				}
				inputs = append(inputs, bytesInput(f.name, format, []byte(f.data)))
			}
			_, err := Import(context.Background(), st, inputs, ImportOptions{})
			checkErrors(t, err, tt.want)
			unchanged(t, st, before, "a refused import")
		})
	}

	// The CSV export's zip names its member files.
	t.Run("CSVZip", func(t *testing.T) {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		for _, f := range []file{{"nodes.csv", "id:ID,:LABEL\nx3,Town\n"}, {"relationships.csv", ":START_ID,:END_ID,:TYPE\nx3,nowhere,SISTER_CITY_OF\n"}} {
			w, err := zw.Create(f.name)
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte(f.data))
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		_, err := Import(context.Background(), st, []Input{bytesInput("graph.zip", CSV, b.Bytes())}, ImportOptions{})
		checkErrors(t, err, []string{
			`graph.zip/nodes.csv:2: :LABEL: column 2: unknown entity type "Town"`,
			`graph.zip/relationships.csv:2: :END_ID: column 2: no entity "nowhere"`,
		})
		unchanged(t, st, before, "a refused import")
	})

	// POST /import answers the same fields in its error JSON.
	t.Run("HTTP", func(t *testing.T) {
		srv := server(t, st)
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/import?format=csv&name=bad.csv", strings.NewReader(
			"from,to,type,fromType,fromName,toType,toName\nwp-a,wp-b,SISTER_CITY_OF,City,A,Town,B\n"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set(ClientHeader, "test")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct {
			Errors []struct{ Record, Field string }
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		if len(out.Errors) != 1 {
			t.Fatalf("errors: got %+v, want one", out.Errors)
		}
		if got, want := out.Errors[0].Record+" "+out.Errors[0].Field, "bad.csv:2 toType"; got != want {
			t.Errorf("error: got %q, want %q", got, want)
		}
	})
}

// checkErrors fails t unless err lists errors starting with want, in order.
func checkErrors(t *testing.T, err error, want []string) {
	t.Helper()
	var es store.Errors
	if err == nil {
		t.Fatalf("got no error, want %q", want)
	}
	es, ok := err.(store.Errors)
	if !ok {
		t.Fatalf("got %T %v, want store.Errors", err, err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.Error())
	}
	if len(got) != len(want) {
		t.Fatalf("errors:\ngot  %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("error %d:\ngot  %s\nwant %s...", i, got[i], want[i])
		}
	}
}

// TestDryRunNamesNodeLinkLine checks that a dry run's changed records
// name the line a node-link element starts on, not its index in the
// array, which its record carries through the load.
func TestDryRunNamesNodeLinkLine(t *testing.T) {
	st := founding(t)
	doc := "{\"directed\":true,\n\"multigraph\":true,\n\"nodes\":[\n" +
		`{"id":"gronau-x","type":"City","name":"Gronau X"},` + "\n" +
		`{"id":"enschede","type":"City","name":"Enschede X"}],` + "\n\"links\":[]}\n"
	res, err := Import(context.Background(), st, []Input{bytesInput("dr.json", JSON, []byte(doc))}, ImportOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Report.Changes) != 1 {
		t.Fatalf("changes: %+v, want enschede's", res.Report.Changes)
	}
	if got, want := res.Report.Changes[0].Record, "dr.json:5"; got != want {
		t.Errorf("enschede's change names %s, want %s", got, want)
	}
}
