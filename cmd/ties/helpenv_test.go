package main

import (
	"bytes"
	"context"
	"regexp"
	"testing"
)

// "ties help" is where a newcomer looks for the environment variables: it
// must name every variable that some command's flags read, so that none
// is findable only by reading each command's help in turn.
func TestHelpNamesEveryVariable(t *testing.T) {
	var top, discard bytes.Buffer
	if err := run(context.Background(), []string{"help"}, env(nil), &top, &discard); err != nil {
		t.Fatalf("ties help: %v", err)
	}
	variable := regexp.MustCompile(`TIES_[A-Z_]+[A-Z]`)
	listed := map[string]bool{}
	for _, v := range variable.FindAllString(top.String(), -1) {
		listed[v] = true
	}
	for _, cmd := range []string{"serve", "query", "import", "export", "backup", "restore", "check", "keys", "copy"} {
		var out, errOut bytes.Buffer
		_ = run(context.Background(), []string{cmd, "--help"}, env(nil), &out, &errOut)
		for _, v := range variable.FindAllString(out.String()+errOut.String(), -1) {
			if !listed[v] {
				t.Errorf("ties help %s names %s, which ties help does not list", cmd, v)
				listed[v] = true // once is enough
			}
		}
	}
}
