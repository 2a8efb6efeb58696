package store

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestLoadSpool checks that the spool gives back every field of a record
// as it came, and that a load whose records the spool cannot hold still
// reports what validation finds in them.
func TestLoadSpool(t *testing.T) {
	t.Run("RoundTrip", func(t *testing.T) {
		conf := 0.75
		at := time.Date(2024, 3, 1, 12, 30, 0, 0, time.UTC)
		d, _ := ParseDate("1967-06")
		props := Properties{
			"text": Text("x"), "num": Number(2.5), "bool": {Kind: KindBool, Bool: true},
			"date": {Kind: KindDate, Date: d}, "geo": {Kind: KindGeo, Geo: GeoPoint{Lat: 52.2, Lon: 6.9}},
			"list": {Kind: KindList, List: []Value{Text("a"), Number(1)}},
		}
		srcs := []Source{{Document: "doc", Excerpt: "e", Locator: "p. 3", Confidence: &conf, RetrievedAt: &at}}
		recs := []Record{
			{Line: 1, EntityType: &EntityType{Name: "Village", Parent: "City"}},
			{Line: 2, Entity: &Entity{ID: "e1", Type: "City", Name: "Enschede", Description: "d",
				Labels: []Label{{Lang: "nl", Value: "Enschede"}}, Aliases: []string{"Enschedé"},
				Properties: props, ValidFrom: d, ValidTo: d, Sources: srcs}},
			{Line: 3, Relation: &Relation{ID: "r1", Type: "TWINNED_WITH", From: "e1", To: "e2",
				Properties: props, ValidFrom: d, Sources: srcs}},
		}
		sp, err := NewSpool()
		if err != nil {
			t.Fatal(err)
		}
		defer sp.Close()
		for _, r := range recs {
			if err := sp.Add(r); err != nil {
				t.Fatal(err)
			}
		}
		var got []Record
		if err := sp.Replay(context.Background(), func(r Record) error { got = append(got, r); return nil }); err != nil {
			t.Fatal(err)
		}
		want := []Record{{Line: 1}, recs[1], recs[2]}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("replay:\ngot  %+v\nwant %+v", got, want)
		}
	})
	t.Run("NestedListRefused", func(t *testing.T) {
		s := openTestStore(t)
		b := twinCities()
		b.Relations[0].Properties = Properties{"bad": {Kind: KindList, List: []Value{{Kind: KindList}}}}
		_, err := s.Load(context.Background(), sourceOf(recordsOf(b)), LoadOptions{Source: "t"})
		if err == nil || !strings.Contains(err.Error(), "lists of lists") {
			t.Errorf("Load: got %v, want an error about lists of lists", err)
		}
	})
}
