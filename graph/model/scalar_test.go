package model

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"
	"time"

	"github.com/ties-graph/ties/store"
)

func marshal(m interface{ MarshalGQL(w io.Writer) }) string {
	var b bytes.Buffer
	m.MarshalGQL(&b)
	return b.String()
}

func TestDate(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   any
		want string // marshalled
		code store.Code
	}{
		{"Year", "2017", `"2017"`, ""},
		{"Month", "2017-07", `"2017-07"`, ""},
		{"Day", "2017-07-05", `"2017-07-05"`, ""},
		{"YearAsNumber", json.Number("2009"), `"2009"`, ""},
		{"YearAsInt64", int64(2009), `"2009"`, ""},
		{"Null", nil, "null", ""},
		{"NoSuchDay", "2017-02-30", "", store.Invalid},
		{"Words", "July 2017", "", store.Invalid},
		{"Bool", true, "", store.Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := UnmarshalDate(tc.in)
			if got, want := store.ErrorCode(err), tc.code; got != want {
				t.Fatalf("UnmarshalDate(%v): code %q, want %q (%v)", tc.in, got, want, err)
			}
			if err != nil {
				return
			}
			if got := marshal(MarshalDate(d)); got != tc.want {
				t.Errorf("MarshalDate: got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestDateTime(t *testing.T) {
	at, err := UnmarshalDateTime("2017-07-05T14:30:00Z")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := at, time.Date(2017, 7, 5, 14, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got, want := marshal(MarshalDateTime(at)), `"2017-07-05T14:30:00Z"`; got != want {
		t.Errorf("marshal: got %s, want %s", got, want)
	}
	if got, want := marshal(MarshalDateTime(time.Time{})), "null"; got != want {
		t.Errorf("zero time: got %s, want %s", got, want)
	}
	for _, bad := range []any{"yesterday", "2017-07-05", 12} {
		if _, err := UnmarshalDateTime(bad); store.ErrorCode(err) != store.Invalid {
			t.Errorf("UnmarshalDateTime(%v): %v, want an INVALID_ARGUMENT error", bad, err)
		}
	}
}

func TestProperties(t *testing.T) {
	in := map[string]any{
		"text":  "x",
		"n":     json.Number("1.5"),
		"ok":    true,
		"when":  map[string]any{"date": "2017-07"},
		"where": map[string]any{"lat": json.Number("52.2"), "lon": json.Number("6.9")},
		"list":  []any{"a", "b"},
	}
	p, err := UnmarshalProperties(in)
	if err != nil {
		t.Fatal(err)
	}
	got := marshal(MarshalProperties(p))
	want := `{"list":["a","b"],"n":1.5,"ok":true,"text":"x","when":{"date":"2017-07"},"where":{"lat":52.2,"lon":6.9}}`
	if got != want {
		t.Errorf("round trip: got %s, want %s", got, want)
	}
	if got, want := marshal(MarshalProperties(nil)), "{}"; got != want {
		t.Errorf("nil properties: got %s, want %s", got, want)
	}
	for name, bad := range map[string]any{
		"NotAnObject": []any{1},
		"NestedMap":   map[string]any{"x": map[string]any{"a": json.Number("1")}},
		"BadDate":     map[string]any{"x": map[string]any{"date": "2017-13"}},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := UnmarshalProperties(bad); store.ErrorCode(err) != store.Invalid {
				t.Errorf("UnmarshalProperties(%v): %v, want an INVALID_ARGUMENT error", bad, err)
			}
		})
	}
}

// FuzzDate checks that any input either parses into a date that marshals
// back to itself or is refused with a coded error, never a panic.
func FuzzDate(f *testing.F) {
	for _, s := range []string{"2017", "2017-07", "2017-07-05", "", "0000-01-01", "9999-12-31", "2017-7", "20x7"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := UnmarshalDate(s)
		if err != nil {
			if store.ErrorCode(err) != store.Invalid {
				t.Fatalf("UnmarshalDate(%q): uncoded error %v", s, err)
			}
			return
		}
		if s == "" {
			return
		}
		if got, want := marshal(MarshalDate(d)), `"`+s+`"`; got != want {
			t.Fatalf("UnmarshalDate(%q) marshals as %s", s, got)
		}
	})
}

// FuzzProperties checks that any JSON object either becomes properties
// that marshal to valid JSON or is refused with a coded error.
func FuzzProperties(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1}`, `{"d":{"date":"2017"}}`, `{"g":{"lat":1,"lon":2}}`, `{"l":[1,"x",true]}`, `{"x":null}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		dec := json.NewDecoder(bytes.NewReader([]byte(s)))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) != nil {
			return
		}
		p, err := UnmarshalProperties(v)
		if err != nil {
			if store.ErrorCode(err) != store.Invalid {
				t.Fatalf("UnmarshalProperties(%s): uncoded error %v", s, err)
			}
			return
		}
		out := marshal(MarshalProperties(p))
		if !json.Valid([]byte(out)) {
			t.Fatalf("UnmarshalProperties(%s) marshals as invalid JSON %s", s, out)
		}
	})
}
