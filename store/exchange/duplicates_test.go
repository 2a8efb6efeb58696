package exchange

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/storetest"
)

// recordList is a selection over records held in memory, duplicates and
// all, so that the real encoders of every format can write a file that
// gives an id more than once.
type recordList struct {
	entities  []store.Entity
	relations []store.Relation
}

func (l recordList) eachEntity(fn func(*store.Entity) error) error { return each(l.entities, fn) }

func (l recordList) eachRelation(fn func(*store.Relation) error) error { return each(l.relations, fn) }

// each calls fn with a copy of each record in turn, as a selection of the
// store hands out records the encoder may keep, until fn fails.
func each[T any](records []T, fn func(*T) error) error {
	for _, r := range records {
		if err := fn(&r); err != nil {
			return err
		}
	}
	return nil
}

// dupOntology has one directed and one symmetric relation type that join
// any entities, so that every retype keeps the graph valid and what is
// under test is only how duplicates, retypes and deletes are applied.
const dupOntology = `{"kind":"entityType","name":"Alpha"}
{"kind":"entityType","name":"Beta"}
{"kind":"relationType","name":"R","inverse":"R_BY"}
{"kind":"relationType","name":"S","symmetric":true}
`

// graphModel is the plain meaning of a sequence of loads and deletes: the
// last record given for an id replaces whatever was there.
type graphModel struct {
	entities  map[string]store.Entity
	relations map[string]store.Relation
}

// canonical is the relation as the store keeps it: endpoints of a
// symmetric type in id order, and the derived id when none is given.
func canonical(r store.Relation) store.Relation {
	sym := r.Type == "S"
	if sym && r.To < r.From {
		r.From, r.To = r.To, r.From
	}
	if r.ID == "" {
		r.ID = store.RelationID(r.Type, r.From, r.To, r.ValidFrom, sym)
	}
	return r
}

func (m *graphModel) load(l recordList) {
	for _, e := range l.entities {
		m.entities[e.ID] = e
	}
	for _, r := range l.relations {
		r = canonical(r)
		m.relations[r.ID] = r
	}
}

func (m *graphModel) deleteEntity(id string) {
	delete(m.entities, id)
	for rid, r := range m.relations {
		if r.From == id || r.To == id {
			delete(m.relations, rid)
		}
	}
}

