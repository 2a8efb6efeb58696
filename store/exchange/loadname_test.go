package exchange

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/ties-graph/ties/store"
)

// A load of several files is named by them in the change feed, as the
// command line names it ("imported knows.ndjson, fb.csv"); it was called
// "import", which told a feed reader nothing. An error still names the file
// and line it is in.
func TestSeveralFilesNameTheirLoad(t *testing.T) {
	st := founding(t)
	ctx := context.Background()
	types := BytesInput("knows.ndjson", NDJSON, []byte(`{"kind":"relationType","name":"KNOWS","inverse":"KNOWS","symmetric":true,"from":["Person"],"to":["Person"]}`+"\n"))
	edges := BytesInput("fb.csv", CSV, []byte("from,to,type,fromType,toType\nfb0,fb1,KNOWS,Person,Person\n"))
	if _, err := Import(ctx, st, []Input{types, edges}, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	page, err := st.Changes(ctx, store.ChangeFilter{First: new(1000)})
	if err != nil {
		t.Fatal(err)
	}
	var loads []string
	for _, c := range page.Changes {
		if c.Op == store.ChangeLoad {
			loads = append(loads, c.ID)
		}
	}
	// The founding data's load, then this one.
	if got, want := loads[len(loads)-1], "knows.ndjson, fb.csv"; got != want {
		t.Errorf("LOAD change: got %q, want %q (all: %q)", got, want, loads)
	}

	bad := BytesInput("more.csv", CSV, []byte("from,to,type,fromType,toType\nfb0,fb2,KNOWS,Person,Town\n"))
	_, err = Import(ctx, st, []Input{types, bad}, ImportOptions{})
	var es store.Errors
	if !errors.As(err, &es) || len(es) == 0 {
		t.Fatalf("import of an unknown type: got %v, want store.Errors", err)
	}
	if got, want := es[0].Record, "more.csv:2"; got != want {
		t.Errorf("error record: got %q, want %q", got, want)
	}
}

// A load of hundreds of files was named by all of their names joined, a
// change feed id and a log line of kilobytes; it is named by the first
// two and a count, and its errors still name the file and line.
func TestManyFilesNameTheirLoadShortly(t *testing.T) {
	st := founding(t)
	ctx := context.Background()
	inputs := make([]Input, 300)
	for i := range inputs {
		inputs[i] = BytesInput(fmt.Sprintf("part-%03d.ndjson", i), NDJSON,
			fmt.Appendf(nil, `{"kind":"entity","id":"shard-%d","type":"Person","name":"Shard %d"}`+"\n", i, i))
	}
	if _, err := Import(ctx, st, inputs, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	page, err := st.Changes(ctx, store.ChangeFilter{First: new(1000)})
	if err != nil {
		t.Fatal(err)
	}
	last := page.Changes[len(page.Changes)-1]
	if got, want := last.ID, "part-000.ndjson, part-001.ndjson and 298 more files"; last.Op != store.ChangeLoad || got != want {
		t.Errorf("last change: %s %q, want LOAD %q", last.Op, got, want)
	}

	inputs[299] = BytesInput("part-299.ndjson", NDJSON, []byte(`{"kind":"entity","id":"shard-299","type":"Town","name":"Shard"}`+"\n"))
	_, err = Import(ctx, st, inputs, ImportOptions{})
	var es store.Errors
	if !errors.As(err, &es) || len(es) == 0 {
		t.Fatalf("import of an unknown type: got %v, want store.Errors", err)
	}
	if got, want := es[0].Record, "part-299.ndjson:1"; got != want {
		t.Errorf("error record: got %q, want %q", got, want)
	}
}

func TestLoadName(t *testing.T) {
	for _, tc := range []struct {
		names []string
		want  string
	}{
		{[]string{"a.csv"}, "a.csv"},
		{[]string{"a.csv", "b.csv", "c.csv", "d.csv"}, "a.csv, b.csv, c.csv, d.csv"},
		{[]string{"a.csv", "b.csv", "c.csv", "d.csv", "e.csv"}, "a.csv, b.csv and 3 more files"},
	} {
		if got := LoadName(tc.names); got != tc.want {
			t.Errorf("LoadName(%q) = %q, want %q", tc.names, got, tc.want)
		}
	}
}
