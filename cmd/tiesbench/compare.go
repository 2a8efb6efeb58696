package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/ties-graph/ties/store/gen"
)

// system is one way of answering the benchmark queries. Both methods
// return the size of their answer so that the systems can be checked
// against each other: the number of distinct entities within depth hops
// (the start included), and the length of a shortest path (-1 for none).
type system interface {
	Name() string
	Neighborhood(ctx context.Context, id string, depth int) (int, error)
	ShortestPath(ctx context.Context, from, to string, maxDepth int) (int, error)
	Close() error
}

// relationCounter is a system whose neighbourhoods can hold the
// relations among their nodes (the induced subgraph, as Ties' edges and
// nodeLink return it). lastRelations returns how many the answer of the
// last Neighborhood call held, and false when it held none by design.
// The comparison checks these counts against each other as it checks
// node counts against the floor.
type relationCounter interface {
	lastRelations() (int, bool)
}

// queryKind is one row of the comparison.
type queryKind struct {
	Name  string
	Depth int // neighbourhood depth; 0 for the shortest path
}

var queryKinds = []queryKind{
	{"1-hop", 1},
	{"depth-2", 2},
	{"depth-3", 3},
	{"shortest path", 0},
}

// allSystems lists the systems compare knows, in the order it runs them:
// the Ties ones share one loaded store, so they come first.
var allSystems = []string{"ties", "ties-heads", "ties-reader", "ties-http", "ties-http-nodes", "ties-http-edges", "ties-http-edge-ids", "ties-http-nodelink", "memory", "postgres", "postgres-edges", "ties-pg", "ties-pg-http"}

type compareOptions struct {
	cfg          gen.Config
	queries      int
	warmup       int
	warmSame     bool
	systems      []string
	jsonOut      string
	limit        int
	maxDepth     int
	queryTimeout time.Duration
	timeout      time.Duration
	dataDir      string
	keep         bool
	pgBin        string
	pgShared     string
	cpuProfile   string
	explain      bool
	loadVia      string
	batch        int
	tiesURL      string
	tiesPid      int
	cacheMiB     int
}