func idsOf[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

var dupNames = []string{"Enschede", "Münster", "大连", "a, b; \"c\"", "line\nbreak", "tab\there", "Linköping"}

// randomBatch draws records over small pools of ids, so that ids repeat
// within a file and across files and entities change type.
func randomBatch(rng *rand.Rand, m *graphModel) recordList {
	var l recordList
	known := idsOf(m.entities)
	for range rng.IntN(8) {
		e := store.Entity{
			ID:         fmt.Sprintf("e%d", rng.IntN(6)),
			Type:       []string{"Alpha", "Beta"}[rng.IntN(2)],
			Name:       dupNames[rng.IntN(len(dupNames))],
			Properties: store.Properties{},
		}
		if rng.IntN(2) == 0 {
			e.Properties["rank"] = store.Number(float64(rng.IntN(100)))
		}
		if rng.IntN(3) == 0 {
			e.Description = fmt.Sprintf("version %d", rng.IntN(1000))
		}
		l.entities = append(l.entities, e)
		known = append(known, e.ID)
	}
	if len(known) == 0 {
		return l
	}
	dates := []string{"", "2009", "2017-07"}
	for range rng.IntN(8) {
		r := store.Relation{
			Type:       []string{"R", "S"}[rng.IntN(2)],
			From:       known[rng.IntN(len(known))],
			To:         known[rng.IntN(len(known))],
			Properties: store.Properties{},
		}
		if rng.IntN(2) == 0 {
			r.ID = fmt.Sprintf("r%d", rng.IntN(4))
		}
		if d := dates[rng.IntN(len(dates))]; d != "" {
			r.ValidFrom, _ = store.ParseDate(d)
		}
		if rng.IntN(2) == 0 {
			r.Properties["weight"] = store.Number(float64(rng.IntN(10)))
		}
		l.relations = append(l.relations, r)
	}
	return l
}

// encodeAs writes l in format f with the encoders the export uses, and
// returns the inputs of one import. With oneLine a node-link document is
// compacted onto a single line, where records cannot be told apart by line.
func encodeAs(t *testing.T, st *store.Store, l recordList, f Format, oneLine bool) []Input {
	t.Helper()
	var o store.Ontology
	if err := st.View(context.Background(), store.ReadOptions{}, func(r *store.Reader) error {
		o = r.Ontology()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if f == CSV {
		var nodes, rels bytes.Buffer
		if _, err := write(l, o, newCSVWriter(&nodes, &rels), true); err != nil {
			t.Fatal(err)
		}
		return []Input{bytesInput("nodes.csv", CSV, nodes.Bytes()), bytesInput("relationships.csv", CSV, rels.Bytes())}
	}
	var b bytes.Buffer
	enc, typed, err := newEncoder(f, &b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := write(l, o, enc, typed); err != nil {
		t.Fatal(err)
	}
	if oneLine && f == JSON {
		var c bytes.Buffer
		if err := json.Compact(&c, b.Bytes()); err != nil {
			t.Fatal(err)
		}
		b = c
	}
	return []Input{bytesInput("batch."+f.Extension(), f, b.Bytes())}
}

// modelDump is the canonical dump of the model, written by loading it as
// one plain batch into a fresh store.
func modelDump(t *testing.T, m *graphModel) string {
	t.Helper()
	st := storetest.Open(t)
	mustLoad(t, st, "ontology.ndjson", NDJSON, []byte(dupOntology))
	var b store.Batch
	for _, id := range idsOf(m.entities) {
		b.Entities = append(b.Entities, m.entities[id])
	}
	for _, id := range idsOf(m.relations) {
		b.Relations = append(b.Relations, m.relations[id])
	}
	if _, err := st.Apply(context.Background(), b); err != nil {
		t.Fatalf("apply the model: %v", err)
	}
	return dump(t, st)
}

// TestDuplicatesEveryFormat loads random sequences of files in each import
// format, with ids given more than once in a file and across files, types
// that change and deletes in between, and checks after every step that the
// store is consistent and holds exactly what the plain model says: in every
// format the last record given for an id wins, as in NDJSON.
func TestDuplicatesEveryFormat(t *testing.T) {
	rounds := 12
	if testing.Short() {
		rounds = 3
	}
	for _, f := range []Format{NDJSON, JSON, CSV} {
		t.Run(string(f), func(t *testing.T) {
			for seed := range uint64(rounds) {
				rng := rand.New(rand.NewPCG(seed, 7))
				st := storetest.Open(t)
				mustLoad(t, st, "ontology.ndjson", NDJSON, []byte(dupOntology))
				m := &graphModel{entities: map[string]store.Entity{}, relations: map[string]store.Relation{}}
				for step := range 6 {
					if step > 0 && rng.IntN(3) == 0 {
						var b store.Batch
						b.Cascade = true
						if ids := idsOf(m.entities); len(ids) > 0 {
							id := ids[rng.IntN(len(ids))]
							b.DeleteEntities = []string{id}
							m.deleteEntity(id)
						}
						if ids := idsOf(m.relations); len(ids) > 0 && rng.IntN(2) == 0 {
							id := ids[rng.IntN(len(ids))]
							if _, ok := m.relations[id]; ok {
								b.DeleteRelations = []string{id}
								delete(m.relations, id)
							}
						}
						if _, err := st.Apply(context.Background(), b); err != nil {
							t.Fatalf("seed %d step %d: delete: %v", seed, step, err)
						}
					}
					l := randomBatch(rng, m)
					in := encodeAs(t, st, l, f, rng.IntN(2) == 0)
					src, rewrite, err := Sources(in, "batch", DecodeOptions{})
					if err != nil {
						t.Fatal(err)
					}
					if _, err := st.Load(context.Background(), src, store.LoadOptions{Source: "batch"}); err != nil {
						t.Fatalf("seed %d step %d: load: %v", seed, step, rewrite(err))
					}
					m.load(l)
					if err := st.Check(context.Background()); err != nil {
						t.Fatalf("seed %d step %d: %v", seed, step, err)
					}
					if got, want := dump(t, st), modelDump(t, m); got != want {
						t.Fatalf("seed %d step %d: the store differs from the model:\n%s", seed, step, diffLines(want, got))
					}
				}
			}
		})
	}
}

// TestNodeLinkDuplicateNode is the reported case: two nodes with one id on
// one line left a second entity counted, a stale name in the index and a
// store that Check refused.
func TestNodeLinkDuplicateNode(t *testing.T) {
	st := storetest.Open(t)
	mustLoad(t, st, "dup.json", JSON, []byte(`{"nodes":[{"id":"dj","type":"Organization","name":"a"},{"id":"dj","type":"Person","name":"b"}],"links":[]}`))
	if err := st.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	e, err := st.FindEntityByID(context.Background(), "dj", store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := e.Type+" "+e.Name, "Person b"; got != want {
		t.Errorf("entity dj is %q, want %q (the last node wins)", got, want)
	}
	hits, err := st.Search(context.Background(), "a", nil, new(10), store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if h.Entity.ID == "dj" {
			t.Errorf("search for the overwritten name %q finds %s", "a", h.Entity.ID)
		}
	}
}

// TestImportNormalizesIDs: an import that writes an id decomposed and
// refers to it composed (or the other way round) is one entity, stored in
// NFC; ids a person could not see are refused with line and field.
func TestImportNormalizesIDs(t *testing.T) {
	st := storetest.Open(t)
	mustLoad(t, st, "nfc.ndjson", NDJSON, []byte(
		`{"kind":"entity","id":"sa\u0303o-paulo","type":"City","name":"São Paulo"}`+"\n"+
			`{"kind":"entity","id":"s\u00e3o-paulo","type":"City","name":"São Paulo","description":"last"}`+"\n"+
			`{"kind":"entity","id":"rio","type":"City","name":"Rio"}`+"\n"+
			`{"kind":"relation","type":"SISTER_CITY_OF","from":"sa\u0303o-paulo","to":"rio"}`+"\n"))
	got := dump(t, st)
	if strings.Contains(got, "a\u0303") || strings.Count(got, "\"id\":\"s\u00e3o-paulo\"") != 1 || !strings.Contains(got, `"description":"last"`) {
		t.Errorf("want one entity s\u00e3o-paulo in NFC, the last record:\n%s", got)
	}
	for _, tc := range []struct{ name, line string }{
		{"ZeroWidth", `{"kind":"entity","id":"rio\u200b","type":"City","name":"Rio"}`},
		{"LoneSurrogate", `{"kind":"entity","id":"rio\ud800","type":"City","name":"Rio"}`},
		{"Bidi", `{"kind":"entity","id":"\u202eoir","type":"City","name":"Rio"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := dump(t, st)
			_, err := load(t, st, "bad.ndjson", NDJSON, []byte(tc.line+"\n"), store.LoadOptions{})
			var e *store.Error
			if !errors.As(err, &e) || e.Record != "bad.ndjson:1" || e.Field != "id" {
				t.Fatalf("got %v, want an error naming bad.ndjson:1 and id", err)
			}
			unchanged(t, st, before, "a refused import")
		})
	}
}

// TestDOTEscapesEveryName: a name may hold any character, control
// characters included; the DOT export still renders in Graphviz.
func TestDOTEscapesEveryName(t *testing.T) {
	st := storetest.Open(t)
	var name strings.Builder
	name.WriteString("all: ")
	for r := rune(0); r < 0xa0; r++ {
		name.WriteRune(r)
	}
	name.WriteString(`\N \l "quoted" \`)
	if _, err := st.Apply(context.Background(), store.Batch{Entities: []store.Entity{{ID: "x", Type: "City", Name: name.String()}}}); err != nil {
		t.Fatal(err)
	}
	out := export(t, st, DOT, Scope{})
	if i := strings.IndexFunc(string(out), func(r rune) bool { return r != '\n' && unicode.IsControl(r) }); i >= 0 {
		t.Errorf("DOT export holds a control character at %d: %q", i, out)
	}
	dot, err := exec.LookPath("dot")
	if err != nil {
		t.Skip("Graphviz is not installed; the rendering check is skipped")
	}
	cmd := exec.Command(dot, "-Tsvg")
	cmd.Stdin = bytes.NewReader(out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Fatalf("dot -Tsvg: %v\n%s\n%s", err, stderr.Bytes(), out)
	}
}

// TestDuplicateTypeRecords: a type defined twice in one import is defined
// as its last record says, in NDJSON and in node-link JSON's graph object
// alike (CSV carries no types).
func TestDuplicateTypeRecords(t *testing.T) {
	for _, tc := range []struct {
		name   string
		format Format
		data   string
	}{
		{"NDJSON", NDJSON, `{"kind":"entityType","name":"Hamlet","parent":"City","description":"first"}
{"kind":"relationType","name":"NEAR","description":"first"}
{"kind":"entityType","name":"Hamlet","parent":"Place","description":"last"}
{"kind":"relationType","name":"NEAR","symmetric":true,"description":"last"}
`},
		{"JSON", JSON, `{"graph":{"entityTypes":[{"name":"Hamlet","parent":"City","description":"first"},{"name":"Hamlet","parent":"Place","description":"last"}],
"relationTypes":[{"name":"NEAR","description":"first"},{"name":"NEAR","symmetric":true,"description":"last"}]},"nodes":[],"links":[]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := storetest.Open(t)
			mustLoad(t, st, "types", tc.format, []byte(tc.data))
			o, err := st.Ontology(context.Background(), store.ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, et := range o.EntityTypes {
				if et.Name == "Hamlet" && (et.Parent != "Place" || et.Description != "last") {
					t.Errorf("Hamlet: %+v, want the last record", et)
				}
			}
			for _, rt := range o.RelationTypes {
				if rt.Name == "NEAR" && (!rt.Symmetric || rt.Description != "last") {
					t.Errorf("NEAR: %+v, want the last record", rt)
				}
			}
		})
	}
}
