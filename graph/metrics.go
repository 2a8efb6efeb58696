package graph

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ties-graph/ties/store"
)

// serverMetrics counts what the server does, for GET /metrics in the
// Prometheus text format. It is written by hand: a few counters and one
// histogram do not need a client library and its dependencies.
type serverMetrics struct {
	start    time.Time
	inFlight atomic.Int64

	mu       sync.Mutex
	requests map[requestKey]uint64
	latency  map[string]*histogram // by route
	errors   map[string]uint64     // GraphQL errors by extensions.code
}

type requestKey struct {
	route string
	code  int
}

// latencyBuckets are the upper bounds, in seconds, of the request duration
// histogram: from a cached lookup to an export of millions of records.
var latencyBuckets = [...]float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

type histogram struct {
	counts [len(latencyBuckets) + 1]uint64 // the last is +Inf
	sum    float64
}

func newServerMetrics() *serverMetrics {
	return &serverMetrics{
		start:    time.Now(),
		requests: map[requestKey]uint64{},
		latency:  map[string]*histogram{},
		errors:   map[string]uint64{},
	}
}

// routes are the paths requests are counted under; any other path counts
// as "other", so that probing clients cannot grow the label set.
var routes = []string{"/query", "/export", "/import", "/metrics", "/healthz", "/readyz", "/graphiql/", "/ui/", "/explore", "/"}

func routeOf(path string) string {
	for _, r := range routes {
		if path == r || strings.HasSuffix(r, "/") && r != "/" && strings.HasPrefix(path, r) {
			return r
		}
	}
	return "other"
}

// instrument counts each request under its route, with its status and
// duration.
func (m *serverMetrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		m.inFlight.Add(1)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			route := routeOf(r.URL.Path)
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			d := time.Since(start).Seconds()
			m.inFlight.Add(-1)
			m.mu.Lock()
			defer m.mu.Unlock()
			m.requests[requestKey{route, status}]++
			h := m.latency[route]
			if h == nil {
				h = &histogram{}
				m.latency[route] = h
			}
			i, _ := slices.BinarySearch(latencyBuckets[:], d)
			h.counts[i]++
			h.sum += d
		}()
		next.ServeHTTP(sw, r)
	})
}

// graphQLError counts one error answered with code.
func (m *serverMetrics) graphQLError(code string) {
	m.mu.Lock()
	m.errors[code]++
	m.mu.Unlock()
}

// statusWriter remembers the status a handler wrote. Unwrap lets
// http.ResponseController reach the connection beneath (flushes, write
// deadlines of streamed exports).
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// handler serves GET /metrics: the request counters, the graph's size
// from the store's counters (one snapshot, a few point reads) and a few
// runtime figures.
func (m *serverMetrics) handler(st *store.Store) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		stats, err := st.Stats(ctx, store.ReadOptions{})
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		bw := bufio.NewWriter(w)
		m.write(bw, stats, err, st.CacheStats())
		bw.Flush()
	}
}

