package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store/kv"
)

// TestEntityTable checks the load's entity table against a map and a
// list of first appearances, through its growth, overwrites, ids that
// fill pages to the byte, ids too long for a page and the empty id, and
// touches (the second pass's reads ahead) of ids of every kind.
func TestEntityTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tab := newEntityTable()
	want := map[string]loadEntity{}
	var order []string
	id := func() string {
		switch rng.IntN(20) {
		case 0:
			return strings.Repeat("L", maxPagedID+1+rng.IntN(100)) + fmt.Sprint(rng.IntN(50))
		case 1:
			return strings.Repeat("p", maxPagedID-rng.IntN(3))
		case 2:
			return ""
		default:
			return fmt.Sprintf("e%d", rng.IntN(60000))
		}
	}
	for n := range 200000 {
		k := id()
		le := loadEntity{line: int64(n), seq: rng.Int64(), node: NodeID(rng.Uint64()), typ: TypeID(rng.Uint32()),
			oldTyp: TypeID(rng.Uint32()), tname: rng.Int32(), bad: rng.IntN(2) == 0}
		if _, ok := want[k]; !ok {
			order = append(order, k)
		}
		want[k] = le
		tab.put(k, le)
		probe := id()
		tab.touch(probe)
		got, ok := tab.get(probe)
		w, wok := want[probe]
		if ok != wok || got != w || tab.has(probe) != wok {
			t.Fatalf("after %d puts, get(%.20q) = %v, %v; want %v, %v", n+1, probe, got, ok, w, wok)
		}
	}
	if got, want := tab.len(), len(want); got != want {
		t.Fatalf("len = %d, want %d", got, want)
	}
	for i, k := range order {
		id, le := tab.at(i)
		if id != k || le != want[k] {
			t.Fatalf("at(%d) = %.20q, %v; want %.20q, %v", i, id, le, k, want[k])
		}
		le.node++
		tab.set(i, le)
		if got, _ := tab.get(k); got != le {
			t.Fatalf("get(%.20q) after set = %v, want %v", k, got, le)
		}
	}
	if _, ok := tab.get("absent"); ok {
		t.Fatal(`get("absent") found an entity`)
	}
}

// TestLoadNodeOrder: a load allocates the node ids of its new entities in
// the order their ids first appear in the source, whatever comes between
// (relations naming them first, an id given twice), so that two loads of
// one source give its entities the same node ids.
func TestLoadNodeOrder(t *testing.T) {
	for _, budget := range []struct {
		name  string
		bytes int
	}{{"Table", 0}, {"Spilled", 1}, {"SpilledHalfway", 1000 * 100}} {
		t.Run(budget.name, func(t *testing.T) { testLoadNodeOrder(t, budget.bytes) })
	}
}

func testLoadNodeOrder(t *testing.T, budget int) {
	var rs []Record
	add := func(r Record) { r.Line = int64(len(rs) + 1); rs = append(rs, r) }
	var order []string
	for i := range 3000 {
		id := fmt.Sprintf("city-%d", (i*7919)%3000)
		order = append(order, id)
		if i > 0 {
			add(Record{Relation: &Relation{Type: "SISTER_CITY_OF", From: id, To: order[i-1]}})
		}
		add(Record{Entity: &Entity{ID: id, Type: "City", Name: "City " + id}})
		if i%100 == 0 {
			add(Record{Entity: &Entity{ID: order[i/2], Type: "City", Name: "Renamed " + id}})
		}
	}
	s := openLoadStore(t, budget)
	if _, err := s.Load(context.Background(), sourceOf(rs), LoadOptions{Source: "t.ndjson"}); err != nil {
		t.Fatal(err)
	}
	tx, err := s.db.Begin(context.Background(), kv.TxnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Discard()
	var last uint64
	for i, id := range order {
		v, err := tx.Get(appendExtKey(nil, id))
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		_, n, err := parseExtValue(v)
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 && n <= last {
			t.Fatalf("%s, entity %d of the source, has node %d, after %d", id, i, n, last)
		}
		last = n
	}
}
