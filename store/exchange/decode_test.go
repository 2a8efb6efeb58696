package exchange

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/ties-graph/ties/store"
)

// bytesInput is an Input over data held in memory.
func bytesInput(name string, format Format, data []byte) Input {
	return Input{
		Name:   name,
		Format: format,
		Size:   int64(len(data)),
		Open:   func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
	}
}

// decodeAll runs the source of one input and returns the canonical NDJSON
// lines of its records and its error.
func decodeAll(t testing.TB, in Input, opts DecodeOptions) ([]string, error) {
	t.Helper()
	src, err := NewSource(in, opts)
	if err != nil {
		return nil, err
	}
	var lines []string
	err = src(context.Background(), func(r store.Record) error {
		var b bytes.Buffer
		if err := EncodeNDJSONRecord(&b, r); err != nil {
			t.Fatalf("re-encode record of line %d: %v", r.Line, err)
		}
		lines = append(lines, strings.TrimSuffix(b.String(), "\n"))
		return nil
	})
	return lines, err
}

// decodeCase is an input of one decoder and the canonical NDJSON lines of
// the records it must give.
type decodeCase struct {
	name string
	in   string
	want []string
}

// testDecodes decodes each case's input as a file of the given name and
// format, and compares the records it gives with the case's.
func testDecodes(t *testing.T, file string, format Format, tests []decodeCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeAll(t, bytesInput(file, format, []byte(tt.in)), DecodeOptions{})
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if got, want := strings.Join(got, "\n"), strings.Join(tt.want, "\n"); got != want {
				t.Errorf("records:\ngot  %s\nwant %s", got, want)
			}
		})
	}
}

// decodeErrorCase is an input that one decoder must refuse, and the
// beginning of its error text, "file:line: field: message".
type decodeErrorCase struct {
	name string
	in   string
	want string
}

// testDecodeErrors decodes each case's input as a file of the given name
// and format, and wants an Invalid error whose text starts with the
// case's: a bad file is the sender's fault, whatever its format.
func testDecodeErrors(t *testing.T, file string, format Format, tests []decodeErrorCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeAll(t, bytesInput(file, format, []byte(tt.in)), DecodeOptions{})
			if err == nil {
				t.Fatalf("decode: got no error, want %q", tt.want)
			}
			if got := err.Error(); !strings.HasPrefix(got, tt.want) {
				t.Errorf("error:\ngot  %s\nwant %s...", got, tt.want)
			}
			if got, want := store.ErrorCode(err), store.Invalid; got != want {
				t.Errorf("code: got %s, want %s", got, want)
			}
		})
	}
}

func TestDecodeNDJSON(t *testing.T) {
	tests := []decodeCase{
		{
			name: "Entity",
			in:   `{"kind":"entity","id":"enschede","type":"City","name":"Enschede","labels":{"zh":"恩斯赫德","nl":"Enschede"},"aliases":["Enschee"],"properties":{"country":"NL","population":160000,"location":{"lat":52.2225,"lon":6.8925},"founded":{"date":"1325"},"capital":false,"tags":["twente","textile"]},"validFrom":"1325","sources":[{"document":"report","excerpt":"In 2017","confidence":1,"retrievedAt":"2024-03-01"}]}`,
			want: []string{`{"kind":"entity","id":"enschede","type":"City","name":"Enschede","labels":{"nl":"Enschede","zh":"恩斯赫德"},"aliases":["Enschee"],"properties":{"capital":false,"country":"NL","founded":{"date":"1325"},"location":{"lat":52.2225,"lon":6.8925},"population":160000,"tags":["twente","textile"]},"validFrom":"1325","sources":[{"document":"report","excerpt":"In 2017","confidence":1,"retrievedAt":"2024-03-01T00:00:00Z"}]}`},
		},
		{
			name: "RelationWithoutID",
			in:   `{"kind":"relation","type":"SISTER_CITY_OF","from":"enschede","to":"dalian","validFrom":2017,"validTo":null}`,
			want: []string{`{"kind":"relation","id":"","type":"SISTER_CITY_OF","from":"enschede","to":"dalian","properties":{},"validFrom":"2017","sources":[]}`},
		},
		{
			name: "Types",
			in: `{"kind":"entityType","name":"Municipality","parent":"City"}
{"kind":"relationType","name":"KNOWS","inverse":"KNOWS","symmetric":true,"from":["Person"],"to":["Person"]}`,
			want: []string{
				`{"kind":"entityType","name":"Municipality","parent":"City"}`,
				`{"kind":"relationType","name":"KNOWS","inverse":"KNOWS","symmetric":true,"from":["Person"],"to":["Person"]}`,
			},
		},
		{
			name: "BlankLinesAndCRLF",
			in:   "\r\n   \n{\"kind\":\"entityType\",\"name\":\"A\"}\r\n\n",
			want: []string{`{"kind":"entityType","name":"A"}`},
		},
		{
			name: "NumericIDs",
			in:   `{"kind":"relation","id":"r1","type":"KNOWS","from":1,"to":2}`,
			want: []string{`{"kind":"relation","id":"r1","type":"KNOWS","from":"1","to":"2","properties":{},"sources":[]}`},
		},
		{
			name: "NoTrailingNewline",
			in:   `{"kind":"entityType","name":"A"}`,
			want: []string{`{"kind":"entityType","name":"A"}`},
		},
	}
	testDecodes(t, "data.ndjson", NDJSON, tests)
}

