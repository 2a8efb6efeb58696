package exchange

import (
	"bytes"
	"encoding/json"
	"testing"
)

var scanSeeds = []string{
	`{"kind":"entity","id":"enschede","type":"City","name":"Enschede","labels":{"nl":"Enschede"},"aliases":[],"properties":{"country":"NL","location":{"lat":52.2,"lon":6.9},"tags":[1,true,"x",null]},"validFrom":"1325","sources":[{"document":"d","confidence":0.5}]}`,
	` { "a" : -0.5e+10 , "b":[ ], "c":{ }, "d":"\u00e9\n" } `,
	`{}`, `[]`, `[1, 2.5, -0, 1e9, "x", {"k": [null]}]`,
	`{"a":1,"a":2}`, `{"a\u0062":1}`, `{"a":01}`, `{"a":1.}`, `{"a":-}`, `{"a":tru}`, `{"a":"x`,
	`{"a":1,}`, `[1,]`, `{"a" 1}`, `{"a":1}x`, `{"a":"\x"}`, `{"a":"tab	in"}`, `null`, `"s"`, ``,
}

// FuzzMembers checks that the fast path accepts only what encoding/json
// accepts, and splits it into the same members.
func FuzzMembers(f *testing.F) {
	for _, s := range scanSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if m, ok := objectMembers(raw, nil); ok {
			var want map[string]json.RawMessage
			if err := json.Unmarshal(raw, &want); err != nil || want == nil {
				t.Fatalf("fast path accepted %q as an object; encoding/json: %v", raw, err)
			}
			if len(m) != len(want) {
				t.Fatalf("%q: %d members, encoding/json %d", raw, len(m), len(want))
			}
			for k, v := range want {
				if got := m[k]; !bytes.Equal(got, v) {
					t.Fatalf("%q: member %q = %q, encoding/json %q", raw, k, got, v)
				}
			}
		}
		var got []json.RawMessage
		if elements(raw, func(v []byte) { got = append(got, v) }) {
			var want []json.RawMessage
			if err := json.Unmarshal(raw, &want); err != nil || want == nil {
				t.Fatalf("fast path accepted %q as an array; encoding/json: %v", raw, err)
			}
			if len(got) != len(want) {
				t.Fatalf("%q: %d elements, encoding/json %d", raw, len(got), len(want))
			}
			for i := range want {
				if !bytes.Equal(got[i], want[i]) {
					t.Fatalf("%q: element %d = %q, encoding/json %q", raw, i, got[i], want[i])
				}
			}
		}
	})
}

func TestMembers(t *testing.T) {
	for _, tc := range []struct {
		name, raw string
		ok        bool
		keys      string
	}{
		{"Record", scanSeeds[0], true, "kind id type name labels aliases properties validFrom sources"},
		{"Spaces", scanSeeds[1], true, "a b c d"},
		{"Empty", `{}`, true, ""},
		{"EscapedKey", `{"a\u0062":1}`, false, ""},
		{"LeadingZero", `{"a":01}`, false, ""},
		{"TrailingComma", `{"a":1,}`, false, ""},
		{"TrailingGarbage", `{"a":1}x`, false, ""},
		{"BadEscape", `{"a":"\x"}`, false, ""},
		{"ControlInString", "{\"a\":\"tab\tin\"}", false, ""},
		{"NotAnObject", `[1]`, false, ""},
		{"Truncated", `{"a":"x`, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var keys []byte
			ok := members([]byte(tc.raw), func(k, _ []byte) {
				if len(keys) > 0 {
					keys = append(keys, ' ')
				}
				keys = append(keys, k...)
			})
			if ok != tc.ok {
				t.Fatalf("ok: got %v, want %v", ok, tc.ok)
			}
			if ok && string(keys) != tc.keys {
				t.Errorf("keys: got %q, want %q", keys, tc.keys)
			}
		})
	}
}

// TestProperties checks the fast path of properties against what decoding
// into a map gives: the last of a repeated name counts, even after an
// invalid one, and objects of many members still decode.
func TestProperties(t *testing.T) {
	many := `{"kind":"relation","type":"KNOWS","from":"a","to":"b","properties":{`
	for i := range 20 {
		if i > 0 {
			many += ","
		}
		many += `"p` + string(rune('a'+i)) + `":` + string(rune('0'+i%10))
	}
	many += `}}`
	for _, tc := range []struct {
		name, line string
		want       int // properties decoded
		err        string
	}{
		{"LastWins", `{"kind":"relation","type":"KNOWS","from":"a","to":"b","properties":{"w":{"zzz":1},"w":2}}`, 1, ""},
		{"Invalid", `{"kind":"relation","type":"KNOWS","from":"a","to":"b","properties":{"w":2,"v":{"zzz":1}}}`, 0, "properties.v"},
		{"Null", `{"kind":"relation","type":"KNOWS","from":"a","to":"b","properties":{"w":null}}`, 0, ""},
		{"Many", many, 20, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := decodeNDJSONLine([]byte(tc.line), "p", 1)
			if tc.err != "" {
				if err == nil || err.Field != tc.err {
					t.Fatalf("error: got %v, want one naming %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := len(r.Relation.Properties); got != tc.want {
				t.Errorf("properties: got %d (%v), want %d", got, r.Relation.Properties, tc.want)
			}
			if tc.name == "LastWins" {
				if got := r.Relation.Properties["w"].Num; got != 2 {
					t.Errorf("w: got %v, want 2", got)
				}
			}
		})
	}
}
