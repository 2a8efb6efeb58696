package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/web"
)

// ServerConfig configures NewServer.
type ServerConfig struct {
	// Store is the graph the server answers from. Required.
	Store *store.Store
	// Logger receives errors and panics; nil discards them.
	Logger *slog.Logger
	// Limits bound every request; zero fields take DefaultLimits.
	Limits Limits
	// NoIntrospection refuses __schema and __type queries. Introspection
	// is on by default because the playground needs it.
	NoIntrospection bool
	// ReadOnly refuses mutations with a FORBIDDEN error, for a store
	// opened read-only.
	ReadOnly bool
	// LoaderWait is how long a dataloader collects keys before reading
	// them; 0 means 1ms.
	LoaderWait time.Duration
	// Export and Import, when set, are mounted at GET /export and
	// POST /import; Backup, when set, at GET /backup.
	Export http.Handler
	Import http.Handler
	Backup http.Handler
	// Access, when set, authenticates requests and checks their scopes:
	// read for queries and /export, write for mutations and /import,
	// admin for ontology definitions, API keys, /backup and /metrics.
	// Without it every client may do everything (tests, in-process use).
	Access *Access
	// CORSOrigins are the origins whose pages may call the API from the
	// browser; "*" is every origin, without credentials. Empty: none.
	CORSOrigins []string
	// MinBodyRate cuts off a client that sends its request body slower
	// than this, or takes an export or a backup slower; the zero value
	// means DefaultMinBodyRate, a negative Bytes turns the check off.
	MinBodyRate MinBodyRate
	// LoopbackOnly says the service listens on loopback addresses only;
	// it then answers only requests addressed to a loopback host or to
	// one of AllowedHosts (see guardHost), such as the name a reverse
	// proxy on the same machine forwards.
	LoopbackOnly bool
	AllowedHosts []string
	// SlowSubscriber is how long a subscription may leave a change
	// untaken before it is closed as too slow; 0 means
	// SlowSubscriberTimeout.
	SlowSubscriber time.Duration
}

// Server is the HTTP face of Ties: GraphiQL at /, the explorer at
// /explore, GraphQL at /query, /healthz and /readyz, and the export and
// import handlers it is given.
type Server struct {
	mux     *http.ServeMux
	handler http.Handler // mux, instrumented
	graphql http.Handler
	store   *store.Store
	logger  *slog.Logger
	metrics *serverMetrics
	// heavy is the queue of expensive queries, exports and backups; nil
	// when there is none.
	heavy *admission
}

// NewServer builds the server over cfg.Store. It panics when cfg.Store is
// nil, a wiring mistake.
func NewServer(cfg ServerConfig) *Server {
	if cfg.Store == nil {
		panic("graph.NewServer: nil store")
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	limits := cfg.Limits.withDefaults()
	wait := cfg.LoaderWait
	if wait <= 0 {
		wait = time.Millisecond
	}
	s := &Server{mux: http.NewServeMux(), store: cfg.Store, logger: logger, metrics: newServerMetrics()}
	s.handler = s.metrics.instrument(newCORS(cfg.CORSOrigins, answerMisses(s.mux)))
	rate := cfg.MinBodyRate
	if rate == (MinBodyRate{}) {
		rate = DefaultMinBodyRate
	}
	s.handler = enforceBodyRate(rate, s.handler)
	if cfg.LoopbackOnly {
		s.handler = guardHost(s.handler, cfg.AllowedHosts)
	}
	g := guard{store: cfg.Store, access: cfg.Access}
	// One admission for the expensive queries, exports and backups.
	var heavy *admission
	if limits.HeavyWorkers > 0 {
		heavy = newAdmission(limits.HeavyWorkers, max(0, limits.HeavyQueue))
	}
	s.heavy = heavy
	raw := newGraphQLHandler(cfg.Store, logger, limits, handlerOptions{
		introspection: !cfg.NoIntrospection, readOnly: cfg.ReadOnly, loaderWait: wait,
		countError: s.metrics.graphQLError, websocketInit: g.websocketInit, slowSubscriber: cfg.SlowSubscriber,
		admission: heavy,
	})
	s.graphql = withTimeout(limits.Timeout, raw)
	s.mux.Handle("/query", streams(raw, s.graphql, g))
	s.mux.HandleFunc("PUT /query", methodNotAllowed)
	s.mux.HandleFunc("PATCH /query", methodNotAllowed)
	s.mux.HandleFunc("DELETE /query", methodNotAllowed)
	s.mux.HandleFunc("HEAD /query", methodNotAllowed)
	pages, err := web.NewPages()
	if err != nil {
		panic(err) // the pages are embedded at build time
	}
	s.mux.Handle("GET /{$}", playgroundHandler(pages.Playground()))
	s.mux.Handle("GET /explore", pages.Explorer())
	s.mux.Handle("GET "+web.GraphiQLPath, pages.GraphiQLFiles())
	s.mux.Handle("GET "+web.UIPath, pages.UIFiles())
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writePlain(w, http.StatusOK, "ok\n")
	})
	s.mux.HandleFunc("GET /readyz", s.ready)
	s.mux.Handle("GET /metrics", g.require(store.ScopeAdmin, "GET /metrics", false, s.metrics.handler(cfg.Store)))
	if cfg.Export != nil {
		// The handlers answer other methods themselves, with 405 in JSON.
		s.mux.Handle("/export", g.require(store.ScopeRead, "an export", false,
			enforceSendRate(rate, logger, heavy.admitDownload("an export", limits.Timeout, exportWeight, cfg.Export))))
	}
	if cfg.Import != nil {
		s.mux.Handle("/import", g.require(store.ScopeWrite, "an import", false, cfg.Import))
	} else if cfg.ReadOnly {
		s.mux.Handle("/import", g.require(store.ScopeWrite, "an import", false, http.HandlerFunc(readOnlyImport)))
	}
	if cfg.Backup != nil {
		s.mux.Handle("/backup", g.require(store.ScopeAdmin, "a backup", false,
			enforceSendRate(rate, logger, heavy.admitDownload("a backup", limits.Timeout, backupWeight, cfg.Backup))))
	}
	return s
}

