package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// errSlowReader is the cause of a download's cancellation when its client
// took the answer slower than the minimum rate.
var errSlowReader = errors.New("the client took the answer too slowly")

// enforceSendRate cuts off a client that takes a long answer (an export,
// a backup) slower than rate: it stops reading, or reads a trickle. Such
// a client would otherwise hold its worker of the admission
// (admitDownload) and a snapshot of the store until the server's
// WriteTimeout, fifteen minutes, while the answers queued behind it
// waited. It mirrors enforceBodyRate: a write deadline at the end of the
// current window, moved on once a window's worth has gone out, so that an
// honest export of any size on any real link is not cut by a fixed
// timeout. The request's context is cancelled with the write, so that
// the handler stops at once and logs a client gone, not a failure.
func enforceSendRate(rate MinBodyRate, logger *slog.Logger, next http.Handler) http.Handler {
	if rate.Bytes <= 0 || rate.Window <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithCancelCause(r.Context())
		defer cancel(nil)
		rw := &rateWriter{ResponseWriter: w, rc: http.NewResponseController(w), rate: rate, cancel: cancel}
		if rw.extend(time.Now()) != nil {
			next.ServeHTTP(w, r) // a writer without deadlines: nothing to enforce
			return
		}
		defer func() { // also when the handler aborts the answer (a panic)
			if rw.slow {
				logger.Info("cut off a client reading slower than the minimum rate",
					"path", r.URL.Path, "bytes", rate.Bytes, "window", rate.Window, "sent", rw.total)
			}
		}()
		next.ServeHTTP(rw, r.WithContext(ctx))
		if rw.slow {
			return
		}
		// What the handler left in the server's buffer goes out under the
		// rate too; then the server's own write timeout applies again,
		// for the end of this answer and the next request's.
		if err := rw.rc.Flush(); err != nil {
			return
		}
		var d time.Time
		if srv, ok := r.Context().Value(http.ServerContextKey).(*http.Server); ok && srv.WriteTimeout > 0 {
			d = time.Now().Add(srv.WriteTimeout)
		}
		_ = rw.rc.SetWriteDeadline(d)
	})
}

// rateWriter is a ResponseWriter whose writes must keep up with rate.
type rateWriter struct {
	http.ResponseWriter
	rc       *http.ResponseController
	rate     MinBodyRate
	cancel   context.CancelCauseFunc
	deadline time.Time
	last     time.Time // when the last write returned
	inWindow int64     // bytes taken since the window began
	total    int64
	slow     bool
}

// extend starts a new window at now.
func (s *rateWriter) extend(now time.Time) error {
	s.deadline, s.inWindow, s.last = now.Add(s.rate.Window), 0, now
	return s.rc.SetWriteDeadline(s.deadline)
}

func (s *rateWriter) Write(p []byte) (int, error) {
	now := time.Now()
	// A new window when this one has had its bytes and is half spent
	// (moving the deadline on every write would cost a call into the
	// runtime's poller per write), or when the handler went a quarter of
	// a window without writing (it worked, or waited for its turn of a
	// worker): every write so far was taken, so the client kept up, and
	// the time was the server's, which the client must not lose from its
	// window.
	if now.After(s.deadline) || now.Sub(s.last) >= s.rate.Window/4 ||
		(s.inWindow >= s.rate.Bytes && s.deadline.Sub(now) < s.rate.Window/2) {
		_ = s.extend(now)
	}
	n, err := s.ResponseWriter.Write(p)
	s.last = time.Now()
	s.inWindow += int64(n)
	s.total += int64(n)
	if err != nil && isTimeout(err) {
		s.slow = true
		err = fmt.Errorf("the client took the answer slower than %d bytes in %s; the connection was closed: %w", s.rate.Bytes, s.rate.Window, err)
		s.cancel(errSlowReader)
	}
	return n, err
}

// Unwrap lets http.ResponseController reach the server's writer.
func (s *rateWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