func TestDecodeNDJSONErrors(t *testing.T) {
	good := `{"kind":"entityType","name":"A"}`
	tests := []decodeErrorCase{
		{"UnknownField", `{"kind":"entity","id":"a","type":"City","name":"A","colour":"red"}`, `data.ndjson:1: colour: unknown field of an entity`},
		{"FieldOfAnotherKind", good + "\n" + `{"kind":"relation","type":"T","from":"a","to":"b","name":"x"}`, `data.ndjson:2: name: unknown field of a relation`},
		{"MissingKind", `{"id":"a"}`, `data.ndjson:1: kind: missing`},
		{"UnknownKind", `{"kind":"node"}`, `data.ndjson:1: kind: unknown kind "node"`},
		{"MissingEntityType", `{"kind":"entity","id":"a","name":"A"}`, `data.ndjson:1: type: missing entity type for "a"`},
		{"MissingID", `{"kind":"entity","type":"City","name":"A"}`, `data.ndjson:1: id: missing entity id`},
		{"MissingFrom", `{"kind":"relation","type":"T","to":"b"}`, `data.ndjson:1: from: missing`},
		{"WrongJSONType", `{"kind":"entity","id":"a","type":"City","name":7}`, `data.ndjson:1: name: want a string, got a number`},
		{"InvalidDate", "\n\n" + `{"kind":"entity","id":"a","type":"City","name":"A","validFrom":"2017-13"}`, `data.ndjson:3: validFrom: invalid date "2017-13": month must be 01 to 12`},
		{"InvalidPropertyDate", `{"kind":"entity","id":"a","type":"City","name":"A","properties":{"founded":{"date":"17"}}}`, `data.ndjson:1: properties.founded: invalid date "17"`},
		{"ObjectProperty", `{"kind":"entity","id":"a","type":"City","name":"A","properties":{"x":{"a":1}}}`, `data.ndjson:1: properties.x: object values must be`},
		{"ListOfLists", `{"kind":"entity","id":"a","type":"City","name":"A","properties":{"x":[[1]]}}`, `data.ndjson:1: properties.x: lists of lists are not supported`},
		{"GeoOutOfRange", `{"kind":"entity","id":"a","type":"City","name":"A","properties":{"x":{"lat":91,"lon":0}}}`, `data.ndjson:1: properties.x: geo point (91, 0) out of range`},
		{"BadConfidence", `{"kind":"entity","id":"a","type":"City","name":"A","sources":[{"document":"d"},{"document":"d","confidence":"high"}]}`, `data.ndjson:1: sources[1].confidence: want a number from 0 to 1, got a string`},
		{"UnknownSourceField", `{"kind":"entity","id":"a","type":"City","name":"A","sources":[{"document":"d","page":3}]}`, `data.ndjson:1: sources[0].page: unknown field of source`},
		{"BadRetrievedAt", `{"kind":"entity","id":"a","type":"City","name":"A","sources":[{"document":"d","retrievedAt":"yesterday"}]}`, `data.ndjson:1: sources[0].retrievedAt: invalid time "yesterday"`},
		{"BadLabels", `{"kind":"entity","id":"a","type":"City","name":"A","labels":["A"]}`, `data.ndjson:1: labels: want an object of language tags`},
		{"NotJSON", good + "\n" + `{"kind":"entityType",name:"A"}`, `data.ndjson:2: invalid JSON at byte`},
		{"NotAnObject", `[1,2]`, `data.ndjson:1: want a JSON object, got array`},
		{"Null", `null`, `data.ndjson:1: want a JSON object, got null`},
		{"Truncated", good + "\n" + `{"kind":"entity","id":"a","ty`, `data.ndjson:2: incomplete JSON object (truncated file?)`},
		{"InvalidUTF8", good + "\n" + "{\"kind\":\"entityType\",\"name\":\"M\xfcnster\"}", `data.ndjson:2: invalid UTF-8 at byte 31`},
		{"TypeMissingName", `{"kind":"relationType","symmetric":true}`, `data.ndjson:1: name: missing type name`},
		{"SymmetricNotBool", `{"kind":"relationType","name":"K","symmetric":"yes"}`, `data.ndjson:1: symmetric: want true or false, got a string`},
	}
	testDecodeErrors(t, "data.ndjson", NDJSON, tests)
}

