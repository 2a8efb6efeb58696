package web

import (
	"crypto/sha256"
	"encoding/base64"
	"testing"
)

// The page pins each file by its digest: a browser refuses a file whose
// bytes do not match, and the playground would stay blank.
func TestGraphiQLIntegrity(t *testing.T) {
	f := GraphiQLFiles()
	for _, a := range []Asset{f.JS, f.CSS, f.React, f.ReactDOM} {
		b, err := GraphiQL.ReadFile("graphiql/" + a.Name)
		if err != nil {
			t.Fatalf("%s: %v", a.Name, err)
		}
		sum := sha256.Sum256(b)
		if got := "sha256-" + base64.StdEncoding.EncodeToString(sum[:]); got != a.Integrity {
			t.Errorf("%s: digest %s, want %s", a.Name, got, a.Integrity)
		}
	}
}
