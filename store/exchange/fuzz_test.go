package exchange

import (
	"bytes"
	"context"
	"testing"

	"github.com/ties-graph/ties/store"
)

// reencodes decodes data and checks that every accepted record writes as a
// canonical NDJSON line that decodes back to the same line.
func reencodes(t *testing.T, format Format, data []byte) {
	src, err := NewSource(bytesInput("fuzz", format, data), DecodeOptions{MaxLineBytes: 1 << 12, MaxDecompressedBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	_ = src(context.Background(), func(r store.Record) error {
		var first bytes.Buffer
		if err := EncodeNDJSONRecord(&first, r); err != nil {
			t.Fatalf("accepted record of line %d does not encode: %v", r.Line, err)
		}
		back, e := decodeNDJSONLine(bytes.TrimSuffix(first.Bytes(), []byte{'\n'}), "fuzz", r.Line)
		if e != nil {
			t.Fatalf("re-encoded record does not decode: %v\n%s", e, first.Bytes())
		}
		var second bytes.Buffer
		if err := EncodeNDJSONRecord(&second, back); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first.Bytes(), second.Bytes()) {
			t.Fatalf("round trip changed the record:\n%s%s", first.Bytes(), second.Bytes())
		}
		return nil
	})
}

func FuzzDecodeNDJSON(f *testing.F) {
	for _, s := range []string{
		`{"kind":"entity","id":"enschede","type":"City","name":"Enschede","labels":{"nl":"Enschede"},"aliases":[],"properties":{"country":"NL","location":{"lat":52.2,"lon":6.9},"founded":{"date":"1325"},"tags":[1,true,"x"]},"validFrom":"1325","sources":[{"document":"d","confidence":0.5,"retrievedAt":"2024-03-01T10:00:00+01:00"}]}`,
		`{"kind":"relation","type":"SISTER_CITY_OF","from":"enschede","to":"dalian","validFrom":2017}`,
		`{"kind":"entityType","name":"Municipality","parent":"City"}` + "\n" + `{"kind":"relationType","name":"KNOWS","symmetric":true,"from":["Person"]}`,
		"{\"kind\":\"entity\",\"id\":1e400}\n\xff",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { reencodes(t, NDJSON, data) })
}

func FuzzDecodeNodeLink(f *testing.F) {
	for _, s := range []string{
		`{"directed":true,"multigraph":true,"graph":{"entityTypes":[{"name":"Town","parent":"City"}]},"nodes":[{"id":1,"type":"City","name":"A","pop":3,"at":{"lat":1,"lon":2}}],"links":[{"source":1,"target":2,"key":0,"type":"T","w":[1,2]}]}`,
		`{"nodes":[],"edges":[{"source":"a","target":"b","key":"r","type":"T","properties":{"type":"x"}}]}`,
		`{"nodes":[{"id":"a"}]}`,
		`[`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { reencodes(t, JSON, data) })
}

func FuzzDecodeCSV(f *testing.F) {
	for _, s := range []string{
		"id:ID,:LABEL,name,population:int,area:double,ok:boolean,d:date,p:point,tags:string[],labels,aliases,sources\n" +
			`a,City,A,1,2.5,true,2017-07,"{latitude:1,longitude:2}",x;y,"{""nl"":""A""}",b;c,"[{""document"":""d""}]"` + "\n",
		":START_ID,:END_ID,:TYPE,id,validFrom,validTo,w:float[]\na,b,T,r,2009,2017,1;2.5\n",
		"from,to,type,fromType,toType,fromName\na,b,T,City,City,A\n",
		"from,to,type\n\"a\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { reencodes(t, CSV, data) })
}
