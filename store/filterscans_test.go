package store

import (
	"maps"
	"slices"
	"sync"
	"testing"
)

// TestFilterScansRemembered holds the remembered plans of a schema to
// what buildScans computes, in every direction and from many goroutines,
// and a type added to a clone to a plan of its own.
func TestFilterScansRemembered(t *testing.T) {
	sch := defaultSchema()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for _, dir := range []Direction{Both, Out, In} {
				scans, sym := sch.filterScans(nil, dir)
				wantScans, wantSym := buildScans(sch, nil, dir)
				if !slices.Equal(scans, wantScans) || !maps.Equal(sym, wantSym) {
					t.Errorf("%v: got %v %v, want %v %v", dir, scans, sym, wantScans, wantSym)
				}
			}
		})
	}
	wg.Wait()
	if a, b := sch.filterScans(nil, Out); len(a) > 0 {
		if c, _ := sch.filterScans(nil, Out); &c[0] != &a[0] {
			t.Errorf("the plan of OUT was built twice (%v)", b)
		}
	}

	c := sch.clone()
	next := TypeID(len(c.types))
	c.add(next, typeDef{Kind: defRelationType, Name: "TWIN_OF", Symmetric: true})
	if err := c.finish(); err != nil {
		t.Fatal(err)
	}
	_, symBefore := sch.filterScans(nil, Out)
	scans, sym := c.filterScans(nil, Out)
	if !sym[next] || symBefore[next] {
		t.Errorf("symmetric types after the addition %v, before %v: want %d only after", sym, symBefore, next)
	}
	if !slices.Contains(scans, edgeScan{dir: pIn, typ: next}) {
		t.Errorf("OUT scans after the addition %v: want the in-keys of %d", scans, next)
	}
}
