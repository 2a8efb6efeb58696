package exchange

import (
	"context"
	"errors"
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
