package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ties-graph/ties/store/kv/pgkv/pgcluster"
	"github.com/ties-graph/ties/store/storetest"
)

// post sends a query and reads the response, whatever its status; an
// answer that is not GraphQL's is an error.
func post(t *testing.T, url, q string) (*storetest.Response, error) {
	t.Helper()
	r, err := storetest.PostQuery(context.Background(), nil, url+"/query", q, nil)
	if err == nil && !r.HasData && len(r.Errors) == 0 {
		err = fmt.Errorf("status %d, not a GraphQL answer: %s", r.Status, r.Raw)
	}
	return r, err
}

// startPair starts a durable primary and a streaming standby of it,
// synchronous when sync is set, and waits until the standby streams.
func startPair(t *testing.T, sync bool) (primary, standby *pgcluster.Cluster) {
	t.Helper()
	ctx := context.Background()
	var settings []string
	if sync {
		settings = append(settings, "synchronous_standby_names=standby1", "synchronous_commit=on")
	}
	primary, err := pgcluster.Start(ctx, pgcluster.Config{Durable: true, Settings: settings})
	if err != nil {
		if err == pgcluster.ErrNotInstalled {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { primary.Stop() })
	standby, err = pgcluster.StartStandby(ctx, primary, "standby1", pgcluster.Config{Durable: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { standby.Stop() })
	conn, err := pgx.Connect(ctx, primary.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	want := "async"
	if sync {
		want = "sync"
	}
	for range 600 {
		var state string
		err := conn.QueryRow(ctx, `SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby1' AND state = 'streaming'`).Scan(&state)
		if err == nil && state == want {
			return primary, standby
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the standby does not stream as %s:\n%s", want, standby.LogTail())
	return nil, nil
}

// TestFailover kills the primary with SIGKILL while a client writes
// through a service, promotes the standby, and checks that the service
// carries on against it: with a synchronous standby every acknowledged
// write is there; during the switch clients get UNAVAILABLE and never a
// wrong answer. With an asynchronous standby it logs how many
// acknowledged writes were lost (the loss window docs/SCALING.md states).
func TestFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two PostgreSQL servers")
	}
	for _, sync := range []bool{true, false} {
		name := "Synchronous"
		if !sync {
			name = "Asynchronous"
		}
		t.Run(name, func(t *testing.T) { testFailover(t, sync) })
	}
}

func testFailover(t *testing.T, synchronous bool) {
	primary, standby := startPair(t, synchronous)
	dsn := fmt.Sprintf("postgres://ties@127.0.0.1:%d,127.0.0.1:%d/postgres?sslmode=disable&target_session_attrs=read-write&connect_timeout=2",
		primary.Port, standby.Port)
	s := startServe(t, env(map[string]string{"TIES_STORE": dsn, "TIES_NO_SEED": "true"}))

	var (
		acked       []string
		unavailable int
		killedAt    = -1
	)
	// Besides the client that checks every answer, writers upsert as fast
	// as they can, so that commits are in flight when the primary dies:
	// the asynchronous standby's loss window is what they lose.
	const writers = 4
	var (
		bgMu    sync.Mutex
		bgAcked []string
		stop    = make(chan struct{})
		wg      sync.WaitGroup
	)
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("w%d-%05d", g, n)
				r, err := post(t, s.url, fmt.Sprintf(`mutation { upsertEntities(input: [{id: %q, type: "City", name: %q}]) { id } }`, id, id))
				if err != nil || len(r.Errors) > 0 {
					time.Sleep(20 * time.Millisecond)
					continue
				}
				bgMu.Lock()
				bgAcked = append(bgAcked, id)
				bgMu.Unlock()
			}
		}()
	}
	stopWriters := func() {
		select {
		case <-stop:
		default:
			close(stop)
			wg.Wait()
		}
	}
	defer stopWriters()
	const before, after = 60, 30
	deadline := time.Now().Add(90 * time.Second)
	for i := 0; len(acked) < before+after; i++ {
		if time.Now().After(deadline) {
			t.Fatalf("only %d writes acknowledged in 90s (%d before the kill)\n%s", len(acked), killedAt, s.logs.String())
		}
		if len(acked) == before && killedAt < 0 {
			killedAt = len(acked)
			primary.Kill()
			go func() {
				// Promotion comes a moment later, as from an operator or
				// a failover manager, while the client keeps writing.
				time.Sleep(500 * time.Millisecond)
				if err := standby.Promote(context.Background()); err != nil {
					t.Errorf("promote: %v", err)
				}
			}()
		}
		id := fmt.Sprintf("m%04d", i)
		r, err := post(t, s.url, fmt.Sprintf(`mutation { upsertEntities(input: [{id: %q, type: "City", name: %q}]) { id } }`, id, id))
		if err != nil {
			t.Fatalf("write %s: %v", id, err)
		}
		if len(r.Errors) > 0 {
			if code := r.Code(); code != "UNAVAILABLE" {
				t.Fatalf("write %s: %s (%v), want UNAVAILABLE or success", id, r.Errors[0].Message, code)
			}
			unavailable++
			time.Sleep(20 * time.Millisecond)
			continue
		}
		acked = append(acked, id)
		// Read back an earlier acknowledged write: either the right
		// answer or UNAVAILABLE, never a missing entity. (With an
		// asynchronous standby the writes of the loss window are
		// missing, which is what the test measures instead.)
		back := acked[len(acked)/2]
		r, err = post(t, s.url, fmt.Sprintf(`{ entity(id: %q) { id } }`, back))
		if err != nil {
			t.Fatalf("read %s: %v", back, err)
		}
		if len(r.Errors) > 0 {
			if code := r.Code(); code != "UNAVAILABLE" {
				t.Fatalf("read %s: %s (%v), want UNAVAILABLE or the entity", back, r.Errors[0].Message, code)
			}
			continue
		}
		if synchronous && string(r.Data) == `{"entity":null}` {
			t.Fatalf("read of acknowledged %s found nothing", back)
		}
	}
	stopWriters()
	if err := s.stop(t); err != nil {
		t.Fatalf("serve: %v\n%s", err, s.logs.String())
	}
	checked := len(acked)
	acked = append(acked, bgAcked...)

	// Every acknowledged write is on the promoted standby, and the store
	// there passes its check.
	url := standby.DSN("postgres")
	runOK(t, "check", "--store", url)
	var lost []string
	for chunk := range slices.Chunk(acked, 40) {
		var ids []string
		for _, id := range chunk {
			ids = append(ids, fmt.Sprintf("%s: entity(id: %q) { id }", alias(id), id))
		}
		out := runOK(t, "query", "--store", url, "{ "+strings.Join(ids, " ")+" }")
		var resp struct {
			Data map[string]json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal([]byte(out), &resp); err != nil {
			t.Fatal(err)
		}
		for _, id := range chunk {
			if string(resp.Data[alias(id)]) == "null" {
				lost = append(lost, id)
			}
		}
	}
	t.Logf("the checking client: %d writes acknowledged (%d before the kill), %d answered UNAVAILABLE during the switch; %d writers: %d acknowledged; acknowledged writes lost: %d %v",
		checked, killedAt, unavailable, writers, len(acked)-checked, len(lost), lost)
	if synchronous && len(lost) > 0 {
		t.Errorf("with a synchronous standby, acknowledged writes were lost: %v", lost)
	}
}

// alias makes an id a GraphQL alias.
func alias(id string) string { return "a_" + strings.ReplaceAll(id, "-", "_") }
