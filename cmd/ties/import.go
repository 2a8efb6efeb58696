package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/exchange"
)

const importHelp = `
Imports NDJSON (canonical), JSON node-link or CSV files into the data
directory, all files in one all-or-nothing load: every record is validated
first, and nothing is written when any is invalid. Each error names the
file, the line and the field. Writes are upserts by id, so running the same
import again is safe. The format comes from each file's extension (.ndjson,
.jsonl, .json, .csv, each optionally .gz; .zip for the CSV export's zip of
nodes and relationships) or from --format; gzip input is recognised by its
content. "-" reads standard input (give --format).

When a running service holds the data directory, import through it with
--url: the files are streamed to its POST /import endpoint as one upload
and loaded together there, all or nothing, as here.

A record whose id the store already holds is merged by default: only the
fields it carries change (the keys of an NDJSON or JSON record, the filled
cells of a CSV row), properties merge key by key, aliases and sources are
added without duplicates, and nothing else is lost. --on-existing replace
writes records as given (restoring a dump), skip keeps what is stored, fail
refuses the import and names every existing id. --dry-run says what would
be new, changed and unchanged, and lists the first changed records with the
fields that would change.

CSV files may be separated by commas, semicolons or tabs (what Dutch and
German spreadsheets save), told from the header row, or by --delimiter.

Examples:
  ties import graph.ndjson
  ties import --dry-run nodes.csv relationships.csv
  ties import --on-existing skip twins.csv
  ties import --url http://localhost:8080 twins.ndjson.gz
`

// runImport imports files into the data directory, or through a running
// service with --url.
func runImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flagSet("import", "import [flags] FILE...", importHelp, stderr)
	var (
		base, format, memoryLimit, token string
		onExisting, delimiter            string
		dryRun                           bool
		maxErrors                        int
		loc                              location
		env                              = map[string]string{"url": "TIES_URL", "memory-limit": "TIES_MEMORY_LIMIT"}
	)
	addLocationFlags(fs, &loc, env, "data directory")
	fs.StringVar(&base, "url", "", "import through the service at this URL, such as http://localhost:8080 (TIES_URL)")
	fs.StringVar(&format, "format", "", "ndjson, json or csv (default: from each file's extension)")
	fs.BoolVar(&dryRun, "dry-run", false, "validate and report what would be new, changed and unchanged; write nothing")
	fs.StringVar(&onExisting, "on-existing", "merge", "what to do with records whose ids the store holds: merge (update only the fields a record carries; properties key by key, aliases and sources added), replace (the record as given, as restoring a dump wants), skip (keep the stored record) or fail (refuse the import, naming them)")
	fs.StringVar(&delimiter, "delimiter", "", "CSV delimiter, such as ';' or tab (default: told from the header row: ',', ';' or tab)")
	fs.IntVar(&maxErrors, "max-errors", 100, "list at most this many errors (at most 1000); the rest are counted")
	fs.StringVar(&memoryLimit, "memory-limit", "1GiB", "soft memory limit of the Go heap while importing into --data, such as 1GiB; 0 turns it off (TIES_MEMORY_LIMIT; GOMEMLIMIT, when set, wins). An import holds a fixed 500 MiB or so and about 75 bytes per entity of its files (into a store that holds data, also about 110 bytes per id its relations name), up to an eighth of this limit, past which it sorts them on disk")
	tokenFlag(fs, &token, env)
	if err := parseFlags(fs, args, getenv, env); err != nil {
		return err
	}
	if err := setMemoryLimit(memoryLimit, getenv); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{"import needs at least one FILE (see ties help import)"}
	}
	if maxErrors < 1 {
		return usageError{"--max-errors must be at least 1"}
	}
	opts := exchange.ImportOptions{DryRun: dryRun, MaxErrors: maxErrors}
	var err error
	if opts.OnExisting, err = store.ParseOnExisting(onExisting); err != nil {
		return usageError{"--on-existing: " + store.ErrorMessage(err)}
	}
	if delimiter != "" {
		if opts.Decode.Delimiter, err = exchange.ParseDelimiter(delimiter); err != nil {
			return usageError{"--delimiter: " + store.ErrorMessage(err)}
		}
	}
	var f exchange.Format
	if format != "" {
		var err error
		if f, err = exchange.ParseImportFormat(format); err != nil {
			return usageError{err.Error()}
		}
	}
	var inputs []exchange.Input
	for _, name := range fs.Args() {
		in, cleanup, err := inputOf(name, f)
		defer cleanup()
		if err != nil {
			return err
		}
		inputs = append(inputs, in)
	}
	p := newProgressLine(stderr)
	if base != "" {
		return importRemote(ctx, base, token, inputs, opts, p, stdout, stderr)
	}
	return importLocal(ctx, loc, inputs, opts, p, stdout, stderr)
}

