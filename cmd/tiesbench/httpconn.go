package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// httpConn is one keep-alive HTTP/1.1 connection driven from the goroutine
// that queries, as pgx drives PostgreSQL's connection. net/http's client
// hands every request to a writing goroutine and every response from a
// reading one; on a loaded machine of two cores each of those hand-offs
// waits for the scheduler, which measured the client more than the
// server. The requests are the same bytes (a POST with a JSON body), the
// server is the same net/http server, and the response is read by
// http.ReadResponse, chunked or not.
type httpConn struct {
	addr, host, path string
	c                net.Conn
	br               *bufio.Reader
	bw               *bufio.Writer
	// resp holds the last response's body, reused by the next as pgx
	// reuses its read buffer: the caller reads it before asking again.
	resp []byte
}

func newHTTPConn(raw string) (*httpConn, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("url %q: %w", raw, err)
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("url %q: only http is spoken here", raw)
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	return &httpConn{addr: addr, host: u.Host, path: u.RequestURI()}, nil
}

// post sends body and returns the response's status and body, which is
// valid until the next post. A request
// on a kept-alive connection that the server has closed meanwhile is sent
// again once on a new one (the benchmark's requests are all queries).
func (h *httpConn) post(ctx context.Context, body []byte) (int, []byte, error) {
	reused := h.c != nil
	status, b, err := h.roundTrip(ctx, body)
	if err != nil && reused && ctx.Err() == nil {
		h.close()
		status, b, err = h.roundTrip(ctx, body)
	}
	if err != nil {
		h.close()
	}
	return status, b, err
}

func (h *httpConn) roundTrip(ctx context.Context, body []byte) (int, []byte, error) {
	if h.c == nil {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", h.addr)
		if err != nil {
			return 0, nil, err
		}
		h.c, h.br, h.bw = c, bufio.NewReaderSize(c, 64<<10), bufio.NewWriterSize(c, 4<<10)
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Time{}
	}
	if err := h.c.SetDeadline(deadline); err != nil {
		return 0, nil, err
	}
	w := h.bw
	w.WriteString("POST ")
	w.WriteString(h.path)
	w.WriteString(" HTTP/1.1\r\nHost: ")
	w.WriteString(h.host)
	w.WriteString("\r\nContent-Type: application/json\r\nAccept: application/graphql-response+json, application/json\r\nContent-Length: ")
	w.WriteString(strconv.Itoa(len(body)))
	w.WriteString("\r\n\r\n")
	w.Write(body)
	if err := w.Flush(); err != nil {
		return 0, nil, err
	}
	resp, err := http.ReadResponse(h.br, nil)
	if err != nil {
		return 0, nil, err
	}
	b, err := h.readBody(resp)
	resp.Body.Close()
	if err != nil {
		return 0, nil, err
	}
	if resp.Close {
		h.close()
	}
	return resp.StatusCode, b, nil
}

// readBody reads resp's body into h.resp, in one read when the server
// said its length.
func (h *httpConn) readBody(resp *http.Response) ([]byte, error) {
	if n := resp.ContentLength; n >= 0 {
		if int64(cap(h.resp)) < n {
			h.resp = make([]byte, n)
		}
		h.resp = h.resp[:n]
		_, err := io.ReadFull(resp.Body, h.resp)
		return h.resp, err
	}
	buf := bytes.NewBuffer(h.resp[:0])
	_, err := buf.ReadFrom(resp.Body)
	h.resp = buf.Bytes()
	return h.resp, err
}

func (h *httpConn) close() {
	if h.c != nil {
		h.c.Close()
		h.c = nil
	}
}
