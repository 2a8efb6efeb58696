package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ties-graph/ties/graph"
	"github.com/ties-graph/ties/store"
)

// runQuery runs one GraphQL operation on the data directory in process
// and prints the response as indented JSON. It fails when the response
// carries errors, so that scripts notice.
func runQuery(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flagSet("query", "query [flags] QUERY", "", stderr)
	var (
		loc         location
		vars        string
		write       bool
		base, token string
		env         = map[string]string{"url": "TIES_URL"}
	)
	addLocationFlags(fs, &loc, env, "data directory")
	fs.StringVar(&vars, "vars", "", `variables as a JSON object, such as '{"id":"enschede"}'`)
	fs.BoolVar(&write, "write", false, "open the store for writing, so that mutations work")
	fs.StringVar(&base, "url", "", "send the query to the service at this URL instead, such as http://localhost:8080 (TIES_URL)")
	tokenFlag(fs, &token, env)
	if err := parseFlags(fs, args, getenv, env); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{`query takes one argument, the query, such as '{ entity(id:"enschede") { name } }'`}
	}
	query := fs.Arg(0)
	var variables map[string]any
	if vars != "" {
		dec := json.NewDecoder(strings.NewReader(vars))
		dec.UseNumber()
		if err := dec.Decode(&variables); err != nil {
			return usageError{fmt.Sprintf("--vars is not a JSON object: %v", err)}
		}
	}
	var resp json.RawMessage
	if base != "" {
		r, err := newRemote(base, token)
		if err != nil {
			return err
		}
		if resp, err = r.graphQL(ctx, query, variables); err != nil {
			return err
		}
	} else {
		// A directory a service holds is refused with the way round it:
		// the same query through the service.
		st, err := loc.openExisting(ctx, !write)
		if err != nil {
			if errors.Is(err, store.ErrLocked) {
				return fmt.Errorf("%w (ties query --url http://HOST:PORT)", err)
			}
			return err
		}
		defer st.Close()
		logger, err := newLogger(stderr, "", "warn")
		if err != nil {
			return err
		}
		srv := graph.NewServer(graph.ServerConfig{Store: st, Logger: logger, ReadOnly: !write})
		if resp, err = srv.Execute(ctx, query, variables); err != nil {
			return fmt.Errorf("query: %w", err)
		}
	}
	var out bytes.Buffer
	if err := json.Indent(&out, resp, "", "  "); err != nil {
		return fmt.Errorf("query: the response is not JSON: %w", err)
	}
	out.WriteByte('\n')
	if _, err := stdout.Write(out.Bytes()); err != nil {
		return err
	}
	var parsed struct {
		Errors []json.RawMessage `json:"errors"`
	}
	if err := json.Unmarshal(resp, &parsed); err == nil && len(parsed.Errors) > 0 {
		return fmt.Errorf("the query answered with %d error(s)", len(parsed.Errors))
	}
	return nil
}
