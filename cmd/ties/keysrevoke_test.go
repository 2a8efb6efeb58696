package main

import (
	"strings"
	"testing"
)

// ties keys revoke takes the name as create does, with --name, and as its
// one argument, as it always did.
func TestKeysRevokeByName(t *testing.T) {
	data := foundingDir(t)
	for _, name := range []string{"flagged", "positional"} {
		if _, errOut, err := cli(t, runKeys, "create", "--data", data, "--name", name, "--scope", "read"); err != nil {
			t.Fatalf("keys create %s: %v\n%s", name, err, errOut)
		}
	}
	if _, _, err := cli(t, runKeys, "revoke", "--data", data, "--name", "flagged", "positional"); err == nil || !isUsage(err) {
		t.Errorf("a name by flag and another by argument: got %v, want a usage error", err)
	}
	if _, errOut, err := cli(t, runKeys, "revoke", "--data", data, "--name", "flagged"); err != nil || !strings.Contains(errOut, `revoked the key "flagged"`) {
		t.Errorf("keys revoke --name: %v %s", err, errOut)
	}
	if _, errOut, err := cli(t, runKeys, "revoke", "--data", data, "positional"); err != nil || !strings.Contains(errOut, `revoked the key "positional"`) {
		t.Errorf("keys revoke NAME: %v %s", err, errOut)
	}
	if _, _, err := cli(t, runKeys, "revoke", "--data", data, "--name", "flagged"); err == nil || !strings.Contains(err.Error(), "no API key") {
		t.Errorf("revoke twice: %v", err)
	}
}