// ServeHTTP routes a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// handlerOptions are the switches of newGraphQLHandler.
type handlerOptions struct {
	introspection bool
	readOnly      bool
	loaderWait    time.Duration
	countError    func(code string) // nil: errors are not counted
	admission     *admission        // nil: one of the limits' size
	// websocketInit authenticates a subscription's websocket; nil lets
	// every one in.
	websocketInit transport.WebsocketInitFunc
	// slowSubscriber is ServerConfig.SlowSubscriber.
	slowSubscriber time.Duration
}

// newGraphQLHandler assembles gqlgen's server with explicit transports and
// extensions, in the order they must run: APQ fills in the query, the
// limiter checks the document before gqlgen parses and validates it, then
// checks arguments before the complexity limit is computed.
func newGraphQLHandler(st *store.Store, logger *slog.Logger, limits Limits, o handlerOptions) http.Handler {
	c := Config{Resolvers: &Resolver{store: st, slow: o.slowSubscriber}}
	costs(&c.Complexity, scanCosts{indexed: st.Indexed})
	srv := handler.New(NewExecutableSchema(c))
	srv.AddTransport(transport.Options{AllowedMethods: []string{"GET", "POST", "OPTIONS"}})
	srv.AddTransport(websocketTransport(o.websocketInit))
	srv.AddTransport(sseTransport()) // before httpTransport, which takes every POST
	p := presenter{logger: logger, timeout: limits.Timeout, count: o.countError}
	shapes := newShapeCache()
	heavy := o.admission
	if heavy == nil && limits.HeavyWorkers > 0 {
		heavy = newAdmission(limits.HeavyWorkers, max(0, limits.HeavyQueue))
	}
	answers := newAnswerBuffers() // one pool for every answer the transport writes
	direct := &directQuery{store: st, shapes: shapes, admission: heavy, answers: answers}
	srv.AddTransport(httpTransport{maxBody: limits.BodyBytes, buffers: answers, present: p.present, direct: direct})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	if on(limits.Tokens) {
		srv.SetParserTokenLimit(limits.Tokens)
	}
	srv.SetDisableSuggestion(true)
	srv.SetErrorPresenter(p.present)
	srv.SetRecoverFunc(p.recoverFunc)
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	srv.Use(newLimiter(limits, o.introspection, o.readOnly))
	srv.AroundResponses(logMutations(logger))
	srv.AroundResponses(collectWarnings)
	srv.AroundResponses(answerSubscriptionEnd(p.present))
	if o.introspection {
		srv.Use(extension.Introspection{})
	}
	if on(limits.Complexity) {
		srv.Use(newCostLimit(limits.Complexity))
	}
	finders := storeFinders(st)
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		return next(context.WithValue(ctx, loadersKey{}, newLazyLoaders(finders, o.loaderWait)))
	})
	srv.AroundOperations(atomicMutations(st))
	srv.AroundOperations(withSubscriptionEnd)
	srv.AroundRootFields(shapes.writeSubgraphHeads)
	srv.AroundFields(writeHeadsField)
	if heavy != nil {
		srv.AroundRootFields(heavy.around())
	}
	srv.AroundRootFields(headsDirect{store: st}.around) // inside admission
	return srv
}

