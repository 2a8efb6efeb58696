package store

import (
	"context"
	"fmt"
	"slices"
	"testing"
)

// PropertyKinds answers the same from a scan and from a property index:
// the kinds of the values, list elements by their own, nulls left out;
// a type without the property holds none.
func TestPropertyKinds(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	d, err := ParseDate("1984-11")
	if err != nil {
		t.Fatal(err)
	}
	var b Batch
	for i := range 30 {
		p := Properties{"born": DateValue(d)}
		switch i % 3 {
		case 1:
			p["tags"] = List(Text("a"), Number(1))
		case 2:
			p["born"] = Value{}
		}
		b.Entities = append(b.Entities, Entity{ID: fmt.Sprintf("p%02d", i), Type: "Person", Name: fmt.Sprintf("P %d", i), Properties: p})
	}
	mustApply(t, s, b)
	kinds := func(types []string, key string) []Kind {
		t.Helper()
		pk, err := s.PropertyKinds(ctx, PropertyKindsQuery{Types: types, Key: key}, ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !pk.Complete {
			t.Errorf("%s: incomplete after %d records", key, pk.Read)
		}
		return pk.Kinds
	}
	check := func(how string) {
		t.Helper()
		for _, tc := range []struct {
			types []string
			key   string
			want  []Kind
		}{
			{[]string{"Person"}, "born", []Kind{KindDate}},
			{[]string{"Person"}, "tags", []Kind{KindText, KindNumber}},
			{[]string{"City"}, "born", nil},
			{nil, "born", []Kind{KindDate}},
		} {
			if got := kinds(tc.types, tc.key); !slices.Equal(got, tc.want) {
				t.Errorf("%s: kinds of %s on %v = %v, want %v", how, tc.key, tc.types, got, tc.want)
			}
		}
	}
	check("scanned")

	o, err := s.Ontology(ctx)
	if err != nil {
		t.Fatal(err)
	}
	person := o.EntityTypes[slices.IndexFunc(o.EntityTypes, func(et EntityType) bool { return et.Name == "Person" })]
	person.Indexed = []string{"born", "tags"}
	mustApply(t, s, Batch{EntityTypes: []EntityType{person}})
	check("indexed")

	if _, err := s.PropertyKinds(ctx, PropertyKindsQuery{Types: []string{"Town"}, Key: "born"}, ReadOptions{}); ErrorCode(err) != Invalid {
		t.Errorf("an unknown type: got %v, want Invalid", err)
	}
}