func runCompare(ctx context.Context, args []string, _ func(string) string, stdout, stderr io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o compareOptions
	cfg := graphFlags(fs)
	fs.IntVar(&o.queries, "queries", 200, "timed queries per query kind and system, from random starts; in process the in-memory floor reads the rows of 200 starts from the CPU's caches and those of 2,000 from memory (BENCHMARKS.md): say which was run")
	fs.IntVar(&o.warmup, "warmup", 20, "untimed queries per kind before timing (other start entities)")
	fs.BoolVar(&o.warmSame, "warm", true, "also run every timed query once, untimed, before timing it, so every system is measured with warm caches")
	systems := fs.String("systems", strings.Join(allSystems, ","), "comma-separated systems to run: "+strings.Join(allSystems, ", "))
	fs.StringVar(&o.jsonOut, "json", "", "also write every figure as JSON to this file")
	fs.IntVar(&o.limit, "limit", 100_000, "node cap of a neighbourhood (Ties' limit argument); truncated answers are flagged")
	fs.IntVar(&o.maxDepth, "max-depth", 6, "most relations on a shortest path")
	fs.DurationVar(&o.queryTimeout, "query-timeout", 30*time.Second, "give up on one query after this long")
	fs.DurationVar(&o.timeout, "timeout", 3*time.Hour, "give up on the whole run after this long")
	fs.StringVar(&o.dataDir, "data", "", "Ties data directory to load into (default: a temporary one, removed after)")
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary Ties and PostgreSQL directories")
	fs.StringVar(&o.pgBin, "pg-bin", "", "directory with initdb and postgres (default: newest /usr/lib/postgresql/*/bin)")
	fs.StringVar(&o.pgShared, "pg-shared-buffers", "512MB", "PostgreSQL shared_buffers")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the Ties phases (the store in process and the in-process GraphQL server) to this file")
	fs.StringVar(&o.loadVia, "ties-load", "load", "how Ties loads the graph: load (Store.Load, the bulk path of ties import), apply (Store.Apply in batches), or none (--data already holds it, e.g. from tiesbench import)")
	fs.IntVar(&o.batch, "batch", 10_000, "records per Store.Apply with --ties-load apply")
	fs.StringVar(&o.tiesURL, "ties-url", "", "run the ties-http systems against this running server (loopback; it must hold the same generated graph) instead of an in-process one")
	fs.IntVar(&o.tiesPid, "ties-pid", 0, "process id of the --ties-url server, to report its peak resident set")
	fs.IntVar(&o.cacheMiB, "cache-mib", 0, "size of Ties' read cache in MiB (store.Options.CacheSize); 0 keeps the store's default of 256")
	fs.BoolVar(&o.explain, "explain", false, "print PostgreSQL's EXPLAIN ANALYZE of one query of each kind")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `Usage: tiesbench compare --relations N --seed S [flags]    (N defaults to 100k)

Generates one graph, loads it into each system (timing the load), runs the
same seeded random queries on each (1-hop, depth-2 and depth-3
neighbourhoods from random entities, shortest paths between random pairs;
relations followed in both directions) and prints median and p99 latency
per query and system as a Markdown table, with the ratios Ties/in-memory
(in process) and Ties-HTTP/PostgreSQL (both over loopback from this
program). Every answer is checked against the in-memory floor.

Systems:
  ties                the store API in process (Store.Neighborhood, connect.ShortestPath)
  ties-heads          Store.NeighborhoodHeads in process (ids, names, types)
  ties-reader         breadth-first search over Reader.Expand, no bodies read
  ties-http           GraphQL over loopback HTTP, typed nodes { id }
  ties-http-nodes     GraphQL over loopback HTTP, nodes { id name type }
  ties-http-edges     GraphQL over loopback HTTP, nodes { id } edges { fromId toId type }
  ties-http-edge-ids  GraphQL over loopback HTTP, nodes { id } edges { id fromId toId type }
  ties-http-nodelink  GraphQL over loopback HTTP, the nodeLink JSON field
  memory              a CSR adjacency array in Go (the floor)
  postgres            a throwaway PostgreSQL cluster, recursive CTEs via pgx
  postgres-edges      the same cluster, the node ids and the relations among
                      them (src, dst, type): the answer of ties-http-edges
  ties-pg             the store API in process, on the PostgreSQL backend
                      (its own throwaway cluster, the same settings)
  ties-pg-http        GraphQL over loopback HTTP on the PostgreSQL backend

Flags:`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.cfg = *cfg
	if o.cfg.Relations == 0 {
		o.cfg.Relations = 100_000
	}
	if err := o.cfg.Validate(); err != nil {
		return err
	}
	for _, s := range strings.Split(*systems, ",") {
		s = strings.TrimSpace(s)
		if !slices.Contains(allSystems, s) {
			return fmt.Errorf("unknown system %q (have %s)", s, strings.Join(allSystems, ", "))
		}
		o.systems = append(o.systems, s)
	}
	if o.queries < 1 || o.queries > 100_000 {
		return errors.New("--queries must be between 1 and 100000")
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	rep, err := compare(ctx, log, o, stderr)
	if rep != nil {
		writeMarkdown(stdout, rep)
		if o.jsonOut != "" {
			b, _ := json.MarshalIndent(rep, "", "  ")
			if werr := os.WriteFile(o.jsonOut, append(b, '\n'), 0o644); werr != nil && err == nil {
				err = werr
			}
		}
	}
	return err
}

// workload is the seeded random queries every system answers.
type workload struct {
	starts, warmStarts []string
	pairs, warmPairs   [][2]string
}

func newWorkload(p *gen.Plan, seed int64, n, warm int) workload {
	r := rand.New(rand.NewPCG(uint64(seed), 0x7175657279))
	entity := func() string { return p.EntityID(r.IntN(p.Entities)) }
	var w workload
	for i := 0; i < n; i++ {
		w.starts = append(w.starts, entity())
		w.pairs = append(w.pairs, [2]string{entity(), entity()})
	}
	for i := 0; i < warm; i++ {
		w.warmStarts = append(w.warmStarts, entity())
		w.warmPairs = append(w.warmPairs, [2]string{entity(), entity()})
	}
	return w
}

// Report holds every figure of a comparison.
type Report struct {
	Date       time.Time         `json:"date"`
	Machine    Machine           `json:"machine"`
	Graph      gen.Config        `json:"graph"`
	Entities   int               `json:"entities"`
	Queries    int               `json:"queries"`
	Warmup     int               `json:"warmup"`
	WarmSame   bool              `json:"warm_same"`
	Limit      int               `json:"limit"`
	MaxDepth   int               `json:"max_depth"`
	Systems    []SystemReport    `json:"systems"`
	TiesLoad   time.Duration     `json:"ties_load_ns,omitempty"`
	TiesPGLoad time.Duration     `json:"ties_pg_load_ns,omitempty"` // the load into Ties on PostgreSQL
	ServerRSS  int64             `json:"ties_server_peak_rss_bytes,omitempty"`
	TiesRSS    int64             `json:"ties_peak_rss_bytes,omitempty"`
	TiesDisk   int64             `json:"ties_disk_bytes,omitempty"`
	PGDisk     int64             `json:"postgres_disk_bytes,omitempty"`
	PGRSS      int64             `json:"postgres_rss_bytes,omitempty"`
	CSRBytes   int64             `json:"memory_bytes,omitempty"`
	Explain    map[string]string `json:"postgres_explain,omitempty"`
	LoadAvgEnd string            `json:"loadavg_end"`
	Elapsed    time.Duration     `json:"elapsed_ns"`
}

// SystemReport is one column of the comparison.
type SystemReport struct {
	Name    string                 `json:"name"`
	Load    time.Duration          `json:"load_ns,omitempty"`
	Queries map[string]QueryReport `json:"queries"`
	Skipped string                 `json:"skipped,omitempty"`
}

// QueryReport is one cell: latency, answer sizes and the cross-check.
type QueryReport struct {
	summary
	MedianResult int    `json:"median_result"`
	Errors       int    `json:"errors"`
	Truncated    int    `json:"truncated"`
	Mismatches   int    `json:"mismatches"` // answers that differ from the in-memory floor
	FirstError   string `json:"first_error,omitempty"`
	// MedianRelations and RelationMismatches are those of the systems
	// whose answers hold the relations among the nodes (relationCounter):
	// the median count, and the answers whose count differs from the
	// reference's (postgres-edges when measured, else the first such system).
	MedianRelations    int `json:"median_relations,omitempty"`
	RelationMismatches int `json:"relation_mismatches,omitempty"`
	results            []int
	relations          []int // nil: the answers hold no relations
	failed             []bool
}

// Machine describes where the figures were taken.
type Machine struct {
	CPUs      int    `json:"cpus"`
	CPU       string `json:"cpu"`
	MemTotal  string `json:"mem_total"`
	GoVersion string `json:"go"`
	Kernel    string `json:"kernel"`
	LoadAvg   string `json:"loadavg_start"`
}

func machine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version()}
	var u syscall.Utsname
	if syscall.Uname(&u) == nil {
		b := make([]byte, 0, len(u.Release))
		for _, c := range u.Release {
			if c == 0 {
				break
			}
			b = append(b, byte(c))
		}
		m.Kernel = string(b)
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				m.CPU = strings.TrimSpace(l[strings.IndexByte(l, ':')+1:])
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "MemTotal:") {
				m.MemTotal = strings.Join(strings.Fields(l[9:]), " ")
			}
		}
	}
	m.LoadAvg = loadAvg()
	return m
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func (o compareOptions) wants(name string) bool { return slices.Contains(o.systems, name) }

