package store_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/gen"
	"github.com/ties-graph/ties/store/storetest"
)

// The tests of this file check filters, orders and facets against a plain
// Go computation over the same generated records: each case states its
// question twice, once as the store's arguments and once as a predicate
// and a comparison written directly over the records.

// generated loads a generated graph into a fresh store and returns the
// records it was made of.
func generated(t *testing.T, relations int) (*store.Store, []*store.Entity, []*store.Relation) {
	return generatedIndexed(t, relations, nil)
}

// generatedIndexed is generated with property indexes defined before the
// load: indexed maps entity and relation types to their indexed
// properties.
func generatedIndexed(t *testing.T, relations int, indexed map[string][]string) (*store.Store, []*store.Entity, []*store.Relation) {
	t.Helper()
	cfg := gen.Config{Seed: 7, Relations: relations}
	var es []*store.Entity
	var rs []*store.Relation
	err := gen.Generate(cfg, func(r store.Record) error {
		switch {
		case r.Entity != nil:
			es = append(es, r.Entity)
		case r.Relation != nil:
			rs = append(rs, r.Relation)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s := storetest.Open(t)
	defineIndexes(t, s, indexed)
	if _, err := s.Load(context.Background(), gen.Source(cfg), store.LoadOptions{Source: "gen"}); err != nil {
		t.Fatal(err)
	}
	return s, es, rs
}

func num(e map[string]store.Value, k string) (float64, bool) {
	v, ok := e[k]
	return v.Num, ok && v.Kind == store.KindNumber
}

func text(e map[string]store.Value, k string) (string, bool) {
	v, ok := e[k]
	return v.Text, ok && v.Kind == store.KindText
}

func dateProp(e map[string]store.Value, k string) (string, bool) {
	v, ok := e[k]
	return v.Date.String(), ok && v.Kind == store.KindDate
}

func ptr[T any](v T) *T { return &v }

// byID is the tie-break every order ends with.
func byID(a, b string) int { return strings.Compare(a, b) }

// byDate orders two dates as orderBy does: earliest first, or latest first
// when desc, and a missing date last either way.
func byDate(a, b store.Date, desc bool) int {
	switch az, bz := a.IsZero(), b.IsZero(); {
	case az && bz:
		return 0
	case az:
		return 1
	case bz:
		return -1
	}
	if desc {
		a, b = b, a
	}
	return strings.Compare(a.String(), b.String())
}

type entityCase struct {
	name  string
	types []string
	where []store.PropertyFilter
	order []store.Order
	keep  func(e *store.Entity) bool
	cmp   func(a, b *store.Entity) int // nil: id order
}

// testIndexes are the property indexes of the tests that use them.
var testIndexes = map[string][]string{
	"City": {"country", "population"}, "Company": {"founded", "employees"},
	"MEMBER_OF": {"weight"}, "SISTER_CITY_OF": {"weight"},
}

// defineIndexes redefines the types named in indexed, as they are, with
// those indexed properties.
func defineIndexes(t *testing.T, s *store.Store, indexed map[string][]string) {
	t.Helper()
	if indexed == nil {
		return
	}
	o, err := s.Ontology(context.Background(), store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var b store.Batch
	for _, et := range o.EntityTypes {
		if idx, ok := indexed[et.Name]; ok {
			et.Indexed = idx
			b.EntityTypes = append(b.EntityTypes, et)
		}
	}
	for _, rt := range o.RelationTypes {
		if idx, ok := indexed[rt.Name]; ok {
			rt.Indexed = idx
			b.RelationTypes = append(b.RelationTypes, rt)
		}
	}
	if _, err := s.Apply(context.Background(), b); err != nil {
		t.Fatal(err)
	}
}

func TestEntitiesWhereMatchesPlainGo(t *testing.T) {
	t.Run("Scanned", func(t *testing.T) {
		s, es, _ := generated(t, 3000)
		testEntitiesWhere(t, s, es)
	})
	t.Run("IndexedBeforeLoad", func(t *testing.T) {
		s, es, _ := generatedIndexed(t, 3000, testIndexes)
		testEntitiesWhere(t, s, es)
	})
	t.Run("IndexedAfterLoad", func(t *testing.T) {
		s, es, _ := generated(t, 3000)
		defineIndexes(t, s, testIndexes)
		testEntitiesWhere(t, s, es)
	})
}

func testEntitiesWhere(t *testing.T, s *store.Store, es []*store.Entity) {
	cases := []entityCase{
		{
			name: "NumberRange", types: []string{"City"},
			where: []store.PropertyFilter{{Key: "population", Gte: ptr(store.Number(500000)), Lt: ptr(store.Number(1500000))}},
			keep: func(e *store.Entity) bool {
				p, ok := num(e.Properties, "population")
				return e.Type == "City" && ok && p >= 500000 && p < 1500000
			},
		},
		{
			name:  "TextFoldedEqAndOrderByNumberDesc",
			where: []store.PropertyFilter{{Key: "country", Eq: ptr(store.Text("de"))}},
			order: []store.Order{{By: store.OrderProperty, Key: "population", Desc: true}},
			keep: func(e *store.Entity) bool {
				c, ok := text(e.Properties, "country")
				return ok && strings.EqualFold(c, "DE")
			},
			cmp: func(a, b *store.Entity) int {
				pa, _ := num(a.Properties, "population")
				pb, _ := num(b.Properties, "population")
				if c := cmp.Compare(pb, pa); c != 0 {
					return c // descending
				}
				return byID(a.ID, b.ID)
			},
		},
		{
			name:  "InAndExists",
			where: []store.PropertyFilter{{Key: "country", In: []store.Value{store.Text("NL"), store.Text("PL")}}, {Key: "population", Exists: ptr(true)}},
			order: []store.Order{{By: store.OrderName}},
			keep: func(e *store.Entity) bool {
				c, _ := text(e.Properties, "country")
				_, ok := num(e.Properties, "population")
				return (c == "NL" || c == "PL") && ok
			},
			cmp: func(a, b *store.Entity) int {
				if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
					return c
				}
				return byID(a.ID, b.ID)
			},
		},
		{
			name: "DateRangeOfYears", types: []string{"Company"},
			where: []store.PropertyFilter{{Key: "founded", Gte: ptr(store.DateValue(store.MustParseDate("1900"))), Lt: ptr(store.DateValue(store.MustParseDate("1950")))}},
			order: []store.Order{{By: store.OrderProperty, Key: "founded"}, {By: store.OrderProperty, Key: "employees", Desc: true}},
			keep: func(e *store.Entity) bool {
				d, ok := dateProp(e.Properties, "founded")
				return e.Type == "Company" && ok && d >= "1900" && d < "1950"
			},
			cmp: func(a, b *store.Entity) int {
				da, _ := dateProp(a.Properties, "founded")
				db, _ := dateProp(b.Properties, "founded")
				if c := strings.Compare(da, db); c != 0 {
					return c
				}
				ea, _ := num(a.Properties, "employees")
				eb, _ := num(b.Properties, "employees")
				if c := cmp.Compare(eb, ea); c != 0 {
					return c // descending
				}
				return byID(a.ID, b.ID)
			},
		},
		{
			name: "BuiltInValidFromAndMissingLast", types: []string{"Event"},
			where: []store.PropertyFilter{{Key: "validFrom", Gte: ptr(store.Text("2000-06"))}},
			order: []store.Order{{By: store.OrderValidFrom, Desc: true}},
			keep: func(e *store.Entity) bool {
				return e.Type == "Event" && !e.ValidFrom.IsZero() && e.ValidFrom.String() >= "2000-06"
			},
			cmp: func(a, b *store.Entity) int {
				if c := strings.Compare(b.ValidFrom.String(), a.ValidFrom.String()); c != 0 {
					return c
				}
				return byID(a.ID, b.ID)
			},
		},
		{
			name:  "NameContainsAndNotExists",
			where: []store.PropertyFilter{{Key: "name", Contains: ptr("AN")}, {Key: "population", Exists: ptr(false)}},
			keep: func(e *store.Entity) bool {
				_, ok := e.Properties["population"]
				return strings.Contains(strings.ToLower(e.Name), "an") && !ok
			},
		},
		{
			name:  "OrderByValidToMissingLast",
			types: []string{"Event", "Person"},
			order: []store.Order{{By: store.OrderValidTo}},
			keep:  func(e *store.Entity) bool { return e.Type == "Event" || e.Type == "Person" },
			cmp: func(a, b *store.Entity) int {
				if c := byDate(a.ValidTo, b.ValidTo, false); c != 0 {
					return c
				}
				return byID(a.ID, b.ID)
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var want []string
			var kept []*store.Entity
			for _, e := range es {
				if c.keep(e) {
					kept = append(kept, e)
				}
			}
			cmp := c.cmp
			if cmp == nil {
				cmp = func(a, b *store.Entity) int { return byID(a.ID, b.ID) }
			}
			slices.SortFunc(kept, cmp)
			for _, e := range kept {
				want = append(want, e.ID)
			}
			if len(want) == 0 {
				t.Fatal("the case selects nothing: it proves nothing")
			}
			got, total := pageAllEntities(t, s, store.EntityFilter{Types: c.types, Where: c.where, OrderBy: c.order})
			if total != len(want) {
				t.Errorf("totalCount = %d, want %d", total, len(want))
			}
			if !slices.Equal(got, want) {
				t.Errorf("got %d entities %v..., want %d %v...", len(got), head(got), len(want), head(want))
			}
		})
	}
}

func head(ids []string) []string { return ids[:min(len(ids), 8)] }

// pageAllEntities reads every page of f, 7 at a time, following cursors.
func pageAllEntities(t *testing.T, s *store.Store, f store.EntityFilter) ([]string, int) {
	t.Helper()
	var ids []string
	total := -1
	f.First = ptr(7)
	for range 10000 {
		p, err := s.FindEntities(context.Background(), f, store.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if total >= 0 && p.TotalCount != total {
			t.Fatalf("totalCount changed between pages: %d, then %d", total, p.TotalCount)
		}
		total = p.TotalCount
		for _, e := range p.Entities {
			ids = append(ids, e.ID)
		}
		if !p.HasNext {
			return ids, total
		}
		f.After = p.Cursors[len(p.Cursors)-1]
	}
	t.Fatal("paging does not end")
	return nil, 0
}

func TestRelationsOfTypesMatchesPlainGo(t *testing.T) {
	for _, idx := range []map[string][]string{nil, testIndexes} {
		t.Run(fmt.Sprintf("Indexed%v", idx != nil), func(t *testing.T) {
			s, _, rs := generatedIndexed(t, 3000, idx)
			testRelationsOfTypes(t, s, rs)
		})
	}
}

func testRelationsOfTypes(t *testing.T, s *store.Store, rs []*store.Relation) {
	types := []string{"MEMBER_OF", "SISTER_CITY_OF"}
	f := store.RelationFilter{
		Types:   types,
		Where:   []store.PropertyFilter{{Key: "weight", Gt: ptr(store.Number(3))}},
		During:  store.DateRange{From: store.MustParseDate("2000"), To: store.MustParseDate("2015")},
		OrderBy: []store.Order{{By: store.OrderValidFrom, Desc: true}},
	}
	var kept []*store.Relation
	for _, r := range rs {
		w, ok := num(r.Properties, "weight")
		if !slices.Contains(types, r.Type) || !ok || w <= 3 {
			continue
		}
		// Held at some time in 2000 to 2015: began by the end of 2015 and
		// did not end before 2000.
		if !r.ValidFrom.IsZero() && r.ValidFrom.Year() > 2015 || !r.ValidTo.IsZero() && r.ValidTo.Year() < 2000 {
			continue
		}
		kept = append(kept, r)
	}
	slices.SortFunc(kept, func(a, b *store.Relation) int {
		if c := byDate(a.ValidFrom, b.ValidFrom, true); c != 0 {
			return c
		}
		return byID(a.ID, b.ID)
	})
	var want []string
	for _, r := range kept {
		want = append(want, r.ID)
	}
	if len(want) == 0 {
		t.Fatal("the case selects nothing")
	}
	var got []string
	f.First = ptr(11)
	for {
		p, err := s.FindRelations(context.Background(), "", f, store.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if p.TotalCount != len(want) {
			t.Fatalf("totalCount = %d, want %d", p.TotalCount, len(want))
		}
		for i, r := range p.Relations {
			got = append(got, r.ID)
			if p.Neighbors[i].ID != r.To {
				t.Errorf("neighbour of %s = %s, want its to end %s", r.ID, p.Neighbors[i].ID, r.To)
			}
		}
		if !p.HasNext {
			break
		}
		f.After = p.Cursors[len(p.Cursors)-1]
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %d relations %v..., want %d %v...", len(got), head(got), len(want), head(want))
	}
}

func TestEntityRelationsWhereMatchesPlainGo(t *testing.T) {
	s, es, rs := generated(t, 3000)
	byID := map[string]*store.Entity{}
	for _, e := range es {
		byID[e.ID] = e
	}
	// The city with the most relations.
	deg := map[string]int{}
	for _, r := range rs {
		deg[r.From]++
		deg[r.To]++
	}
	city := ""
	for id, d := range deg {
		if byID[id].Type == "City" && (city == "" || d > deg[city] || d == deg[city] && id < city) {
			city = id
		}
	}
	f := store.RelationFilter{
		NeighborWhere:  []store.PropertyFilter{{Key: "population", Gte: ptr(store.Number(100000))}},
		OrderBy:        []store.Order{{By: store.OrderName, Desc: true}},
		OrderNeighbors: true,
		First:          ptr(5),
	}
	type pair struct{ other, rel string }
	var want []pair
	for _, r := range rs {
		other := ""
		switch city {
		case r.From:
			other = r.To
		case r.To:
			other = r.From
		default:
			continue
		}
		if p, ok := num(byID[other].Properties, "population"); ok && p >= 100000 {
			want = append(want, pair{other, r.ID})
		}
	}
	sort.Slice(want, func(i, j int) bool {
		a, b := strings.ToLower(byID[want[i].other].Name), strings.ToLower(byID[want[j].other].Name)
		if a != b {
			return a > b
		}
		if want[i].other != want[j].other {
			return want[i].other < want[j].other
		}
		return want[i].rel < want[j].rel
	})
	var got []pair
	for {
		p, err := s.FindRelations(context.Background(), city, f, store.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range p.Relations {
			got = append(got, pair{p.Neighbors[i].ID, r.ID})
		}
		if !p.HasNext {
			break
		}
		f.After = p.Cursors[len(p.Cursors)-1]
	}
	if len(want) == 0 {
		t.Fatal("the case selects nothing")
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestFacetsMatchPlainGo(t *testing.T) {
	s, es, rs := generated(t, 3000)
	ctx := context.Background()
	facets, err := s.EntityFacets(ctx, store.FacetQuery{
		Types: []string{"City"},
		Where: []store.PropertyFilter{{Key: "population", Gte: ptr(store.Number(200000))}},
		By:    []string{"country", "type"},
	}, store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	byCountry := map[string]int{}
	n := 0
	for _, e := range es {
		if p, ok := num(e.Properties, "population"); e.Type == "City" && ok && p >= 200000 {
			c, _ := text(e.Properties, "country")
			byCountry[c]++
			n++
		}
	}
	want := sortedFacets("country", byCountry)
	want = append(want, fmt.Sprintf("type=City:%d", n))
	if got := facetStrings(facets); !slices.Equal(got, want) {
		t.Errorf("entity facets = %v, want %v", got, want)
	}

	facets, err = s.RelationFacets(ctx, store.FacetQuery{By: []string{"type", "validFrom"}}, store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	byType, byYear := map[string]int{}, map[string]int{}
	for _, r := range rs {
		byType[r.Type]++
		if !r.ValidFrom.IsZero() {
			byYear[fmt.Sprint(r.ValidFrom.Year())]++
		}
	}
	want = append(sortedFacets("type", byType), sortedFacets("validFrom", byYear)...)
	if got := facetStrings(facets); !slices.Equal(got, want) {
		t.Errorf("relation facets = %v, want %v", got, want)
	}
}

// sortedFacets formats counts as Facet.String does, most first, ties by
// value.
func sortedFacets(key string, counts map[string]int) []string {
	vals := make([]string, 0, len(counts))
	for v := range counts {
		vals = append(vals, v)
	}
	sort.Slice(vals, func(i, j int) bool {
		if counts[vals[i]] != counts[vals[j]] {
			return counts[vals[i]] > counts[vals[j]]
		}
		return vals[i] < vals[j]
	})
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = fmt.Sprintf("%s=%s:%d", key, v, counts[v])
	}
	return out
}

func facetStrings(fs []store.Facet) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.String()
	}
	return out
}

// Facets of indexed properties are counted from the index: the same
// counts as the plain computation, for entities and relations.
func TestFacetsFromIndexesMatchPlainGo(t *testing.T) {
	s, es, rs := generatedIndexed(t, 3000, testIndexes)
	ctx := context.Background()
	facets, err := s.EntityFacets(ctx, store.FacetQuery{Types: []string{"City"}, By: []string{"country", "type"}}, store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	byCountry := map[string]int{}
	n := 0
	for _, e := range es {
		if e.Type == "City" {
			c, _ := text(e.Properties, "country")
			byCountry[c]++
			n++
		}
	}
	want := append(sortedFacets("country", byCountry), fmt.Sprintf("type=City:%d", n))
	if got := facetStrings(facets); !slices.Equal(got, want) {
		t.Errorf("entity facets = %v, want %v", got, want)
	}
	facets, err = s.RelationFacets(ctx, store.FacetQuery{Types: []string{"MEMBER_OF", "SISTER_CITY_OF"}, By: []string{"weight"}}, store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	byWeight := map[string]int{}
	for _, r := range rs {
		if w, ok := num(r.Properties, "weight"); ok && (r.Type == "MEMBER_OF" || r.Type == "SISTER_CITY_OF") {
			byWeight[fmt.Sprintf("%02d", int(w))]++
		}
	}
	want = sortedFacets("weight", byWeight)
	for i := range want {
		// Two-digit keys sorted as numbers; Facet.String prints the number.
		want[i] = strings.Replace(want[i], "=0", "=", 1)
	}
	if got := facetStrings(facets); !slices.Equal(got, want) {
		t.Errorf("relation facets = %v, want %v", got, want)
	}
}

// A bulk load that defines the indexed list of a type with stored
// entities builds their index too, and one that also rewrites some of
// them leaves their new values indexed, not the old.
func TestLoadBuildsIndexes(t *testing.T) {
	s, es, _ := generated(t, 3000)
	ctx := context.Background()
	o, err := s.Ontology(ctx, store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(o.EntityTypes, func(et store.EntityType) bool { return et.Name == "City" })
	city := o.EntityTypes[i]
	city.Indexed = []string{"population"}
	var changed *store.Entity
	for _, e := range es {
		if e.Type == "City" {
			c := *e
			c.Properties = store.Properties{"population": store.Number(-1)}
			changed = &c
			break
		}
	}
	src := func(ctx context.Context, yield func(store.Record) error) error {
		if err := yield(store.Record{Line: 1, EntityType: &city}); err != nil {
			return err
		}
		return yield(store.Record{Line: 2, Entity: changed})
	}
	if _, err := s.Load(ctx, src, store.LoadOptions{Source: "types"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := pageAllEntities(t, s, store.EntityFilter{Types: []string{"City"}, Where: []store.PropertyFilter{{Key: "population", Lt: ptr(store.Number(0))}}})
	if !slices.Equal(got, []string{changed.ID}) {
		t.Errorf("population < 0 finds %v, want [%s]", got, changed.ID)
	}
}
