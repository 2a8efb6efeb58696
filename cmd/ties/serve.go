package main

import (
	"context"
	"crypto/tls"
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
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
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
	cacheSize       string
	limits          graph.Limits
	maxConnections  int
	shutdownGrace   time.Duration
	anonymous       string
	corsOrigins     stringList
	allowedHosts    stringList
	tlsCert         string
	tlsKey          string
	keyUseEvery     time.Duration
}

// stringList is a repeatable flag; its environment variable separates the
// values with commas.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
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
	str(&c.addr, "addr", "localhost:8080", "TIES_ADDR", "address to listen on; localhost serves this machine only, :8080 every network interface")
	str(&c.anonymous, "anonymous", "", "TIES_ANONYMOUS", "what clients without an API key may do: none, read or write (default write when listening on loopback only, none otherwise)")
	fs.Var(&c.corsOrigins, "cors-origin", "an origin whose pages may call the API from the browser, such as https://dash.example.org; repeat it for several; * allows every origin, only while --anonymous is read or none (TIES_CORS_ORIGIN, comma-separated)")
	env["cors-origin"] = "TIES_CORS_ORIGIN"
	fs.Var(&c.allowedHosts, "allowed-host", "on a loopback address, also answer requests for this host name, such as the one a reverse proxy on this machine forwards; repeat it for several (TIES_ALLOWED_HOST, comma-separated)")
	env["allowed-host"] = "TIES_ALLOWED_HOST"
	str(&c.tlsCert, "tls-cert", "", "TIES_TLS_CERT", "serve HTTPS with this PEM certificate (chain) file; needs --tls-key")
	str(&c.tlsKey, "tls-key", "", "TIES_TLS_KEY", "the PEM private key of --tls-cert")
	str(&c.loc.data, "data", "./ties-data", "TIES_DATA", "data directory (created if missing)")
	str(&c.loc.url, "store", "", "TIES_STORE", storeHelp)
	boolean(&c.noSeed, "no-seed", "TIES_NO_SEED", "leave a new data directory empty instead of loading the founding data")
	str(&c.logFormat, "log-format", "", "TIES_LOG_FORMAT", "log format, text or json (default text on a terminal, json otherwise)")
	str(&c.logLevel, "log-level", "info", "TIES_LOG_LEVEL", "log level: debug, info, warn or error")
	boolean(&c.noIntrospection, "no-introspection", "TIES_NO_INTROSPECTION", "refuse introspection queries (the playground needs them)")
	boolean(&c.readOnly, "read-only", "TIES_READ_ONLY", "open an existing data directory read-only: queries only, no mutations or imports")
	str(&c.memoryLimit, "memory-limit", "900MiB", "TIES_MEMORY_LIMIT", "soft memory limit of the Go heap, such as 900MiB or 2GiB; 0 turns it off (GOMEMLIMIT, when set, wins)")
	str(&c.cacheSize, "cache-size", fmt.Sprintf("%dMiB", store.DefaultCacheSize>>20), "TIES_CACHE_SIZE", "memory for the read cache of records and adjacency that traversals read, such as 256MiB or 2GiB; 0 turns it off (size it to what the queries read: ties_read_cache_evictions_total rising with fills says it is too small)")
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
	c.keyUseEvery = time.Minute
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
	fs := flagSet("serve", "[serve] [flags]", "", stderr)
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
	cacheSize, err := parseBytes(c.cacheSize)
	if err != nil {
		return usageError{fmt.Sprintf("--cache-size: %v", err)}
	}
	if limit := debug.SetMemoryLimit(-1); cacheSize > limit/2 {
		// The collector would run all the time to keep the heap, cache
		// included, under the soft limit.
		logger.Warn("the read cache takes more than half the memory limit; raise --memory-limit with it", "cache-size", c.cacheSize, "memory-limit", limit)
	}
	if cacheSize == 0 {
		cacheSize = -1 // off; store.Options' zero is its default
	}
	tlsConfig, err := loadTLS(c.tlsCert, c.tlsKey)
	if err != nil {
		return err
	}
	// Listen before anything touches the data directory: a port in use
	// is the commonest mistake, and it must not cost a seeded directory
	// or a long open.
	ln, err := listen(c.addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	anonymous, err := anonymousScope(c.anonymous, ln.Addr())
	if err != nil {
		return err
	}
	if slices.Contains(c.corsOrigins, "*") && anonymous >= store.ScopeWrite {
		return usageError{"--cors-origin '*' would let any web page write through its visitors' browsers: list the origins, or give --anonymous read or none"}
	}

	// Serve at once: opening a directory after a kill -9 during a large
	// import replays badger's log and rolls the import back, which takes
	// seconds. Until the store is open, /healthz answers and everything
	// else says the service is starting (503 with Retry-After), so that a
	// load balancer or a client can tell "coming" from "gone".
	ln = graph.AnswerListener(newCapListener(ln, c.maxConnections))
	handler := &switchHandler{}
	handler.set(startingHandler())
	hs := &http.Server{
		TLSConfig:         tlsConfig,
		Handler:           handler,
		ConnContext:       graph.AnswerConnContext,
		ReadHeaderTimeout: 10 * time.Second,
		// No ReadTimeout: an upload may take as long as its size needs,
		// and the server cuts off a body slower than
		// graph.DefaultMinBodyRate instead. Exports and backups move
		// their own write deadline by the same minimum rate; GraphQL
		// requests are bounded by the per-request timeout.
		WriteTimeout: 15 * time.Minute,
		IdleTimeout:  2 * time.Minute,
		ErrorLog:     slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			served <- hs.ServeTLS(ln, "", "")
			return
		}
		served <- hs.Serve(ln)
	}()
	// On every early return the store is not in the handler yet; the
	// server stops after the store has closed.
	defer hs.Close()
	base := playgroundURL(ln.Addr(), tlsConfig != nil)
	logger.Info("listening; opening the data directory", "playground", base, "data", c.loc.name())

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
	st, err := c.loc.open(ctx, store.Options{SyncWrites: true, HistoryRetention: c.history, Logger: logger, ReadOnly: c.readOnly, SpaceCheck: spaceCheck, CacheSize: cacheSize})
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
		Backup:          exchange.BackupHandler(st, logger),
		Access:          &graph.Access{Anonymous: anonymous},
		CORSOrigins:     c.corsOrigins,
		LoopbackOnly:    loopbackOnly(ln.Addr()),
		AllowedHosts:    c.allowedHosts,
	})
	if err := logAccess(ctx, logger, st, anonymous, c.readOnly, ln.Addr(), c.loc.name()); err != nil {
		return err
	}
	kctx, stopKeyUse := context.WithCancel(ctx)
	defer stopKeyUse()
	go saveKeyUse(kctx, st, logger, c.keyUseEvery)
	handler.set(srv)
	logger.Info("serving Ties", "playground", base, "explorer", base+"explore", "data", c.loc.name())

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
	stopKeyUse()
	if err := st.SaveAPIKeyUse(context.WithoutCancel(ctx)); err != nil {
		logger.Warn("save the last use of API keys", "error", err)
	}
	logger.Info("stopped")
	return nil
}