// compare runs the whole comparison. It returns what it measured so far
// even when it fails, so an interrupted run still prints its table.
func compare(ctx context.Context, log *slog.Logger, o compareOptions, stderr io.Writer) (*Report, error) {
	began := time.Now()
	plan, err := gen.NewPlan(o.cfg)
	if err != nil {
		return nil, err
	}
	rep := &Report{Date: began.UTC(), Machine: machine(), Graph: o.cfg, Entities: plan.Entities,
		Queries: o.queries, Warmup: o.warmup, WarmSame: o.warmSame, Limit: o.limit, MaxDepth: o.maxDepth}
	defer func() {
		rep.LoadAvgEnd = loadAvg()
		rep.Elapsed = time.Since(began)
	}()
	work := newWorkload(plan, o.cfg.Seed, o.queries, o.warmup)

	inProcess := o.wants("ties") || o.wants("ties-heads") || o.wants("ties-reader")
	if o.tiesURL == "" {
		inProcess = inProcess || slices.ContainsFunc(httpSystems, o.wants)
	}
	if inProcess {
		if err := compareTies(ctx, log, o, work, rep); err != nil {
			return rep, err
		}
	}
	if o.tiesURL != "" {
		if err := compareTiesServer(ctx, log, o, work, rep); err != nil {
			return rep, err
		}
	}
	if o.wants("memory") {
		start := time.Now()
		g, err := newCSR(ctx, o.cfg)
		if err != nil {
			return rep, err
		}
		load := time.Since(start)
		debug.FreeOSMemory() // the endpoint lists are garbage now
		rep.CSRBytes = g.bytes()
		log.Info("built adjacency array", "took", load.Round(time.Millisecond), "bytes", g.bytes())
		rep.Systems = append(rep.Systems, measure(ctx, log, g, load, o, work))
	}
	if o.wants("postgres") || o.wants("postgres-edges") {
		if err := comparePostgres(ctx, log, o, work, rep); err != nil {
			rep.Systems = append(rep.Systems, SystemReport{Name: "postgres", Skipped: err.Error()})
			log.Error("PostgreSQL skipped", "err", err)
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return rep, err
			}
		}
	}
	if o.wants("ties-pg") || o.wants("ties-pg-http") {
		if err := compareTiesPostgres(ctx, log, o, work, rep); err != nil {
			rep.Systems = append(rep.Systems, SystemReport{Name: "ties-pg", Skipped: err.Error()})
			log.Error("Ties on PostgreSQL skipped", "err", err)
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return rep, err
			}
		}
	}
	crossCheck(rep)
	return rep, ctx.Err()
}

