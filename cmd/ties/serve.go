package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/ties-graph/ties/graph"
	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/exchange"
	"github.com/ties-graph/ties/store/seed"
)

// serveConfig is what the serve flags say.
type serveConfig struct {
	addr            string
	loc             location
	noSeed          bool
	logFormat       string
	logLevel        string
	noIntrospection bool
	readOnly        bool
	history         time.Duration
	memoryLimit     string
	minFreeDisk     string
	limits          graph.Limits
	maxConnections  int
	shutdownGrace   time.Duration
}

// serveFlags declares the serve flags on fs and returns where they land,
// with the environment variable of each flag.
func serveFlags(fs *flag.FlagSet) (*serveConfig, map[string]string) {
	c := &serveConfig{limits: graph.DefaultLimits()}
	env := map[string]string{}
	str := func(p *string, name, def, variable, help string) {
		fs.StringVar(p, name, def, help+" ("+variable+")")
		env[name] = variable
	}
	boolean := func(p *bool, name, variable, help string) {
		fs.BoolVar(p, name, false, help+" ("+variable+")")
		env[name] = variable
	}
	integer := func(p *int, name, variable, help string) {
		fs.IntVar(p, name, *p, help+"; 0 or less turns it off ("+variable+")")
		env[name] = variable
	}
	dur := func(p *time.Duration, name, variable, help string) {
		fs.DurationVar(p, name, *p, help+" ("+variable+")")
		env[name] = variable
	}
	str(&c.addr, "addr", ":8080", "TIES_ADDR", "address to listen on")
	str(&c.loc.data, "data", "./ties-data", "TIES_DATA", "data directory (created if missing)")
	str(&c.loc.url, "store", "", "TIES_STORE", storeHelp)
	boolean(&c.noSeed, "no-seed", "TIES_NO_SEED", "leave a new data directory empty instead of loading the founding data")
	str(&c.logFormat, "log-format", "", "TIES_LOG_FORMAT", "log format, text or json (default text on a terminal, json otherwise)")
	str(&c.logLevel, "log-level", "info", "TIES_LOG_LEVEL", "log level: debug, info, warn or error")
	boolean(&c.noIntrospection, "no-introspection", "TIES_NO_INTROSPECTION", "refuse introspection queries (the playground needs them)")
	boolean(&c.readOnly, "read-only", "TIES_READ_ONLY", "open an existing data directory read-only: queries only, no mutations or imports")
	str(&c.memoryLimit, "memory-limit", "900MiB", "TIES_MEMORY_LIMIT", "soft memory limit of the Go heap, such as 900MiB or 2GiB; 0 turns it off (GOMEMLIMIT, when set, wins)")
	str(&c.minFreeDisk, "min-free-disk", "512MiB", "TIES_MIN_FREE_DISK", "pause writes (mutations and imports answer UNAVAILABLE) while the disk holding the data directory has less free than this; 0 turns the watch off")
	dur(&c.history, "history", "TIES_HISTORY", "how long old versions stay readable for asOf queries; negative = forever, 0 = as last given for this data directory (30 days at first)")
	dur(&c.limits.Timeout, "timeout", "TIES_TIMEOUT", "per-request timeout; 0 turns it off")
	integer(&c.limits.Complexity, "max-complexity", "TIES_MAX_COMPLEXITY", "most complexity of a query (list fields cost their children times first/limit)")
	integer(&c.limits.Depth, "max-depth", "TIES_MAX_DEPTH", "most nesting of a query's selections")
	integer(&c.limits.Tokens, "max-tokens", "TIES_MAX_TOKENS", "most lexical tokens of a query document")
	integer(&c.limits.Fields, "max-fields", "TIES_MAX_FIELDS", "most fields a query selects, fragments expanded")
	integer(&c.limits.Aliases, "max-aliases", "TIES_MAX_ALIASES", "most aliased fields in a query")
	integer(&c.limits.MaxFirst, "max-first", "TIES_MAX_FIRST", "largest first, k or samples argument")
	integer(&c.limits.MaxLimit, "max-limit", "TIES_MAX_LIMIT", "largest limit argument (neighborhood, allPaths)")
	integer(&c.limits.MaxHops, "max-hops", "TIES_MAX_HOPS", "largest depth or maxDepth argument of a traversal")
	c.maxConnections = 4096
	integer(&c.maxConnections, "max-connections", "TIES_MAX_CONNECTIONS", "most client connections held open at once; more are answered 503 with Retry-After and closed")
	fs.Int64Var(&c.limits.BodyBytes, "max-body", c.limits.BodyBytes, "largest request body in bytes; 0 or less turns it off (TIES_MAX_BODY)")
	env["max-body"] = "TIES_MAX_BODY"
	c.shutdownGrace = 30 * time.Second
	return c, env
}

