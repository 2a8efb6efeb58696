package graph_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/ties-graph/ties/store"
)

// TestSubscriptionEndsWhenKeyRevoked: a change-feed subscription opened
// with an API key must stop with UNAUTHENTICATED once the key is revoked,
// and deliver nothing committed after the revocation. A team that revokes a
// leaked key expects the key to stop working at once, open streams
// included (before, a revoked key's stream went on receiving every change).
func TestSubscriptionEndsWhenKeyRevoked(t *testing.T) {
	for _, over := range []string{"Websocket", "SSE"} {
		t.Run(over, func(t *testing.T) {
			// Anonymous clients may read, so that feedEnd needs no key.
			a := newAccessEnv(t, store.ScopeRead)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			vars := map[string]any{"since": feedEnd(t, a.env)}
			out := make(chan event, 16)
			done := make(chan error, 1)
			go func() {
				if over == "SSE" {
					done <- sseSubscribe(ctx, a.url, http.Header{"Authorization": {"Bearer " + a.read}}, subscribeChanges, vars, out)
				} else {
					done <- wsSubscribe(ctx, a.url, map[string]any{"Authorization": "Bearer " + a.read}, subscribeChanges, vars, out)
				}
				close(out)
			}()
			upsert := func(id string) {
				t.Helper()
				r := a.as(t, a.write, `mutation($id: ID!, $name: String!) { upsertEntities(input: [{id: $id, type: "City", name: $name}]) { id } }`, map[string]any{"id": id, "name": id})
				if len(r.Errors) > 0 {
					t.Fatalf("upsert %s: %s", id, r.Raw)
				}
			}
			upsert("before-revoke")
			if ev := <-out; ev.Change == nil || ev.Change.ID != "before-revoke" {
				t.Fatalf("first event %+v, want the change of before-revoke", ev)
			}
			if err := a.store.RevokeAPIKey(ctx, "reader", store.PrincipalCLI); err != nil {
				t.Fatal(err)
			}
			upsert("after-revoke")
			var ended bool
			for ev := range out {
				if ev.Change != nil && ev.Change.ID != "" {
					t.Errorf("a revoked key's subscription received %+v", ev.Change)
					continue
				}
				if len(ev.Errors) == 0 || ev.Errors[0].Extensions["code"] != "UNAUTHENTICATED" {
					t.Errorf("the stream ended with %+v, want an UNAUTHENTICATED error", ev.Errors)
				}
				ended = true
			}
			if !ended {
				t.Errorf("the stream closed without saying why (%v)", <-done)
			}
		})
	}
}

// TestSubscriptionEndReasonWithoutCursor: the reason a subscription ends
// reaches a client whatever it selects. README's own subscription selects
// `at principal op kind id fields`, not `cursor`, and such a client was
// told "internal error" (INTERNAL, path at) when its key was revoked or it
// was closed as too slow; a dashboard that selects only `id principal`
// was sent a change with an empty id and principal, and no reason at all.
func TestSubscriptionEndReasonWithoutCursor(t *testing.T) {
	for _, tc := range []struct{ name, selection string }{
		{"README", "at principal op kind id fields"},
		{"IDPrincipal", "id principal"},
		{"OpKind", "op kind"},
		{"Before", "before"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newAccessEnv(t, store.ScopeRead)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			out := make(chan event, 16)
			go func() {
				_ = sseSubscribe(ctx, a.url, http.Header{"Authorization": {"Bearer " + a.read}},
					`subscription { changes { `+tc.selection+` } }`, nil, out)
				close(out)
			}()
			// Without since the feed starts now: write until the
			// subscription has seen a change, so that it is open before
			// the key is revoked.
			var seen bool
			for i := 0; !seen; i++ {
				r := a.as(t, a.write, `mutation($id: ID!, $name: String!) { upsertEntities(input: [{id: $id, type: "City", name: $name}]) { id } }`,
					map[string]any{"id": "c" + strconv.Itoa(i), "name": "c" + strconv.Itoa(i)})
				if len(r.Errors) > 0 {
					t.Fatalf("upsert: %s", r.Raw)
				}
				select {
				case ev := <-out:
					seen = ev.Change != nil
					if !seen {
						t.Fatalf("first event %+v, want a change", ev)
					}
				case <-time.After(100 * time.Millisecond):
				}
			}
			if err := a.store.RevokeAPIKey(ctx, "reader", store.PrincipalCLI); err != nil {
				t.Fatal(err)
			}
			var last event
			for ev := range out {
				if c := ev.Change; len(ev.Errors) == 0 && c != nil && c.ID == "" && c.Principal == "" && c.Op == "" && c.Kind == "" && c.Before == nil {
					t.Errorf("after the revocation the stream sent an empty change %+v and no error", *c)
				}
				last = ev
			}
			if len(last.Errors) == 0 || last.Errors[0].Extensions["code"] != "UNAUTHENTICATED" {
				t.Errorf("the stream ended with %+v, want UNAUTHENTICATED", last.Errors)
			}
		})
	}
}
