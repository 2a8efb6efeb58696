package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/exchange"
)

const exportHelp = `
Exports the graph, or a subgraph, from one consistent snapshot. Formats:
  ndjson   the canonical dump: re-importing it into an empty store gives
           an identical dump
  json     node-link, as NetworkX's node_link_graph and D3 read it
  csv      a zip of nodes.csv and relationships.csv with neo4j-admin import
           headers (--split writes the two files into the directory -o)
  graphml  typed keys, for Gephi, yEd, Cytoscape and NetworkX
  gexf     GEXF 1.3 with validity intervals as spells, for Gephi's timeline
  dot      Graphviz
ties import reads ndjson, json and csv; graphml, gexf and dot are for
drawing and are not imported.

A subgraph starts at --from and takes everything within --depth hops over
the relations that pass the filters. --types, --entity-types and --valid-at
also filter a whole-graph export: relations of other types, relations not
valid at the date, and entities of other types (with their relations) are
left out. In ndjson, json and csv a subgraph, or an --entity-types export,
also holds the documents its facts cite, so that it imports into an empty
store. A csv export names on standard error the properties it had to
write as text (values of mixed kinds); ndjson keeps them.

When a running service holds the data directory, export through it with
--url.

Examples:
  ties export -o dump.ndjson
  ties export --format graphml --from enschede --depth 2 -o enschede.graphml
  ties export --format gexf --types SISTER_CITY_OF,FRIENDLY_COOPERATIVE_CITY_OF -o twins.gexf
  ties export --format csv --split -o neo4j/
  ties export --url http://localhost:8080 --format json --from enschede
`

// runExport writes an export to -o or standard output.
func runExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flagSet("export", "export [flags]", exportHelp, stderr)
	var (
		base, format, out, from, types, entityTypes, validAt, asOf, token string
		depth                                                             int
		split                                                             bool
		loc                                                               location
		env                                                               = map[string]string{"url": "TIES_URL"}
	)
	addLocationFlags(fs, &loc, env, "data directory")
	fs.StringVar(&base, "url", "", "export from the service at this URL, such as http://localhost:8080 (TIES_URL)")
	fs.StringVar(&format, "format", "", "ndjson, json, csv, graphml, gexf or dot (default: from -o's extension, else ndjson)")
	fs.StringVar(&out, "o", "", "write to this file instead of standard output")
	fs.StringVar(&from, "from", "", "export the subgraph around this entity id")
	fs.IntVar(&depth, "depth", 1, "hops from --from")
	fs.StringVar(&types, "types", "", "relation types to keep, comma-separated (default all)")
	fs.StringVar(&entityTypes, "entity-types", "", "entity types to keep, comma-separated, subtypes included (default all)")
	fs.StringVar(&validAt, "valid-at", "", "keep relations valid at this date: YYYY, YYYY-MM or YYYY-MM-DD")
	fs.StringVar(&asOf, "as-of", "", "export the graph as recorded at this RFC 3339 time (default now)")
	fs.BoolVar(&split, "split", false, "csv: write nodes.csv and relationships.csv into the directory -o instead of a zip")
	tokenFlag(fs, &token, env)
	if err := parseFlags(fs, args, getenv, env); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("export takes no arguments, got %q (use -o FILE)", fs.Args())}
	}
	opts := exchange.ExportOptions{Format: exchange.NDJSON}
	switch {
	case format != "":
		f, err := exchange.ParseFormat(format)
		if err != nil {
			return usageError{err.Error()}
		}
		opts.Format = f
	case out != "" && !split:
		if f, err := exchange.DetectFormat(strings.TrimSuffix(out, ".zip") + zipAsCSV(out)); err == nil {
			opts.Format = f
		}
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if from != "" {
		opts.Scope = exchange.Scope{From: from, Depth: depth}
	} else if given["depth"] {
		return usageError{"--depth needs --from"}
	}
	if depth < 0 {
		return usageError{"--depth must be 0 or more"}
	}
	opts.Scope.Types = exchange.SplitList(types)
	opts.Scope.EntityTypes = exchange.SplitList(entityTypes)
	if validAt != "" {
		d, err := store.ParseDate(validAt)
		if err != nil {
			return usageError{"--valid-at: " + store.ErrorMessage(err)}
		}
		opts.Scope.ValidAt = d
	}
	if asOf != "" {
		t, err := time.Parse(time.RFC3339Nano, asOf)
		if err != nil {
			return usageError{fmt.Sprintf("--as-of %q: want an RFC 3339 time such as 2024-03-01T10:00:00Z", asOf)}
		}
		opts.AsOf = t
	}
	if opts.Format == exchange.CSV && !split && (out == "" || out == "-") && isTerminal(stdout) {
		return usageError{"the csv export is a zip file: give -o FILE.zip, redirect standard output, or use --split -o DIRECTORY"}
	}
	if opts.Format == exchange.CSV && !split && strings.HasSuffix(strings.ToLower(out), ".csv") {
		// A zip named .csv is a trap: ties import and every CSV reader
		// would take it for text.
		return usageError{fmt.Sprintf("the csv export is a zip of nodes.csv and relationships.csv, not one CSV file: give -o %s.zip, or --split -o DIRECTORY", strings.TrimSuffix(out, filepath.Ext(out)))}
	}
	if split && (opts.Format != exchange.CSV || out == "") {
		return usageError{"--split needs --format csv and -o DIRECTORY"}
	}
	if base != "" {
		if split {
			return usageError{"--split works on the data directory only; with --url the CSV export is a zip"}
		}
		return exportRemote(ctx, base, token, opts, out, stdout, stderr)
	}
	st, err := loc.openExisting(ctx, true)
	if err != nil {
		return inUse(err, loc.data, ": export through it with --url http://HOST:PORT")
	}
	defer st.Close()
	var stats exchange.ExportStats
	if split {
		err = exportSplit(ctx, st, opts, out, &stats)
	} else {
		err = writeOutput(out, stdout, func(w io.Writer) error {
			stats, err = exchange.Export(ctx, st, w, opts)
			return err
		})
	}
	if err != nil {
		return flagNames(err)
	}
	noteAsText(stderr, opts.Format, stats.AsText)
	return nil
}