// off turns the flags' "0 or less is off" into graph.Limits' "negative is
// off" (in Limits, zero means the default).
func off(l graph.Limits) graph.Limits {
	for _, p := range []*int{&l.Complexity, &l.Depth, &l.Tokens, &l.Fields, &l.Aliases, &l.MaxFirst, &l.MaxLimit, &l.MaxHops} {
		if *p <= 0 {
			*p = -1
		}
	}
	if l.BodyBytes <= 0 {
		l.BodyBytes = -1
	}
	if l.Timeout <= 0 {
		l.Timeout = -1
	}
	return l
}

// runServe serves GraphQL until ctx is done (SIGINT or SIGTERM), then
// finishes the requests in flight and closes the store.
func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flagSet("serve", "[serve] [flags]", stderr)
	c, env := serveFlags(fs)
	if err := parseFlags(fs, args, getenv, env); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("serve takes no arguments, got %q", fs.Args())}
	}
	logger, err := newLogger(stderr, c.logFormat, c.logLevel)
	if err != nil {
		return err
	}
	if err := setMemoryLimit(c.memoryLimit, getenv); err != nil {
		return err
	}
	minFree, err := parseBytes(c.minFreeDisk)
	if err != nil {
		return usageError{fmt.Sprintf("--min-free-disk: %v", err)}
	}

	// A database's disk is its operators' to watch: the space checks are
	// for a data directory.
	var spaceCheck func() error
	if !c.loc.postgres() {
		fresh, err := isFresh(c.loc.data)
		if err != nil {
			return err
		}
		if fresh && c.readOnly {
			return usageError{fmt.Sprintf("--read-only needs an existing data directory; %s is missing or empty", c.loc.data)}
		}
		if minFree > 0 && !fresh {
			// A disk already full at start: badger would crash again
			// replaying its log into new files, so serve reads only.
			if free, err := freeDisk(c.loc.data); err == nil && free < minFree && !c.readOnly {
				logger.Error("the disk holding the data directory is nearly full: serving read-only; free some space and restart for writes",
					"dir", c.loc.data, "free", free, "min", minFree)
				c.readOnly = true
			}
		}
		if minFree > 0 && !c.readOnly {
			spaceCheck = func() error { return checkFreeSpace(c.loc.data, minFree, freeDisk) }
		}
	}
	st, err := c.loc.open(ctx, store.Options{SyncWrites: true, HistoryRetention: c.history, Logger: logger, ReadOnly: c.readOnly, SpaceCheck: spaceCheck})
	if err != nil {
		return err
	}
	defer func() {
		if err := st.Close(); err != nil {
			logger.Error("close the store", "error", err)
		}
	}()
	if !c.noSeed && !c.readOnly {
		if err := loadSeed(ctx, st, logger); err != nil {
			return err
		}
	}
	if minFree > 0 && !c.readOnly && !c.loc.postgres() {
		watch := &diskWatch{dir: c.loc.data, min: minFree, free: freeDisk, st: st, log: logger}
		wctx, stopWatch := context.WithCancel(ctx)
		defer stopWatch()
		go watch.run(wctx, 10*time.Second)
	}

	var imports http.Handler
	if !c.readOnly {
		var spool string
		if c.loc.postgres() {
			// Several services share the database, not a directory:
			// uploads wait in a temporary directory of this one.
			if spool, err = os.MkdirTemp("", "ties-uploads-"); err != nil {
				return fmt.Errorf("create the uploads directory: %w", err)
			}
			defer os.RemoveAll(spool)
		} else if spool, err = resetUploads(c.loc.data); err != nil {
			return err
		}
		imports = importHandler(st, logger, spool)
	}
	srv := graph.NewServer(graph.ServerConfig{
		Store:           st,
		Logger:          logger,
		Limits:          off(c.limits),
		NoIntrospection: c.noIntrospection,
		ReadOnly:        c.readOnly,
		Export:          exportHandler(st, logger),
		Import:          imports,
		LoopbackOnly:    loopbackAddr(c.addr),
	})
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.addr, err)
	}
	ln = newCapListener(ln, c.maxConnections)
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		// No ReadTimeout: an upload may take as long as its size needs,
		// and the server cuts off a body slower than
		// graph.DefaultMinBodyRate instead. Exports stream whole graphs,
		// so the write timeout is generous; GraphQL requests are bounded
		// by the per-request timeout.
		WriteTimeout: 15 * time.Minute,
		IdleTimeout:  2 * time.Minute,
		ErrorLog:     slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("serving Ties", "playground", playgroundURL(ln.Addr()), "data", c.loc.name())

	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.shutdownGrace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// loopbackAddr reports whether a listen address binds loopback only
