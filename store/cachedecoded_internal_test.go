package store

import (
	"context"
	"fmt"
	"reflect"
	"testing"
)

// TestDecodedShare reads whole neighbourhoods of a graph whose decoded
// entities would fill a small read cache many times over: the decoded
// bodies must stay within their share of the cache, and the cache's count
// of them must equal what its entries hold, through evictions and writes.
func TestDecodedShare(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	const n = 300
	entity := func(i int) string { return fmt.Sprintf("e%03d", i) }
	b := Batch{}
	// Half the entities have properties of their own, half one of four
	// sets they share.
	props := func(i int) Properties {
		if i%2 == 0 {
			return Properties{"population": Number(float64(1000 + i)), "rank": Number(float64(i))}
		}
		return Properties{"rank": Number(float64(i % 4))}
	}
	for i := range n {
		b.Entities = append(b.Entities, Entity{ID: entity(i), Type: "City", Name: fmt.Sprintf("City %d", i),
			Properties: props(i)})
		b.Relations = append(b.Relations, Relation{ID: fmt.Sprintf("r%d", i), Type: "SISTER_CITY_OF", From: entity(i), To: entity((i + 1) % n)})
	}
	mustApply(t, s, b)
	s.cache = newReadCache(64<<10, s.cache.validTs)
	c := s.cache
	check := func(when string) int64 {
		t.Helper()
		c.mu.RLock()
		defer c.mu.RUnlock()
		var held int64
		refs := map[*sharedProps]int{}
		for i := range c.entries {
			if e := c.entries[i].ent; e != nil {
				held += e.size
				refs[e.shared]++
			}
			if r := c.entries[i].rel; r != nil {
				held += r.size
				refs[r.shared]++
			}
		}
		// Every shared map is counted once, held by as many bodies as
		// say so, and gone with the last of them.
		if len(refs) != len(c.props) {
			t.Fatalf("%s: decoded bodies hold %d shared maps, the cache keeps %d", when, len(refs), len(c.props))
		}
		for sp, n := range refs {
			if sp == nil || c.props[sp.key] != sp || sp.refs != n {
				t.Fatalf("%s: a shared map held by %d bodies is not the cache's or counts %v", when, n, sp)
			}
			held += sp.size
		}
		if held != c.decoded {
			t.Fatalf("%s: entries hold %d bytes decoded, the cache counts %d", when, held, c.decoded)
		}
		if c.decoded > c.max/decodedShare {
			t.Fatalf("%s: %d bytes decoded, more than the share %d", when, c.decoded, c.max/decodedShare)
		}
		// The share is beside the cache's bound: the rest stays within it.
		if c.size-c.decoded > c.max {
			t.Fatalf("%s: %d bytes besides the decoded, more than the cache's %d", when, c.size-c.decoded, c.max)
		}
		return held
	}
	var most int64
	read := func(when string) {
		for i := range n {
			sg, err := s.Neighborhood(ctx, entity(i), NeighborhoodOptions{Depth: 3}, ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(sg.Nodes) != 7 || !reflect.DeepEqual(sg.Nodes[0].Properties, props(i)) {
				t.Fatalf("%s: neighbourhood of %s: %d nodes, first %+v", when, entity(i), len(sg.Nodes), sg.Nodes[0])
			}
			most = max(most, check(fmt.Sprintf("%s, after %s", when, entity(i))))
		}
	}
	read("first reads")
	if most == 0 {
		t.Fatal("no body was ever kept decoded")
	}
	// Writes forget entries; a restore-like write empties the cache.
	mustApply(t, s, Batch{Entities: []Entity{{ID: entity(3), Type: "City", Name: "Renamed",
		Properties: props(3)}}})
	check("after a write")
	read("reads after a write")
}

// TestSharedProperties reads whole entities and relations whose
// properties take every kind of value, some encoded alike, twice (decoded
// afresh, then from the cache): the answers must equal the bodies decoded
// one by one, and the cache must hold one map per distinct encoding,
// shared by exactly the records that encode it.
func TestSharedProperties(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name  string
		props Properties
		group string // records of one group encode their properties alike
	}{
		{"None", nil, "none"},
		{"Empty", Properties{}, "none"},
		{"Text", Properties{"country": Text("NL")}, "nl"},
		{"TextAgain", Properties{"country": Text("NL")}, "nl"},
		{"TextOther", Properties{"country": Text("DE")}, "de"},
		{"Number", Properties{"population": Number(158_000)}, "pop"},
		{"Bool", Properties{"capital": Bool(false)}, "bool"},
		{"Date", Properties{"founded": DateValue(MustParseDate("1325-05"))}, "date"},
		{"Geo", Properties{"at": Geo(52.22, 6.89)}, "geo"},
		{"List", Properties{"twins": List(Text("Dalian"), Number(2), Bool(true))}, "list"},
		{"ListAgain", Properties{"twins": List(Text("Dalian"), Number(2), Bool(true))}, "list"},
		{"Many", Properties{"a": Text("1"), "b": Text("2"), "c": Text("3"), "d": Text("4"), "e": Text("5"),
			"f": Text("6"), "g": Text("7"), "h": Text("8"), "i": Text("9"), "j": Text("10")}, "many"},
		{"ManyAgain", Properties{"j": Text("10"), "i": Text("9"), "h": Text("8"), "g": Text("7"), "f": Text("6"),
			"e": Text("5"), "d": Text("4"), "c": Text("3"), "b": Text("2"), "a": Text("1")}, "many"},
	}
	s := openTestStore(t)
	b := Batch{Entities: []Entity{{ID: "hub", Type: "Network", Name: "Hub"}}}
	for i, c := range cases {
		id := fmt.Sprintf("e%02d", i)
		b.Entities = append(b.Entities, Entity{ID: id, Type: "City", Name: c.name, Properties: c.props})
		b.Relations = append(b.Relations, Relation{ID: "r" + id, Type: "MEMBER_OF", From: id, To: "hub", Properties: c.props})
	}
	mustApply(t, s, b)
	groups := map[string]bool{"none": true} // the hub's
	for _, c := range cases {
		groups[c.group] = true
	}
	for _, round := range []string{"decoded afresh", "from the cache"} {
		sg, err := s.Neighborhood(ctx, "hub", NeighborhoodOptions{Depth: 1}, ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(sg.Nodes), len(cases)+1; got != want {
			t.Fatalf("%s: %d nodes, want %d", round, got, want)
		}
		byGroup := map[string]Properties{}
		for _, e := range sg.Nodes {
			want, err := s.FindEntityByID(ctx, e.ID, ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(e, want) {
				t.Errorf("%s: entity %s is %+v, decoded alone %+v", round, e.ID, e, want)
			}
		}
		for _, r := range sg.Edges {
			i := 0
			fmt.Sscanf(r.From, "e%02d", &i)
			c := cases[i]
			want := c.props
			if want == nil {
				want = Properties{}
			}
			if !reflect.DeepEqual(r.Properties, want) {
				t.Errorf("%s: relation %s has %v, want %v", round, r.ID, r.Properties, want)
			}
			if p, ok := byGroup[c.group]; ok && round == "from the cache" && reflect.ValueOf(p).Pointer() != reflect.ValueOf(r.Properties).Pointer() {
				t.Errorf("%s: relation %s (%s) does not share its group's map", round, r.ID, c.name)
			}
			byGroup[c.group] = r.Properties
		}
		s.cache.mu.RLock()
		kept := len(s.cache.props)
		s.cache.mu.RUnlock()
		if got, want := kept, len(groups); round == "from the cache" && got != want {
			t.Errorf("%s: the cache holds %d maps, want one per distinct encoding, %d", round, got, want)
		}
	}
}
