package main

import (
	"strings"
	"testing"

	"github.com/ties-graph/ties/store"
)

func TestKeysOffline(t *testing.T) {
	data := foundingDir(t)
	out, errOut, err := cli(t, runKeys, "create", "--data", data, "--name", "dash", "--scope", "read", "--expires", "90d")
	if err != nil {
		t.Fatalf("keys create: %v\n%s", err, errOut)
	}
	token := strings.TrimSpace(out)
	if !strings.HasPrefix(token, "ties_") || strings.Count(out, "\n") != 1 {
		t.Errorf("standard output %q, want the token alone on one line", out)
	}
	if !strings.Contains(errOut, `read key "dash"`) || !strings.Contains(errOut, "expires") {
		t.Errorf("standard error %q, want what was created", errOut)
	}
	list, _, err := cli(t, runKeys, "list", "--data", data)
	if err != nil || !strings.Contains(list, "dash") || !strings.Contains(list, "read") || strings.Contains(list, token) {
		t.Errorf("keys list: %v\n%s", err, list)
	}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"NoSubcommand", nil},
		{"UnknownSubcommand", []string{"rotate"}},
		{"NoScope", []string{"create", "--data", data, "--name", "x"}},
		{"BadScope", []string{"create", "--data", data, "--name", "x", "--scope", "owner"}},
		{"BadExpiry", []string{"create", "--data", data, "--name", "x", "--scope", "read", "--expires", "soon"}},
		{"RevokeWithoutName", []string{"revoke", "--data", data}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := cli(t, runKeys, tc.args...); err == nil || !isUsage(err) {
				t.Errorf("got %v, want a usage error", err)
			}
		})
	}
	if _, _, err := cli(t, runKeys, "create", "--data", data, "--name", "dash", "--scope", "admin"); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("a second key named dash: %v", err)
	}
	if _, errOut, err := cli(t, runKeys, "revoke", "--data", data, "dash"); err != nil || !strings.Contains(errOut, "revoked") {
		t.Errorf("keys revoke: %v %s", err, errOut)
	}
	if _, _, err := cli(t, runKeys, "revoke", "--data", data, "dash"); err == nil || !strings.Contains(err.Error(), "no API key") {
		t.Errorf("revoke twice: %v", err)
	}

	st, err := store.Open(data, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, _, err := cli(t, runKeys, "create", "--data", data, "--name", "x", "--scope", "read"); err == nil || !strings.Contains(err.Error(), "--url") {
		t.Errorf("keys create on a held directory: %v, want a pointer to --url", err)
	}
}

func isUsage(err error) bool {
	_, ok := err.(usageError)
	return ok
}