// ready answers 200 when the store is open and answering, 503 otherwise.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if _, err := s.store.IsEmpty(ctx); err != nil {
		s.logger.WarnContext(ctx, "not ready", "error", err)
		writePlain(w, http.StatusServiceUnavailable, "store unavailable\n")
		return
	}
	writePlain(w, http.StatusOK, "ready\n")
}

// methodNotAllowed answers methods GraphQL over HTTP does not use.
func methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", "GET, POST, OPTIONS")
	writeHTTPError(w, mediaJSON, http.StatusMethodNotAllowed, codeBadRequest, r.Method+" is not supported; use GET or POST")
}

func writePlain(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// DefaultQuery is the query the playground opens with: Enschede's
// partners, with the evidence for each tie.
const DefaultQuery = `# Enschede's partners: every tie, since when, and on whose word.
# Press the play button (or Ctrl-Enter). The Docs tab lists every field.
{
  entity(id: "enschede") {
    name
    description
    relations(first: 50) {
      totalCount
      edges {
        node {
          type
          validFrom
          validTo
          sources { excerpt document { name } }
        }
        neighbor { id name type }
      }
    }
  }
}
`

// playgroundHandler serves GraphiQL (with its graph panel). GraphiQL
// reads its opening query from the page's URL, so a bare / redirects to
// one that carries DefaultQuery.
func playgroundHandler(page http.Handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery == "" {
			http.Redirect(w, r, "/?"+url.Values{"query": {DefaultQuery}}.Encode(), http.StatusFound)
			return
		}
		page.ServeHTTP(w, r)
	}
}

// Execute runs one GraphQL operation in process, without HTTP, and
// returns the JSON response as a client would see it (ties query uses
// it). It runs as store.PrincipalCLI, with every scope. The error is only for a response that cannot be produced; GraphQL
// errors are in the response.
func (s *Server) Execute(ctx context.Context, query string, variables map[string]any) (json.RawMessage, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": variables})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "/query", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", mediaJSON)
	req = req.WithContext(withIdentity(ctx, identity{name: store.PrincipalCLI, scope: store.ScopeAdmin}))
	rec := &recorder{header: http.Header{}}
	s.graphql.ServeHTTP(rec, req)
	return rec.body.Bytes(), nil
}

// recorder is the http.ResponseWriter of Execute.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(status int)      { r.status = status }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }

// guardHost refuses requests whose Host is not a loopback name, for a
// service that listens on loopback only. Such a service trusts whoever can
// reach it (anonymous writes are on by default there), and a web page
// could otherwise reach it through DNS rebinding: its own host name,
// re-pointed at 127.0.0.1, would make the browser send the page's
// requests here as same-origin. Real local clients name localhost or a
// loopback address.
func guardHost(next http.Handler, allowed []string) http.Handler {
	names := map[string]bool{}
	for _, h := range allowed {
		names[hostName(h)] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !loopbackHost(r.Host) && !names[hostName(r.Host)] {
			writePlain(w, http.StatusMisdirectedRequest, fmt.Sprintf(
				"this Ties listens on loopback only and answers requests for localhost, 127.0.0.1 or [::1], not for host %q (a reverse proxy that forwards its own host name: give ties serve --allowed-host with that name)\n", r.Host))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// loopbackHost reports whether the Host header names this machine's
// loopback: localhost (or a name under .localhost, which resolvers keep
// on loopback) or a loopback IP address, with or without a port.
func loopbackHost(hostport string) bool {
	host := hostName(hostport)
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// hostName is the host of a Host header, without port, brackets or a
// final dot, in lower case.
func hostName(hostport string) string {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	return strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
}