func (m *serverMetrics) write(w io.Writer, stats store.Stats, statsErr error, cache store.CacheStats) {
	m.mu.Lock()
	reqs := make([]requestKey, 0, len(m.requests))
	for k := range m.requests {
		reqs = append(reqs, k)
	}
	slices.SortFunc(reqs, func(a, b requestKey) int {
		if c := strings.Compare(a.route, b.route); c != 0 {
			return c
		}
		return a.code - b.code
	})
	header(w, "ties_http_requests_total", "counter", "HTTP requests answered, by route and status code.")
	for _, k := range reqs {
		fmt.Fprintf(w, "ties_http_requests_total{route=%q,code=\"%d\"} %d\n", k.route, k.code, m.requests[k])
	}
	header(w, "ties_http_requests_in_flight", "gauge", "HTTP requests being answered.")
	fmt.Fprintf(w, "ties_http_requests_in_flight %d\n", m.inFlight.Load())
	header(w, "ties_http_request_duration_seconds", "histogram", "Time to answer an HTTP request, by route (streamed exports included).")
	for _, route := range sortedKeys(m.latency) {
		h := m.latency[route]
		var cum uint64
		for i, le := range latencyBuckets {
			cum += h.counts[i]
			fmt.Fprintf(w, "ties_http_request_duration_seconds_bucket{route=%q,le=%q} %d\n", route, formatFloat(le), cum)
		}
		cum += h.counts[len(latencyBuckets)]
		fmt.Fprintf(w, "ties_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", route, cum)
		fmt.Fprintf(w, "ties_http_request_duration_seconds_sum{route=%q} %s\n", route, formatFloat(h.sum))
		fmt.Fprintf(w, "ties_http_request_duration_seconds_count{route=%q} %d\n", route, cum)
	}
	header(w, "ties_graphql_errors_total", "counter", "GraphQL errors answered, by extensions.code.")
	for _, code := range sortedKeys(m.errors) {
		fmt.Fprintf(w, "ties_graphql_errors_total{code=%q} %d\n", code, m.errors[code])
	}
	m.mu.Unlock()

	up := 1
	if statsErr != nil {
		up = 0
	}
	header(w, "ties_store_up", "gauge", "Whether the store answered the read for this scrape (1) or not (0).")
	fmt.Fprintf(w, "ties_store_up %d\n", up)
	if statsErr == nil {
		header(w, "ties_entities", "gauge", fmt.Sprintf("Entities in the graph, by entity type: the %d largest types, the rest as %q.", maxTypeSeries, otherTypes))
		typeSeries(w, "ties_entities", stats.ByEntityType)
		header(w, "ties_relations", "gauge", fmt.Sprintf("Relations in the graph, by relation type: the %d largest types, the rest as %q.", maxTypeSeries, otherTypes))
		typeSeries(w, "ties_relations", stats.ByRelationType)
	}
	// The read cache (ties serve --cache-size): evictions rising with
	// fills under a steady load mean the queries read more than it holds.
	header(w, "ties_read_cache_capacity_bytes", "gauge", "Bytes the read cache of records and adjacency may take (--cache-size); 0 when it is off.")
	fmt.Fprintf(w, "ties_read_cache_capacity_bytes %d\n", cache.Capacity)
	header(w, "ties_read_cache_bytes", "gauge", "Bytes the read cache's entries take now, decoded records included.")
	fmt.Fprintf(w, "ties_read_cache_bytes %d\n", cache.Bytes)
	header(w, "ties_read_cache_entries", "gauge", "Entries in the read cache.")
	fmt.Fprintf(w, "ties_read_cache_entries %d\n", cache.Entries)
	header(w, "ties_read_cache_fills_total", "counter", "Entries added to the read cache: reads it could not answer, taken from the store.")
	fmt.Fprintf(w, "ties_read_cache_fills_total %d\n", cache.Fills)
	header(w, "ties_read_cache_evictions_total", "counter", "Entries evicted from the read cache to make room for others.")
	fmt.Fprintf(w, "ties_read_cache_evictions_total %d\n", cache.Evictions)

	header(w, "process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch, in seconds.")
	fmt.Fprintf(w, "process_start_time_seconds %s\n", formatFloat(float64(m.start.UnixNano())/1e9))
	if rss, err := residentBytes(); err == nil {
		header(w, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.")
		fmt.Fprintf(w, "process_resident_memory_bytes %d\n", rss)
	}
	samples := []metrics.Sample{
		{Name: "/sched/goroutines:goroutines"},
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/total:bytes"},
		{Name: "/gc/cycles/total:gc-cycles"},
	}
	metrics.Read(samples)
	runtimeMetric(w, "go_goroutines", "gauge", "Goroutines that currently exist.", samples[0])
	runtimeMetric(w, "go_heap_objects_bytes", "gauge", "Memory of live and not yet collected heap objects.", samples[1])
	runtimeMetric(w, "go_memory_total_bytes", "gauge", "All memory mapped by the Go runtime.", samples[2])
	runtimeMetric(w, "go_gc_cycles_total", "counter", "Completed garbage collection cycles.", samples[3])
}

// maxTypeSeries bounds the series of the per-type gauges: an ontology may
// grow to thousands of types, and every one a series would make each
// scrape and the monitoring system's index grow with it.
const maxTypeSeries = 50

// otherTypes labels the sum of the types past maxTypeSeries; a type name
// cannot contain a space, so it is never a real type.
const otherTypes = "(other types)"

// typeSeries writes one gauge sample per type for the largest types, in
// name order, and one for the sum of the rest.
func typeSeries(w io.Writer, name string, counts []store.TypeCount) {
	top := slices.Clone(counts)
	var rest int
	if len(top) > maxTypeSeries {
		slices.SortStableFunc(top, func(a, b store.TypeCount) int { return cmp.Compare(b.Count, a.Count) })
		for _, tc := range top[maxTypeSeries:] {
			rest += tc.Count
		}
		top = top[:maxTypeSeries]
		slices.SortFunc(top, func(a, b store.TypeCount) int { return strings.Compare(a.Type, b.Type) })
	}
	for _, tc := range top {
		fmt.Fprintf(w, "%s{type=\"%s\"} %d\n", name, labelValue(tc.Type), tc.Count)
	}
	if len(counts) > maxTypeSeries {
		fmt.Fprintf(w, "%s{type=\"%s\"} %d\n", name, otherTypes, rest)
	}
}

// labelValue escapes a label value as the Prometheus text format wants:
// backslash, double quote and line feed, and nothing else (Go's %q would
// write \x00 or \u escapes that the format does not know).
var labelValue = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace

func header(w io.Writer, name, kind, help string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, kind)
}

func runtimeMetric(w io.Writer, name, kind, help string, s metrics.Sample) {
	if s.Value.Kind() != metrics.KindUint64 {
		return
	}
	header(w, name, kind, help)
	fmt.Fprintf(w, "%s %d\n", name, s.Value.Uint64())
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// residentBytes reads the process's resident set from /proc (Linux).
func residentBytes() (int64, error) {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0, fmt.Errorf("statm: %q", b)
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0, err
	}
	return pages * int64(os.Getpagesize()), nil
}
