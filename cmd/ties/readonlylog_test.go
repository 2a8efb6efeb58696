package main

import (
	"bufio"
	"encoding/json"
	"strings"
	"testing"
)

// The startup log of a read-only service does not promise anonymous
// writes it refuses: on loopback, where anonymous clients may write by
// default, it says read.
func TestReadOnlyAccessLog(t *testing.T) {
	data := foundingDir(t)
	for _, tc := range []struct {
		name      string
		args      []string
		anonymous string
		readOnly  bool
	}{
		{"Writable", nil, "write", false},
		{"ReadOnly", []string{"--read-only"}, "read", true},
		{"ReadOnlyAnonymousWrite", []string{"--read-only", "--anonymous", "write"}, "read", true},
		{"ReadOnlyAnonymousNone", []string{"--read-only", "--anonymous", "none"}, "none", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServe(t, env(nil), append([]string{"--data", data, "--no-seed"}, tc.args...)...)
			if err := s.stop(t); err != nil {
				t.Fatal(err)
			}
			type accessLine struct {
				Msg       string `json:"msg"`
				Anonymous string `json:"anonymous"`
				ReadOnly  bool   `json:"readOnly"`
			}
			var access *accessLine
			sc := bufio.NewScanner(strings.NewReader(s.logs.String()))
			for sc.Scan() {
				var line accessLine
				if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "access" {
					access = &line
				}
			}
			if access == nil {
				t.Fatalf("no access line in the log:\n%s", s.logs)
			}
			if access.Anonymous != tc.anonymous || access.ReadOnly != tc.readOnly {
				t.Errorf("access: got anonymous=%s readOnly=%v, want anonymous=%s readOnly=%v", access.Anonymous, access.ReadOnly, tc.anonymous, tc.readOnly)
			}
		})
	}
}
