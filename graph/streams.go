package graph

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/ties-graph/ties/store"
)

// StreamKeepAlive is how often an idle subscription stream sends a
// keep-alive (a graphql-transport-ws ping, or an SSE comment), so that
// proxies and load balancers, which commonly close connections idle for 60
// seconds, hold it open.
const StreamKeepAlive = 20 * time.Second

// websocketTransport is the websocket transport: authenticated by its
// connection_init message (init), pinged every StreamKeepAlive.
func websocketTransport(init transport.WebsocketInitFunc) transport.Websocket {
	return transport.Websocket{
		InitFunc:              init,
		InitTimeout:           10 * time.Second,
		KeepAlivePingInterval: StreamKeepAlive,
	}
}

// sseTransport is the Server-Sent Events transport.
func sseTransport() transport.SSE {
	return transport.SSE{KeepAlivePingInterval: StreamKeepAlive}
}

// isStream reports whether r opens a long-lived stream: a websocket
// upgrade or a request for Server-Sent Events.
func isStream(r *http.Request) bool {
	return isUpgrade(r) || strings.Contains(r.Header.Get("Accept"), "text/event-stream")
}

func isUpgrade(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// streams routes the streams of /query around what bounds ordinary
// requests: the per-request timeout (a subscription lasts as long as its
// client wants) and the server's write timeout, which an SSE response
// clears for itself. Other requests reach bounded, the handler with the
// timeout. Websocket upgrades also pass the guard, which would
// refuse them before the protocol could authenticate: browsers cannot
// send headers with a websocket, so a subscription authenticates in its
// connection_init message instead (guard.websocketInit), and the
// Authorization header of the upgrade, if any, is checked by the guard
// and kept for it there.
func streams(raw, bounded http.Handler, g guard) http.Handler {
	guardedRaw := g.require(store.ScopeRead, "a GraphQL request", true, raw)
	guardedBounded := g.require(store.ScopeRead, "a GraphQL request", true, bounded)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case isUpgrade(r):
			h := r.Header.Get("Authorization")
			r = r.WithContext(context.WithValue(r.Context(), upgradeAuthKey{}, h))
			if h != "" {
				// Sent, so checked now, with the answer of any request.
				guardedRaw.ServeHTTP(w, r)
				return
			}
			raw.ServeHTTP(w, r)
		case isStream(r):
			_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
			guardedRaw.ServeHTTP(w, r)
		default:
			guardedBounded.ServeHTTP(w, r)
		}
	})
}

type upgradeAuthKey struct{}

// websocketInit authenticates a websocket by its connection_init payload,
// by the rules of the Authorization header (guard.identify): the payload's
// "Authorization" ("Bearer TOKEN") or "token" (the bare token), else the
// upgrade request's own Authorization header, else anonymous. A client
// that may not read is refused, which closes the connection with the
// reason (4403).
func (g guard) websocketInit(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	if g.access == nil {
		return ctx, nil, nil
	}
	h := p.Authorization()
	if h == "" {
		if t := p.GetString("token"); t != "" {
			h = "Bearer " + t
		}
	}
	if h == "" {
		h, _ = ctx.Value(upgradeAuthKey{}).(string)
	}
	r := (&http.Request{Header: http.Header{}}).WithContext(ctx)
	if h != "" {
		r.Header.Set("Authorization", h)
	}
	id, ref := g.identify(r)
	if ref == nil {
		ref = scopeRefusal(id, store.ScopeRead, "a subscription")
	}
	if ref != nil {
		// graphql-ws closes a refused connection with 4403 and the
		// reason, which a close frame limits to 123 bytes.
		why := string(ref.code) + ": " + ref.message
		if !id.key && ref.code == store.Unauthenticated && h == "" {
			why = string(ref.code) + ": a subscription needs an API key: send {\"Authorization\": \"Bearer TOKEN\"} in connection_init"
		}
		ctx = transport.AppendCloseReason(ctx, truncate(why, 123))
		ctx = transport.WithWebsocketCloseCode(ctx, 4403)
		return ctx, nil, errors.New(ref.message)
	}
	return withIdentity(ctx, id), nil, nil
}

// truncate cuts s to at most n bytes, at a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
