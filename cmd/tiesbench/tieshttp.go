package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ties-graph/ties/graph"
	"github.com/ties-graph/ties/store"
)

// errTruncated marks a neighbourhood cut short by the node limit: its size
// is a lower bound and is not compared with the other systems.
var errTruncated = errors.New("truncated by the node limit")

// The GraphQL documents of the benchmark. Each neighbourhood shape is one
// system of the comparison (httpShapes): the node ids alone, as a client
// listing ids would; the nodes a dashboard labels and colours (id, name,
// type); those ids with the relations between them as a chart draws them
// (endpoints and type), and with each relation's own id, which the
// adjacency keys do not hold; and the chart-ready nodeLink JSON document.
const (
	gqlNeighborhood = `query Neighborhood($id: ID!, $depth: Int!, $limit: Int!) {
  neighborhood(id: $id, depth: $depth, limit: $limit) { truncated nodes { id } }
}`
	gqlNeighborhoodNodes = `query NeighborhoodNodes($id: ID!, $depth: Int!, $limit: Int!) {
  neighborhood(id: $id, depth: $depth, limit: $limit) { truncated nodes { id name type } }
}`
	gqlNeighborhoodEdges = `query NeighborhoodEdges($id: ID!, $depth: Int!, $limit: Int!) {
  neighborhood(id: $id, depth: $depth, limit: $limit) { truncated nodes { id } edges { fromId toId type } }
}`
	gqlNeighborhoodEdgeIDs = `query NeighborhoodEdgeIDs($id: ID!, $depth: Int!, $limit: Int!) {
  neighborhood(id: $id, depth: $depth, limit: $limit) { truncated nodes { id } edges { id fromId toId type } }
}`
	gqlNeighborhoodNodeLink = `query NeighborhoodNodeLink($id: ID!, $depth: Int!, $limit: Int!) {
  neighborhood(id: $id, depth: $depth, limit: $limit) { nodeLink }
}`
	gqlPath = `query Path($from: ID!, $to: ID!, $maxDepth: Int!) {
  path(from: $from, to: $to, maxDepth: $maxDepth) { length nodes { id } }
}`
)

// httpShapes maps each GraphQL system of the comparison to the
// neighbourhood document it sends.
var httpShapes = map[string]string{
	"ties-http":          gqlNeighborhood,
	"ties-http-nodes":    gqlNeighborhoodNodes,
	"ties-http-edges":    gqlNeighborhoodEdges,
	"ties-http-nodelink": gqlNeighborhoodNodeLink,
	"ties-http-edge-ids": gqlNeighborhoodEdgeIDs,
	"ties-pg-http":       gqlNeighborhood,
}

// httpSystems are the GraphQL systems over the badger store, in the
// order compare runs them.
var httpSystems = []string{"ties-http", "ties-http-nodes", "ties-http-edges", "ties-http-edge-ids", "ties-http-nodelink"}

// graphQLClient posts GraphQL requests over keep-alive connections: one
// driven from the caller's goroutine (httpConn) when it has one, as the
// comparison's clients do, or net/http's pool of conns for load runs.
type graphQLClient struct {
	url    string
	client *http.Client
	conn   *httpConn // nil: client
}

func newGraphQLClient(url string, conns int) (*graphQLClient, error) {
	if err := loopbackOnly(url); err != nil {
		return nil, err
	}
	tr := &http.Transport{
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true, // PostgreSQL's wire protocol is not compressed either
	}
	c := &graphQLClient{url: url, client: &http.Client{Transport: tr}}
	if conns == 1 {
		hc, err := newHTTPConn(url)
		if err != nil {
			return nil, err
		}
		c.conn = hc
	}
	return c, nil
}

// close closes the client's idle connections.
func (c *graphQLClient) close() {
	c.client.CloseIdleConnections()
	if c.conn != nil {
		c.conn.close()
	}
}

// loopbackOnly refuses URLs whose host is not a loopback address: the tool
// loads servers hard and must never do so to another machine.
func loopbackOnly(raw string) error {
	req, err := http.NewRequest(http.MethodPost, raw, nil)
	if err != nil {
		return fmt.Errorf("url %q: %w", raw, err)
	}
	host := req.URL.Hostname()
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("url %q: only loopback addresses (127.0.0.1, ::1, localhost) are allowed", raw)
	}
	return nil
}

type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// post posts one request and returns the response's status and body.
func (c *graphQLClient) post(ctx context.Context, query string, vars map[string]any) (int, []byte, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return 0, nil, err
	}
	return c.postBody(ctx, body)
}

