package graph_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/ties-graph/ties/graph"
	"github.com/ties-graph/ties/store"
	"github.com/ties-graph/ties/store/gen"
	"github.com/ties-graph/ties/store/storetest"
)

// TestAnswerListener requires a server over graph.AnswerListener to send
// the same bytes as one without it, on kept-alive connections, for
// answers of every size and path (the direct path, gqlgen's, errors),
// and every answer between 2 KiB and 64 KiB in one write.
func TestAnswerListener(t *testing.T) {
	st := storetest.OpenWith(t, store.Options{})
	if _, err := st.Load(context.Background(), gen.Source(gen.Config{Seed: 1, Relations: 5_000}), store.LoadOptions{Source: "generated"}); err != nil {
		t.Fatal(err)
	}
	h := graph.NewServer(graph.ServerConfig{Store: st, Limits: graph.Limits{Complexity: -1, MaxLimit: -1, MaxFirst: -1}})
	plain := httptest.NewServer(h)
	t.Cleanup(plain.Close)
	held := httptest.NewUnstartedServer(h)
	counted := &countingListener{Listener: held.Listener}
	held.Listener = graph.AnswerListener(counted)
	held.Config.ConnContext = graph.AnswerConnContext
	held.Start()
	t.Cleanup(held.Close)

	e := newEnvWith(t, st, graph.ServerConfig{})
	var ids struct {
		Entities struct{ Nodes []struct{ ID string } }
	}
	e.ok(`{ entities(first: 400) { nodes { id } } }`, nil, &ids)

	var reqs []string
	for i, n := range ids.Entities.Nodes {
		if i%20 != 0 {
			continue
		}
		for depth := 1; depth <= 3; depth++ {
			id := strconv.Quote(n.ID)
			// The direct path, and gqlgen's (validAt: null).
			reqs = append(reqs,
				fmt.Sprintf(`{"query":"query N($id: ID!) { neighborhood(id: $id, depth: %d, limit: 100000) { truncated nodes { id name type } } }","variables":{"id":%s}}`, depth, id),
				fmt.Sprintf(`{"query":"query N($id: ID!) { neighborhood(id: $id, depth: %d, limit: 100000) { nodeLink } }","variables":{"id":%s}}`, depth, id),
				fmt.Sprintf(`{"query":"query N($id: ID!) { neighborhood(id: $id, depth: %d, limit: 100000, validAt: null) { nodes { id name type } } }","variables":{"id":%s}}`, depth, id))
		}
	}
	reqs = append(reqs,
		`{"query":"{ neighborhood(id: \"no-such-entity\", depth: 2) { nodes { id } } }"}`,
		`{"query":"{ nosuchfield }"}`,
		`not json`)

	a, b := dialRaw(t, plain.Listener.Addr().String()), dialRaw(t, held.Listener.Addr().String())
	single, sizes := 0, map[string]int{}
	for _, r := range reqs {
		want := a.post(t, r)
		before := counted.writes.Load()
		got := b.post(t, r)
		writes := counted.writes.Load() - before
		if !bytes.Equal(withoutDate(got.raw), withoutDate(want.raw)) {
			t.Fatalf("%s:\n got %.300q\nwant %.300q", r, got.raw, want.raw)
		}
		if got.body > 2<<10 && got.body <= 64<<10 {
			single++
			if writes != 1 {
				t.Errorf("%s: an answer of %d bytes in %d writes, want 1", r, got.body, writes)
			}
		}
		switch {
		case got.body <= 2<<10:
			sizes["small"]++
		case got.body <= 64<<10:
			sizes["held"]++
		default:
			sizes["large"]++
		}
	}
	if single == 0 || sizes["small"] == 0 || sizes["large"] == 0 {
		t.Fatalf("answers by size %v: the graph no longer gives every size", sizes)
	}
}

// countingListener counts the writes to its connections.
type countingListener struct {
	net.Listener
	writes atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, writes: &l.writes}, nil
}

type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// rawConn is one kept-alive connection whose responses are read as the
// bytes that came.
type rawConn struct {
	c  net.Conn
	br *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawConn{c: c, br: bufio.NewReader(c)}
}

type rawResponse struct {
	raw  []byte // status line, headers and body
	body int    // the body's length
}

// post sends body as a GraphQL POST and reads the response whole.
func (r *rawConn) post(t *testing.T, body string) rawResponse {
	t.Helper()
	fmt.Fprintf(r.c, "POST /query HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	var raw bytes.Buffer
	n := -1
	for {
		line, err := r.br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		raw.WriteString(line)
		if line == "\r\n" {
			break
		}
		if k, v, ok := bytes.Cut([]byte(line), []byte(":")); ok && http.CanonicalHeaderKey(string(k)) == "Content-Length" {
			n, _ = strconv.Atoi(string(bytes.TrimSpace(v)))
		}
	}
	if n < 0 {
		t.Fatalf("no Content-Length: %q", raw.Bytes())
	}
	if _, err := io.CopyN(&raw, r.br, int64(n)); err != nil {
		t.Fatal(err)
	}
	if !json.Valid(raw.Bytes()[raw.Len()-n:]) {
		t.Fatalf("not JSON: %q", raw.Bytes())
	}
	return rawResponse{raw: raw.Bytes(), body: n}
}

var dateHeader = regexp.MustCompile(`(?m)^Date: .*\r\n`)

func withoutDate(b []byte) []byte { return dateHeader.ReplaceAll(b, nil) }
