package exchange

import (
	"bufio"
	"bytes"
	"reflect"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/gen"
)

var canonicalSeeds = []string{
	`{"kind":"entity","id":"person-000000","type":"Person","name":"Chen Quinsa","labels":{},"aliases":[],"properties":{"born":{"date":"1966"}},"sources":[]}`,
	`{"kind":"relation","id":"rel-00000001","type":"WORKS_FOR","from":"person-000001","to":"city-000179","properties":{"weight":2},"sources":[]}`,
	`{"kind":"relation","id":"rel-00000000","type":"WORKS_FOR","from":"p","to":"c","properties":{},"validFrom":"1992","validTo":"2025","sources":[]}`,
	`{"kind":"entity","id":"enschede","type":"City","name":"Enschede","description":"a city","labels":{"nl":"Enschede","de":"Enschede","nl":"X"},"aliases":["E","Ensch"],"properties":{"country":"NL","pop":158000,"big":true,"small":false,"gone":null,"location":{"lat":52.2,"lon":6.9},"founded":{"date":"1325"},"tags":[1,true,"x"]},"validFrom":"1325","sources":[{"document":"d","confidence":0.5,"retrievedAt":"2024-03-01T10:00:00+01:00"}]}`,
	`{"kind":"entity","id":"x","type":"T"}`,
	`{"kind":"entity","id":"x","type":"T","name":null,"description":null,"labels":null,"aliases":null,"properties":null,"validFrom":null,"validTo":null,"sources":null}`,
	`{"kind":"entity","id":"","type":"T"}`,
	`{"kind":"entity","id":"x","type":""}`,
	`{"kind":"entity","id":7,"type":"T"}`,
	`{"kind":"entity","id":"x","type":"T","from":"a"}`,
	`{"kind":"entity","id":"x","type":"T","id":"y"}`,
	`{"kind":"entity","id":"x\u0041","type":"T","name":"a\"b"}`,
	`{"kind":"entity","id":"x","type":"T","properties":{"a":1,"a":2}}`,
	`{"kind":"entity","id":"x","type":"T","properties":{"a":1e400}}`,
	`{"kind":"entity","id":"x","type":"T","properties":{"a":{"date":"2017-13"}}}`,
	`{"kind":"entity","id":"x","type":"T","properties":{"a":{"date":"2017","b":1}}}`,
	`{"kind":"entity","id":"x","type":"T","properties":{"a":null}}`,
	`{"kind":"entity","id":"x","type":"T","properties":[]}`,
	`{"kind":"entity","id":"x","type":"T","validFrom":"17"}`,
	`{"kind":"entity","id":"x","type":"T","sources":[{"document":"d","page":1}]}`,
	`{"kind":"relation","type":"R","from":"a","to":"b"}`,
	`{"kind":"relation","type":"R","from":"a","to":"b","name":"n"}`,
	`{"kind":"relation","id":null,"type":"R","from":"a","to":""}`,
	`{"kind":"relation","type":"R","from":"a","to":"b","validFrom":2017}`,
	`{"kind":"entityType","name":"Municipality","parent":"City"}`,
	`{"kind":"Entity","id":"x","type":"T"}`,
	`{"id":"x","type":"T"}`,
	` {"kind":"entity","id":"x","type":"T"} `,
	"{\"kind\":\"entity\",\"id\":\"\xff\",\"type\":\"T\"}",
	`{"kind":"entity","id":"x","type":"T"`,
	`null`, ``,
}

// sameLine checks that decodeLine, which takes the canonical path where it
// can, gives line what the general path gives: the same record or the
// same error.
func sameLine(t *testing.T, line []byte) {
	t.Helper()
	got, gotErr := decodeLine(line, "f.ndjson", 3, nil)
	want, wantErr := decodeGeneralLine(line, "f.ndjson", 3, nil)
	if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
		t.Fatalf("%q: error %v, general path %v", line, gotErr, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\nrecord %+v\ngeneral path %+v", line, got, want)
	}
}

// FuzzCanonicalLine checks that the canonical path changes no record and
// no error of any line.
func FuzzCanonicalLine(f *testing.F) {
	for _, s := range canonicalSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) { sameLine(t, line) })
}

func TestCanonicalLine(t *testing.T) {
	t.Run("Seeds", func(t *testing.T) {
		for _, s := range canonicalSeeds {
			sameLine(t, []byte(s))
		}
	})
	// Every line of a generated graph takes the canonical path and decodes
	// as the general path decodes it.
	t.Run("Generated", func(t *testing.T) {
		var buf bytes.Buffer
		err := WriteNDJSON(&buf, func(yield func(store.Record) error) error {
			return gen.Generate(gen.Config{Seed: 7, Relations: 3000}, yield)
		})
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(&buf)
		lines := 0
		for sc.Scan() {
			line := sc.Bytes()
			record := bytes.Contains(line, []byte(`"kind":"entity"`)) || bytes.Contains(line, []byte(`"kind":"relation"`))
			if _, ok := decodeCanonicalLine(line, 1); record && !ok {
				t.Fatalf("canonical path declined %s", line)
			}
			sameLine(t, line)
			lines++
		}
		if lines < 4000 {
			t.Fatalf("%d lines, want at least 4000", lines)
		}
	})
}
