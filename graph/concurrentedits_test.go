package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/ties-graph/ties/store"
)

// TestConcurrentEditsOfOneEntity: two editors upserting one entity at
// the same moment lose nothing silently. Upserts replace, so the last to
// commit wins, and every acknowledged write is a change of its own in
// the entity's history, under its key's name, whose before is the
// change before it's after: an editor can see whose change replaced
// theirs, and what it replaced.
func TestConcurrentEditsOfOneEntity(t *testing.T) {
	a := newAccessEnv(t, store.ScopeNone)
	_, second, err := a.store.CreateAPIKey(context.Background(), store.NewAPIKey{Name: "second-writer", Scope: store.ScopeWrite, Principal: store.PrincipalCLI})
	if err != nil {
		t.Fatal(err)
	}
	const upsert = `mutation($d: String!) { upsertEntities(input: [{id: "contested", type: "City", name: "Contested", description: $d}]) { id } }`
	if r := a.as(t, a.write, upsert, map[string]any{"d": "first"}); len(r.Errors) > 0 {
		t.Fatalf("create: %s", r.Raw)
	}
	const rounds = 10
	acknowledged := map[string]string{} // description → principal
	var mu sync.Mutex
	for round := range rounds {
		var wg sync.WaitGroup
		for _, editor := range []struct{ name, token string }{{"writer", a.write}, {"second-writer", second}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d := fmt.Sprintf("%s in round %d", editor.name, round)
				r := a.as(t, editor.token, upsert, map[string]any{"d": d})
				if len(r.Errors) > 0 {
					t.Errorf("%s: %s", d, r.Raw)
					return
				}
				mu.Lock()
				acknowledged[d] = editor.name
				mu.Unlock()
			}()
		}
		wg.Wait()
	}
	r := a.as(t, a.read, `{ entity(id: "contested") { description history(first: 100) { nodes { principal op before after } } } }`, nil)
	var got struct {
		Entity struct {
			Description string
			History     struct {
				Nodes []struct {
					Principal, Op string
					Before        json.RawMessage
					After         json.RawMessage
				}
			}
		}
	}
	if err := json.Unmarshal(r.Data, &got); err != nil {
		t.Fatalf("%v: %s", err, r.Raw)
	}
	h := got.Entity.History.Nodes // newest first
	if got, want := len(h), len(acknowledged)+1; got != want {
		t.Fatalf("history holds %d changes, want %d (every acknowledged write and the create)", got, want)
	}
	description := func(rec json.RawMessage) string {
		var e struct{ Description string }
		_ = json.Unmarshal(rec, &e)
		return e.Description
	}
	if got, want := got.Entity.Description, description(h[0].After); got != want {
		t.Errorf("the entity reads %q; its newest change wrote %q", got, want)
	}
	for i, c := range h[:len(h)-1] {
		d := description(c.After)
		if want, ok := acknowledged[d]; !ok || c.Principal != want {
			t.Errorf("change %d wrote %q under %q; acknowledged to %q", i, d, c.Principal, want)
		}
		delete(acknowledged, d)
		if b, prev := description(c.Before), description(h[i+1].After); b != prev {
			t.Errorf("change %d (%s) replaced %q, but the change before it wrote %q", i, c.Principal, b, prev)
		}
	}
	if len(acknowledged) > 0 {
		t.Errorf("acknowledged writes missing from the history: %v", acknowledged)
	}
}
