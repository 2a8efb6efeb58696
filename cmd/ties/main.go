// Command ties is the Ties relationship knowledge graph: a GraphQL server
// over an embedded store, and the tools to import, export, back up and
// check it. Run "ties help" for the subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
)

func main() {
	err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
	case errors.As(err, new(usageError)):
		fmt.Fprintln(os.Stderr, "ties:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "ties:", err)
		os.Exit(1)
	}
}

// usageError is a mistake on the command line (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// run is the whole program: main only supplies the process's arguments,
// environment and streams, so that tests can run it in process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	if len(args) > 0 && isHelp(args[0]) {
		usage(stdout)
		return nil
	}
	if len(args) > 0 && (args[0] == "--version" || args[0] == "-version") {
		fmt.Fprintln(stdout, "ties", version())
		return nil
	}
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	// The subcommands that take flags, each reading its own.
	commands := map[string]func(context.Context, []string, func(string) string, io.Writer, io.Writer) error{
		"serve": runServe, "check": runCheck, "query": runQuery, "import": runImport,
		"export": runExport, "backup": runBackup, "restore": runRestore, "keys": runKeys,
		"copy": runCopy,
	}
	if sub, ok := commands[cmd]; ok {
		return sub(ctx, args, getenv, stdout, stderr)
	}
	switch cmd {
	case "version":
		fmt.Fprintln(stdout, "ties", version())
		return nil
	case "help":
		if len(args) > 0 {
			return run(ctx, []string{args[0], "--help"}, getenv, stdout, stderr)
		}
		usage(stdout)
		return nil
	default:
		usage(stderr)
		return usageError{fmt.Sprintf("unknown command %q", cmd)}
	}
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help":
		return true
	}
	return false
}

// usage prints the overview a newcomer reads first.
func usage(w io.Writer) {
	fmt.Fprint(w, `Ties: a relationship knowledge graph served over GraphQL.

Usage:
  ties [serve] [flags]        serve GraphQL, the playground and the explorer (the default)
  ties query [flags] QUERY    run one GraphQL query on the data directory, print JSON
  ties import [flags] FILE... import NDJSON, JSON node-link or CSV files
  ties export [flags]         export the graph (NDJSON, JSON, CSV, GraphML, GEXF, DOT)
  ties backup [flags]         back up a data directory, or a running service (--url)
  ties restore [flags]        restore a backup into an empty data directory
  ties check [flags]          verify every invariant of the store
  ties keys create|list|revoke  manage the API keys clients send as Bearer tokens
  ties copy --from X --to Y   copy a whole store between data directories and
                              PostgreSQL databases (--store postgres://...)
  ties version, ties --version  print the version
  ties help [COMMAND]         show this help, or a command's flags

Start here:
  ties                        serves ./ties-data on http://localhost:8080/;
                              the first run loads the founding data (the City
                              of Enschede's 2017 international report)
  open http://localhost:8080/ GraphiQL, with a first query about Enschede
  curl -s localhost:8080/query -H 'Content-Type: application/json' \
    -d '{"query":"{ entity(id:\"enschede\") { name degree } }"}'

Environment (a flag given wins over its variable):
  TIES_ADDR          listen address                     (default localhost:8080)
  TIES_ANONYMOUS     what clients without a key may do: none, read or write
                     (default write on localhost, none on a network)
  TIES_URL, TIES_TOKEN  the service and API key of the --url commands
  TIES_DATA          data directory                     (default ./ties-data)
  TIES_STORE         a postgres:// database to use instead of the directory
  TIES_NO_SEED       "true": start empty, no founding data
  TIES_LOG_FORMAT    text or json                       (default: text on a terminal)
  TIES_LOG_LEVEL     debug, info, warn or error         (default info)
  TIES_TIMEOUT       per-request timeout                (default 10s)
  TIES_HISTORY       how long asOf can look back        (default: as last
                     given for the directory, 720h at first)
  TIES_READ_ONLY     "true": serve an existing directory, no writes
  TIES_MEMORY_LIMIT  soft heap limit                    (default 900MiB; import 1GiB)
  TIES_MIN_FREE_DISK pause writes below this free space (default 512MiB)
  TIES_CACHE_SIZE    the read cache of records          (default 256MiB)
  TIES_CORS_ORIGIN, TIES_ALLOWED_HOST, TIES_TLS_CERT, TIES_TLS_KEY: browsers on
                     other origins, reverse proxies and HTTPS
  TIES_NO_INTROSPECTION, TIES_MAX_COMPLEXITY, TIES_MAX_DEPTH, TIES_MAX_TOKENS,
  TIES_MAX_FIELDS, TIES_MAX_ALIASES, TIES_MAX_BODY, TIES_MAX_FIRST,
  TIES_MAX_LIMIT, TIES_MAX_HOPS, TIES_MAX_CONNECTIONS: the request limits

Run "ties help serve" for every serve flag.
`)
}

// version returns the module version and VCS revision the binary was built
// from, as far as the build recorded them.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v
}

// newLogger returns the one logger of the process: text for people on a
// terminal, JSON for log collectors, unless format says otherwise.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usageError{fmt.Sprintf("invalid log level %q (use debug, info, warn or error)", level)}
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "":
		if isTerminal(w) {
			return slog.New(slog.NewTextHandler(w, opts)), nil
		}
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usageError{fmt.Sprintf("invalid log format %q (use text or json)", format)}
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// flagSet returns a FlagSet that reports errors instead of exiting and
// prints its usage to w: the synopsis, the flags, then help.
func flagSet(name, synopsis, help string, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(w)
	fs.Usage = func() {
		fmt.Fprintf(w, "Usage: ties %s\n\nFlags (a TIES_ variable named beside a flag sets it when the flag is not given):\n", synopsis)
		fs.PrintDefaults()
		fmt.Fprint(w, help)
	}
	return fs
}

// parseFlags parses args, then fills every flag not given on the command
// line from its environment variable (env maps flag names to variable
// names), so that flags win over the environment.
func parseFlags(fs *flag.FlagSet, args []string, getenv func(string) string, env map[string]string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	// The flag package stops at the first argument and reads what follows
	// as arguments too, so "ties import twins.ndjson --dry-run" looked for
	// a file called --dry-run. After "--" every argument is meant as one.
	ended := fs.NArg() < len(args) && args[len(args)-fs.NArg()-1] == "--"
	for i, a := range fs.Args() {
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !ended && i > 0 && strings.HasPrefix(a, "-") && name != "" && fs.Lookup(name) != nil {
			return usageError{fmt.Sprintf("%s comes after the argument %q: give flags before the arguments", a, fs.Arg(0))}
		}
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for name, variable := range env {
		v := getenv(variable)
		if given[name] || v == "" {
			continue
		}
		if err := fs.Set(name, v); err != nil {
			return usageError{fmt.Sprintf("%s=%q: %s", variable, v, want(fs.Lookup(name), err))}
		}
	}
	return nil
}

// want says what value a flag takes, for an environment variable that
// held something else: the flag package says only "parse error".
func want(f *flag.Flag, err error) string {
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return err.Error()
	}
	switch g.Get().(type) {
	case bool:
		return "want true or false (or 1 or 0)"
	case int, int64, uint, uint64:
		return "want a whole number"
	case time.Duration:
		return "want a duration such as 10s, 5m or 1h30m"
	case float64:
		return "want a number"
	}
	return err.Error()
}