func TestDecodeNDJSONLineLimit(t *testing.T) {
	long := `{"kind":"entityType","name":"` + strings.Repeat("x", 200) + `"}`
	in := `{"kind":"entityType","name":"A"}` + "\n" + long + "\n" + `{"kind":"entityType","name":"B"}` + "\n"
	got, err := decodeAll(t, bytesInput("big.ndjson", NDJSON, []byte(in)), DecodeOptions{MaxLineBytes: 100})
	if err == nil {
		t.Fatal("decode: got no error for a line over the limit")
	}
	if got, want := err.Error(), "big.ndjson:2: line longer than 100 bytes"; got != want {
		t.Errorf("error: got %q, want %q", got, want)
	}
	// The lines around the long one still decode: one error hides no other.
	if got, want := len(got), 2; got != want {
		t.Errorf("records: got %d, want %d", got, want)
	}
	exact := `{"kind":"entityType","name":"` + strings.Repeat("x", 100-31) + `"}`
	if len(exact) != 100 {
		t.Fatalf("test line has %d bytes, want 100", len(exact))
	}
	if _, err := decodeAll(t, bytesInput("ok.ndjson", NDJSON, []byte(exact+"\r\n")), DecodeOptions{MaxLineBytes: 100}); err != nil {
		t.Errorf("a line of exactly the limit: %v", err)
	}
}

func TestDecodeCollectsErrors(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 10; i++ {
		b.WriteString(`{"kind":"entity","id":"a"}` + "\n")
	}
	_, err := decodeAll(t, bytesInput("many.ndjson", NDJSON, []byte(b.String())), DecodeOptions{MaxErrors: 3})
	var es store.Errors
	if !errors.As(err, &es) {
		t.Fatalf("error: got %v, want store.Errors", err)
	}
	if got, want := len(es.Listed()), 3; got != want {
		t.Errorf("errors listed: got %d, want %d (MaxErrors)", got, want)
	}
	if got, want := es.Total(), 10; got != want {
		t.Errorf("errors counted: got %d, want %d", got, want)
	}
	if got, want := es[2].Record, "many.ndjson:3"; got != want {
		t.Errorf("third error names %q, want %q", got, want)
	}
}

