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

	o, err := s.Ontology(ctx, ReadOptions{})
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

// mixedKindsStore fills s with people, a subtype of them and their
// relations whose property "v" holds every kind, lists and nulls
// included, spread over more records than one batch of a scan.
func mixedKindsStore(t *testing.T, s *Store) {
	t.Helper()
	d, err := ParseDate("1984-11")
	if err != nil {
		t.Fatal(err)
	}
	values := []Value{Number(1), DateValue(d), Text("x"), Bool(true), Geo(1, 2), List(Text("a"), Bool(false)), {}}
	b := Batch{EntityTypes: []EntityType{{Name: "Person"}, {Name: "Writer", Parent: "Person"}, {Name: "Ship"}},
		RelationTypes: []RelationType{{Name: "KNOWS", Symmetric: true}, {Name: "ADMIRES"}}}
	const n = 2*propertyKindsBatch + 7
	for i := range n {
		typ := "Person"
		switch i % 5 {
		case 1:
			typ = "Writer"
		case 3:
			typ = "Ship"
		}
		p := Properties{}
		// Each type holds some of the kinds, none all of them.
		if i%4 != 0 {
			p["v"] = values[(i*3+i/7)%len(values)]
		}
		b.Entities = append(b.Entities, Entity{ID: fmt.Sprintf("e%04d", n-i), Type: typ, Name: fmt.Sprint(i), Properties: p})
		if i > 0 {
			b.Relations = append(b.Relations, Relation{Type: []string{"KNOWS", "ADMIRES"}[i%2], From: fmt.Sprintf("e%04d", n-i), To: fmt.Sprintf("e%04d", n-i+1), Properties: p})
		}
	}
	mustApply(t, s, b)
}

// TestPropertyKindsScanned compares the kinds a scan finds with the kinds
// of every record read one by one, and with a property index's, on a
// store of mixed kinds, with the read cache on and off.
func TestPropertyKindsScanned(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"Cached", Options{}},
		{"Uncached", Options{CacheSize: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := openCounting(t, tc.opts)
			mixedKindsStore(t, s)
			// The reference: every record's value of v, by type.
			want := map[string][KindList + 1]bool{}
			note := func(typ string, p Properties) {
				seen := want[typ]
				if v, ok := p["v"]; ok {
					if v.Kind == KindList {
						for _, e := range v.List {
							seen[e.Kind] = true
						}
					} else {
						seen[v.Kind] = true
					}
				}
				seen[KindNull], seen[KindList] = false, false
				want[typ] = seen
			}
			err := s.View(ctx, ReadOptions{}, func(r *Reader) error {
				if err := r.EachEntity(func(e *Entity) error { note(e.Type, e.Properties); return nil }); err != nil {
					return err
				}
				return r.EachRelation(func(rel *Relation) error { note(rel.Type, rel.Properties); return nil })
			})
			if err != nil {
				t.Fatal(err)
			}
			union := func(types ...string) []Kind {
				var ks []Kind
				for k := range KindList {
					for _, typ := range types {
						if want[typ][k] {
							ks = append(ks, k)
							break
						}
					}
				}
				return ks
			}
			cases := []struct {
				q    PropertyKindsQuery
				want []Kind
			}{
				{PropertyKindsQuery{Types: []string{"Person"}, Key: "v"}, union("Person", "Writer")},
				{PropertyKindsQuery{Types: []string{"Writer"}, Key: "v"}, union("Writer")},
				{PropertyKindsQuery{Types: []string{"Ship"}, Key: "v"}, union("Ship")},
				{PropertyKindsQuery{Key: "v"}, union("Person", "Writer", "Ship")},
				{PropertyKindsQuery{Types: []string{"Person"}, Key: "w"}, nil},
				{PropertyKindsQuery{Relations: true, Types: []string{"KNOWS"}, Key: "v"}, union("KNOWS")},
				{PropertyKindsQuery{Relations: true, Key: "v"}, union("KNOWS", "ADMIRES")},
			}
			check := func(how string) {
				t.Helper()
				for _, c := range cases {
					for range 2 { // cold, then from what the first read cached
						pk, err := s.PropertyKinds(ctx, c.q, ReadOptions{})
						if err != nil {
							t.Fatal(err)
						}
						if got := pk.Kinds; !slices.Equal(got, c.want) {
							t.Errorf("%s: kinds of %+v = %v, want %v", how, c.q, got, c.want)
						}
						if !pk.Complete {
							t.Errorf("%s: %+v incomplete after %d records", how, c.q, pk.Read)
						}
					}
				}
			}
			check("scanned")
			o, err := s.Ontology(ctx, ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var b Batch
			for _, et := range o.EntityTypes {
				et.Indexed = []string{"v"}
				b.EntityTypes = append(b.EntityTypes, et)
			}
			for _, rt := range o.RelationTypes {
				rt.Indexed = []string{"v"}
				b.RelationTypes = append(b.RelationTypes, rt)
			}
			mustApply(t, s, b)
			check("indexed")
		})
	}
}

// TestPropertyKindsNoPointReads: a scan reads the bodies by a forward
// walk, not by a point read per record.
func TestPropertyKindsNoPointReads(t *testing.T) {
	ctx := context.Background()
	s, gets := openCounting(t, Options{CacheSize: -1})
	mixedKindsStore(t, s)
	pointReads(gets)
	for _, q := range []PropertyKindsQuery{
		{Key: "v"},
		{Relations: true, Key: "v"},
	} {
		pk, err := s.PropertyKinds(ctx, q, ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if pk.Read < 2*propertyKindsBatch {
			t.Fatalf("%+v read %d records, want a scan of more", q, pk.Read)
		}
		checkNoPointReads(t, gets)
	}
}
