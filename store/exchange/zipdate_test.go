package exchange

import (
	"archive/zip"
	"bytes"
	"testing"
	"time"
)

// The CSV export's zip entries are dated when the export was made, not
// with a zero DOS date that unzip shows as 1980-00-00.
func TestCSVZipEntriesDated(t *testing.T) {
	st, _ := fixture(t)
	// DOS dates count in two seconds; the extended timestamp in seconds.
	before := time.Now().Add(-2 * time.Second)
	zipped := export(t, st, CSV, Scope{})
	after := time.Now().Add(2 * time.Second)
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 2 {
		t.Fatalf("entries: got %d, want nodes.csv and relationships.csv", len(zr.File))
	}
	for _, f := range zr.File {
		if f.Modified.Before(before) || f.Modified.After(after) {
			t.Errorf("%s: modified %v, want the time of the export (between %v and %v)", f.Name, f.Modified, before, after)
		}
		if f.ModifiedDate == 0 {
			t.Errorf("%s: a zero DOS date", f.Name)
		}
	}
}
