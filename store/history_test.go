package store

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// histModel is what the change log must say, kept by the model-based
// history test beside the store: the graph after every step, and the
// changes of every commit.
type histModel struct {
	ents  map[string]Entity
	rels  map[string]Relation
	types map[string]EntityType // the test's own entity types
	// steps holds, for each commit, its changes ("KIND OP id", sorted),
	// the graph after it, and its timestamp.
	steps []histStep
}

type histStep struct {
	ts      uint64
	changes []string
	ents    map[string]Entity
	rels    map[string]Relation
	types   map[string]EntityType
	load    []string // ids a load wrote
}

func (m *histModel) snapshot(ts uint64, changes []string, load []string) {
	slices.Sort(changes)
	m.steps = append(m.steps, histStep{ts: ts, changes: changes, ents: maps.Clone(m.ents), rels: maps.Clone(m.rels), types: maps.Clone(m.types), load: load})
}

// TestHistoryModel applies random upserts, deletes, ontology changes and
// small loads, and after every step compares the change feed, the history
// of every record, each change's before and after, and reads as of every
// earlier commit with the model.
func TestHistoryModel(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprintf("Seed%d", seed), func(t *testing.T) { historyModel(t, seed, 40) })
	}
}

func historyModel(t *testing.T, seed uint64, steps int) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, 11))
	s := openTestStore(t)
	res := mustApply(t, s, Batch{RelationTypes: []RelationType{{Name: "LINK"}}})
	m := &histModel{ents: map[string]Entity{}, rels: map[string]Relation{}, types: map[string]EntityType{}}
	// The first commit also wrote the default ontology.
	first, err := s.Changes(ctx, ChangeFilter{First: new(MaxChangesFirst)})
	if err != nil {
		t.Fatal(err)
	}
	var founding []string
	for _, c := range first.Changes {
		founding = append(founding, string(c.Kind)+" "+string(c.Op)+" "+c.ID)
	}
	m.snapshot(res.CommitTs, founding, nil)

	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	entTypes := func() []string {
		return append([]string{"City", "Person"}, slices.Sorted(maps.Keys(m.types))...)
	}
	for i := range steps {
		var changes, loaded []string
		var ts uint64
		switch op := rng.IntN(10); {
		case op <= 5:
			var b Batch
			used := map[string]bool{}
			for range 1 + rng.IntN(3) {
				switch k := rng.IntN(6); {
				case k <= 1:
					id := fmt.Sprintf("e%d", rng.IntN(8))
					if used[id] {
						continue
					}
					used[id] = true
					b.Entities = append(b.Entities, Entity{ID: id, Type: pick(entTypes()), Name: fmt.Sprintf("Name %d", rng.IntN(3))})
				case k <= 3 && len(m.ents) >= 2:
					ids := slices.Sorted(maps.Keys(m.ents))
					id := fmt.Sprintf("r%d", rng.IntN(6))
					from, to := pick(ids), pick(ids)
					if used[id] || used[from] || used[to] {
						continue
					}
					used[id] = true
					b.Relations = append(b.Relations, Relation{ID: id, Type: "LINK", From: from, To: to, Properties: Properties{"n": Number(float64(rng.IntN(3)))}})
				case k == 4 && len(m.rels) > 0:
					id := pick(slices.Sorted(maps.Keys(m.rels)))
					if used[id] {
						continue
					}
					used[id] = true
					b.DeleteRelations = append(b.DeleteRelations, id)
				case k == 5 && len(m.ents) > 0:
					id := pick(slices.Sorted(maps.Keys(m.ents)))
					if used[id] {
						continue
					}
					used[id] = true
					b.DeleteEntities = append(b.DeleteEntities, id)
					b.Cascade = true
				}
			}
			if len(b.Entities)+len(b.Relations)+len(b.DeleteEntities)+len(b.DeleteRelations) == 0 {
				continue
			}
			// Relations of the batch must not name entities it deletes.
			ok := true
			for _, r := range b.Relations {
				if slices.Contains(b.DeleteEntities, r.From) || slices.Contains(b.DeleteEntities, r.To) {
					ok = false
				}
				if _, isRel := m.rels[r.ID]; !isRel {
					if _, isEnt := m.ents[r.ID]; isEnt {
						ok = false
					}
				}
			}
			for _, e := range b.Entities {
				if _, isRel := m.rels[e.ID]; isRel {
					ok = false
				}
			}
			if !ok {
				continue
			}
			r := mustApply(t, s, b)
			ts = r.CommitTs
			for _, e := range r.Entities {
				if old, ok := m.ents[e.ID]; ok && reflect.DeepEqual(old, *e) {
					continue // as stored: not written, no version
				}
				op := upsertOp(m.ents, e.ID)
				changes = append(changes, "ENTITY "+op+" "+e.ID)
				m.ents[e.ID] = *e
			}
			for _, rel := range r.Relations {
				if old, ok := m.rels[rel.ID]; ok && reflect.DeepEqual(old, *rel) {
					continue
				}
				op := upsertOp(m.rels, rel.ID)
				changes = append(changes, "RELATION "+op+" "+rel.ID)
				m.rels[rel.ID] = *rel
			}
			for _, id := range b.DeleteRelations {
				changes = append(changes, "RELATION DELETE "+id)
				delete(m.rels, id)
			}
			for _, id := range b.DeleteEntities {
				for rid, rel := range m.rels {
					if rel.From == id || rel.To == id {
						changes = append(changes, "RELATION DELETE "+rid)
						delete(m.rels, rid)
					}
				}
				changes = append(changes, "ENTITY DELETE "+id)
				delete(m.ents, id)
			}
		case op <= 7:
			name := fmt.Sprintf("Kind%d", rng.IntN(3))
			et := EntityType{Name: name, Parent: "Place", Description: fmt.Sprintf("step %d", i)}
			op := upsertOp(m.types, name)
			ts = mustApply(t, s, Batch{EntityTypes: []EntityType{et}}).CommitTs
			m.types[name] = et
			changes = append(changes, "ENTITY_TYPE "+op+" "+name)
		default:
			var recs []Record
			used := map[string]bool{}
			for range 1 + rng.IntN(3) {
				id := fmt.Sprintf("e%d", rng.IntN(8))
				if used[id] {
					continue
				}
				used[id] = true
				recs = append(recs, Record{Entity: &Entity{ID: id, Type: pick(entTypes()), Name: fmt.Sprintf("Loaded %d", i)}})
				loaded = append(loaded, id)
			}
			lr, err := s.Load(ctx, sourceOf(recs), LoadOptions{Source: fmt.Sprintf("step-%d.ndjson", i)})
			if err != nil {
				t.Fatalf("step %d: load: %v", i, err)
			}
			ts = lr.CommitTs
			for _, id := range loaded {
				e, err := s.FindEntityByID(ctx, id, ReadOptions{})
				if err != nil {
					t.Fatal(err)
				}
				m.ents[id] = *e
			}
			changes = append(changes, "ENTITY LOAD "+fmt.Sprintf("step-%d.ndjson", i))
		}
		if len(changes) == 0 {
			// A batch that changes nothing makes no commit: its
			// CommitTs is the last one.
			if last := m.steps[len(m.steps)-1].ts; ts != last {
				t.Fatalf("step %d: a batch that changed nothing committed at %d, after %d", i, ts, last)
			}
			checkHistoryModel(t, s, m, i)
			continue
		}
		m.snapshot(ts, changes, loaded)
		checkHistoryModel(t, s, m, i)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

// recordKey is what the test compares of a record.
func recordKey(rec any) string {
	switch r := rec.(type) {
	case nil:
		return "nil"
	case *Entity:
		return fmt.Sprintf("entity %s %s %q", r.ID, r.Type, r.Name)
	case *Relation:
		return fmt.Sprintf("relation %s %s %s->%s %v", r.ID, r.Type, r.From, r.To, r.Properties["n"].Any())
	case *EntityType:
		return fmt.Sprintf("type %s %q", r.Name, r.Description)
	}
	return fmt.Sprintf("%T", rec)
}

func modelRecord(st histStep, kind ChangeKind, id string) any {
	switch kind {
	case ChangeEntity:
		if e, ok := st.ents[id]; ok {
			return &e
		}
	case ChangeRelation:
		if r, ok := st.rels[id]; ok {
			return &r
		}
	case ChangeEntityType:
		if et, ok := st.types[id]; ok {
			return &et
		}
	}
	return nil
}

func checkHistoryModel(t *testing.T, s *Store, m *histModel, step int) {
	t.Helper()
	ctx := context.Background()
	// The feed, a commit at a time, in commit order; read in small pages
	// to exercise the cursors.
	var all []Change
	since := ""
	for {
		p, err := s.Changes(ctx, ChangeFilter{Since: since, First: new(7)})
		if err != nil {
			t.Fatalf("step %d: changes: %v", step, err)
		}
		all = append(all, p.Changes...)
		since = p.Through
		if !p.HasMore {
			break
		}
	}
	byTs := map[uint64][]Change{}
	var order []uint64
	for _, c := range all {
		if len(byTs[c.Ts]) == 0 {
			order = append(order, c.Ts)
		}
		byTs[c.Ts] = append(byTs[c.Ts], c)
	}
	if len(order) != len(m.steps) {
		t.Fatalf("step %d: the feed has %d commits, the model %d", step, len(order), len(m.steps))
	}
	for i, st := range m.steps {
		if order[i] != st.ts {
			t.Fatalf("step %d: commit %d of the feed is at %d, the model's at %d", step, i, order[i], st.ts)
		}
		var got []string
		for _, c := range byTs[st.ts] {
			got = append(got, string(c.Kind)+" "+string(c.Op)+" "+c.ID)
		}
		slices.Sort(got)
		if strings.Join(got, "|") != strings.Join(st.changes, "|") {
			t.Fatalf("step %d: commit %d:\ngot  %v\nwant %v", step, i, got, st.changes)
		}
	}
	// Before and after of the newest commit's changes.
	last := m.steps[len(m.steps)-1]
	prev := m.steps[len(m.steps)-2]
	for _, c := range byTs[last.ts] {
		if c.IsLoadSummary() {
			continue
		}
		b, err := s.ChangeBefore(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.ChangeAfter(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := recordKey(b), recordKey(modelRecord(prev, c.Kind, c.ID)); got != want {
			t.Errorf("step %d: before of %s %s: got %s, want %s", step, c.Kind, c.ID, got, want)
		}
		if got, want := recordKey(a), recordKey(modelRecord(last, c.Kind, c.ID)); got != want {
			t.Errorf("step %d: after of %s %s: got %s, want %s", step, c.Kind, c.ID, got, want)
		}
	}
	// The history of every record ever named, newest first, paged.
	wantHist := map[string][]string{}
	for _, st := range m.steps[1:] {
		for _, ch := range st.changes {
			f := strings.Fields(ch)
			if f[1] == "LOAD" {
				for _, id := range st.load {
					wantHist["ENTITY "+id] = append(wantHist["ENTITY "+id], fmt.Sprintf("%d LOAD", st.ts))
				}
				continue
			}
			wantHist[f[0]+" "+f[2]] = append(wantHist[f[0]+" "+f[2]], fmt.Sprintf("%d %s", st.ts, f[1]))
		}
	}
	for key, want := range wantHist {
		kind, id, _ := strings.Cut(key, " ")
		slices.Reverse(want)
		var got []string
		after := ""
		for {
			p, err := s.History(ctx, ChangeKind(kind), id, HistoryOptions{First: new(2), After: after})
			if err != nil {
				t.Fatalf("step %d: history of %s: %v", step, key, err)
			}
			for _, c := range p.Changes {
				got = append(got, fmt.Sprintf("%d %s", c.Ts, c.Op))
			}
			if !p.HasMore {
				break
			}
			after = p.Through
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("step %d: history of %s:\ngot  %v\nwant %v", step, key, got, want)
		}
		if kind != "ENTITY" {
			continue
		}
		// The feed filtered by id says the same, oldest first.
		p, err := s.Changes(ctx, ChangeFilter{IDs: []string{id}, Kinds: []ChangeKind{ChangeEntity}, First: new(MaxChangesFirst)})
		if err != nil {
			t.Fatal(err)
		}
		var feed []string
		for _, c := range p.Changes {
			feed = append(feed, fmt.Sprintf("%d %s", c.Ts, c.Op))
		}
		slices.Reverse(feed)
		if strings.Join(feed, "|") != strings.Join(want, "|") {
			t.Errorf("step %d: changes(ids: [%s]):\ngot  %v\nwant %v", step, id, feed, want)
		}
	}
	// Reads as of every commit, and asOf at each commit's time (which
	// sees the later commits of the same millisecond too).
	for i, st := range m.steps {
		j := i
		for j+1 < len(m.steps) && s.timeOf(m.steps[j+1].ts).Equal(s.timeOf(st.ts)) {
			j++
		}
		for id := range m.steps[len(m.steps)-1].ents {
			for _, ro := range []struct {
				ro   ReadOptions
				want histStep
			}{{ReadOptions{commit: st.ts}, st}, {ReadOptions{AsOf: s.timeOf(st.ts)}, m.steps[j]}} {
				e, err := s.FindEntityByID(ctx, id, ro.ro)
				var rec any
				if err == nil {
					rec = e
				} else if ErrorCode(err) != NotFound {
					t.Fatal(err)
				}
				if got, want := recordKey(rec), recordKey(modelRecord(ro.want, ChangeEntity, id)); got != want {
					t.Errorf("step %d: %s as of commit %d (%+v): got %s, want %s", step, id, i, ro.ro, got, want)
				}
			}
		}
	}
}

// upsertOp is the change an upsert of id makes to a model's map: CREATE
// when the map lacks id, UPDATE when it holds it.
func upsertOp[V any](m map[string]V, id string) string {
	if _, ok := m[id]; ok {
		return "UPDATE"
	}
	return "CREATE"
}