// inputOf returns the Input of a file argument; "-" spools standard input
// to a temporary file, since a load reads its input twice.
func inputOf(name string, f exchange.Format) (exchange.Input, func(), error) {
	if name != "-" {
		in, err := exchange.FileInput(name, f)
		if err != nil {
			return in, func() {}, importError(err)
		}
		return in, func() {}, nil
	}
	if f == "" {
		return exchange.Input{}, func() {}, usageError{"reading standard input needs --format"}
	}
	return exchange.Spool(os.Stdin, "", "stdin", f, 0)
}

// importError makes an unreadable format a usage error; other errors, such
// as a missing file, stay as they are.
func importError(err error) error {
	var se *store.Error
	if errors.As(err, &se) {
		return usageError{se.Error()}
	}
	return err
}

func importLocal(ctx context.Context, loc location, inputs []exchange.Input, opts exchange.ImportOptions, p *progressLine, stdout, stderr io.Writer) error {
	dryRun := opts.DryRun
	fd, err := watchTarget(loc)
	if err != nil {
		return err
	}
	st, err := loc.open(ctx, store.Options{SyncWrites: true})
	if err != nil {
		return inUse(err, loc.data, ": import through it with --url http://HOST:PORT, or stop it first")
	}
	// An import that writes nothing into a new directory (refused, or a
	// dry run) leaves the directory as it found it.
	wrote := false
	defer func() {
		st.Close()
		if !wrote {
			fd.undo()
		}
	}()
	start := time.Now()
	opts.Principal, opts.Progress = store.PrincipalCLI, p.update
	res, err := exchange.Import(ctx, st, inputs, opts)
	p.done()
	if err != nil {
		return reportErrors(err, dryRun, stderr)
	}
	wrote = !dryRun
	fmt.Fprintln(stdout, summary(dryRun, names(inputs), res.EntityTypes, res.RelationTypes, res.Entities, res.Relations, time.Since(start)))
	printReport(stdout, dryRun, exchange.ReportOf(res.Report))
	return nil
}

// reportErrors prints every input error on its own line and returns the
// error that sets the exit status.
func reportErrors(err error, dryRun bool, stderr io.Writer) error {
	var es store.Errors
	if !errors.As(err, &es) {
		return fmt.Errorf("import: %w", err)
	}
	listed := es.Listed()
	for _, e := range listed {
		fmt.Fprintln(stderr, e.Error())
	}
	n := countErrors(es.Total())
	if es.Total() > len(listed) {
		n = fmt.Sprintf("%s, the first %d listed (--max-errors, at most %d)", n, len(listed), store.MaxLoadErrors)
	}
	if dryRun {
		return fmt.Errorf("the files are not valid: %s", n)
	}
	return fmt.Errorf("nothing was imported: %s", n)
}

func countErrors(n int) string {
	return counted(int64(n), "error", "errors")
}

// counted writes n with thousands separators and the noun that goes with
// it: "1 relation", "2 relations", "0 entity types".
func counted(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}

func names(inputs []exchange.Input) string {
	ns := make([]string, len(inputs))
	for i, in := range inputs {
		ns[i] = in.Name
	}
	return exchange.LoadName(ns)
}

