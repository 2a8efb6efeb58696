package graph

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/exchange"
	"github.com/ties-graph/ties/store/storetest"
)

// TestDownloadHoldsNoWorkerWhileWriting: an export held the one worker for
// as long as it streamed, also while its client took what it wrote, so a
// path or a large neighbourhood asked meanwhile waited out its timeout and
// got BUSY, and a client reading slowly held the worker from everyone. Now
// the worker is free while the answer goes to the client, the export
// queues for it again behind those who asked meanwhile (even with no room
// in the queue, which bounds being let in, not going on), and its answer
// comes whole.
func TestDownloadHoldsNoWorkerWhileWriting(t *testing.T) {
	a := newAdmission(1, 0)
	const chunk, chunks = 4 << 10, 40 // 160 KiB, more than one turnBuffer
	done := make(chan struct{})
	h := a.admitDownload("an export", 0, func(*http.Request) int64 { return 1 }, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		for i := range chunks {
			if _, err := w.Write(bytes.Repeat([]byte{byte('a' + i%26)}, chunk)); err != nil {
				t.Errorf("write %d: %v", i, err)
				return
			}
		}
	}))
	client := &stalledClient{ResponseRecorder: httptest.NewRecorder(), entered: make(chan struct{}), unblock: make(chan struct{})}
	go h.ServeHTTP(client, httptest.NewRequest(http.MethodGet, "/export", nil))

	<-client.entered // the export's first write to the client, which does not read
	if !a.sem.TryAcquire(1) {
		t.Fatal("the worker was held while the client did not read")
	}
	close(client.unblock)
	// The export wants the worker back and waits for it behind the query
	// that took it.
	for a.waiting.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	select {
	case <-done:
		t.Fatal("the export went on while a query held the worker")
	default:
	}
	a.sem.Release(1)
	<-done
	want := make([]byte, 0, chunk*chunks)
	for i := range chunks {
		want = append(want, bytes.Repeat([]byte{byte('a' + i%26)}, chunk)...)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !a.sem.TryAcquire(1) { // given back when the handler returned
		if time.Now().After(deadline) {
			t.Fatal("the worker was not given back after the export")
		}
		time.Sleep(time.Millisecond)
	}
	if got := client.body(); !bytes.Equal(got, want) {
		t.Errorf("the export's answer: %d bytes, want %d as written", len(got), len(want))
	}
}

// TestDownloadSmallAnswer: an answer shorter than the buffer goes out
// whole when the handler returns, after the worker is given back.
func TestDownloadSmallAnswer(t *testing.T) {
	a := newAdmission(1, 0)
	var heldAtEnd bool
	h := a.admitDownload("an export", 0, func(*http.Request) int64 { return 1 }, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("one "))
		w.Write([]byte("two"))
		heldAtEnd = !a.sem.TryAcquire(1)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/export", nil))
	if !heldAtEnd {
		t.Error("the worker was free while the handler worked")
	}
	if got := rec.Body.String(); got != "one two" || rec.Header().Get("Content-Type") != "text/plain" {
		t.Errorf("answer %q, header %v", got, rec.Header())
	}
	if !a.sem.TryAcquire(1) {
		t.Error("the worker was not given back")
	}
}

// stalledClient is a ResponseWriter whose first write blocks until the
// test lets it go on, as a client that does not read.
type stalledClient struct {
	*httptest.ResponseRecorder
	mu      sync.Mutex
	once    sync.Once
	entered chan struct{}
	unblock chan struct{}
}

func (c *stalledClient) Write(p []byte) (int, error) {
	c.once.Do(func() { close(c.entered); <-c.unblock })
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ResponseRecorder.Write(p)
}

func (c *stalledClient) body() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ResponseRecorder.Body.Bytes()
}