func gzipped(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDecodeGzip(t *testing.T) {
	plain := []byte(`{"kind":"entityType","name":"A"}` + "\n" + `{"kind":"entityType","name":"B"}` + "\n")
	t.Run("OK", func(t *testing.T) {
		// The name says nothing of gzip: the magic bytes do.
		got, err := decodeAll(t, bytesInput("types.ndjson", NDJSON, gzipped(t, plain)), DecodeOptions{})
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if got, want := len(got), 2; got != want {
			t.Errorf("records: got %d, want %d", got, want)
		}
	})
	t.Run("Truncated", func(t *testing.T) {
		z := gzipped(t, bytes.Repeat(plain, 1000))
		_, err := decodeAll(t, bytesInput("types.ndjson.gz", "", z[:len(z)/2]), DecodeOptions{})
		if err == nil || !strings.Contains(err.Error(), "types.ndjson.gz:") || !strings.Contains(err.Error(), "truncated") {
			t.Errorf("error: got %v, want one naming the file, a line and truncation", err)
		}
	})
	t.Run("Bomb", func(t *testing.T) {
		// 80 MiB of blank lines compress to about 80 KiB, a ratio a
		// hundred times that of real data.
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		chunk := append(bytes.Repeat([]byte(" "), 512<<10), '\n')
		for i := 0; i < 160; i++ {
			zw.Write(chunk)
		}
		zw.Close()
		_, err := decodeAll(t, bytesInput("bomb.ndjson.gz", "", b.Bytes()), DecodeOptions{})
		if got, want := store.ErrorCode(err), store.TooLarge; got != want {
			t.Fatalf("code: got %s (%v), want %s", got, err, want)
		}
		if got := err.Error(); !strings.HasPrefix(got, "bomb.ndjson.gz:") || !strings.Contains(got, "gzip bomb") {
			t.Errorf("error: got %q, want it to name the file and say gzip bomb", got)
		}
	})
}

// A byte-order mark, as Notepad and spreadsheets write, is skipped in
// every format, gzipped or not, rather than failing line 1.
func TestDecodeByteOrderMark(t *testing.T) {
	bom := []byte{0xef, 0xbb, 0xbf}
	for _, tc := range []struct {
		name   string
		format Format
		data   string
	}{
		{"f.ndjson", NDJSON, `{"kind":"entity","id":"a","type":"City","name":"A"}` + "\n"},
		{"f.json", JSON, `{"nodes":[{"id":"a","type":"City","name":"A"}],"links":[]}`},
		{"f.csv", CSV, "id:ID,:LABEL,name\na,City,A\n"},
	} {
		for _, gz := range []bool{false, true} {
			data := append(slices.Clone(bom), tc.data...)
			if gz {
				data = gzipped(t, data)
			}
			got, err := decodeAll(t, bytesInput(tc.name, tc.format, data), DecodeOptions{})
			if err != nil {
				t.Errorf("%s (gzip %v): %v", tc.name, gz, err)
				continue
			}
			if len(got) != 1 || !strings.Contains(got[0], `"id":"a"`) {
				t.Errorf("%s (gzip %v): got %v", tc.name, gz, got)
			}
		}
	}
}

func TestSourceReplays(t *testing.T) {
	in := bytesInput("data.ndjson", NDJSON, []byte(`{"kind":"entityType","name":"A"}`+"\n"+`{"kind":"entityType","name":"B"}`))
	first, err := decodeAll(t, in, DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	src, _ := NewSource(in, DecodeOptions{})
	for pass := 1; pass <= 2; pass++ {
		n := 0
		if err := src(context.Background(), func(store.Record) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		if got, want := n, len(first); got != want {
			t.Errorf("pass %d: got %d records, want %d", pass, got, want)
		}
	}
}

func TestSourcesNameFiles(t *testing.T) {
	a := bytesInput("a.ndjson", NDJSON, []byte(`{"kind":"entityType","name":"A"}`+"\n"))
	b := bytesInput("b.ndjson", NDJSON, []byte("\n"+`{"kind":"entity","id":"x"}`+"\n"))
	src, rewrite, err := Sources([]Input{a, b}, "import", DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var lines []int64
	err = src(context.Background(), func(r store.Record) error { lines = append(lines, r.Line); return nil })
	if got, want := err.Error(), `b.ndjson:2: type: missing entity type for "x"`; got != want {
		t.Errorf("error: got %q, want %q", got, want)
	}
	if len(lines) != 1 || lines[0] != 1 {
		t.Errorf("lines: got %v, want [1]", lines)
	}
	// An error of Store.Load names the combined source and a tagged line.
	loadErr := store.Errors{store.FieldError("import:"+strconv.FormatInt(1<<lineBits|2, 10), "to", "entity %q not found", "y")}
	if got, want := rewrite(loadErr).Error(), `b.ndjson:2: to: entity "y" not found`; got != want {
		t.Errorf("rewritten: got %q, want %q", got, want)
	}
}

// An upload that breaks off is the sender's doing: a coded error, which
// the endpoint answers without logging it as a fault of the server.
func TestSpoolBrokenUpload(t *testing.T) {
	r := io.MultiReader(strings.NewReader(`{"kind":"entity"`), iotest.ErrReader(io.ErrUnexpectedEOF))
	_, cleanup, err := Spool(r, t.TempDir(), "upload", NDJSON, 0)
	defer cleanup()
	if got, want := store.ErrorCode(err), store.Unavailable; got != want {
		t.Fatalf("code: got %s (%v), want %s", got, err, want)
	}
	if got, want := store.ErrorMessage(err), "upload: the upload broke off after 16 bytes: unexpected EOF"; got != want {
		t.Errorf("message: got %q, want %q", got, want)
	}
}
