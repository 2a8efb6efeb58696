package graph_test

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store"
)

// TestMetrics scrapes /metrics after known traffic, as Prometheus would,
// and checks the exposition format and the figures against the traffic
// and the store.
func TestMetrics(t *testing.T) {
	e := newEnv(t, mutationConfig)
	e.post(`{ entity(id: "enschede") { name } }`, nil)
	e.post(`{ entity(id: "enschede") { name } }`, nil)
	e.post(`{ entity(id: "enschede") { nope } }`, nil)
	e.do(http.MethodGet, "/healthz", "", nil, nil)
	e.do(http.MethodGet, "/no/such/path", "", nil, nil)

	r := e.do(http.MethodGet, "/metrics", "", nil, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("status %d: %s", r.Status, r.Raw)
	}
	if got, want := r.Header.Get("Content-Type"), "text/plain; version=0.0.4; charset=utf-8"; got != want {
		t.Errorf("Content-Type: got %q, want %q", got, want)
	}
	sample := regexp.MustCompile(`^([a-z_]+)(\{[^}]*\})? (\S+)$`)
	values := map[string]float64{}
	typed := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSuffix(string(r.Raw), "\n"), "\n") {
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			typed[strings.Fields(rest)[0]] = true
			continue
		}
		if strings.HasPrefix(line, "# HELP ") {
			continue
		}
		m := sample.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("not a sample line: %q", line)
			continue
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			t.Errorf("%q: value: %v", line, err)
		}
		family := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(m[1], "_bucket"), "_sum"), "_count")
		if !typed[family] && !typed[m[1]] {
			t.Errorf("%q comes before its # TYPE line", line)
		}
		values[m[1]+m[2]] = v
	}
	for _, tc := range []struct {
		sample string
		want   float64
	}{
		{`ties_http_requests_total{route="/query",code="200"}`, 3},
		{`ties_http_requests_total{route="/healthz",code="200"}`, 1},
		{`ties_http_requests_total{route="other",code="404"}`, 1},
		{`ties_http_request_duration_seconds_count{route="/query"}`, 3},
		{`ties_http_request_duration_seconds_bucket{route="/query",le="+Inf"}`, 3},
		{`ties_graphql_errors_total{code="GRAPHQL_VALIDATION_FAILED"}`, 1},
		{`ties_http_requests_in_flight`, 1}, // the scrape itself
		{`ties_store_up`, 1},
	} {
		if got, ok := values[tc.sample]; !ok || got != tc.want {
			t.Errorf("%s = %v (present: %v), want %v", tc.sample, got, ok, tc.want)
		}
	}
	st, err := e.store.Stats(context.Background(), store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range st.ByEntityType {
		if got := values[`ties_entities{type="`+tc.Type+`"}`]; got != float64(tc.Count) {
			t.Errorf("ties_entities{type=%q} = %v, want %d", tc.Type, got, tc.Count)
		}
	}
	if got, want := values[`ties_relations{type="SISTER_CITY_OF"}`], 0.0; got <= want {
		t.Errorf("ties_relations{type=\"SISTER_CITY_OF\"} = %v, want more than %v", got, want)
	}
	// The read cache: the queries above read Enschede through it.
	cache := e.store.CacheStats()
	if cache.Capacity <= 0 {
		t.Fatalf("the test store has no read cache (%+v)", cache)
	}
	if got := values["ties_read_cache_capacity_bytes"]; got != float64(cache.Capacity) {
		t.Errorf("ties_read_cache_capacity_bytes = %v, want %d", got, cache.Capacity)
	}
	if values["ties_read_cache_fills_total"] <= 0 || values["ties_read_cache_entries"] <= 0 || values["ties_read_cache_bytes"] <= 0 {
		t.Errorf("read cache figures: fills %v, entries %v, bytes %v; want each above 0",
			values["ties_read_cache_fills_total"], values["ties_read_cache_entries"], values["ties_read_cache_bytes"])
	}
	if _, ok := values["ties_read_cache_evictions_total"]; !ok {
		t.Errorf("ties_read_cache_evictions_total missing")
	}
	if values["process_resident_memory_bytes"] <= 0 || values["go_goroutines"] <= 0 {
		t.Errorf("runtime figures missing: rss %v, goroutines %v", values["process_resident_memory_bytes"], values["go_goroutines"])
	}
}