// TestSendRateForgivesTheServersPause: the minimum send rate's window
// began anew when it ended while the handler worked, but not when the
// handler paused (waiting for its turn of a worker) and then wrote just
// before the window's end, which left the client a sliver of its window.
// A pause of a quarter window restarts it.
func TestSendRateForgivesTheServersPause(t *testing.T) {
	rw := &rateWriter{ResponseWriter: deadlineRecorder{httptest.NewRecorder()}, rate: MinBodyRate{Bytes: 1 << 20, Window: time.Hour}}
	rw.rc = http.NewResponseController(rw.ResponseWriter)
	start := time.Now()
	if err := rw.extend(start.Add(-50 * time.Minute)); err != nil {
		t.Fatal(err)
	}
	// The window has ten minutes left and its bytes not sent: before, the
	// write would have gone out under that deadline.
	if _, err := rw.Write([]byte("after a pause")); err != nil {
		t.Fatal(err)
	}
	if left := time.Until(rw.deadline); left < 50*time.Minute {
		t.Errorf("after a pause of 50 minutes the window has %s left; want a new window", left)
	}
	// Writes in quick succession keep their window.
	d := rw.deadline
	if _, err := rw.Write([]byte("at once")); err != nil {
		t.Fatal(err)
	}
	if !rw.deadline.Equal(d) {
		t.Errorf("a write right after another moved the deadline")
	}
}

// deadlineRecorder is a ResponseRecorder that takes write deadlines.
type deadlineRecorder struct{ *httptest.ResponseRecorder }

func (deadlineRecorder) SetWriteDeadline(time.Time) error { return nil }

// TestExportQueued: the server's /export and /backup wait for a worker of
// the expensive requests' queue, held here by the test as an expensive
// query would hold it: with no room to wait they are refused with BUSY
// and Retry-After, with room they wait for at most the request timeout,
// and a one-hop export, which a cheap query would answer, goes on at once.
func TestExportQueued(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	if _, err := st.Apply(ctx, store.Batch{Entities: []store.Entity{{ID: "enschede", Type: "City", Name: "Enschede"}}}); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	serve := func(queue int, wait time.Duration) (*httptest.Server, *admission) {
		s := NewServer(ServerConfig{Store: st, Logger: logger,
			Export: exchange.ExportHandler(st, logger), Backup: exchange.BackupHandler(st, logger),
			Limits: Limits{HeavyWorkers: 1, HeavyQueue: queue, Timeout: wait}})
		ts := httptest.NewServer(s)
		t.Cleanup(ts.Close)
		return ts, s.heavy
	}
	get := func(t *testing.T, u string) (int, string, http.Header) {
		t.Helper()
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(b), resp.Header
	}

	t.Run("Refused", func(t *testing.T) {
		ts, heavy := serve(-1, -1)
		if !heavy.sem.TryAcquire(1) {
			t.Fatal("the worker is taken before the test")
		}
		defer heavy.sem.Release(1)
		for _, path := range []string{"/export", "/export?format=csv", "/export?from=enschede&depth=2", "/backup"} {
			status, body, h := get(t, ts.URL+path)
			if status != http.StatusServiceUnavailable || !strings.Contains(body, `"code":"BUSY"`) || h.Get("Retry-After") == "" {
				t.Errorf("%s with the worker taken and no room to wait: %d %v %.300s, want 503 BUSY with Retry-After", path, status, h, body)
			}
		}
		if status, body, _ := get(t, ts.URL+"/export?from=enschede"); status != http.StatusOK || !strings.Contains(body, `"enschede"`) {
			t.Errorf("a one-hop export with the worker taken: %d %.300s", status, body)
		}
	})

	t.Run("WaitedTooLong", func(t *testing.T) {
		ts, heavy := serve(1, 300*time.Millisecond)
		if !heavy.sem.TryAcquire(1) {
			t.Fatal("the worker is taken before the test")
		}
		status, body, h := get(t, ts.URL+"/export?format=graphml")
		if status != http.StatusServiceUnavailable || !strings.Contains(body, `"code":"BUSY"`) ||
			!strings.Contains(body, "waited 300ms") || h.Get("Retry-After") == "" {
			t.Errorf("an export that waited out the timeout: %d %v %.300s, want 503 BUSY with Retry-After", status, h, body)
		}
		heavy.sem.Release(1)
		if status, body, _ := get(t, ts.URL+"/export"); status != http.StatusOK || !strings.Contains(body, `"enschede"`) {
			t.Errorf("an export with the worker free: %d %.300s", status, body)
		}
	})
}
