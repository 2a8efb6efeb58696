package graph_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ties-graph/ties/graph"
	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/exchange"
	"github.com/ties-graph/ties/store/storetest"
)

// TestExportAdmission: whole-graph exports ran beside any number of
// others and of the expensive queries, and four of them at once raised a
// cheap query's median from 0.6 to 10 ms. With one worker, an export
// holds it while it streams: a second is refused with BUSY and
// Retry-After when nothing may wait, or waits its turn; a cheap query and
// a one-hop export go on meanwhile; and a client that stops reading its
// export is cut off and gives the worker back.
func TestExportAdmission(t *testing.T) {
	st := storetest.Open(t)
	loadFounding(t, st)
	// Enough to fill the small socket buffers below many times over, so
	// that a client that stops reading stops the export.
	var b store.Batch
	for i := range 3000 {
		b.Entities = append(b.Entities, store.Entity{ID: fmt.Sprintf("filler-%d", i), Type: "Company",
			Name: fmt.Sprintf("Filler %d", i), Description: strings.Repeat("padding ", 40)})
	}
	if _, err := st.Apply(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	serve := func(t *testing.T, queue int, wait, window time.Duration) (*httptest.Server, *logBuffer) {
		logs := &logBuffer{}
		logger := slog.New(slog.NewTextHandler(logs, nil))
		ts := httptest.NewUnstartedServer(graph.NewServer(graph.ServerConfig{
			Store: st, Logger: logger,
			Export:      exchange.ExportHandler(st, logger),
			Backup:      exchange.BackupHandler(st, logger),
			Limits:      graph.Limits{HeavyWorkers: 1, HeavyQueue: queue, Timeout: wait},
			MinBodyRate: graph.MinBodyRate{Bytes: 1 << 10, Window: window},
		}))
		ts.Listener = smallSendBuffers{ts.Listener}
		ts.Start()
		t.Cleanup(func() {
			ts.Close()
			if t.Failed() {
				t.Logf("server log:\n%s", logs.String())
			}
		})
		return ts, logs
	}
	cheap := func(t *testing.T, base string) {
		t.Helper()
		r, err := storetest.Do(nil, mustRequest(t, http.MethodPost, base+"/query", `{"query":"{ entity(id: \"enschede\") { name } }"}`))
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != http.StatusOK || len(r.Errors) > 0 || !strings.Contains(string(r.Data), "Enschede") {
			t.Errorf("a cheap query while an export holds the worker: %d %s", r.Status, r.Raw)
		}
		one, err := http.Get(base + "/export?from=enschede")
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(one.Body)
		one.Body.Close()
		if err != nil || one.StatusCode != http.StatusOK || !strings.Contains(string(body), `"enschede"`) {
			t.Errorf("a one-hop export while an export holds the worker: %d %v %.200s", one.StatusCode, err, body)
		}
	}

	t.Run("SecondRefused", func(t *testing.T) {
		// No room to wait; a window long enough that the stalled reader
		// keeps the worker for the whole subtest, however slow the machine.
		ts, _ := serve(t, -1, -1, time.Hour)
		stalled := stallExport(t, ts.URL)
		defer stalled.Close()
		second, err := http.Get(ts.URL + "/export?format=graphml")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(second.Body)
		second.Body.Close()
		if second.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), `"code":"BUSY"`) {
			t.Errorf("a second export with the worker taken: %d %.300s, want 503 BUSY", second.StatusCode, body)
		}
		if got := second.Header.Get("Retry-After"); got == "" {
			t.Errorf("a refused export has no Retry-After")
		}
		backup, err := http.Get(ts.URL + "/backup")
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(backup.Body)
		backup.Body.Close()
		if backup.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), `"code":"BUSY"`) {
			t.Errorf("a backup with the worker taken: %d %.300s, want 503 BUSY", backup.StatusCode, body)
		}
		cheap(t, ts.URL)
	})

	t.Run("WaitedTooLong", func(t *testing.T) {
		// Room to wait, for at most the request timeout.
		ts, _ := serve(t, 1, 300*time.Millisecond, time.Hour)
		stalled := stallExport(t, ts.URL)
		defer stalled.Close()
		second, err := http.Get(ts.URL + "/export?format=csv")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(second.Body)
		second.Body.Close()
		if second.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), `"code":"BUSY"`) ||
			!strings.Contains(string(body), "waited 300ms") || second.Header.Get("Retry-After") == "" {
			t.Errorf("an export that waited out the timeout: %d %v %.300s, want 503 BUSY with Retry-After", second.StatusCode, second.Header, body)
		}
	})

	t.Run("StalledReaderReleases", func(t *testing.T) {
		// A short window, so that the stalled reader is found soon.
		ts, logs := serve(t, 1, -1, 200*time.Millisecond)
		stalled := stallExport(t, ts.URL)
		defer stalled.Close()
		cheap(t, ts.URL)
		// The second export waits for the worker, which the stalled
		// export holds until its client is found too slow. (The client's
		// timeout only keeps a regression from hanging the test.)
		c := &http.Client{Timeout: 2 * time.Minute}
		second, err := c.Get(ts.URL + "/export")
		if err != nil {
			t.Fatalf("an export queued behind a stalled one: %v", err)
		}
		body, err := io.ReadAll(second.Body)
		second.Body.Close()
		if err != nil || second.StatusCode != http.StatusOK {
			t.Fatalf("an export queued behind a stalled one: %d %v %.200s", second.StatusCode, err, body)
		}
		if !strings.Contains(string(body), `"filler-2999"`) {
			t.Errorf("the queued export is not whole (%d bytes)", len(body))
		}
		// The stalled client's answer was cut off, not finished.
		if _, err := io.Copy(io.Discard, stalled.body); err == nil {
			t.Errorf("the stalled export ended cleanly; want a broken transfer")
		}
		if got := logs.String(); !strings.Contains(got, "slower than the minimum rate") {
			t.Errorf("the log does not say why the export was cut off:\n%s", got)
		}
	})
}

func mustRequest(t *testing.T, method, u, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return req
}

// stalledExport is an export whose client read the headers and stopped.
type stalledExport struct {
	conn net.Conn
	body io.Reader
}

func (s stalledExport) Close() { s.conn.Close() }

// stallExport asks for the whole graph over a connection with a small
// receive buffer, reads the answer's headers (the export holds its worker
// from before the first byte) and then reads nothing more.
func stallExport(t *testing.T, base string) stalledExport {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetReadBuffer(4 << 10)
	}
	fmt.Fprintf(conn, "GET /export HTTP/1.1\r\nHost: %s\r\n\r\n", u.Host)
	resp, err := http.ReadResponse(bufio.NewReaderSize(conn, 1<<10), nil)
	if err != nil {
		conn.Close()
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		conn.Close()
		t.Fatalf("the first export: %s", resp.Status)
	}
	return stalledExport{conn: conn, body: resp.Body}
}

// smallSendBuffers gives every accepted connection a small socket send
// buffer, so that a client that stops reading blocks the server's writes
// after kilobytes rather than megabytes.
type smallSendBuffers struct{ net.Listener }

func (l smallSendBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(4 << 10)
	}
	return c, err
}
