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

// TestExportAdmission: exports take a worker of the expensive requests'
// queue while they work (TestExportQueued holds the worker to see them
// wait), but not while their client reads: a client that stops reading
// holds no worker, so other exports, backups and cheap queries go on, and
// it is cut off once it falls below the minimum rate.
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
			t.Errorf("a cheap query while an export's client reads nothing: %d %s", r.Status, r.Raw)
		}
		one, err := http.Get(base + "/export?from=enschede")
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(one.Body)
		one.Body.Close()
		if err != nil || one.StatusCode != http.StatusOK || !strings.Contains(string(body), `"enschede"`) {
			t.Errorf("a one-hop export while an export's client reads nothing: %d %v %.200s", one.StatusCode, err, body)
		}
	}

	t.Run("StalledReaderHoldsNoWorker", func(t *testing.T) {
		// A window long enough that the stalled reader stays for the whole
		// subtest, however slow the machine. The others wait for the
		// worker as long as it takes (the stalled export may still be
		// working when they come); the client's timeout only keeps a
		// regression from hanging the test.
		ts, _ := serve(t, 1, -1, time.Hour)
		stalled := stallExport(t, ts.URL)
		defer stalled.Close()
		c := &http.Client{Timeout: 2 * time.Minute}
		for _, path := range []string{"/export?format=graphml", "/backup"} {
			resp, err := c.Get(ts.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Errorf("%s while another export's client reads nothing: %d %v %.300s", path, resp.StatusCode, err, body)
			}
			if path != "/backup" && !strings.Contains(string(body), "filler-2999") {
				t.Errorf("%s is not whole (%d bytes)", path, len(body))
			}
		}
		cheap(t, ts.URL)
	})

	t.Run("StalledReaderCutOff", func(t *testing.T) {
		// A short window, so that the stalled reader is found soon.
		ts, logs := serve(t, 1, -1, 200*time.Millisecond)
		stalled := stallExport(t, ts.URL)
		defer stalled.Close()
		cheap(t, ts.URL)
		// The stalled client's answer is cut off, not finished.
		if _, err := io.Copy(io.Discard, stalled.body); err == nil {
			t.Errorf("the stalled export ended cleanly; want a broken transfer")
		}
		deadline := time.Now().Add(time.Minute)
		for !strings.Contains(logs.String(), "slower than the minimum rate") {
			if time.Now().After(deadline) {
				t.Fatalf("the log does not say why the export was cut off:\n%s", logs.String())
			}
			time.Sleep(10 * time.Millisecond)
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
