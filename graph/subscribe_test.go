package graph_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/ties-graph/ties/graph"
	"github.com/ties-graph/ties/store"
)

const subscribeChanges = `subscription($since: String) { changes(since: $since) { cursor op kind id principal } }`

// event is one message of a subscription: a change, or the errors that
// end it.
type event struct {
	Change *changeJSON
	Errors []gqlError
}

// wsSubscribe opens a graphql-transport-ws subscription with init as the
// connection_init payload and sends its events to out until ctx ends or
// the server completes it; it returns the error that ended it.
func wsSubscribe(ctx context.Context, url string, init map[string]any, query string, vars map[string]any, out chan<- event) error {
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(url, "http")+"/query", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return err
	}
	defer c.CloseNow()
	if err := wsjson.Write(ctx, c, map[string]any{"type": "connection_init", "payload": init}); err != nil {
		return err
	}
	if err := wsjson.Write(ctx, c, map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": query, "variables": vars}}); err != nil {
		return err
	}
	for {
		var m struct {
			Type    string          `json:"type"`
			Payload json.RawMessage `json:"payload"`
		}
		if err := wsjson.Read(ctx, c, &m); err != nil {
			return err
		}
		switch m.Type {
		case "connection_ack", "pong":
		case "ping":
			if err := wsjson.Write(ctx, c, map[string]any{"type": "pong"}); err != nil {
				return err
			}
		case "next":
			if err := deliver(ctx, out, m.Payload); err != nil {
				return err
			}
		case "error":
			var errs []gqlError
			_ = json.Unmarshal(m.Payload, &errs)
			out <- event{Errors: errs}
			return nil
		case "complete":
			return nil
		default:
			return fmt.Errorf("unexpected message %s: %s", m.Type, m.Payload)
		}
	}
}

// sseSubscribe is wsSubscribe over Server-Sent Events, authenticated by
// header.
func sseSubscribe(ctx context.Context, url string, header http.Header, query string, vars map[string]any, out chan<- event) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/query", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", res.StatusCode)
	}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var name string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event:"):
			name = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
			if name == "complete" {
				return nil
			}
		case strings.HasPrefix(line, "data:") && name == "next":
			if err := deliver(ctx, out, []byte(strings.TrimPrefix(line, "data:"))); err != nil {
				return err
			}
		}
	}
	return sc.Err()
}

