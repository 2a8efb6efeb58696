package exchange

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/storetest"
)

// A type's indexed properties travel with the ontology in the canonical
// format: an export re-imported into an empty store builds the same
// indexes.
func TestIndexedRoundTrip(t *testing.T) {
	ctx := context.Background()
	src := storetest.Open(t)
	_, err := src.Apply(ctx, store.Batch{
		EntityTypes: []store.EntityType{{Name: "Lake", Parent: "Place", Indexed: []string{"depth"}}},
		Entities:    []store.Entity{{ID: "ijsselmeer", Type: "Lake", Name: "IJsselmeer", Properties: store.Properties{"depth": store.Number(9)}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := Export(ctx, src, &buf, ExportOptions{Format: NDJSON}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"indexed":["depth"]`) {
		t.Fatalf("the export does not carry the index:\n%s", buf.String())
	}
	dst := storetest.Open(t)
	if _, err := Import(ctx, dst, []Input{bytesInput("dump.ndjson", NDJSON, buf.Bytes())}, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	o, err := dst.Ontology(ctx, store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(o.EntityTypes, func(et store.EntityType) bool { return et.Name == "Lake" })
	if i < 0 || !slices.Equal(o.EntityTypes[i].Indexed, []string{"depth"}) {
		t.Errorf("imported Lake: %+v", o.EntityTypes)
	}
}