// switchHandler serves through the handler last set: the starting page
// while the store opens, the service once it is.
type switchHandler struct{ h atomic.Pointer[http.Handler] }

func (s *switchHandler) set(h http.Handler) { s.h.Store(&h) }

func (s *switchHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	(*s.h.Load()).ServeHTTP(w, r)
}

// startingHandler answers while the data directory opens: /healthz is
// up, everything else is 503 with Retry-After, as GraphQL JSON on /query
// so that a client shows the reason.
func startingHandler() http.Handler {
	const msg = "Ties is starting: the data directory is being opened (after an unclean stop this includes recovery); retry in a few seconds"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			io.WriteString(w, "ok\n")
			return
		}
		w.Header().Set("Retry-After", "2")
		w.Header().Set("Cache-Control", "no-store")
		if r.URL.Path == "/query" {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, `{"errors":[{"message":%q,"extensions":{"code":"UNAVAILABLE"}}]}`+"\n", msg)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, msg+"\n")
	})
}

// playgroundURL is the address people open, with a loopback host when the
// server listens on every interface.
func playgroundURL(a net.Addr, https bool) string {
	scheme := "http://"
	if https {
		scheme = "https://"
	}
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return scheme + a.String() + "/"
	}
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		host = "localhost"
	}
	return scheme + net.JoinHostPort(host, fmt.Sprint(tcp.Port)) + "/"
}