// deliver decodes the payload of one "next" message and sends it to out,
// unless ctx ends first.
func deliver(ctx context.Context, out chan<- event, payload []byte) error {
	ev, err := decodeEvent(payload)
	if err != nil {
		return err
	}
	select {
	case out <- ev:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func decodeEvent(payload []byte) (event, error) {
	var r struct {
		Data struct {
			Changes *changeJSON `json:"changes"`
		} `json:"data"`
		Errors []gqlError `json:"errors"`
	}
	if err := json.Unmarshal(payload, &r); err != nil {
		return event{}, fmt.Errorf("decode %s: %w", payload, err)
	}
	return event{Change: r.Data.Changes, Errors: r.Errors}, nil
}

// feedEnd returns the cursor past every change so far.
func feedEnd(t testing.TB, e *env) string {
	t.Helper()
	since := ""
	for {
		var got struct {
			Changes struct {
				PageInfo struct {
					HasNextPage bool   `json:"hasNextPage"`
					EndCursor   string `json:"endCursor"`
				} `json:"pageInfo"`
			} `json:"changes"`
		}
		e.ok(`query($s: String) { changes(since: $s, first: 1000) { pageInfo { hasNextPage endCursor } } }`, map[string]any{"s": since}, &got)
		since = got.Changes.PageInfo.EndCursor
		if !got.Changes.PageInfo.HasNextPage {
			return since
		}
	}
}

// feedSince returns the cursors of every change after since, by polling.
func feedSince(t testing.TB, e *env, since string) []string {
	t.Helper()
	var out []string
	for {
		var got struct {
			Changes struct {
				Nodes    []changeJSON `json:"nodes"`
				PageInfo struct {
					HasNextPage bool   `json:"hasNextPage"`
					EndCursor   string `json:"endCursor"`
				} `json:"pageInfo"`
			} `json:"changes"`
		}
		e.ok(`query($s: String) { changes(since: $s, first: 1000) { nodes { cursor } pageInfo { hasNextPage endCursor } } }`, map[string]any{"s": since}, &got)
		for _, c := range got.Changes.Nodes {
			out = append(out, c.Cursor)
		}
		since = got.Changes.PageInfo.EndCursor
		if !got.Changes.PageInfo.HasNextPage {
			return out
		}
	}
}

// TestSubscriptionExactlyOnce runs 8 writers against 4 subscribers, two
// over websocket and two over SSE; one websocket subscriber disconnects
// half-way and resumes from its last cursor. Every subscriber must see
// every change exactly once, in commit order: the order of the polled
// feed.
func TestSubscriptionExactlyOnce(t *testing.T) {
	const writers, writes = 8, 20
	st, err := store.Open("", store.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	loadFounding(t, st)
	e := newEnvWith(t, st, graph.ServerConfig{Access: &graph.Access{Anonymous: store.ScopeWrite}})
	since := feedEnd(t, e)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	total := writers * writes
	type sub struct {
		name string
		got  []string
	}
	subs := make([]*sub, 4)
	var wg sync.WaitGroup
	ready := make(chan struct{}, len(subs))
	for i := range subs {
		s := &sub{name: []string{"ws", "ws-resumed", "sse", "sse-2"}[i]}
		subs[i] = s
		wg.Add(1)
		go func() {
			defer wg.Done()
			cursor := since
			run := func(limit int) error {
				sctx, stop := context.WithCancel(ctx)
				defer stop()
				out := make(chan event)
				errc := make(chan error, 1)
				vars := map[string]any{"since": cursor}
				go func() {
					if strings.HasPrefix(s.name, "ws") {
						errc <- wsSubscribe(sctx, e.url, nil, subscribeChanges, vars, out)
					} else {
						errc <- sseSubscribe(sctx, e.url, nil, subscribeChanges, vars, out)
					}
				}()
				ready <- struct{}{}
				for n := 0; len(s.got) < total && n < limit; n++ {
					select {
					case ev := <-out:
						if ev.Change == nil {
							return fmt.Errorf("%s: event without a change: %+v", s.name, ev.Errors)
						}
						s.got = append(s.got, ev.Change.Cursor)
						cursor = ev.Change.Cursor
					case err := <-errc:
						return fmt.Errorf("%s ended after %d changes: %v", s.name, len(s.got), err)
					case <-ctx.Done():
						return fmt.Errorf("%s: %d changes of %d before the deadline", s.name, len(s.got), total)
					}
				}
				return nil
			}
			if s.name == "ws-resumed" {
				if err := run(total / 3); err != nil {
					t.Error(err)
					return
				}
			}
			if err := run(total); err != nil {
				t.Error(err)
			}
		}()
	}
	for range subs {
		<-ready
	}
	var ww sync.WaitGroup
	for w := range writers {
		ww.Add(1)
		go func() {
			defer ww.Done()
			for i := range writes {
				q := fmt.Sprintf(`mutation { upsertEntities(input: [{id: "w%d-%d", type: "City", name: "W %d %d"}]) { id } }`, w, i, w, i)
				if r := e.at(t).post(q, nil); len(r.Errors) > 0 {
					t.Errorf("write: %s", r.Raw)
					return
				}
			}
		}()
	}
	ww.Wait()
	wg.Wait()
	want := feedSince(t, e, since)
	if len(want) != total {
		t.Fatalf("the polled feed has %d changes, want %d", len(want), total)
	}
	for _, s := range subs {
		if strings.Join(s.got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: got %d changes, want the %d of the feed in its order:\ngot  %v\nwant %v", s.name, len(s.got), len(want), s.got, want)
		}
	}
}

// TestSubscriptionAccess checks that a websocket authenticates in its
// connection_init payload, as browsers cannot send headers with one, and
// SSE with its request's headers, both by the rules of every request.
func TestSubscriptionAccess(t *testing.T) {
	a := newAccessEnv(t, store.ScopeNone)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	first := func(t *testing.T, sub func(out chan<- event) error) (event, error) {
		t.Helper()
		out := make(chan event, 1)
		errc := make(chan error, 1)
		go func() { errc <- sub(out) }()
		select {
		case ev := <-out:
			return ev, nil
		case err := <-errc:
			return event{}, err
		}
	}
	vars := map[string]any{"since": "0-0"} // from the first change
	for _, tc := range []struct {
		name string
		init map[string]any
		ok   bool
	}{
		{"NoKey", nil, false},
		{"BadKey", map[string]any{"Authorization": "Bearer ties_not-a-key"}, false},
		{"Authorization", map[string]any{"Authorization": "Bearer " + a.read}, true},
		{"Token", map[string]any{"token": a.read}, true},
	} {
		t.Run("Websocket"+tc.name, func(t *testing.T) {
			sctx, stop := context.WithCancel(ctx)
			defer stop()
			ev, err := first(t, func(out chan<- event) error { return wsSubscribe(sctx, a.url, tc.init, subscribeChanges, vars, out) })
			switch {
			case tc.ok && (err != nil || ev.Change == nil):
				t.Errorf("got %+v, %v; want a change", ev, err)
			case !tc.ok && (err == nil || !strings.Contains(err.Error(), "API key")):
				t.Errorf("got %+v, %v; want the connection closed, saying an API key is needed", ev, err)
			}
		})
	}
	t.Run("SSE", func(t *testing.T) {
		sctx, stop := context.WithCancel(ctx)
		defer stop()
		if _, err := first(t, func(out chan<- event) error { return sseSubscribe(sctx, a.url, nil, subscribeChanges, vars, out) }); err == nil || !strings.Contains(err.Error(), "401") {
			t.Errorf("SSE without a key: %v, want status 401", err)
		}
		ev, err := first(t, func(out chan<- event) error {
			return sseSubscribe(sctx, a.url, http.Header{"Authorization": {"Bearer " + a.read}}, subscribeChanges, vars, out)
		})
		if err != nil || ev.Change == nil {
			t.Errorf("SSE with a read key: %+v, %v; want a change", ev, err)
		}
	})
	t.Run("PlainPOST", func(t *testing.T) {
		r := a.as(t, a.read, subscribeChanges, nil)
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Raw), "stream") {
			t.Errorf("a subscription as a plain POST: %d %s, want 400 saying it needs a stream", r.Status, r.Raw)
		}
	})
}

// BenchmarkSubscriptionFanOut measures the changes per second delivered to
// 100 subscribers (half over websocket, half over SSE) while one writer
// commits one-entity upserts as fast as it can: b.N changes reach every
// subscriber.
func BenchmarkSubscriptionFanOut(b *testing.B) {
	const subscribers = 100
	st, err := store.Open(b.TempDir(), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	loadFounding(b, st)
	e := newEnvWith(b, st, graph.ServerConfig{})
	since := feedEnd(b, e)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	b.ResetTimer()
	for i := range subscribers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out := make(chan event, 64)
			go func() {
				vars := map[string]any{"since": since}
				if i%2 == 0 {
					_ = wsSubscribe(ctx, e.url, nil, subscribeChanges, vars, out)
				} else {
					_ = sseSubscribe(ctx, e.url, nil, subscribeChanges, vars, out)
				}
			}()
			for range b.N {
				select {
				case <-out:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	for i := range b.N {
		if _, err := st.Apply(ctx, store.Batch{Entities: []store.Entity{{ID: fmt.Sprintf("fan-%d", i), Type: "City", Name: "Fan"}}}); err != nil {
			b.Fatal(err)
		}
	}
	wg.Wait()
	b.ReportMetric(float64(b.N*subscribers)/b.Elapsed().Seconds(), "deliveries/s")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "changes/s")
}

// TestSlowSubscriber closes a subscription that does not take its changes
// in time with a TIMEOUT error naming the cursor to resume from. The limit
// here is a nanosecond, so that the server gives up on the first change
// the transport is not already waiting for.
func TestSlowSubscriber(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{SlowSubscriber: time.Nanosecond})
	for i := range 50 {
		e.ok(fmt.Sprintf(`mutation { upsertEntities(input: [{id: "slow-%d", type: "City", name: "Slow"}]) { id } }`, i), nil, nil)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, transport := range []string{"Websocket", "SSE"} {
		t.Run(transport, func(t *testing.T) {
			out := make(chan event)
			errc := make(chan error, 1)
			vars := map[string]any{"since": "0-0"}
			go func() {
				if transport == "SSE" {
					errc <- sseSubscribe(ctx, e.url, nil, subscribeChanges, vars, out)
				} else {
					errc <- wsSubscribe(ctx, e.url, nil, subscribeChanges, vars, out)
				}
			}()
			var last event
			n := 0
			for done := false; !done; {
				select {
				case ev := <-out:
					last = ev
					n++
				case err := <-errc:
					if err != nil {
						t.Fatalf("after %d events: %v", n, err)
					}
					done = true
				}
			}
			if len(last.Errors) == 0 || last.Errors[0].Extensions["code"] != "TIMEOUT" || !strings.Contains(last.Errors[0].Message, "since") {
				t.Errorf("the last of %d events: %+v, want a TIMEOUT error naming the cursor to resume from", n, last)
			}
		})
	}
}
