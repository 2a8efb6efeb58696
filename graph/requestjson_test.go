package graph

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// decodeWithJSON is what paramsFromBody did before decodeRequestBody, and
// still does when it declines: ok is false where it answers an error.
func decodeWithJSON(b []byte) (rb requestBody, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&rb); err != nil || dec.More() {
		return rb, false
	}
	return rb, true
}

var requestBodies = []string{
	`{"query":"{ a }"}`,
	`{"query":"query N($id: ID!) { neighborhood(id: $id) { nodes { id name type } } }","variables":{"id":"enschede","depth":1,"limit":1000}}`,
	` { "query" : "{ a }" , "operationName" : null , "variables" : null , "extensions" : null } `,
	`{"query":"{ a }","operationName":"A","variables":{},"extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}}`,
	`{"variables":{"n":-0,"f":1.5e-3,"g":2E+10,"h":0.25,"big":123456789012345678901234567890,"neg":-12}}`,
	`{"variables":{"s":"M\u00fcnster \ud83d\ude00 \"quoted\" \\ \/ \b\f\n\r\t","lone":"\ud800","u":"Münster 東京"}}`,
	`{"variables":{"nested":{"a":[1,[2,[3,{"b":null}]],true,false],"where":[{"key":"country","eq":"DE"}]},"empty":[],"obj":{}}}`,
	`{"variables":{"dup":1,"dup":2}}`,
	`{"query":"{ a }","query":"{ b }"}`,
	`{"Query":"{ a }"}`,
	`{"query":5}`,
	`{"query":"{ a }","unknown":1}`,
	`{"query":"{ a }"} {}`,
	`{"query":"{ a }"} x`,
	`[1]`,
	`null`,
	`"query"`,
	`{"query":"a` + "\x01" + `"}`,
	`{"query":"` + "\xff\xfe" + `"}`,
	`{"variables":{"x":01}}`,
	`{"variables":{"x":1.}}`,
	`{"variables":{"x":-}}`,
	`{"variables":{"x":tru}}`,
	`{"variables":{"x":"\x"}}`,
	`{"variables":{"x":[1,]}}`,
	`{"variables":{"x":{"a":1,}}}`,
	`{"query":"{ a }",}`,
	`{}`,
	`{`,
	``,
}

func TestDecodeRequestBody(t *testing.T) {
	for _, b := range requestBodies {
		checkRequestBody(t, []byte(b))
	}
}

func FuzzDecodeRequestBody(f *testing.F) {
	for _, b := range requestBodies {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkRequestBody(t, b) })
}

// checkRequestBody holds decodeRequestBody to encoding/json: where it
// decodes, it decodes the same values (json.Number for numbers, maps and
// slices of any); where encoding/json refuses, it declines.
func checkRequestBody(t *testing.T, b []byte) {
	t.Helper()
	got, ok := decodeRequestBody(b)
	if !ok {
		return // paramsFromBody asks encoding/json
	}
	want, wantOK := decodeWithJSON(b)
	if !wantOK {
		t.Fatalf("%q: decoded %#v, but encoding/json refuses it", b, got)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\ngot  %#v\nwant %#v", b, got, want)
	}
}

// The usual bodies are decoded without encoding/json.
func TestDecodeRequestBodyTakesUsualBodies(t *testing.T) {
	for _, b := range requestBodies[:8] {
		if _, ok := decodeRequestBody([]byte(b)); !ok {
			t.Errorf("%s: declined", b)
		}
	}
}

func TestReadBody(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		n    int64
		want string
		err  bool
	}{
		{"Known", `{"query":"{ a }"}`, 17, `{"query":"{ a }"}`, false},
		{"Unknown", `{"query":"{ a }"}`, -1, `{"query":"{ a }"}`, false},
		{"Short", `{"query"`, 17, "", true},
		{"Longer", `{"query":"{ a }"}xy`, 17, `{"query":"{ a }"}xy`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readBody(bytes.NewReader([]byte(tc.body)), tc.n)
			if (err != nil) != tc.err {
				t.Fatalf("error %v, want one: %v", err, tc.err)
			}
			if !tc.err && string(got) != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
