package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ties-graph/ties/store/storetest"
)

// syncBuffer collects the output and log of a command running in
// process.
type syncBuffer = storetest.LogBuffer

// env returns a getenv over a fixed map.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// served is a "ties serve" running in process.
type served struct {
	url    string
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

// startServe runs "ties serve" on a free loopback port and waits for the
// line that logs its playground URL.
func startServe(t *testing.T, getenv func(string) string, args ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{logs: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	var stdout syncBuffer
	go func() {
		s.done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json"}, args...), getenv, &stdout, s.logs)
	}()
	t.Cleanup(func() {
		cancel()
		<-s.done
	})
	for range 500 {
		sc := bufio.NewScanner(strings.NewReader(s.logs.String()))
		for sc.Scan() {
			var line struct {
				Msg        string `json:"msg"`
				Playground string `json:"playground"`
			}
			// The first line with the address comes when the service
			// listens; "serving Ties" when the store is open behind it.
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Playground != "" && line.Msg == "serving Ties" {
				s.url = strings.TrimSuffix(line.Playground, "/")
				return s
			}
		}
		select {
		case err := <-s.done:
			t.Fatalf("serve ended before it served: %v\n%s", err, s.logs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not log its URL:\n%s", s.logs.String())
	return nil
}

// stop cancels the server's context and returns run's result.
func (s *served) stop(t *testing.T) error {
	t.Helper()
	s.cancel()
	select {
	case err := <-s.done:
		s.done <- err // for the cleanup
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not shut down")
		return nil
	}
}

// query posts a GraphQL query that must be answered with status 200 and
// returns the response body.
func (s *served) query(t *testing.T, q string) string {
	t.Helper()
	r, err := storetest.PostQuery(context.Background(), nil, s.url+"/query", q, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != http.StatusOK {
		t.Fatalf("status %d: %s", r.Status, r.Raw)
	}
	return string(r.Raw)
}

func TestServe(t *testing.T) {
	data := filepath.Join(t.TempDir(), "ties-data")

	// First start: an empty directory gets the founding data.
	s := startServe(t, env(map[string]string{"TIES_DATA": data}))
	if got, want := s.query(t, `{ entity(id: "enschede") { name } }`), `{"data":{"entity":{"name":"Enschede"}}}`; got != want {
		t.Errorf("query: got %s, want %s", got, want)
	}
	if !strings.Contains(s.logs.String(), "loaded the founding data") {
		t.Errorf("the founding data was not loaded:\n%s", s.logs.String())
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		res, err := http.Get(s.url + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", path, res.StatusCode)
		}
	}
	s.query(t, `mutation { deleteEntities(ids: ["tesla-motors"], cascade: true) }`)
	if err := s.stop(t); err != nil {
		t.Fatalf("serve returned %v\n%s", err, s.logs.String())
	}
	if !strings.Contains(s.logs.String(), `"msg":"stopped"`) {
		t.Errorf("no clean stop logged:\n%s", s.logs.String())
	}

	// The store was closed cleanly: check passes.
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"check", "--data", data}, env(nil), &out, &errOut); err != nil {
		t.Fatalf("check: %v\n%s%s", err, out.String(), errOut.String())
	}

	// ties query reads the same directory in process.
	out.Reset()
	if err := run(context.Background(), []string{"query", "--data", data, `{ entity(id: "dalian") { name } }`}, env(nil), &out, &errOut); err != nil {
		t.Fatalf("query: %v\n%s", err, errOut.String())
	}
	var resp struct {
		Data struct{ Entity struct{ Name string } }
	}
	if err := json.Unmarshal(out.Bytes(), &resp); err != nil || resp.Data.Entity.Name != "Dalian" {
		t.Errorf("ties query printed %s (%v)", out.String(), err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"query", "--data", data, `{ nope }`}, env(nil), &out, &errOut); err == nil {
		t.Errorf("ties query with an invalid query succeeded: %s", out.String())
	}

	// Second start on the same directory: nothing is loaded again, and the
	// deletion made before is still there. The flag wins over the
	// environment.
	s = startServe(t, env(map[string]string{"TIES_DATA": "/nonexistent/elsewhere"}), "--data", data)
	if strings.Contains(s.logs.String(), "loaded the founding data") {
		t.Errorf("the founding data was loaded into an existing directory:\n%s", s.logs.String())
	}
	if got, want := s.query(t, `{ entity(id: "tesla-motors") { name } }`), `{"data":{"entity":null}}`; got != want {
		t.Errorf("after restart: got %s, want %s", got, want)
	}
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}

	// Read-only: queries answer, mutations are refused.
	s = startServe(t, env(nil), "--data", data, "--read-only")
	if got := s.query(t, `mutation { deleteEntities(ids: ["dalian"], cascade: true) }`); !strings.Contains(got, "FORBIDDEN") {
		t.Errorf("mutation with --read-only: got %s", got)
	}
	if got, want := s.query(t, `{ entity(id: "dalian") { name } }`), `{"data":{"entity":{"name":"Dalian"}}}`; got != want {
		t.Errorf("query with --read-only: got %s, want %s", got, want)
	}
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err := run(context.Background(), []string{"query", "--data", data, `mutation { deleteEntities(ids: ["dalian"], cascade: true) }`}, env(nil), &out, &errOut)
	if err == nil || !strings.Contains(out.String(), "--write") {
		t.Errorf("ties query with a mutation and no --write: %v\n%s", err, out.String())
	}
}

func TestServeNoSeed(t *testing.T) {
	data := filepath.Join(t.TempDir(), "empty")
	s := startServe(t, env(map[string]string{"TIES_NO_SEED": "true"}), "--data", data)
	if got, want := s.query(t, `{ stats { entities relations } }`), `{"data":{"stats":{"entities":0,"relations":0}}}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}

	// Nothing was ever written to it, so a start without --no-seed loads
	// the founding data after all.
	s = startServe(t, env(nil), "--data", data)
	if !strings.Contains(s.logs.String(), "loaded the founding data") {
		t.Errorf("the founding data was not loaded into a store never written:\n%s", s.logs.String())
	}
	s.query(t, `mutation { deleteEntities(ids: ["enschede"], cascade: true) }`)
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}
	// Nor is it loaded again into a store that held data.
	s = startServe(t, env(nil), "--data", data)
	if got := s.query(t, `{ entity(id: "enschede") { name } }`); got != `{"data":{"entity":null}}` {
		t.Errorf("a deleted entity came back: %s", got)
	}
	if strings.Contains(s.logs.String(), "loaded the founding data") {
		t.Errorf("the founding data was loaded again into a store that held data:\n%s", s.logs.String())
	}
}

func TestServeLimitsFromFlagsAndEnv(t *testing.T) {
	s := startServe(t, env(map[string]string{"TIES_MAX_FIRST": "5", "TIES_NO_SEED": "1"}), "--data", filepath.Join(t.TempDir(), "d"), "--no-introspection")
	if got := s.query(t, `{ entities(first: 6) { totalCount } }`); !strings.Contains(got, "INVALID_ARGUMENT") {
		t.Errorf("TIES_MAX_FIRST=5 and first: 6: got %s", got)
	}
	if got := s.query(t, `{ __schema { queryType { name } } }`); !strings.Contains(got, "FORBIDDEN") {
		t.Errorf("--no-introspection: got %s", got)
	}
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		err  error // errors.Is target, or nil
		out  string
	}{
		{"Help", []string{"--help"}, nil, "ties query"},
		{"HelpCommand", []string{"help"}, nil, "TIES_DATA"},
		{"ServeHelp", []string{"help", "serve"}, flag.ErrHelp, ""},
		{"Version", []string{"version"}, nil, "ties "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), tc.args, env(nil), &out, &errOut)
			if !errors.Is(err, tc.err) {
				t.Fatalf("run %v: error %v, want %v", tc.args, err, tc.err)
			}
			if !strings.Contains(out.String(), tc.out) {
				t.Errorf("run %v printed %q, want it to contain %q", tc.args, out.String(), tc.out)
			}
		})
	}
	t.Run("ServeHelpListsFlags", func(t *testing.T) {
		var out, errOut bytes.Buffer
		_ = run(context.Background(), []string{"serve", "--help"}, env(nil), &out, &errOut)
		for _, want := range []string{"-addr", "TIES_ADDR", "-max-complexity", "-no-introspection", "-log-format"} {
			if !strings.Contains(errOut.String(), want) {
				t.Errorf("serve --help lacks %q:\n%s", want, errOut.String())
			}
		}
	})
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"UnknownCommand", []string{"frobnicate"}, nil},
		{"UnknownFlag", []string{"serve", "--frobnicate"}, nil},
		{"BadEnv", []string{"serve"}, map[string]string{"TIES_TIMEOUT": "soon"}},
		{"BadLogFormat", []string{"serve", "--log-format", "xml"}, nil},
		{"QueryWithoutQuery", []string{"query"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), tc.args, env(tc.env), &out, &errOut)
			var ue usageError
			if !errors.As(err, &ue) {
				t.Errorf("run %v: error %v, want a usage error", tc.args, err)
			}
		})
	}
	// A flag after an argument is not read as a flag: say so, rather than
	// look for a file called --dry-run.
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"ImportFlagAfterFile", []string{"import", "--data", "d", "twins.ndjson", "--dry-run"}, `--dry-run comes after the argument "twins.ndjson": give flags before the arguments`},
		{"ImportFlagWithValueAfterFile", []string{"import", "twins.ndjson", "--on-existing=replace"}, `--on-existing=replace comes after the argument "twins.ndjson"`},
		{"RestoreFlagAfterFile", []string{"restore", "ties.backup", "--data", "d"}, `--data comes after the argument "ties.backup"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), tc.args, env(nil), &out, &errOut)
			var ue usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("run %v: error %v, want a usage error containing %q", tc.args, err, tc.want)
			}
		})
	}
	t.Run("CheckMissingDirectory", func(t *testing.T) {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), []string{"check", "--data", filepath.Join(t.TempDir(), "missing")}, env(nil), &out, &errOut); err == nil {
			t.Errorf("check of a missing directory succeeded")
		}
	})
}

// An environment variable with a value its flag cannot take says what the
// flag wants, where the flag package says only "parse error".
func TestEnvParseErrors(t *testing.T) {
	for _, tc := range []struct{ variable, value, want string }{
		{"TIES_NO_SEED", "yes", `TIES_NO_SEED="yes": want true or false`},
		{"TIES_MAX_FIRST", "many", `TIES_MAX_FIRST="many": want a whole number`},
		{"TIES_TIMEOUT", "10", `TIES_TIMEOUT="10": want a duration such as 10s`},
	} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), []string{"serve", "--data", filepath.Join(t.TempDir(), "d")}, env(map[string]string{tc.variable: tc.value}), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s=%s: got %v, want an error containing %q", tc.variable, tc.value, err, tc.want)
		}
	}
}