// (localhost:8080, 127.0.0.1:8080, [::1]:8080), not every interface.
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// playgroundURL is the address people open, with a loopback host when the
// server listens on every interface.
func playgroundURL(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return "http://" + a.String() + "/"
	}
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(tcp.Port)) + "/"
}

// loadSeed loads the founding data, all or nothing, into a store that was
// never written: a new directory, or one whose every write was rolled
// back, such as a first import killed half-way, or a first ties serve
// killed while loading the founding data. A store that ever held data is
// left alone, even when deletions emptied it.
func loadSeed(ctx context.Context, st *store.Store, logger *slog.Logger) error {
	never, err := st.NeverWritten(ctx)
	if err != nil {
		return fmt.Errorf("load the founding data: %w", err)
	}
	if !never {
		return nil
	}
	src, err := exchange.NewSource(exchange.Input{
		Name:   seed.FileName,
		Format: exchange.NDJSON,
		Open:   func() (io.ReadCloser, error) { return io.NopCloser(seed.Reader()), nil },
	}, exchange.DecodeOptions{})
	if err != nil {
		return fmt.Errorf("load the founding data: %w", err)
	}
	res, err := st.Load(ctx, src, store.LoadOptions{Source: seed.FileName})
	if err != nil {
		return fmt.Errorf("load the founding data: %w", err)
	}
	logger.Info("loaded the founding data", "entities", res.Entities, "relations", res.Relations)
	return nil
}

// setMemoryLimit applies --memory-limit as the Go runtime's soft memory
// limit, unless GOMEMLIMIT is set. Without one the heap grows to twice the
// live data between collections, and a service over a million relations
// peaked at 1.5 GiB resident; with 900MiB it stays under 1 GiB at the cost
// of more frequent collections under load (BENCHMARKS.md).
func setMemoryLimit(limit string, getenv func(string) string) error {
	if getenv("GOMEMLIMIT") != "" {
		return nil
	}
	n, err := parseBytes(limit)
	if err != nil {
		return usageError{fmt.Sprintf("--memory-limit: %v", err)}
	}
	if n > 0 {
		debug.SetMemoryLimit(n)
	}
	return nil
}

// parseBytes reads a size such as 900MiB, 2GiB, 512KiB or 1048576.
func parseBytes(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}
	mult := int64(1)
	num := s
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			num, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("%q is not a size such as 900MiB, 2GiB or 0", s)
	}
	return n * mult, nil
}
