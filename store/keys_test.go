package store

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func FuzzKeys(f *testing.F) {
	f.Add(uint64(1), uint32(2), uint64(3), uint64(4), uint64(5), "enschede", "palo alto")
	f.Add(uint64(0), uint32(0), uint64(math.MaxUint64), uint64(1<<56), uint64(255), "", "\xff")
	f.Fuzz(func(t *testing.T, a uint64, typ uint32, b, r, c uint64, ext, term string) {
		// Round trips.
		for _, dir := range []byte{pOut, pIn} {
			e := adjEntry{dir: dir, self: NodeID(a), typ: TypeID(typ), other: NodeID(b), rel: RelID(r)}
			got, ok := parseAdjKey(e.key())
			if !ok || got != e {
				t.Fatalf("adjacency key round trip: got %+v %v, want %+v", got, ok, e)
			}
			if m := e.mirror().mirror(); m != e {
				t.Fatalf("mirror of mirror: got %+v, want %+v", m, e)
			}
			if !bytes.HasPrefix(e.key(), adjTypePrefix(nil, dir, NodeID(a), TypeID(typ))) {
				t.Fatalf("adjacency key lacks its type prefix")
			}
		}
		for _, p := range []byte{pNode, pEntity, pRelation, pLog} {
			if got, err := parseIDKey(p, idKey(p, a)); err != nil || got != a {
				t.Fatalf("id key round trip: got %d %v, want %d", got, err, a)
			}
		}
		if got, err := parseExtKey(extKey(ext)); ext != "" && (err != nil || got != ext) {
			t.Fatalf("ext key round trip: got %q %v, want %q", got, err, ext)
		}
		if k, id, err := parseExtValue(extValue(kindRelation, a)); err != nil || k != kindRelation || id != a {
			t.Fatalf("ext value round trip: got %d %d %v", k, id, err)
		}
		if gt, gext, err := parseTypeIdxKey(typeIdxKey(TypeID(typ), ext)); ext != "" && (err != nil || gt != TypeID(typ) || gext != ext) {
			t.Fatalf("type index key round trip: got %d %q %v", gt, gext, err)
		}
		if gt, gext, err := parseNodeValue(nodeValue(TypeID(typ), ext)); ext != "" && (err != nil || gt != TypeID(typ) || gext != ext) {
			t.Fatalf("node value round trip: got %d %q %v", gt, gext, err)
		}
		if !strings.Contains(term, "\x00") {
			p, gterm, n, err := parseNameKey(nameKey(pNameTok, term, NodeID(c)))
			if err != nil || p != pNameTok || gterm != term || n != NodeID(c) {
				t.Fatalf("name key round trip: got %q %d %v, want %q %d", gterm, n, err, term, c)
			}
			if !bytes.HasPrefix(nameKey(pNameTok, term, NodeID(c)), nameExactPrefix(pNameTok, term)) {
				t.Fatalf("name key lacks its exact prefix")
			}
		}
		if ext != "" && !strings.Contains(ext, "\x00") {
			want := citation{doc: ext, kind: kindRelation, id: a, index: int(typ)}
			got, err := parseCiteKey(citeKey(ext, kindRelation, a, int(typ)))
			if err != nil || got != want {
				t.Fatalf("citation key round trip: got %+v %v, want %+v", got, err, want)
			}
			if !bytes.HasPrefix(citeKey(ext, kindEntity, a, 0), citePrefix(nil, ext)) {
				t.Fatalf("citation key lacks its document's prefix")
			}
		}
		nv := nameValue{typ: TypeID(typ), nameLen: uint32(c), ext: ext}
		if got, err := parseNameValue(nv.encode()); ext != "" && (err != nil || got != nv) {
			t.Fatalf("name value round trip: got %+v %v, want %+v", got, err, nv)
		}
		// Id order is byte order.
		cmpID := func(x, y uint64) int {
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
		if got, want := bytes.Compare(idKey(pEntity, a), idKey(pEntity, b)), cmpID(a, b); got != want {
			t.Fatalf("entity key order of %d, %d: got %d, want %d", a, b, got, want)
		}
		if got, want := bytes.Compare(adjKey(nil, pOut, NodeID(c), TypeID(typ), NodeID(a), 1), adjKey(nil, pOut, NodeID(c), TypeID(typ), NodeID(b), 1)), cmpID(a, b); got != want {
			t.Fatalf("adjacency key order of other ends %d, %d: got %d, want %d", a, b, got, want)
		}
		if got, want := bytes.Compare(adjKey(nil, pIn, NodeID(a), 0, 0, 0), adjKey(nil, pIn, NodeID(b), math.MaxUint32, math.MaxUint64, math.MaxUint64)), cmpID(a, b); a != b && got != want {
			t.Fatalf("adjacency key order of nodes %d, %d: got %d, want %d", a, b, got, want)
		}
		if got, want := bytes.Compare(logKey(a), logKey(b)), cmpID(a, b); got != want {
			t.Fatalf("log key order: got %d, want %d", got, want)
		}
		// A shorter term sorts before its extensions, whatever the ids.
		if !strings.Contains(term, "\x00") && bytes.Compare(nameKey(pNameFull, term, math.MaxUint64), nameKey(pNameFull, term+"a", 0)) >= 0 {
			t.Fatalf("name key of %q does not sort before its extension", term)
		}
	})
}

func TestAdjValueRoundTrip(t *testing.T) {
	for _, v := range []adjValue{
		{},
		{otherType: 7, validFrom: MustParseDate("2009"), validTo: MustParseDate("2017-07-05")},
		{otherType: math.MaxUint32, validFrom: MustParseDate("0000-01"), validTo: MustParseDate("9999-12-31")},
	} {
		got, ok := parseAdjValue(v.encode())
		if !ok || got != v {
			t.Errorf("round trip: got %+v %v, want %+v", got, ok, v)
		}
	}
	if _, ok := parseAdjValue([]byte{0, 0, 0, 1, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0}); ok {
		t.Errorf("parseAdjValue accepted precision 9")
	}
}

func TestCodecRoundTrip(t *testing.T) {
	conf := 0.5
	at := time.Date(2017, 7, 5, 10, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	e := &Entity{
		ID: "enschede", Name: "Enschede", Description: "A city.",
		Labels:     []Label{{"nl", "Enschede"}, {"zh", "恩斯赫德"}},
		Aliases:    []string{"Eanske"},
		Properties: Properties{"pop": Number(158000), "geo": Geo(52.22, 6.89), "since": DateValue(MustParseDate("1325")), "tags": List(Text("a"), Bool(true)), "none": {}},
		ValidFrom:  MustParseDate("1325"),
		Sources:    []Source{{Document: "report", Excerpt: "Enschede ...", Locator: "p. 3", Confidence: &conf, RetrievedAt: &at}},
	}
	eb, err := decodeEntity(encodeEntity(e, 42))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := eb.typ, TypeID(42); got != want {
		t.Errorf("type: got %d, want %d", got, want)
	}
	if !eb.e.Sources[0].RetrievedAt.Equal(at) {
		t.Errorf("retrievedAt: got %v, want %v", eb.e.Sources[0].RetrievedAt, at)
	}
	eb.e.Sources[0].RetrievedAt, e.Sources[0].RetrievedAt = nil, nil
	if !reflect.DeepEqual(eb.e, e) {
		t.Errorf("entity round trip:\ngot  %+v\nwant %+v", eb.e, e)
	}
	r := &Relation{ID: "r", From: "a", To: "b", ValidFrom: MustParseDate("2017"), ValidTo: MustParseDate("2018-02"), Properties: Properties{"w": Number(1)}}
	rb, err := decodeRelation(encodeRelation(r, 3, 10, 20))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := [3]uint64{uint64(rb.typ), uint64(rb.from), uint64(rb.to)}, [3]uint64{3, 10, 20}; got != want {
		t.Errorf("interned fields: got %v, want %v", got, want)
	}
	if !reflect.DeepEqual(rb.r, r) {
		t.Errorf("relation round trip:\ngot  %+v\nwant %+v", rb.r, r)
	}
	// Every truncation of a body is an error, never a panic.
	b := encodeEntity(e, 1)
	for i := range b {
		if _, err := decodeEntity(b[:i]); err == nil {
			t.Errorf("decodeEntity accepted a body cut at %d of %d bytes", i, len(b))
		}
	}
}

func FuzzDecodeBody(f *testing.F) {
	f.Add(encodeEntity(&Entity{ID: "x", Name: "X", Properties: Properties{"l": List(Number(1))}}, 1))
	f.Add(encodeRelation(&Relation{ID: "r", From: "a", To: "b"}, 2, 3, 4))
	f.Fuzz(func(t *testing.T, b []byte) {
		if eb, err := decodeEntity(b); err == nil {
			if _, err := decodeEntity(encodeEntity(eb.e, eb.typ)); err != nil {
				t.Fatalf("re-encoded entity does not decode: %v", err)
			}
		}
		if rb, err := decodeRelation(b); err == nil {
			if _, err := decodeRelation(encodeRelation(rb.r, rb.typ, rb.from, rb.to)); err != nil {
				t.Fatalf("re-encoded relation does not decode: %v", err)
			}
		}
	})
}
