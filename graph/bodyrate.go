package graph

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"
)

// MinBodyRate is the slowest a client may send a request body: a window of
// time in which at least Bytes must arrive. A client slower than that is
// cut off, so that a crowd of deliberately slow uploads cannot hold
// connections, file descriptors and upload slots for minutes, while an
// honest upload of any size on any real link goes through.
type MinBodyRate struct {
	Bytes  int64
	Window time.Duration
}

// DefaultMinBodyRate is 1 KiB per 10 seconds: slower than any real link.
var DefaultMinBodyRate = MinBodyRate{Bytes: 1 << 10, Window: 10 * time.Second}

// enforceBodyRate wraps every request body so that it fails when less than
// rate.Bytes arrive in a rate.Window. It sets the connection's read
// deadline to the end of the current window and moves it on each time a
// window's worth arrives, so the server's own ReadTimeout can stay off.
func enforceBodyRate(rate MinBodyRate, next http.Handler) http.Handler {
	if rate.Bytes <= 0 || rate.Window <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			b := &rateBody{r: r.Body, w: w, rate: rate}
			if b.extend() == nil {
				r.Body = b
				defer b.done()
			}
		}
		next.ServeHTTP(w, r)
	})
}

type rateBody struct {
	r        io.ReadCloser
	w        http.ResponseWriter // whose connection's read deadline is set
	rate     MinBodyRate
	inWindow int64
	// cleared is whether the deadline is off since the body's end: the
	// usual request reads its body to the end, and each setting of the
	// deadline is a call into the runtime's poller. Atomic: an upload
	// may be read on another goroutine than the handler's.
	cleared atomic.Bool
}

// extend starts a new window.
func (b *rateBody) extend() error {
	b.inWindow = 0
	b.cleared.Store(false)
	return b.setDeadline(time.Now().Add(b.rate.Window))
}

// setDeadline sets the read deadline of b's connection.
func (b *rateBody) setDeadline(t time.Time) error {
	return http.NewResponseController(b.w).SetReadDeadline(t)
}

// done takes the deadline off when the handler ends, unless the body's
// end took it off already.
func (b *rateBody) done() {
	if !b.cleared.Load() {
		b.setDeadline(time.Time{})
	}
}

func (b *rateBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.inWindow += int64(n)
	if b.inWindow >= b.rate.Bytes {
		if xerr := b.extend(); xerr != nil && err == nil {
			err = xerr
		}
	}
	if errors.Is(err, io.EOF) {
		// The body is whole: the rate no longer applies. Left in place,
		// the deadline would end the server's background read, which
		// watches for the client going away, and so cancel the request
		// of a handler still at work on the body (an import's load).
		b.setDeadline(time.Time{})
		b.cleared.Store(true)
	}
	if err != nil && isTimeout(err) {
		err = fmt.Errorf("the request body arrived slower than %d bytes in %s; the connection was closed: %w", b.rate.Bytes, b.rate.Window, err)
	}
	return n, err
}

func (b *rateBody) Close() error { return b.r.Close() }

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