func compareTies(ctx context.Context, log *slog.Logger, o compareOptions, work workload, rep *Report) error {
	dir := o.dataDir
	if dir == "" {
		d, err := os.MkdirTemp("", "tiesbench-ties-")
		if err != nil {
			return err
		}
		dir = d
		if !o.keep {
			defer os.RemoveAll(d)
		}
	}
	s, load, err := loadTies(ctx, log, dir, o.cfg, o.loadVia, o.batch, int64(o.cacheMiB)<<20)
	if err != nil {
		return err
	}
	// A server starts serving after an import with a small heap; without
	// this, the garbage of the load would slow the first queries' GC.
	debug.FreeOSMemory()
	defer func() {
		if err := s.Close(); err != nil {
			log.Error("close store", "err", err)
		}
	}()
	stopCPU, err := startCPUProfile(o.cpuProfile)
	if err != nil {
		return err
	}
	defer stopCPU()
	rep.TiesLoad = load
	if o.wants("ties") {
		rep.Systems = append(rep.Systems, measure(ctx, log, &tiesStore{s: s, limit: o.limit}, load, o, work))
	}
	if o.wants("ties-heads") {
		rep.Systems = append(rep.Systems, measure(ctx, log, &tiesStore{s: s, limit: o.limit, name: "ties-heads", heads: true}, load, o, work))
	}
	if o.wants("ties-reader") {
		rep.Systems = append(rep.Systems, measure(ctx, log, &tiesReader{s: s}, load, o, work))
	}
	for _, name := range httpSystems {
		if !o.wants(name) || o.tiesURL != "" {
			continue
		}
		sys, err := serveHTTPSystem(log, s, o, name, httpShapes[name])
		if err != nil {
			return err
		}
		rep.Systems = append(rep.Systems, measure(ctx, log, sys, load, o, work))
	}
	if rss, err := peakRSS(0); err == nil {
		rep.TiesRSS = rss
	}
	rep.TiesDisk = dirSize(dir)
	return ctx.Err()
}

// compareTiesServer runs the GraphQL systems against a server started
// outside the tool, such as `ties serve` on a directory that `tiesbench
// import` filled with the same graph. Its load time is not known here.
func compareTiesServer(ctx context.Context, log *slog.Logger, o compareOptions, work workload, rep *Report) error {
	if err := waitReady(ctx, o.tiesURL, 10*time.Second); err != nil {
		return err
	}
	for _, name := range httpSystems {
		if !o.wants(name) {
			continue
		}
		c, err := newGraphQLClient(o.tiesURL, 1)
		if err != nil {
			return err
		}
		sys := &tiesHTTP{name: name, c: c, query: httpShapes[name], limit: o.limit}
		rep.Systems = append(rep.Systems, measure(ctx, log, sys, 0, o, work))
	}
	if o.tiesPid > 0 {
		if rss, err := peakRSS(o.tiesPid); err == nil {
			rep.ServerRSS = rss
		} else {
			log.Warn("cannot read the server's resident set", "err", err)
		}
	}
	return ctx.Err()
}

