package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// ties import names the column of a simple CSV row that the user must
// edit, offline and through a service alike: toType, not the store's
// "type".
func TestImportNamesFileColumn(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.csv", "from,to,type,fromType,fromName,toType,toName\nwp-a,wp-b,SISTER_CITY_OF,City,A,Town,B\n")
	want := `bad.csv:2: toType: column 6: unknown entity type "Town"`
	if _, stderr, err := cli(t, runImport, "--data", filepath.Join(dir, "data"), bad); err == nil || !strings.Contains(stderr, want) {
		t.Errorf("offline: got %v, stderr %q, want %q", err, stderr, want)
	}
	srv := exchangeService(t)
	if _, stderr, err := cli(t, runImport, "--url", srv.URL, bad); err == nil || !strings.Contains(stderr, want) {
		t.Errorf("through the service: got %v, stderr %q, want %q", err, stderr, want)
	}
}
