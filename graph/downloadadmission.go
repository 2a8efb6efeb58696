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
// (enforceSendRate, which wraps this handler). It holds the worker only
// while the handler works, not while the client reads (turnWriter). A
// request over the bound waits in a's queue, first come first served with
// the expensive queries, for at most wait (the request timeout; 0 or
// less: until its client leaves); when the queue is full, or the wait is
// over, it is answered 503 BUSY with Retry-After, as an expensive query or
// a mutation during an import is.
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
		tw := &turnWriter{ResponseWriter: w, a: a, n: n, ctx: r.Context(), held: true}
		defer tw.release()
		next.ServeHTTP(tw, r)
		tw.release()
		_ = tw.FlushError() // the end of the answer, at the client's pace, without the worker
	})
}

// turnBuffer is how much of an answer a download writes in one go, and so
// how much work it does between two places in the queue when others wait
// (a few milliseconds of an export's CPU).
const turnBuffer = 64 << 10

// turnWriter is a download's writer. The worker stands for a CPU, so the
// download holds it only while it works, never while the client takes
// what it wrote: before each write to the connection it gives the worker
// back, and after it takes it again, at once when nobody waits, else at
// the back of the queue (first come first served). An export of a large
// graph streams for minutes; holding the worker throughout, it left a path
// or a large neighbourhood queued behind it until its timeout, BUSY (one
// script's export stalling the dashboards), and a client that read slowly
// kept it from everyone. The waits for the worker are not bounded by the
// queue's length or the request's timeout, which apply to being let in:
// once the answer has begun, only the client's leaving ends it (the
// minimum send rate, outside this writer, does not count the server's
// waits against the client).
type turnWriter struct {
	http.ResponseWriter
	a    *admission
	n    int64
	ctx  context.Context
	held bool
	buf  []byte
}

func (t *turnWriter) Write(p []byte) (int, error) {
	if len(t.buf)+len(p) <= turnBuffer {
		if t.buf == nil {
			t.buf = make([]byte, 0, turnBuffer)
		}
		t.buf = append(t.buf, p...)
		return len(p), nil
	}
	if err := t.send(); err != nil {
		return 0, err
	}
	if len(p) >= turnBuffer {
		return t.sendOwn(p)
	}
	t.buf = append(t.buf, p...)
	return len(p), nil
}

// send writes what is buffered to the connection, without the worker.
func (t *turnWriter) send() error {
	if len(t.buf) == 0 {
		return nil
	}
	_, err := t.sendOwn(t.buf)
	t.buf = t.buf[:0]
	return err
}

func (t *turnWriter) sendOwn(p []byte) (int, error) {
	held := t.held
	t.release()
	n, err := t.ResponseWriter.Write(p)
	if err == nil && held {
		err = t.take()
	}
	return n, err
}

// take takes the worker again, behind those waiting for one.
func (t *turnWriter) take() error {
	if err := t.a.take(t.ctx, t.n, false); err != nil {
		return fmt.Errorf("waiting for a worker to go on with the answer: %w", err)
	}
	t.held = true
	return nil
}

func (t *turnWriter) release() {
	if t.held {
		t.a.sem.Release(t.n)
		t.held = false
	}
}

// FlushError sends what is buffered and flushes the connection, as
// http.ResponseController asks.
func (t *turnWriter) FlushError() error {
	if err := t.send(); err != nil {
		return err
	}
	return http.NewResponseController(t.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the server's writer.
func (t *turnWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }
