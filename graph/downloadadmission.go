package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/ties-graph/ties/store"
)

// Exports and backups take a worker of the expensive queries' admission
// rather than a bound of their own: a whole-graph export keeps a CPU busy
// for as long as it streams, as a centrality does, and the point of the
// admission is that all such work together leaves one CPU to the cheap
// queries. Two separate bounds would each leave one free and together
// none (four concurrent full exports once raised a cheap query's median
// from 0.6 to 10 ms on two CPUs).

// downloadWeight says how many workers a download request takes: 0 for
// one that does no work worth queueing (it is answered at once).
type downloadWeight func(r *http.Request) int64

// exportWeight weighs GET /export: the whole graph, or a subgraph of two
// hops or more (which has no size limit, unlike a neighborhood query),
// takes a worker; an entity and its relations (from, depth 0 or 1) is
// what a cheap query answers, and goes on at once, as do HEAD and any
// request the handler refuses without exporting (a depth that is not a
// number).
func exportWeight(r *http.Request) int64 {
	if r.Method != http.MethodGet {
		return 0
	}
	q := r.URL.Query()
	if q.Get("from") == "" {
		return 1
	}
	d := q.Get("depth")
	if d == "" {
		return 0 // depth 1
	}
	n, err := strconv.Atoi(d)
	if err != nil || n <= 1 {
		return 0
	}
	return 1
}

// backupWeight weighs GET /backup: a stream of the whole store.
func backupWeight(r *http.Request) int64 {
	if r.Method != http.MethodGet {
		return 0
	}
	return 1
}

// admitDownload runs next, the handler of a long download (what names it
// in messages), once a holds a worker for it, and frees the worker when
// next returns, also when it is cut off by a client too slow to read it
// (enforceSendRate). A request over the bound waits in a's queue, for at
// most wait (the request timeout; 0 or less: until its client leaves),
// first come first served with the expensive queries; when the queue is
// full, or the wait is over, it is answered 503 BUSY with Retry-After, as
// an expensive query or a mutation during an import is.
func (a *admission) admitDownload(what string, wait time.Duration, weight downloadWeight, next http.Handler) http.Handler {
	if a == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := min(weight(r), a.workers)
		if n == 0 {
			next.ServeHTTP(w, r)
			return
		}
		ctx := r.Context()
		if wait > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, wait)
			defer cancel()
		}
		if err := a.acquire(ctx, n); err != nil {
			if r.Context().Err() != nil {
				return // the client left while it waited
			}
			msg := store.ErrorMessage(err)
			if errors.Is(err, errQueueTimeout) {
				workers := fmt.Sprintf("one of the %d workers", a.workers)
				if a.workers == 1 {
					workers = "the one worker"
				}
				msg = fmt.Sprintf("%s waited %s for %s that exports, backups and expensive queries share; retry in a few seconds",
					what, wait, workers)
			}
			w.Header().Set("Retry-After", strconv.Itoa(int(store.BusyRetryAfter.Seconds())))
			writeEndpointError(w, http.StatusServiceUnavailable, store.Busy, msg)
			return
		}
		defer a.sem.Release(n)
		next.ServeHTTP(w, r)
	})
}