// summary is the one line an import prints when it succeeds.
func summary(dryRun bool, files string, entityTypes, relationTypes, entities, relations int, d time.Duration) string {
	verb := "imported"
	if dryRun {
		verb = "dry run: valid, nothing written:"
	}
	records := entities + relations
	rate := ""
	if d > 0 && records > 0 {
		rate = fmt.Sprintf(", %s records/s", thousands(int64(float64(records)/d.Seconds())))
	}
	types := ""
	if entityTypes+relationTypes > 0 {
		types = fmt.Sprintf(", %s, %s", counted(int64(entityTypes), "entity type", "entity types"), counted(int64(relationTypes), "relation type", "relation types"))
	}
	return fmt.Sprintf("%s %s: %s, %s%s in %s%s",
		verb, files, counted(int64(entities), "entity", "entities"), counted(int64(relations), "relation", "relations"), types, d.Round(time.Millisecond), rate)
}

// thousands writes n with thousands separators: 1,234,567.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// importRemote streams the files to the service's import endpoint, which
// loads them together, all or nothing, as a local import does.
func importRemote(ctx context.Context, base, token string, inputs []exchange.Input, opts exchange.ImportOptions, p *progressLine, stdout, stderr io.Writer) error {
	dryRun := opts.DryRun
	c, err := exchange.NewClient(base, nil)
	if err != nil {
		return usageError{"--url: " + store.ErrorMessage(err)}
	}
	c = c.WithToken(token)
	for _, in := range inputs {
		if in.Format == "" {
			if _, err := exchange.DetectFormat(in.Name); err != nil {
				return usageError{err.Error()}
			}
		}
	}
	start := time.Now()
	opts.Progress = p.update
	r, err := c.Import(ctx, inputs, opts)
	p.done()
	var es store.Errors
	switch {
	case errors.As(err, &es) && store.ErrorCode(err) != store.Unauthenticated && store.ErrorCode(err) != store.Forbidden:
		return reportErrors(es, dryRun, stderr)
	case err != nil:
		return fmt.Errorf("import %s: %w", names(inputs), refusalHint(base, token, err))
	}
	fmt.Fprintln(stdout, summary(dryRun, names(inputs), r.EntityTypes, r.RelationTypes, r.Entities, r.Relations, time.Since(start)))
	printReport(stdout, dryRun, r.Report)
	return nil
}

// progressLine draws one self-overwriting status line on a terminal, at
// most five times a second, and nothing at all when w is not one.
type progressLine struct {
	w     io.Writer
	on    bool
	mu    sync.Mutex
	start time.Time
	last  time.Time
	drawn bool
}

func newProgressLine(w io.Writer) *progressLine {
	return &progressLine{w: w, on: isTerminal(w), start: time.Now()}
}

func (p *progressLine) update(pr exchange.Progress) {
	if pr.Pass == 0 {
		p.draw(fmt.Sprintf("uploading  %3.0f%%", 100*pr.Done), pr.Done)
		return
	}
	phase := "validating"
	if pr.Pass >= 2 {
		phase = "writing"
	}
	line := fmt.Sprintf("%-10s %3.0f%%  %s records", phase, 100*pr.Done, thousands(pr.Records))
	if el := time.Since(p.start); el > time.Second && pr.Records > 0 {
		line += fmt.Sprintf("  %s records/s", thousands(int64(float64(pr.Records)/el.Seconds())))
	}
	p.draw(line, pr.Done)
}

func (p *progressLine) draw(line string, done float64) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if now.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last = now
	if el := now.Sub(p.start); done > 0.01 && done < 1 && el > time.Second {
		left := time.Duration(float64(el) * (1 - done) / done)
		line += "  ETA " + left.Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "\r\033[K%s", line)
	p.drawn = true
}

// done clears the status line.
func (p *progressLine) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}

// importHandler is the POST /import endpoint the service mounts.
func importHandler(st *store.Store, logger *slog.Logger, spoolDir string) http.Handler {
	return exchange.ImportHandlerSpooling(st, logger, spoolDir)
}

// uploadsDir is where a service spools uploads to POST /import: inside
// the data directory it holds alone, on the disk the free-space watch
// guards, and emptied at every start of the service, so that uploads a
// killed process left behind do not accumulate.
func uploadsDir(data string) string { return filepath.Join(data, "uploads") }

// resetUploads empties the uploads directory; the caller holds the data
// directory, so nothing else can be using it.
func resetUploads(data string) (string, error) {
	dir := uploadsDir(data)
	if err := os.RemoveAll(dir); err != nil {
		return "", fmt.Errorf("clear %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	return dir, nil
}
