package store

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"math/rand/v2"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/ties-graph/ties/store/kv"
	"github.com/ties-graph/ties/store/kv/badgerkv"
)

// writeCounter is a backend that notes every key its bulk writes put or
// delete, so that a test sees what a load wrote, not only what changed.
type writeCounter struct {
	kv.Store
	mu      sync.Mutex
	written []string
}

func (c *writeCounter) NewBatch(ctx context.Context) (kv.Batch, error) {
	b, err := c.Store.NewBatch(ctx)
	if err != nil {
		return nil, err
	}
	return countedBatch{b, c}, nil
}

// take returns the keys written since the last take.
func (c *writeCounter) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := c.written
	c.written = nil
	return w
}

type countedBatch struct {
	kv.Batch
	c *writeCounter
}

func (b countedBatch) note(k []byte) {
	b.c.mu.Lock()
	b.c.written = append(b.c.written, string(k))
	b.c.mu.Unlock()
}

func (b countedBatch) Set(k, v []byte) error { b.note(k); return b.Batch.Set(k, v) }
func (b countedBatch) Delete(k []byte) error { b.note(k); return b.Batch.Delete(k) }

// openCountedStore opens a store on disk in t.TempDir() whose loads give
// their table of entities budget bytes (0: the default) and whose bulk
// writes are counted; its cleanup checks the store.
func openCountedStore(t *testing.T, budget int) (*Store, *writeCounter) {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	db, err := badgerkv.Open(badgerkv.Options{Dir: t.TempDir(), LogKey: logKey, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	c := &writeCounter{Store: db}
	s, err := newStore(c, Options{Logger: log, LoadEntityBudget: budget}, badgerkv.ReadTsAt, badgerkv.TimeOf)
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Check(context.Background()); err != nil {
			t.Error(err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, c
}

// reloadData is a small graph whose records use every field: labels,
// aliases, properties of every kind, dates of every precision, sources
// with and without confidence and retrieval time, relations with an id,
// with a derived id and symmetric ones given with their ends swapped,
// and the ontology records of a full dump.
func reloadData() []Record {
	conf := 0.9
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	rs := []Record{
		{EntityType: &EntityType{Name: "Harbour", Parent: "Place", Description: "A port."}},
		{RelationType: &RelationType{Name: "SHIPS_TO", Inverse: "SHIPPED_FROM", From: []string{"Place"}, To: []string{"Place"}}},
		{Relation: &Relation{ID: "ab", Type: "SISTER_CITY_OF", From: "a", To: "b", ValidFrom: MustParseDate("2017-07-05"),
			Properties: Properties{"since": Number(2017)}, Sources: []Source{{Document: "doc", Excerpt: "Twinned.", Locator: "p. 3"}}}},
		{Relation: &Relation{Type: "MAYOR_OF", From: "c", To: "a", ValidFrom: MustParseDate("2010")}},
		{Relation: &Relation{Type: "FRIENDLY_COOPERATIVE_CITY_OF", From: "b", To: "a", ValidFrom: MustParseDate("2009"), ValidTo: MustParseDate("2017-06")}},
		{Entity: &Entity{ID: "doc", Type: "Document", Name: "Report"}},
		{Entity: &Entity{ID: "a", Type: "City", Name: "A", Description: "A city.",
			Labels: []Label{{"de", "A-de"}, {"nl", "A-nl"}}, Aliases: []string{"Aa", "Ab"},
			Properties: Properties{"text": Text("t"), "num": Number(1.5), "bool": Bool(true), "date": DateValue(MustParseDate("2017-07")),
				"geo": Geo(52.2, 6.9), "list": List(Text("x"), Number(2))},
			ValidFrom: MustParseDate("1200"),
			Sources:   []Source{{Document: "doc", Excerpt: "A grew.", Locator: "p. 1", Confidence: &conf, RetrievedAt: &at}, {Document: "doc", Excerpt: "A is old."}}}},
		{Entity: &Entity{ID: "b", Type: "City", Name: "B"}},
		{Entity: &Entity{ID: "c", Type: "Person", Name: "C"}},
		{Entity: &Entity{ID: "h", Type: "Harbour", Name: "H"}},
	}
	for i := range rs {
		rs[i].Line = int64(i + 1)
	}
	return rs
}

// rawState is every key and value of the store at its newest commit.
func rawState(t *testing.T, s *Store) map[string]string {
	t.Helper()
	tx, err := s.db.Begin(context.Background(), kv.TxnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Discard()
	it := tx.Iterate(kv.IterOptions{})
	defer it.Close()
	m := map[string]string{}
	for it.Rewind(); it.Valid(); it.Next() {
		v, err := it.Value()
		if err != nil {
			t.Fatal(err)
		}
		m[string(it.Key())] = string(v)
	}
	return m
}

// versions counts the versions history gives of each record of rs.
func versions(t *testing.T, s *Store) map[string]int {
	t.Helper()
	ctx := context.Background()
	n := map[string]int{}
	var ents, rels []string
	err := s.View(ctx, ReadOptions{}, func(r *Reader) error {
		if err := r.EachEntity(func(e *Entity) error { ents = append(ents, e.ID); return nil }); err != nil {
			return err
		}
		return r.EachRelation(func(rel *Relation) error { rels = append(rels, rel.ID); return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	for kind, ids := range map[ChangeKind][]string{ChangeEntity: ents, ChangeRelation: rels} {
		for _, id := range ids {
			p, err := s.History(ctx, kind, id, HistoryOptions{First: new(100)})
			if err != nil {
				t.Fatal(err)
			}
			n[string(kind)+" "+id] = len(p.Changes)
		}
	}
	return n
}

func mustLoad(t *testing.T, s *Store, rs []Record, opts LoadOptions) LoadResult {
	t.Helper()
	res, err := s.Load(context.Background(), sourceOf(rs), opts)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return res
}

// TestReloadUnchangedWritesNothing loads a graph into a store that holds
// it already, replacing and merging, with the load's entities in its
// table and spilled: nothing is written, no commit made, no version
// added to any record's history, and the report counts every record as
// unchanged.
func TestReloadUnchangedWritesNothing(t *testing.T) {
	for _, on := range []OnExisting{OnExistingReplace, OnExistingMerge} {
		for _, eb := range entityBudgets {
			t.Run(on.String()+"/"+eb.name, func(t *testing.T) {
				s, c := openCountedStore(t, eb.bytes)
				first := mustLoad(t, s, reloadData(), LoadOptions{Source: "g.ndjson"})
				if len(c.take()) == 0 {
					t.Fatal("the first load wrote nothing")
				}
				before, ts, hist := rawState(t, s), s.db.LastCommit(), versions(t, s)
				res := mustLoad(t, s, reloadData(), LoadOptions{Source: "g.ndjson", OnExisting: on})
				if w := c.take(); len(w) != 0 {
					t.Errorf("reload wrote %d keys, want none; the first: %q", len(w), w[0])
				}
				if got := s.db.LastCommit(); got != ts {
					t.Errorf("reload committed at %d, want no commit after %d", got, ts)
				}
				if res.CommitTs != ts {
					t.Errorf("CommitTs: got %d, want %d, the commit that holds the data", res.CommitTs, ts)
				}
				if !maps.Equal(rawState(t, s), before) {
					t.Error("the store changed")
				}
				if got := versions(t, s); !maps.Equal(got, hist) {
					t.Errorf("history: got %v, want %v", got, hist)
				}
				if want := (Tally{Unchanged: first.Entities}); res.Report.Entities != want {
					t.Errorf("entities: got %+v, want %+v", res.Report.Entities, want)
				}
				if want := (Tally{Unchanged: first.Relations}); res.Report.Relations != want {
					t.Errorf("relations: got %+v, want %+v", res.Report.Relations, want)
				}
				if res.Entities != first.Entities || res.Relations != first.Relations || res.EntityTypes != 1 || res.RelationTypes != 1 {
					t.Errorf("counts: got %+v, want those of the first load %+v", res, first)
				}
			})
		}
	}
}

// recordKeys returns the keys of every entry of the stored entity or
// relation id (index.go) and its history keys.
func recordKeys(t *testing.T, s *Store, id string) map[string]bool {
	t.Helper()
	keys := map[string]bool{}
	tx, err := s.db.Begin(context.Background(), kv.TxnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Discard()
	sch, err := s.schemaOf(tx)
	if err != nil {
		t.Fatal(err)
	}
	v, err := tx.Get(extKey(id))
	if err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	kind, n, err := parseExtValue(v)
	if err != nil {
		t.Fatal(err)
	}
	b, err := tx.Get(bodyKey(kind, n))
	if err != nil {
		t.Fatal(err)
	}
	var entries []indexEntry
	hist := histEntity
	if kind == kindRelation {
		hist = histRelation
		rb, err := decodeRelation(b)
		if err != nil {
			t.Fatal(err)
		}
		typeOf := func(n NodeID) TypeID {
			v, err := tx.Get(nodeKey(n))
			if err != nil {
				t.Fatal(err)
			}
			t0, _, err := parseNodeValue(v)
			if err != nil {
				t.Fatal(err)
			}
			return t0
		}
		entries = expectedRelation(sch, RelID(n), rb.r, rb.typ, rb.from, rb.to, typeOf(rb.from), typeOf(rb.to))
	} else {
		eb, err := decodeEntity(b)
		if err != nil {
			t.Fatal(err)
		}
		entries = expectedEntity(sch, NodeID(n), eb.e, eb.typ)
	}
	for _, e := range entries {
		keys[string(e.k)] = true
	}
	err = tx.ScanPrefixes([][]byte{histPrefix(hist, id)}, true, func(_ int, k, _ []byte) error {
		keys[string(k)] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// TestReloadWritesOnlyWhatChanges changes one field of one record at a
// time, a field of every kind, and replaces the graph with it: the load
// writes that record and no other (every key it writes is one of that
// record's entries or one whose value changes), history shows one new
// version of it, the report names the field, and the store passes
// Check. Order and duplicates count: the body keeps lists as given.
func TestReloadWritesOnlyWhatChanges(t *testing.T) {
	entity := func(rs []Record, id string) *Entity {
		for _, r := range rs {
			if r.Entity != nil && r.Entity.ID == id {
				return r.Entity
			}
		}
		panic(id)
	}
	ab := func(rs []Record) *Relation { return rs[2].Relation }
	neg := math.Copysign(0, -1)
	later := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC).In(time.FixedZone("CET", 3600))
	for _, tc := range []struct {
		name   string
		change func(rs []Record)
		id     string   // the record that changes; "" for none
		kind   string   // its kind
		fields []string // the fields the report names
	}{
		{"Name", func(rs []Record) { entity(rs, "a").Name = "A2" }, "a", "entity", []string{"name"}},
		{"Description", func(rs []Record) { entity(rs, "a").Description = "" }, "a", "entity", []string{"description"}},
		{"LabelValue", func(rs []Record) { entity(rs, "a").Labels[1].Value = "A" }, "a", "entity", []string{"labels"}},
		{"LabelAdded", func(rs []Record) { e := entity(rs, "a"); e.Labels = append(e.Labels, Label{"zh", "阿"}) }, "a", "entity", []string{"labels"}},
		{"LabelOrder", func(rs []Record) { e := entity(rs, "a"); e.Labels[0], e.Labels[1] = e.Labels[1], e.Labels[0] }, "a", "entity", []string{"labels"}},
		{"AliasOrder", func(rs []Record) { e := entity(rs, "a"); e.Aliases = []string{"Ab", "Aa"} }, "a", "entity", []string{"aliases"}},
		{"AliasDuplicate", func(rs []Record) { e := entity(rs, "a"); e.Aliases = []string{"Aa", "Ab", "Aa"} }, "a", "entity", []string{"aliases"}},
		{"AliasRemoved", func(rs []Record) { entity(rs, "a").Aliases = nil }, "a", "entity", []string{"aliases"}},
		{"PropertyText", func(rs []Record) { entity(rs, "a").Properties["text"] = Text("u") }, "a", "entity", []string{"properties.text"}},
		{"PropertyNumber", func(rs []Record) { entity(rs, "a").Properties["num"] = Number(1.25) }, "a", "entity", []string{"properties.num"}},
		{"PropertyNegativeZero", func(rs []Record) { entity(rs, "b").Properties = Properties{"num": Number(neg)} }, "b", "entity", []string{"properties.num"}},
		{"PropertyBool", func(rs []Record) { entity(rs, "a").Properties["bool"] = Bool(false) }, "a", "entity", []string{"properties.bool"}},
		{"PropertyDatePrecision", func(rs []Record) { entity(rs, "a").Properties["date"] = DateValue(MustParseDate("2017-07-01")) }, "a", "entity", []string{"properties.date"}},
		{"PropertyGeo", func(rs []Record) { entity(rs, "a").Properties["geo"] = Geo(52.2, 6.8) }, "a", "entity", []string{"properties.geo"}},
		{"PropertyListItem", func(rs []Record) { entity(rs, "a").Properties["list"] = List(Text("x"), Number(3)) }, "a", "entity", []string{"properties.list"}},
		{"PropertyListOrder", func(rs []Record) { entity(rs, "a").Properties["list"] = List(Number(2), Text("x")) }, "a", "entity", []string{"properties.list"}},
		{"PropertyKind", func(rs []Record) { entity(rs, "a").Properties["num"] = Text("1.5") }, "a", "entity", []string{"properties.num"}},
		{"PropertyAdded", func(rs []Record) { entity(rs, "a").Properties["new"] = Text("n") }, "a", "entity", []string{"properties.new"}},
		{"PropertyRemoved", func(rs []Record) { delete(entity(rs, "a").Properties, "geo") }, "a", "entity", []string{"properties.geo"}},
		{"ValidFromPrecision", func(rs []Record) { entity(rs, "a").ValidFrom = MustParseDate("1200-01") }, "a", "entity", []string{"validFrom"}},
		{"ValidTo", func(rs []Record) { entity(rs, "a").ValidTo = MustParseDate("2100") }, "a", "entity", []string{"validTo"}},
		{"SourceOrder", func(rs []Record) { e := entity(rs, "a"); e.Sources[0], e.Sources[1] = e.Sources[1], e.Sources[0] }, "a", "entity", []string{"sources"}},
		{"SourceDuplicate", func(rs []Record) { e := entity(rs, "a"); e.Sources = append(e.Sources, e.Sources[1]) }, "a", "entity", []string{"sources"}},
		{"SourceConfidence", func(rs []Record) { c := 0.8; entity(rs, "a").Sources[0].Confidence = &c }, "a", "entity", []string{"sources"}},
		{"SourceConfidenceDropped", func(rs []Record) { entity(rs, "a").Sources[0].Confidence = nil }, "a", "entity", []string{"sources"}},
		{"SourceRetrievedZone", func(rs []Record) { entity(rs, "a").Sources[0].RetrievedAt = &later }, "a", "entity", []string{"sources"}},
		{"SourceLocator", func(rs []Record) { entity(rs, "a").Sources[1].Locator = "p. 2" }, "a", "entity", []string{"sources"}},
		{"EntityType", func(rs []Record) { entity(rs, "b").Type = "Municipality" }, "b", "entity", []string{"type"}},
		{"RelationType", func(rs []Record) { ab(rs).Type = "SHIPS_TO" }, "ab", "relation", []string{"type"}},
		{"RelationTo", func(rs []Record) { ab(rs).To = "h" }, "ab", "relation", []string{"to"}},
		// A symmetric relation's ends are stored in order: "h" goes last.
		{"RelationFrom", func(rs []Record) { ab(rs).From = "h" }, "ab", "relation", []string{"from", "to"}},
		{"Nothing", func(rs []Record) {}, "", "", nil},
		{"RelationValidFrom", func(rs []Record) { ab(rs).ValidFrom = MustParseDate("2017-07") }, "ab", "relation", []string{"validFrom"}},
		{"RelationValidTo", func(rs []Record) { ab(rs).ValidTo = MustParseDate("2030") }, "ab", "relation", []string{"validTo"}},
		{"RelationProperty", func(rs []Record) { ab(rs).Properties["since"] = Number(2018) }, "ab", "relation", []string{"properties.since"}},
		{"RelationSource", func(rs []Record) { ab(rs).Sources[0].Excerpt = "Twinned!" }, "ab", "relation", []string{"sources"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, c := openCountedStore(t, 0)
			mustLoad(t, s, reloadData(), LoadOptions{Source: "g.ndjson"})
			c.take()
			before, hist := rawState(t, s), versions(t, s)
			var own map[string]bool
			if tc.id != "" {
				own = recordKeys(t, s, tc.id)
			}
			rs := reloadData()
			tc.change(rs)
			res := mustLoad(t, s, rs, LoadOptions{Source: "g.ndjson", OnExisting: OnExistingReplace})
			written := c.take()
			after := rawState(t, s)
			if tc.id == "" {
				if len(written) != 0 {
					t.Errorf("wrote %d keys, want none", len(written))
				}
				if len(res.Report.Changes) != 0 {
					t.Errorf("changes: got %+v, want none", res.Report.Changes)
				}
				return
			}
			maps.Copy(own, recordKeys(t, s, tc.id))
			for _, k := range written {
				old, had := before[k]
				now, has := after[k]
				if !own[k] && had == has && old == now {
					t.Errorf("wrote %x, which is not %s's and holds what it held", k, tc.id)
				}
			}
			want := []RecordChange{{Kind: tc.kind, ID: tc.id, Record: fmt.Sprintf("g.ndjson:%d", lineOf(rs, tc.id)), Fields: tc.fields}}
			if !reflect.DeepEqual(res.Report.Changes, want) {
				t.Errorf("changes:\n got %+v\nwant %+v", res.Report.Changes, want)
			}
			got := versions(t, s)
			key := map[string]string{"entity": string(ChangeEntity), "relation": string(ChangeRelation)}[tc.kind] + " " + tc.id
			for k, n := range got {
				want := hist[k]
				if k == key {
					want++
				}
				if n != want {
					t.Errorf("history of %s: %d versions, want %d", k, n, want)
				}
			}
		})
	}
}

func lineOf(rs []Record, id string) int64 {
	for _, r := range rs {
		if r.Entity != nil && r.Entity.ID == id || r.Relation != nil && r.Relation.ID == id {
			return r.Line
		}
	}
	return 0
}

// TestReloadMergeSubset merges records carrying a few fields, each equal
// to what the store holds: nothing is written. One that carries a new
// value of one of them writes that record.
func TestReloadMergeSubset(t *testing.T) {
	s, c := openCountedStore(t, 0)
	mustLoad(t, s, reloadData(), LoadOptions{Source: "g.ndjson"})
	c.take()
	ts := s.db.LastCommit()
	conf := 0.9
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	subset := func(name string, pop Value) []Record {
		return []Record{
			{Line: 1, Entity: &Entity{ID: "a", Type: "City", Name: name, Aliases: []string{"Ab"}, Properties: Properties{"num": pop},
				Sources: []Source{{Document: "doc", Excerpt: "A grew.", Locator: "p. 1", Confidence: &conf, RetrievedAt: &at}}}, Fields: FieldsGiven | FieldName},
			{Line: 2, Entity: &Entity{ID: "b", Type: "City", Name: "B"}, Fields: FieldsGiven | FieldName},
			{Line: 3, Relation: &Relation{ID: "ab", Type: "SISTER_CITY_OF", From: "a", To: "b", Properties: Properties{"since": Number(2017)}}, Fields: FieldsGiven},
		}
	}
	res := mustLoad(t, s, subset("A", Number(1.5)), LoadOptions{OnExisting: OnExistingMerge})
	if w := c.take(); len(w) != 0 || s.db.LastCommit() != ts {
		t.Errorf("wrote %d keys, committed at %d (want none, %d)", len(w), s.db.LastCommit(), ts)
	}
	if res.Report.Entities != (Tally{Unchanged: 2}) || res.Report.Relations != (Tally{Unchanged: 1}) {
		t.Errorf("report: got %+v, want every record unchanged", res.Report)
	}
	res = mustLoad(t, s, subset("A", Number(2)), LoadOptions{OnExisting: OnExistingMerge})
	if res.Report.Entities != (Tally{Changed: 1, Unchanged: 1}) || res.Report.Relations != (Tally{Unchanged: 1}) {
		t.Errorf("report: got %+v, want a changed", res.Report)
	}
	if w := c.take(); len(w) == 0 {
		t.Error("wrote nothing for a changed record")
	}
}

// TestReloadRetypesUnchangedRelations retypes an entity whose relations
// the load gives again unchanged: the relations' bodies are not written,
// but the adjacency entries naming the entity's type are, which the
// cleanup's Check verifies.
func TestReloadRetypesUnchangedRelations(t *testing.T) {
	s, c := openCountedStore(t, 0)
	mustLoad(t, s, reloadData(), LoadOptions{Source: "g.ndjson"})
	c.take()
	rs := reloadData()
	for _, r := range rs {
		if r.Entity != nil && r.Entity.ID == "a" {
			r.Entity.Type = "Municipality"
		}
	}
	res := mustLoad(t, s, rs, LoadOptions{Source: "g.ndjson"})
	if res.Report.Relations.Unchanged != 3 || res.Report.Entities.Changed != 1 {
		t.Errorf("report: got %+v, want 3 unchanged relations and a changed entity", res.Report)
	}
	written := map[string]bool{}
	for _, k := range c.take() {
		written[k] = true
	}
	tx, err := s.db.Begin(context.Background(), kv.TxnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Discard()
	bodies, mirrors := 0, 0
	err = tx.ScanPrefixes([][]byte{{pRelation}, {pOut}, {pIn}}, true, func(i int, k, _ []byte) error {
		switch {
		case i == 0 && written[string(k)]:
			bodies++
		case i > 0 && written[string(k)]:
			mirrors++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if bodies != 0 || mirrors != 3 {
		t.Errorf("wrote %d relation bodies and %d adjacency entries, want none and the 3 that name a's type", bodies, mirrors)
	}
	var got []string
	err = s.View(context.Background(), ReadOptions{}, func(r *Reader) error {
		return r.EachRelation(func(rel *Relation) error { got = append(got, rel.Type); return nil })
	})
	if err != nil || len(got) != 3 {
		t.Fatalf("relations: %v, %v", got, err)
	}
}

// TestBodyHoldsEveryField changes every field of an entity and of a
// relation, and of the sources and labels they hold, one at a time: each
// change must change the encoded body, on which a load decides that a
// record is unchanged, and be named by the report's comparison. A field
// added to these types fails here until the body stores it.
func TestBodyHoldsEveryField(t *testing.T) {
	conf := 0.5
	at := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	src := Source{Document: "doc", Excerpt: "e", Locator: "l", Confidence: &conf, RetrievedAt: &at}
	baseE := Entity{ID: "a", Type: "City", Name: "A", Description: "d", Labels: []Label{{"de", "A"}}, Aliases: []string{"x"},
		Properties: Properties{"p": Text("v")}, ValidFrom: MustParseDate("2000"), ValidTo: MustParseDate("2010"), Sources: []Source{src}}
	baseR := Relation{ID: "r", Type: "SISTER_CITY_OF", From: "a", To: "b", Properties: Properties{"p": Text("v")},
		ValidFrom: MustParseDate("2000"), ValidTo: MustParseDate("2010"), Sources: []Source{src}}
	typeIDs := map[string]TypeID{"City": 1, "SISTER_CITY_OF": 2}
	for _, v := range variants(t, reflect.ValueOf(baseE), "Entity") {
		e := v.v.Interface().(Entity)
		if v.path == "Entity.ID" {
			continue // another record, not another version of this one
		}
		if bytes.Equal(encodeEntity(&e, typeIDs[e.Type]), encodeEntity(&baseE, typeIDs[baseE.Type])) {
			t.Errorf("%s: the body does not change", v.path)
		}
		if len(entityChanges(&baseE, &e)) == 0 {
			t.Errorf("%s: entityChanges names nothing", v.path)
		}
	}
	for _, v := range variants(t, reflect.ValueOf(baseR), "Relation") {
		r := v.v.Interface().(Relation)
		if v.path == "Relation.ID" {
			continue
		}
		if bytes.Equal(encodeRelation(&r, typeIDs[r.Type], 1, 2), encodeRelation(&baseR, typeIDs[baseR.Type], 1, 2)) {
			t.Errorf("%s: the body does not change", v.path)
		}
		if len(relationChanges(&baseR, &r)) == 0 {
			t.Errorf("%s: relationChanges names nothing", v.path)
		}
	}
}

type variant struct {
	path string
	v    reflect.Value
}

// variants returns copies of v, each with one field (recursively, into
// the elements of slices and the fields of structs) changed.
func variants(t *testing.T, v reflect.Value, path string) []variant {
	t.Helper()
	set := func(x any) []variant {
		c := reflect.New(v.Type()).Elem()
		c.Set(reflect.ValueOf(x))
		return []variant{{path, c}}
	}
	switch x := v.Interface().(type) {
	case Date:
		d := MustParseDate("1999")
		if x.Precision() == d.Precision() {
			d = MustParseDate("2000-01")
		}
		return set(d)
	case Properties:
		out := variants(t, reflect.ValueOf(x["p"]), path+"[p]")
		for i := range out {
			p := maps.Clone(x)
			p["p"] = out[i].v.Interface().(Value)
			out[i].v = reflect.ValueOf(p)
		}
		added := maps.Clone(x)
		added["q"] = Text("w")
		return append(out, variant{path + "[q]", reflect.ValueOf(added)})
	case Value:
		return []variant{{path + ".Text", reflect.ValueOf(Text(x.Text + "!"))}, {path + ".Kind", reflect.ValueOf(Number(1))}}
	case *float64:
		f := *x + 1
		return append(set(&f), variant{path + "=nil", reflect.Zero(v.Type())})
	case *time.Time:
		z := x.In(time.FixedZone("X", 7200))
		return append(set(&z), variant{path + "=nil", reflect.Zero(v.Type())})
	}
	switch v.Kind() {
	case reflect.String:
		return set(v.String() + "!")
	case reflect.Struct:
		var out []variant
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				t.Fatalf("%s.%s: unexported; teach variants to change it", path, f.Name)
			}
			for _, fv := range variants(t, v.Field(i), path+"."+f.Name) {
				c := reflect.New(v.Type()).Elem()
				c.Set(v)
				c.Field(i).Set(fv.v)
				out = append(out, variant{fv.path, c})
			}
		}
		return out
	case reflect.Slice:
		if v.Len() == 0 {
			t.Fatalf("%s: give the base value an element", path)
		}
		var out []variant
		for _, ev := range variants(t, v.Index(0), path+"[0]") {
			c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
			reflect.Copy(c, v)
			c.Index(0).Set(ev.v)
			out = append(out, variant{ev.path, c})
		}
		grown := reflect.Append(v, v.Index(0))
		out = append(out, variant{path + "+dup", grown})
		return append(out, variant{path + "=nil", reflect.Zero(v.Type())})
	}
	t.Fatalf("%s: a field of kind %s; teach variants to change it", path, v.Kind())
	return nil
}

// TestChangesMatchBodies draws pairs of entities and of relations from
// small pools of field values, the second of each pair the first with
// some fields drawn again, so that many pairs agree in some fields and
// differ in others, some in values that compare equal as Go values but
// are stored apart (a zone, the sign of a zero), and checks that the report's comparison names no
// field exactly when the encoded bodies are equal: a load never writes a
// record it reports unchanged, nor reports one it writes without naming
// what changed.
func TestChangesMatchBodies(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(n int) int { return rng.IntN(n) }
	conf := []*float64{nil, new(0.5), new(math.Copysign(0, -1)), new(0.0)}
	utc := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	cet := utc.In(time.FixedZone("CET", 3600))
	times := []*time.Time{nil, &utc, &cet}
	dates := []Date{{}, MustParseDate("2000"), MustParseDate("2000-01"), MustParseDate("2000-01-01")}
	values := []Value{Text("a"), Text("b"), Number(1), Number(0), Number(math.Copysign(0, -1)), Bool(true), Bool(false),
		DateValue(MustParseDate("2000")), DateValue(MustParseDate("2000-01")), Geo(1, 2), Geo(1, 2.5), List(Text("a"), Number(1)), List(Number(1), Text("a"))}
	props := func() Properties {
		if pick(3) == 0 {
			return nil
		}
		p := Properties{}
		for range pick(3) {
			p[[]string{"x", "y", "z"}[pick(3)]] = values[pick(len(values))]
		}
		return p
	}
	sources := func() []Source {
		var ss []Source
		for range pick(3) {
			ss = append(ss, Source{Document: []string{"d", "e"}[pick(2)], Excerpt: []string{"", "x"}[pick(2)],
				Locator: []string{"", "p"}[pick(2)], Confidence: conf[pick(len(conf))], RetrievedAt: times[pick(len(times))]})
		}
		return ss
	}
	strs := func(pool ...string) []string {
		var s []string
		for range pick(3) {
			s = append(s, pool[pick(len(pool))])
		}
		return s
	}
	entity := func() *Entity {
		var ls []Label
		for _, l := range strs("de", "nl") {
			ls = append(ls, Label{l, []string{"A", "B"}[pick(2)]})
		}
		return &Entity{ID: "a", Type: "City", Name: []string{"A", "B"}[pick(2)], Description: []string{"", "d"}[pick(2)],
			Labels: ls, Aliases: strs("x", "y"), Properties: props(), ValidFrom: dates[pick(len(dates))], ValidTo: dates[pick(len(dates))], Sources: sources()}
	}
	relation := func() *Relation {
		return &Relation{ID: "r", Type: "T", From: []string{"a", "b"}[pick(2)], To: []string{"a", "b"}[pick(2)],
			Properties: props(), ValidFrom: dates[pick(len(dates))], ValidTo: dates[pick(len(dates))], Sources: sources()}
	}
	// mix takes each field of a, or with a chance of one in eight of c.
	mix := func(a, c any) {
		va, vc := reflect.ValueOf(a).Elem(), reflect.ValueOf(c).Elem()
		for i := range va.NumField() {
			if pick(8) == 0 {
				va.Field(i).Set(vc.Field(i))
			}
		}
	}
	equalSeen := 0
	for range 20000 {
		a, b := entity(), entity()
		*b = *a
		mix(b, entity())
		same := bytes.Equal(encodeEntity(a, 1), encodeEntity(b, 1))
		if ch := entityChanges(a, b); same != (len(ch) == 0) {
			t.Fatalf("entities %+v and %+v: bodies equal %v, changes %v", a, b, same, ch)
		}
		r, s := relation(), relation()
		*s = *r
		mix(s, relation())
		same2 := bytes.Equal(encodeRelation(r, 1, 1, 2), encodeRelation(s, 1, 1, 2))
		if ch := relationChanges(r, s); same2 != (len(ch) == 0) {
			t.Fatalf("relations %+v and %+v: bodies equal %v, changes %v", r, s, same2, ch)
		}
		if same && same2 {
			equalSeen++
		}
	}
	if equalSeen == 0 {
		t.Error("no pair drawn was equal: the draws test nothing")
	}
}