// postBody posts a request body already encoded.
func (c *graphQLClient) postBody(ctx context.Context, body []byte) (int, []byte, error) {
	if c.conn != nil {
		return c.conn.post(ctx, body)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json, application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, b, nil
}

// do posts one request and decodes its data into out. GraphQL errors are
// returned as errors naming their code.
func (c *graphQLClient) do(ctx context.Context, query string, vars map[string]any, out any) error {
	status, b, err := c.post(ctx, query, vars)
	if err != nil {
		return err
	}
	return decodeResponse(status, b, out)
}

// decodeResponse decodes a response's data into out (nil: only its
// errors are looked at).
func decodeResponse(status int, b []byte, out any) error {
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []gqlError      `json:"errors"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("HTTP %d: %.200s", status, b)
	}
	if len(r.Errors) > 0 {
		return fmt.Errorf("graphql: %s (%v)", r.Errors[0].Message, r.Errors[0].Extensions["code"])
	}
	if status != http.StatusOK {
		return fmt.Errorf("HTTP %d: %.200s", status, b)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(r.Data, out)
}

// tiesHTTP answers the benchmark queries over GraphQL.
type tiesHTTP struct {
	name  string
	c     *graphQLClient
	query string // the neighbourhood document, from httpShapes
	limit int
	stop  func() error
	last  neighborhoodAnswer // the last neighbourhood read, for lastRelations
	// body is the request being built, reused as pgx reuses its buffer
	// for a prepared statement's parameters: the document is encoded
	// once, the variables appended per request.
	body      []byte
	queryJSON []byte // query as a JSON string
}

var (
	_ system          = (*tiesHTTP)(nil)
	_ relationCounter = (*tiesHTTP)(nil)
)

// lastRelations counts the relations of the last neighbourhood when its
// document asks for them (edges, nodeLink).
func (t *tiesHTTP) lastRelations() (int, bool) { return t.last.relations, t.last.hasRelations }

func (t *tiesHTTP) Name() string { return t.name }

func (t *tiesHTTP) Close() error {
	t.c.close()
	if t.stop != nil {
		return t.stop()
	}
	return nil
}

func (t *tiesHTTP) Neighborhood(ctx context.Context, id string, depth int) (int, error) {
	status, b, err := t.c.postBody(ctx, t.neighborhoodRequest(id, depth))
	if err != nil {
		return 0, err
	}
	// The node ids are read as PostgreSQL's client reads its rows (see
	// readNeighborhood); anything unexpected, errors included, is decoded
	// again the ordinary way to say what it was.
	a, err := readNeighborhood(b)
	t.last = a
	if err != nil || status != http.StatusOK {
		if err := decodeResponse(status, b, nil); err != nil {
			return 0, err
		}
		if err == nil {
			err = fmt.Errorf("HTTP %d: %.200s", status, b)
		}
		return 0, err
	}
	if a.truncated {
		return len(a.ids), errTruncated
	}
	return len(a.ids), nil
}

// neighborhoodRequest encodes the request for id's neighbourhood at depth:
// what json.Marshal of {"query", "variables": {"id", "depth", "limit"}}
// gives, without a map and reflection per request.
func (t *tiesHTTP) neighborhoodRequest(id string, depth int) []byte {
	if t.queryJSON == nil {
		t.queryJSON, _ = json.Marshal(t.query)
	}
	b := append(t.body[:0], `{"query":`...)
	b = append(b, t.queryJSON...)
	b = append(b, `,"variables":{"depth":`...)
	b = strconv.AppendInt(b, int64(depth), 10)
	b = append(b, `,"id":`...)
	idJSON, _ := json.Marshal(id)
	b = append(b, idJSON...)
	b = append(b, `,"limit":`...)
	b = strconv.AppendInt(b, int64(t.limit), 10)
	b = append(b, "}}"...)
	t.body = b
	return b
}

func (t *tiesHTTP) ShortestPath(ctx context.Context, from, to string, maxDepth int) (int, error) {
	var out struct {
		Path *struct {
			Length int `json:"length"`
		} `json:"path"`
	}
	if err := t.c.do(ctx, gqlPath, map[string]any{"from": from, "to": to, "maxDepth": maxDepth}, &out); err != nil {
		return 0, err
	}
	if out.Path == nil {
		return -1, nil
	}
	return out.Path.Length, nil
}

// serveInProcess starts the real GraphQL server over s on a free loopback
// port, with its limits raised just enough for the benchmark's node
// limit, and returns its /query URL and a function that stops it.
func serveInProcess(log *slog.Logger, s *store.Store, limit int, timeout time.Duration) (string, func() error, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	limits := graph.DefaultLimits()
	limits.MaxLimit = max(limits.MaxLimit, limit)
	limits.Complexity = max(limits.Complexity, 16*limit+1000) // edges count several per node
	limits.Timeout = timeout
	// Served as ties serve serves it (graph.AnswerListener).
	srv := &http.Server{
		Handler:           graph.NewServer(graph.ServerConfig{Store: s, Logger: log, Limits: limits}),
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ConnContext:       graph.AnswerConnContext,
	}
	go func() {
		if err := srv.Serve(graph.AnswerListener(l)); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("benchmark server", "err", err)
		}
	}()
	url := "http://" + l.Addr().String() + "/query"
	log.Info("serving Ties in process", "url", url)
	stop := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return srv.Shutdown(ctx)
	}
	return url, stop, nil
}

// serveHTTPSystem serves s in process (serveInProcess) and returns the
// system name that asks it the neighbourhood document query over HTTP;
// closing the system stops the server.
func serveHTTPSystem(log *slog.Logger, s *store.Store, o compareOptions, name, query string) (*tiesHTTP, error) {
	url, stop, err := serveInProcess(log, s, o.limit, o.queryTimeout)
	if err != nil {
		return nil, err
	}
	c, err := newGraphQLClient(url, 1)
	if err != nil {
		stop()
		return nil, err
	}
	return &tiesHTTP{name: name, c: c, query: query, limit: o.limit, stop: stop}, nil
}

// waitReady polls the /readyz beside a /query URL until it answers 200.
func waitReady(ctx context.Context, queryURL string, within time.Duration) error {
	ready := strings.TrimSuffix(queryURL, "/query") + "/readyz"
	deadline := time.Now().Add(within)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ready, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %v (last error: %v)", ready, within, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
