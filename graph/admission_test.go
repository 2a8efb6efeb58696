package graph

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/exchange"
	"github.com/ties-graph/ties/store/seed"
	"github.com/ties-graph/ties/store/storetest"
)

func TestHeavyWeight(t *testing.T) {
	const workers = 3
	for _, tc := range []struct {
		field string
		args  map[string]any
		want  int64
	}{
		{"entity", nil, 0},
		{"search", nil, 0},
		{"path", nil, 0},
		{"neighborhood", nil, 0},
		{"neighborhood", map[string]any{"depth": int64(2), "limit": int64(2000)}, 0},
		{"neighborhood", map[string]any{"depth": int64(3)}, 1},
		{"neighborhood", map[string]any{"limit": float64(5000)}, 1},
		{"paths", nil, 1},
		{"allPaths", nil, 1},
		{"components", nil, 1},
		{"centrality", nil, 1},
		{"centrality", map[string]any{"measure": "DEGREE"}, 1},
		{"centrality", map[string]any{"measure": "BETWEENNESS"}, workers},
		{"centrality", map[string]any{"measure": "PAGERANK"}, workers},
	} {
		if got := heavyWeight(tc.field, func(name string) any { return tc.args[name] }, workers); got != tc.want {
			t.Errorf("%s %v: weight %d, want %d", tc.field, tc.args, got, tc.want)
		}
	}
}

// TestAdmissionQueue: with one worker and room for one waiter, a second
// expensive query waits for the first, a third is refused at once with
// BUSY, and a waiter whose request times out gives up its place.
func TestAdmissionQueue(t *testing.T) {
	a := newAdmission(1, 1)
	ctx := context.Background()
	if err := a.acquire(ctx, 1); err != nil {
		t.Fatal(err)
	}
	admitted := make(chan error, 1)
	go func() { admitted <- a.acquire(ctx, 1) }()
	for a.waiting.Load() != 1 {
		time.Sleep(time.Millisecond)
	}
	if err := a.acquire(ctx, 1); store.ErrorCode(err) != store.Busy {
		t.Fatalf("third query: got %v, want BUSY", err)
	}
	select {
	case err := <-admitted:
		t.Fatalf("the waiter was admitted while the worker was busy: %v", err)
	default:
	}
	a.sem.Release(1)
	if err := <-admitted; err != nil {
		t.Fatalf("waiter: %v", err)
	}
	// The worker is taken again: a waiter that runs out of time leaves the
	// queue with a timeout, and the queue has room again.
	tctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if err := a.acquire(tctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("timed-out waiter: got %v, want a deadline error", err)
	}
	if got := a.waiting.Load(); got != 0 {
		t.Errorf("%d still waiting after the timeout", got)
	}
	a.sem.Release(1)
	if err := a.acquire(ctx, 1); err != nil {
		t.Fatalf("after release: %v", err)
	}
}

// TestAdmissionInTheServer: the expensive root fields of real requests go
// through the queue and the cheap ones do not. With the only worker taken
// and no room to wait, betweenness and components are refused with BUSY
// while an entity lookup answers; with the worker free, they run.
func TestAdmissionInTheServer(t *testing.T) {
	st := storetest.Open(t)
	if _, err := st.Load(context.Background(), seedSource(), store.LoadOptions{Source: "seed"}); err != nil {
		t.Fatal(err)
	}
	a := newAdmission(1, 0)
	h := newGraphQLHandler(st, slog.New(slog.DiscardHandler), DefaultLimits(), handlerOptions{loaderWait: time.Millisecond, admission: a})
	ask := func(query string) string {
		t.Helper()
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/query", strings.NewReader(`{"query":`+strconvQuote(query)+`}`))
		req.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(rec, req)
		return rec.Body.String()
	}
	heavy := []string{
		`{ centrality(measure: BETWEENNESS) { ranking { score } } }`,
		`{ components { count } }`,
		`{ paths(from: "enschede", to: "dalian") { length } }`,
		`{ neighborhood(id: "enschede", depth: 3) { truncated } }`,
	}
	cheap := `{ entity(id: "enschede") { name } neighborhood(id: "enschede") { truncated } }`
	if err := a.acquire(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	for _, q := range heavy {
		if got := ask(q); !strings.Contains(got, `"code":"BUSY"`) {
			t.Errorf("%s with the worker taken: %s, want BUSY", q, got)
		}
	}
	if got := ask(cheap); strings.Contains(got, `"errors"`) {
		t.Errorf("a cheap query with the worker taken: %s", got)
	}
	a.sem.Release(1)
	for _, q := range heavy {
		if got := ask(q); strings.Contains(got, `"errors"`) {
			t.Errorf("%s with the worker free: %s", q, got)
		}
	}
}

// seedSource reads the founding data.
func seedSource() store.RecordSource {
	src, err := exchange.NewSource(exchange.BytesInput(seed.FileName, exchange.NDJSON, seed.NDJSON()), exchange.DecodeOptions{})
	if err != nil {
		panic(err)
	}
	return src
}