func comparePostgres(ctx context.Context, log *slog.Logger, o compareOptions, work workload, rep *Report) error {
	bin, err := findPostgres(o.pgBin)
	if err != nil {
		return err
	}
	pg, load, err := loadPostgres(ctx, log, bin, o.pgShared, o.keep, o.cfg, o.queryTimeout)
	if err != nil {
		return err
	}
	defer pg.Close()
	if n, err := pg.Size(ctx); err == nil {
		rep.PGDisk = n
	}
	if o.explain {
		rep.Explain = map[string]string{}
		for _, k := range queryKinds {
			var plan string
			var err error
			switch {
			case k.Depth == 1:
				plan, err = pg.Explain(ctx, pgOneHop, work.starts[0])
			case k.Depth > 1:
				plan, err = pg.Explain(ctx, pgNeighborhood, work.starts[0], k.Depth)
			default:
				plan, err = pg.Explain(ctx, pgShortestPath, work.pairs[0][0], work.pairs[0][1], o.maxDepth)
			}
			if err != nil {
				plan = "error: " + err.Error()
			}
			rep.Explain[k.Name] = plan
		}
	}
	if o.wants("postgres") {
		rep.Systems = append(rep.Systems, measure(ctx, log, pgBorrowed{pg}, load, o, work))
	}
	if o.wants("postgres-edges") {
		rep.Systems = append(rep.Systems, measure(ctx, log, &postgresEdges{p: pg}, load, o, work))
	}
	if rss, err := treeRSS(pg.cluster.Pid()); err == nil {
		rep.PGRSS = rss
	}
	return nil
}

// measure runs the warm-up and then the timed queries of every kind on
// sys, one at a time, and closes sys.
func measure(ctx context.Context, log *slog.Logger, sys system, load time.Duration, o compareOptions, work workload) SystemReport {
	defer func() {
		if err := sys.Close(); err != nil {
			log.Error("close system", "system", sys.Name(), "err", err)
		}
	}()
	sr := SystemReport{Name: sys.Name(), Load: load, Queries: map[string]QueryReport{}}
	ask := func(k queryKind, start string, pair [2]string) (int, error) {
		// A little slack beyond the query timeout lets a server that
		// enforces it (PostgreSQL's statement_timeout, Ties' request
		// timeout) answer with its own error and keep the connection.
		qctx, cancel := context.WithTimeout(ctx, o.queryTimeout+5*time.Second)
		defer cancel()
		if k.Depth > 0 {
			return sys.Neighborhood(qctx, start, k.Depth)
		}
		return sys.ShortestPath(qctx, pair[0], pair[1], o.maxDepth)
	}
	for _, k := range queryKinds {
		for i := range work.warmStarts {
			if ctx.Err() != nil {
				return sr
			}
			_, _ = ask(k, work.warmStarts[i], work.warmPairs[i])
		}
		if o.warmSame {
			failures := 0
			for i := range work.starts {
				if ctx.Err() != nil {
					return sr
				}
				if _, err := ask(k, work.starts[i], work.pairs[i]); err != nil && !errors.Is(err, errTruncated) {
					// The timed pass reports the failures; here they only
					// cost time, so stop early as it would.
					if failures++; failures >= 10 {
						break
					}
				}
			}
		}
		qr := QueryReport{results: make([]int, len(work.starts)), failed: make([]bool, len(work.starts))}
		rc, _ := sys.(relationCounter)
		if rc != nil && k.Depth > 0 {
			qr.relations = make([]int, len(work.starts))
		}
		// Queries never asked (after an interrupt or too many errors) count
		// as failed, so the cross-check skips them.
		for i := range qr.failed {
			qr.failed[i] = true
		}
		var samples []time.Duration
		// As testing.B does before each benchmark: a collection owed to
		// what ran before (another system's garbage, the warm-up's) would
		// otherwise fall inside the timed pass of whichever kind comes
		// next, and a pass of 200 sub-0.1 ms queries is short enough for
		// one such collection to move its median several-fold.
		runtime.GC()
		began := time.Now()
		for i := range work.starts {
			if ctx.Err() != nil {
				break
			}
			// Bound a hopeless system: after ten failures, stop this kind.
			if qr.Errors >= 10 {
				qr.FirstError += " (stopped after 10 errors)"
				break
			}
			t0 := time.Now()
			n, err := ask(k, work.starts[i], work.pairs[i])
			d := time.Since(t0)
			qr.results[i] = n
			if qr.relations != nil {
				if r, ok := rc.lastRelations(); ok {
					qr.relations[i] = r
				} else {
					qr.relations = nil
				}
			}
			switch {
			case errors.Is(err, errTruncated):
				qr.Truncated++
				qr.failed[i] = true
				samples = append(samples, d)
			case err != nil:
				qr.Errors++
				qr.failed[i] = true
				if qr.FirstError == "" {
					qr.FirstError = err.Error()
				}
			default:
				qr.failed[i] = false
				samples = append(samples, d)
			}
		}
		qr.summary = summarize(samples)
		var sizes []int
		for i, n := range qr.results {
			if !qr.failed[i] {
				sizes = append(sizes, n)
			}
		}
		qr.MedianResult = medianInt(sizes)
		if qr.relations != nil {
			var rels []int
			for i, n := range qr.relations {
				if !qr.failed[i] {
					rels = append(rels, n)
				}
			}
			qr.MedianRelations = medianInt(rels)
		}
		sr.Queries[k.Name] = qr
		log.Info("measured", "system", sys.Name(), "query", k.Name, "median", qr.Median, "p99", qr.P99,
			"errors", qr.Errors, "truncated", qr.Truncated, "took", time.Since(began).Round(time.Millisecond))
	}
	return sr
}