// listen opens the listening socket, saying which flag or variable to
// change when the port is taken.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("cannot listen on %s: the port is in use by another program (another ties serve?); choose another with --addr or TIES_ADDR, such as --addr localhost:8081", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s (set --addr or TIES_ADDR): %w", addr, err)
	}
	return ln, nil
}

// loopbackOnly reports whether a listener serves this machine only.
func loopbackOnly(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// anonymousScope reads --anonymous; left empty, it is write on a loopback
// bind (one person on one machine, two commands to start) and none on a
// network, as PostgreSQL listens on localhost until told otherwise.
func anonymousScope(flag string, addr net.Addr) (store.Scope, error) {
	if flag == "" {
		if loopbackOnly(addr) {
			return store.ScopeWrite, nil
		}
		return store.ScopeNone, nil
	}
	s, err := store.ParseScope(flag)
	if err != nil || s > store.ScopeWrite {
		return 0, usageError{fmt.Sprintf("--anonymous %q: use none, read or write", flag)}
	}
	return s, nil
}

// logAccess says at start who may do what, and how to get a first key
// when nobody can do anything yet. A read-only service lets nobody write,
// so it says so rather than the write its anonymous scope would allow.
func logAccess(ctx context.Context, logger *slog.Logger, st *store.Store, anonymous store.Scope, readOnly bool, addr net.Addr, data string) error {
	keys, err := st.APIKeys(ctx)
	if err != nil {
		return fmt.Errorf("read the API keys: %w", err)
	}
	where := "this machine only"
	if !loopbackOnly(addr) {
		where = "the network"
	}
	if readOnly {
		anonymous = min(anonymous, store.ScopeRead)
	}
	logger.Info("access", "serves", where, "anonymous", anonymous.String(), "readOnly", readOnly, "apiKeys", len(keys))
	if anonymous == store.ScopeNone {
		msg := "anonymous clients have no access: every request needs an API key (Authorization: Bearer TOKEN)"
		if len(keys) == 0 {
			logger.Warn(msg + "; there is none yet: stop the service and create the first with: ties keys create --data " + data + " --name admin --scope admin")
		} else {
			logger.Info(msg + "; an admin creates more with: ties keys create --url URL --name NAME --scope read|write|admin")
		}
	}
	return nil
}

// saveKeyUse stores the last use of the API keys every so often, so that
// ties keys list shows it across restarts without a write per request.
func saveKeyUse(ctx context.Context, st *store.Store, logger *slog.Logger, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := st.SaveAPIKeyUse(ctx); err != nil && ctx.Err() == nil {
				logger.Warn("save the last use of API keys", "error", err)
			}
		}
	}
}

// loadTLS reads the certificate and key of --tls-cert and --tls-key, so
// that a mistake in either shows before anything starts.
func loadTLS(cert, key string) (*tls.Config, error) {
	if cert == "" && key == "" {
		return nil, nil
	}
	if cert == "" || key == "" {
		return nil, usageError{"--tls-cert and --tls-key go together"}
	}
	pair, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		return nil, usageError{fmt.Sprintf("--tls-cert/--tls-key: %v", err)}
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}, nil
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
	src, err := exchange.NewSource(exchange.BytesInput(seed.FileName, exchange.NDJSON, seed.NDJSON()), exchange.DecodeOptions{})
	if err != nil {
		return fmt.Errorf("load the founding data: %w", err)
	}
	res, err := st.Load(ctx, src, store.LoadOptions{Source: seed.FileName, Principal: store.PrincipalCLI, OnExisting: store.OnExistingReplace})
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
