// Command tiesbench measures Ties side by side with the systems teams use
// instead, on one generated graph, and drives load against a running
// server. See BENCHMARKS.md for the figures it produced and how.
//
//	tiesbench gen       write a generated graph as NDJSON (for ties import)
//	tiesbench compare   load one graph into Ties, PostgreSQL and an
//	                    in-memory adjacency array; run the same queries on each
//	tiesbench load      HTTP load against a running `ties serve`
//	tiesbench import    measure bulk import throughput and peak memory
//	tiesbench export    measure export throughput and peak memory
//
// It only ever talks to loopback addresses, bounds every loop in count and
// time, and stops every server it starts, also when interrupted.
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
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "tiesbench:", err)
		os.Exit(1)
	}
}

const usage = `tiesbench measures Ties side by side with PostgreSQL and an in-memory
adjacency array, on one seeded generated graph.

Usage:
  tiesbench gen     --relations N --seed S -o FILE.ndjson[.gz]
  tiesbench compare --relations N --seed S [--queries Q] [--systems LIST] [--json FILE]
  tiesbench load    --url http://127.0.0.1:8080/query --concurrency 1,16 --duration 10s --query entity
  tiesbench import  --relations N --seed S [--data DIR]
  tiesbench export  --data DIR [--format ndjson]

Run "tiesbench COMMAND -h" for the flags of a command. BENCHMARKS.md has
the figures and the commands that made them.
`

// run dispatches to the subcommands; it is main without the process
// globals, so tests can call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "gen":
		return runGen(ctx, rest, stdout, stderr, log)
	case "compare":
		return runCompare(ctx, rest, getenv, stdout, stderr, log)
	case "load":
		return runLoad(ctx, rest, stdout, stderr, log)
	case "import", "import-bench":
		return runImport(ctx, rest, stdout, stderr, log)
	case "export", "export-bench":
		return runExport(ctx, rest, stdout, stderr, log)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
