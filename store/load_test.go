package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store/kv"
)

// rawDump hashes every key and value of the store at its newest commit:
// two equal dumps mean the store is byte-for-byte the same.
func rawDump(t testing.TB, s *Store) string {
	t.Helper()
	tx, err := s.db.Begin(context.Background(), kv.TxnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Discard()
	it := tx.Iterate(kv.IterOptions{})
	defer it.Close()
	h := sha256.New()
	n := 0
	for it.Rewind(); it.Valid(); it.Next() {
		v, err := it.Value()
		if err != nil {
			t.Fatal(err)
		}
		h.Write(it.Key())
		h.Write([]byte{0})
		h.Write(v)
		h.Write([]byte{0})
		n++
	}
	return hex.EncodeToString(h.Sum(nil)) + " keys=" + itoa(n)
}

func itoa(n int) string { return strconv.Itoa(n) }

// dump is the NDJSON-like content of the store: the ontology, every
// entity and every relation in id order.
func dump(t testing.TB, s *Store, ro ReadOptions) string {
	t.Helper()
	var b strings.Builder
	enc := json.NewEncoder(&b)
	err := s.View(context.Background(), ro, func(r *Reader) error {
		if err := enc.Encode(r.Ontology()); err != nil {
			return err
		}
		if err := r.EachEntity(func(e *Entity) error { return enc.Encode(e) }); err != nil {
			return err
		}
		return r.EachRelation(func(rel *Relation) error { return enc.Encode(rel) })
	})
	if err != nil {
		t.Fatalf("dump: %v", err)
	}
	return b.String()
}

// recordsOf turns a batch into load records numbered from 1, relations
// first, so that they precede the entities they name.
func recordsOf(b Batch) []Record {
	var rs []Record
	add := func(r Record) { r.Line = int64(len(rs) + 1); rs = append(rs, r) }
	for i := range b.Relations {
		add(Record{Relation: &b.Relations[i]})
	}
	for i := range b.RelationTypes {
		add(Record{RelationType: &b.RelationTypes[i]})
	}
	for i := range b.Entities {
		add(Record{Entity: &b.Entities[i]})
	}
	for i := range b.EntityTypes {
		add(Record{EntityType: &b.EntityTypes[i]})
	}
	return rs
}

func sourceOf(rs []Record) RecordSource {
	return func(ctx context.Context, yield func(Record) error) error {
		for _, r := range rs {
			if err := yield(r); err != nil {
				return err
			}
		}
		return nil
	}
}

// TestLoad runs each case with the table of entities in memory and with
// the entities spilled to sorts from the first one (loadspill.go).
func TestLoad(t *testing.T) {
	for _, budget := range entityBudgets {
		t.Run(budget.name, func(t *testing.T) { testLoad(t, budget.bytes) })
	}
}

// entityBudgets are the budgets of a load's table of entities the load
// tests run with: the default, and one spent by the first entity.
var entityBudgets = []struct {
	name  string
	bytes int
}{{"Table", 0}, {"Spilled", 1}}

// openLoadStore opens a test store whose loads give their table of
// entities budget bytes (0: the default).
func openLoadStore(t testing.TB, budget int) *Store {
	t.Helper()
	s := openTestStore(t)
	s.opts.LoadEntityBudget = budget
	return s
}

func testLoad(t *testing.T, budget int) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		s := openLoadStore(t, budget)
		b := twinCities()
		b.EntityTypes = []EntityType{{Name: "Village", Parent: "City"}}
		b.RelationTypes = []RelationType{{Name: "KNOWS", Inverse: "KNOWS", Symmetric: true, From: []string{"Person"}, To: []string{"Person"}}}
		b.Entities = append(b.Entities, Entity{ID: "glanerbrug", Type: "Village", Name: "Glanerbrug"},
			Entity{ID: "xiao", Type: "Person", Name: "Xiao Shenfeng"})
		b.Relations = append(b.Relations, Relation{Type: "KNOWS", From: "xiao", To: "onno"},
			Relation{Type: "LOCATED_IN", From: "glanerbrug", To: "netherlands"})
		res, err := s.Load(ctx, sourceOf(recordsOf(b)), LoadOptions{Source: "t.ndjson"})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := [4]int{res.EntityTypes, res.RelationTypes, res.Entities, res.Relations}, [4]int{1, 1, 10, 8}; got != want {
			t.Errorf("result: got %v, want %v", got, want)
		}
		if got, want := neighborIDs(t, s, "onno", RelationFilter{Types: []string{"KNOWS"}, Direction: Out}), []string{"xiao"}; !slices.Equal(got, want) {
			t.Errorf("KNOWS from onno: got %v, want %v", got, want)
		}
		if got, want := neighborIDs(t, s, "netherlands", RelationFilter{EntityTypes: []string{"City"}}), []string{"enschede", "glanerbrug"}; !slices.Equal(got, want) {
			t.Errorf("cities in the Netherlands: got %v, want %v", got, want)
		}
		st, err := s.Stats(ctx, ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := [2]int{st.Entities, st.Relations}, [2]int{10, 8}; got != want {
			t.Errorf("stats: got %v, want %v", got, want)
		}
		// The same file again changes nothing but the change log.
		before := dump(t, s, ReadOptions{})
		if _, err := s.Load(ctx, sourceOf(recordsOf(b)), LoadOptions{}); err != nil {
			t.Fatal(err)
		}
		if got := dump(t, s, ReadOptions{}); got != before {
			t.Errorf("reloading changed the store:\n%s\nwant\n%s", got, before)
		}
	})
	t.Run("Duplicates", func(t *testing.T) {
		s := openLoadStore(t, budget)
		rs := recordsOf(twinCities())
		extra := []Record{
			{Entity: &Entity{ID: "dalian", Type: "City", Name: "Dalian (old)"}},
			{Relation: &Relation{Type: "SISTER_CITY_OF", From: "dalian", To: "enschede", ValidFrom: MustParseDate("2017"), Properties: Properties{"side": Text("dalian")}}},
			{Relation: &Relation{ID: "onno-mayor", Type: "MAYOR_OF", From: "onno", To: "enschede", Properties: Properties{"term": Number(3)}}},
		}
		// The old Dalian comes first, so the later one wins; the reversed
		// sister-city pair comes last and wins over the first.
		rs = append([]Record{extra[0]}, rs...)
		rs = append(rs, extra[1], extra[2])
		for i := range rs {
			rs[i].Line = int64(i + 1)
		}
		res, err := s.Load(ctx, sourceOf(rs), LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := [2]int{res.Entities, res.Relations}, [2]int{8, 6}; got != want {
			t.Errorf("written: got %v, want %v", got, want)
		}
		e := mustEntity(t, s, "dalian")
		if got, want := e.Name, "Dalian"; got != want {
			t.Errorf("dalian's name: got %q, want %q", got, want)
		}
		p, err := s.FindRelations(ctx, "dalian", RelationFilter{Types: []string{"SISTER_CITY_OF"}}, ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(p.Relations), 1; got != want {
			t.Fatalf("sister-city relations: got %d, want %d", got, want)
		}
		if got, want := p.Relations[0].Properties["side"].Text, "dalian"; got != want {
			t.Errorf("kept side: got %q, want %q", got, want)
		}
		r, err := s.FindRelationByID(ctx, "onno-mayor", ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := r.Properties["term"].Num, 3.0; got != want {
			t.Errorf("term: got %v, want %v", got, want)
		}
	})
	t.Run("Errors", func(t *testing.T) {
		s := openLoadStore(t, budget)
		mustApply(t, s, twinCities())
		before := rawDump(t, s)
		rs := []Record{
			{Line: 1, Entity: &Entity{ID: "ok", Type: "City", Name: "Fine"}},
			{Line: 2, Entity: &Entity{ID: "x", Type: "Planet", Name: "Mars"}},
			{Line: 3, Relation: &Relation{Type: "SISTER_CITY_OF", From: "ok", To: "ghost"}},
			{Line: 4, Relation: &Relation{Type: "LOCATED_IN", From: "ok", To: "netherlands", ValidFrom: MustParseDate("2010"), ValidTo: MustParseDate("2009")}},
			{Line: 5, Entity: &Entity{ID: "onno-mayor", Type: "Person", Name: "Not a relation"}},
			{Line: 6, Relation: &Relation{Type: "MAYOR_OF", From: "ok", To: "enschede"}},
			{Line: 7, Entity: &Entity{ID: "empty", Type: "City", Name: " "}},
			{Line: 8, Relation: &Relation{Type: "LOCATED_IN", From: "x", To: "netherlands"}},
		}
		_, err := s.Load(ctx, sourceOf(rs), LoadOptions{Source: "bad.ndjson"})
		checkRefusedLoad(t, s, before, err, []string{
			"bad.ndjson:2: type: unknown entity type \"Planet\"",
			"bad.ndjson:3: to: no entity \"ghost\"",
			"bad.ndjson:4: validTo: validTo 2009 is before validFrom 2010",
			"bad.ndjson:5: id: id \"onno-mayor\" is already used by a relation; entities and relations share one id space",
			"bad.ndjson:6: from: MAYOR_OF does not accept a City (allowed: Person)",
			"bad.ndjson:7: name: name is empty",
		})
	})
	t.Run("ErrorsIntoEmptyStore", func(t *testing.T) {
		// An empty store has no ids to look up: the load must still find
		// what the source itself lacks.
		s := openLoadStore(t, budget)
		before := rawDump(t, s)
		rs := []Record{
			{Line: 1, Relation: &Relation{ID: "r1", Type: "LOCATED_IN", From: "ok", To: "ghost"}},
			{Line: 2, Entity: &Entity{ID: "ok", Type: "City", Name: "Fine"}},
			{Line: 3, Relation: &Relation{ID: "ok", Type: "LOCATED_IN", From: "ok", To: "ok"}},
		}
		_, err := s.Load(ctx, sourceOf(rs), LoadOptions{Source: "e"})
		checkRefusedLoad(t, s, before, err, []string{
			"e:1: to: no entity \"ghost\"",
			"e:3: id: id \"ok\" is also an entity of this load; entities and relations share one id space",
		})
	})
	t.Run("MaxErrors", func(t *testing.T) {
		s := openLoadStore(t, budget)
		var rs []Record
		for i := range 50 {
			rs = append(rs, Record{Line: int64(i + 1), Entity: &Entity{ID: "e" + itoa(i), Type: "Nope", Name: "x"}})
		}
		_, err := s.Load(ctx, sourceOf(rs), LoadOptions{MaxErrors: 5})
		es := errorsOf(t, err)
		if got, want := len(es.Listed()), 5; got != want {
			t.Errorf("errors listed: got %d, want %d", got, want)
		}
		// The rest are counted, and the list says how many there are.
		if got, want := es.Total(), 50; got != want {
			t.Errorf("errors counted: got %d, want %d", got, want)
		}
		if last := es[len(es)-1]; last.Omitted() != 45 || !strings.Contains(last.Message, "45 more") {
			t.Errorf("last entry %q (omitted %d), want one counting 45 more", last.Message, last.Omitted())
		}
	})
	t.Run("DryRun", func(t *testing.T) {
		s := openLoadStore(t, budget)
		before := rawDump(t, s)
		res, err := s.Load(ctx, sourceOf(recordsOf(twinCities())), LoadOptions{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := [2]int{res.Entities, res.Relations}, [2]int{8, 6}; got != want {
			t.Errorf("counted: got %v, want %v", got, want)
		}
		if got := rawDump(t, s); got != before {
			t.Errorf("a dry run changed the store")
		}
	})
	t.Run("Retype", func(t *testing.T) {
		s := openLoadStore(t, budget)
		mustApply(t, s, twinCities())
		rs := []Record{{Line: 1, Entity: &Entity{ID: "enschede", Type: "Municipality", Name: "Gemeente Enschede"}}}
		if _, err := s.Load(ctx, sourceOf(rs), LoadOptions{}); err != nil {
			t.Fatal(err)
		}
		if got, want := neighborIDs(t, s, "dalian", RelationFilter{EntityTypes: []string{"Municipality"}}), []string{"enschede", "enschede"}; !slices.Equal(got, want) {
			t.Errorf("municipal neighbours of dalian: got %v, want %v", got, want)
		}
		rs = []Record{{Line: 1, Entity: &Entity{ID: "enschede", Type: "Person", Name: "Enschede"}}}
		_, err := s.Load(ctx, sourceOf(rs), LoadOptions{Source: "f"})
		if es := errorsOf(t, err); !strings.Contains(es[0].Error(), "f:1: type: changing the type") {
			t.Errorf("error: got %v, want a broken-relation error", es[0])
		}
	})
	t.Run("OntologyError", func(t *testing.T) {
		s := openLoadStore(t, budget)
		rs := []Record{
			{Line: 1, EntityType: &EntityType{Name: "Village", Parent: "Nowhere"}},
			{Line: 2, Entity: &Entity{ID: "v", Type: "Village", Name: "V"}},
		}
		_, err := s.Load(ctx, sourceOf(rs), LoadOptions{Source: "o"})
		es := errorsOf(t, err)
		if got, want := es.Error(), "o:1: parent: unknown entity type \"Nowhere\""; got != want {
			t.Errorf("errors: got %q, want %q", got, want)
		}
	})
}

func TestDupFilter(t *testing.T) {
	d := dupFilter{exact: map[string]struct{}{}, limit: 8, bits: 1 << 16}
	for i := range 100 {
		id := "r" + itoa(i)
		if d.seen(id) && i < 8 {
			t.Errorf("first sight of %s (exact phase): got seen", id)
		}
	}
	if d.bloom == nil {
		t.Fatalf("still exact after 100 ids with a limit of 8")
	}
	// A Bloom filter never forgets: every id seen before, in either
	// phase, is reported again.
	for i := range 100 {
		if id := "r" + itoa(i); !d.seen(id) {
			t.Errorf("second sight of %s: got not seen", id)
		}
	}
	fresh := 0
	for i := 100; i < 1100; i++ {
		if !d.seen("r" + itoa(i)) {
			fresh++
		}
	}
	if fresh < 900 {
		t.Errorf("only %d of 1000 new ids passed as new: too many false positives", fresh)
	}
}

// checkRefusedLoad wants err to list exactly the errors want, in order,
// and the refused load to have left s as rawDump read it before.
func checkRefusedLoad(t *testing.T, s *Store, before string, err error, want []string) {
	t.Helper()
	var got []string
	for _, e := range errorsOf(t, err) {
		got = append(got, e.Error())
	}
	if !slices.Equal(got, want) {
		t.Errorf("errors:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := rawDump(t, s); got != before {
		t.Errorf("a refused load changed the store")
	}
}

// TestMergeJoin resolves ids present and absent, near each other and far
// apart (so that the join both steps and seeks), and expects what point
// reads of the same keys give.
func TestMergeJoin(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	var b Batch
	for i := 0; i < 300; i += 3 {
		b.Entities = append(b.Entities, Entity{ID: fmt.Sprintf("e%04d", i), Type: "Person", Name: "P"})
	}
	mustApply(t, s, b)
	var ids []string
	for i := 0; i < 300; i++ {
		if i%7 == 0 || i > 250 || i < 40 {
			ids = append(ids, fmt.Sprintf("e%04d", i))
		}
	}
	ids = append(ids, "a", "zzz")
	slices.Sort(ids)
	tx, err := s.db.Begin(ctx, kv.TxnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Discard()
	var got []string
	err = mergeJoin(tx, pExtID, len(ids), func(i int, k []byte) []byte {
		return appendExtKey(k, ids[i])
	}, func(i int, v []byte) error {
		got = append(got, fmt.Sprintf("%s=%x", ids[i], v))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, id := range ids {
		v, _, err := txGetter(tx)(extKey(id))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, fmt.Sprintf("%s=%x", id, v))
	}
	if !slices.Equal(got, want) {
		t.Errorf("mergeJoin:\ngot  %v\nwant %v", got, want)
	}
}