// noteAsText names the properties an export wrote as text. Not an error
// (the file is what the format can hold), but an import of it would turn
// these values into text without a word.
func noteAsText(stderr io.Writer, f exchange.Format, props []string) {
	if len(props) > 0 {
		fmt.Fprintf(stderr, "note: the %s export writes %s as text, since their values are not of one kind a column can declare; importing it back gives text (use --format ndjson for a lossless dump)\n",
			f, strings.Join(props, ", "))
	}
}

// exportFlags are the flags of the export arguments the store and the
// /export endpoint name in their errors.
var exportFlags = map[string]string{
	"from": "--from", "depth": "--depth", "types": "--types", "entityTypes": "--entity-types",
	"validAt": "--valid-at", "asOf": "--as-of",
}

// flagNames names the flag in an error about an export argument, so that
// "entityTypes: unknown entity type" reads "--entity-types: ..." on the
// command line that has no entityTypes.
func flagNames(err error) error {
	var e *store.Error
	if !errors.As(err, &e) {
		return err
	}
	flag, ok := exportFlags[e.Field]
	if !ok {
		return err
	}
	c := *e
	c.Field = flag
	return &c
}

// zipAsCSV lets "-o graph.zip" mean the CSV export.
func zipAsCSV(out string) string {
	if strings.HasSuffix(strings.ToLower(out), ".zip") {
		return ".csv"
	}
	return ""
}

// writeOutput runs write on standard output, or on a temporary file that
// replaces out only when write succeeds, so that a failed export never
// leaves a truncated file behind. An out that exists and is not a regular
// file (/dev/null, /dev/stdout, a named pipe) is written in place:
// renaming a file over it would replace the device or pipe, which for
// /dev/null breaks every other program on the machine. An out that is a
// symbolic link is written where it points, and stays a link.
func writeOutput(out string, stdout io.Writer, write func(io.Writer) error) error {
	if out == "" || out == "-" {
		return write(stdout)
	}
	if target, err := filepath.EvalSymlinks(out); err == nil {
		out = target
	}
	if fi, err := os.Stat(out); err == nil && !fi.Mode().IsRegular() {
		f, err := os.OpenFile(out, os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if err := write(f); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		return nil
	}
	f, err := createTemp(out)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := os.Rename(f.Name(), out); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// createTemp creates a hidden file beside out to write it in full before
// it takes out's name. Unlike os.CreateTemp, which makes files only their
// owner can read, it asks for 0666 and lets the umask decide, so an export
// gets the permissions of any other new file (0644 under the usual umask).
func createTemp(out string) (*os.File, error) {
	for range 100 {
		var b [6]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, err
		}
		name := filepath.Join(filepath.Dir(out), "."+filepath.Base(out)+"."+hex.EncodeToString(b[:]))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, fmt.Errorf("cannot create a temporary file beside %s", out)
}

// exportSplit writes the CSV export as dir/nodes.csv and
// dir/relationships.csv.
func exportSplit(ctx context.Context, st *store.Store, opts exchange.ExportOptions, dir string, stats *exchange.ExportStats) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return writeOutput(filepath.Join(dir, "nodes.csv"), nil, func(nodes io.Writer) error {
		return writeOutput(filepath.Join(dir, "relationships.csv"), nil, func(rels io.Writer) error {
			var err error
			*stats, err = exchange.ExportCSVFiles(ctx, st, nodes, rels, opts)
			return err
		})
	})
}

// exportRemote streams GET /export of a running service to the output.
func exportRemote(ctx context.Context, base, token string, opts exchange.ExportOptions, out string, stdout, stderr io.Writer) error {
	c, err := exchange.NewClient(base, nil)
	if err != nil {
		return usageError{"--url: " + store.ErrorMessage(err)}
	}
	body, err := c.WithToken(token).Export(ctx, opts)
	if err != nil {
		return fmt.Errorf("export: %w", refusalHint(base, token, err))
	}
	defer body.Close()
	err = writeOutput(out, stdout, func(w io.Writer) error {
		if _, err := io.Copy(w, body); err != nil {
			return fmt.Errorf("export through %s: %w", base, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	noteAsText(stderr, opts.Format, body.AsText())
	return nil
}

// exportHandler is the GET /export endpoint the service mounts.
func exportHandler(st *store.Store, logger *slog.Logger) http.Handler {
	return exchange.ExportHandler(st, logger)
}