// crossCheck counts the answers of each system that differ from the
// in-memory floor's, which an independent implementation computes, and
// the relation counts that differ from the reference's (crossCheckRelations).
func crossCheck(rep *Report) {
	crossCheckRelations(rep)
	var floor *SystemReport
	for i := range rep.Systems {
		if rep.Systems[i].Name == "memory" {
			floor = &rep.Systems[i]
		}
	}
	if floor == nil {
		return
	}
	for i := range rep.Systems {
		sr := &rep.Systems[i]
		if sr == floor {
			continue
		}
		for name, qr := range sr.Queries {
			want := floor.Queries[name]
			for j := range qr.results {
				if j < len(want.results) && !qr.failed[j] && !want.failed[j] && qr.results[j] != want.results[j] {
					qr.Mismatches++
				}
			}
			sr.Queries[name] = qr
		}
	}
}

// dirSize sums the disk space allocated to the files under dir: blocks,
// not lengths, since badger preallocates sparse value-log files of 2 GiB.
func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if info, err := d.Info(); err == nil {
			if st, ok := info.Sys().(*syscall.Stat_t); ok {
				n += st.Blocks * 512
			} else {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// treeRSS sums the proportional set size (Pss: shared pages divided among
// the processes that map them) of a process and its children, which for
// PostgreSQL's postmaster and backends counts shared buffers once.
func treeRSS(pid int) (int64, error) {
	total, err := pss(pid)
	if err != nil {
		return 0, err
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	if err != nil {
		return total, nil
	}
	for _, f := range strings.Fields(string(b)) {
		var child int
		if _, err := fmt.Sscan(f, &child); err == nil {
			if r, err := pss(child); err == nil {
				total += r
			}
		}
	}
	return total, nil
}

// crossCheckRelations counts, per query kind, the answers whose number of
// relations differs from the reference system's: postgres-edges, an
// independent implementation, when measured, else the first system
// measured that counts relations. Answers that failed or were truncated
// on either side are not compared.
func crossCheckRelations(rep *Report) {
	for _, k := range queryKinds {
		var ref *QueryReport
		if s := find(rep, "postgres-edges"); s != nil {
			if q := s.Queries[k.Name]; q.relations != nil {
				ref = &q
			}
		}
		for i := range rep.Systems {
			if ref != nil {
				break
			}
			if q := rep.Systems[i].Queries[k.Name]; q.relations != nil {
				ref = &q
			}
		}
		if ref == nil {
			continue
		}
		for i := range rep.Systems {
			sr := &rep.Systems[i]
			qr, ok := sr.Queries[k.Name]
			if !ok || qr.relations == nil {
				continue
			}
			qr.RelationMismatches = 0
			for j := range qr.relations {
				if j < len(ref.relations) && !qr.failed[j] && !ref.failed[j] && qr.relations[j] != ref.relations[j] {
					qr.RelationMismatches++
				}
			}
			sr.Queries[k.Name] = qr
		}
	}
}
