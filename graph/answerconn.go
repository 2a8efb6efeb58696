package graph

import (
	"context"
	"net"
	"net/http"
)

// AnswerListener wraps ln so that an answer the GraphQL transport has
// whole leaves its connection in one write; give the http.Server that
// serves ln AnswerConnContext as its ConnContext, through which the
// transport finds the connection.
//
// net/http buffers a connection's writes in 4 KiB: an answer whose
// headers and body pass that (a dashboard's depth-2 neighbourhood of
// about 60 entities is 4.5 KB) goes out in two write system calls, the
// first inside the handler's Write and the second when the handler
// returns, and reaches the client as two segments, which on loopback is
// two wake-ups of the reader. The server's bytes are the same either
// way; only how many writes carry them changes. Over TLS the connection
// the server sees is the TLS one and nothing is held.
func AnswerListener(ln net.Listener) net.Listener {
	return answerListener{Listener: ln, buffers: newAnswerBuffers()}
}

// AnswerConnContext is the http.Server's ConnContext for connections of
// AnswerListener: it puts c in the context of c's requests.
func AnswerConnContext(ctx context.Context, c net.Conn) context.Context {
	if ac, ok := c.(*answerConn); ok {
		return context.WithValue(ctx, answerConnKey{}, ac)
	}
	return ctx
}

type answerListener struct {
	net.Listener
	// buffers lends the held bytes' buffers, so that an idle connection
	// keeps none.
	buffers *answerBuffers
}

func (l answerListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &answerConn{Conn: c, buffers: l.buffers}, nil
}

type answerConnKey struct{}

// answerConn is a connection whose writes a handler can hold back while
// it writes an answer, to send them with the answer's last bytes in one
// write. net/http writes an HTTP/1.x connection only from the goroutine
// that serves its current request, the handler's, so the fields need no
// lock.
type answerConn struct {
	net.Conn
	buffers *answerBuffers
	holding bool
	held    *answerBuffer // nil: nothing held
}

// Write sends p, after what was held; while holding, it only keeps p.
func (c *answerConn) Write(p []byte) (int, error) {
	if c.holding {
		if c.held == nil {
			c.held = c.buffers.get(len(p))
		}
		c.held.b = append(c.held.b, p...)
		return len(p), nil
	}
	if c.held == nil {
		return c.Conn.Write(p)
	}
	before := len(c.held.b)
	c.held.b = append(c.held.b, p...)
	n, err := c.Conn.Write(c.held.b)
	c.buffers.put(c.held)
	c.held = nil
	return max(0, n-before), err
}

// CloseWrite half-closes the connection when the one beneath can, which
// net/http asks for before it closes a connection.
func (c *answerConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// maxHeldAnswer is the largest body writeWhole holds back: past a few
// segments, a second write costs little beside the answer, and holding
// would copy it.
const maxHeldAnswer = 64 << 10

// holdFor returns the connection of ctx, holding its writes, when an
// answer of size bytes is to leave in one write: on a connection of
// AnswerListener, a body over net/http's 2 KiB response buffer (one
// under it fits, with its headers, in the connection's buffer, which
// net/http sends in one write when the handler returns) and up to
// maxHeldAnswer. nil otherwise, whose send does nothing. A body over
// 2 KiB goes past net/http's response buffer to its connection buffer,
// headers first, so the headers are fixed at its first Write whether or
// not the handler flushes after it.
func holdFor(ctx context.Context, size int) *answerConn {
	if size <= 2<<10 || size > maxHeldAnswer {
		return nil
	}
	c, _ := ctx.Value(answerConnKey{}).(*answerConn)
	if c != nil {
		c.holding = true
		// Room for the headers too, which net/http writes first.
		c.held = c.buffers.get(size + 1<<10)
	}
	return c
}

// send ends the holding that holdFor began, once the handler has
// written the whole body to w: net/http's flush hands its rest to
// Write, which sends it after what was held in one write and reports a
// failed write to net/http; when the flush writes nothing (the body
// went past the buffer whole, or w cannot flush), what is held is sent
// here.
func (c *answerConn) send(w http.ResponseWriter) {
	if c == nil {
		return
	}
	c.holding = false
	_ = http.NewResponseController(w).Flush()
	switch {
	case c.held == nil:
	case len(c.held.b) == 0:
		c.buffers.put(c.held)
		c.held = nil
	default:
		_, _ = c.Write(nil)
	}
}
