package graph_test

import (
	"encoding/json"
	"testing"

	"github.com/ties-graph/ties/graph"
)

// changeJSON is a Change as a client reads it.
type changeJSON struct {
	Cursor    string          `json:"cursor"`
	At        string          `json:"at"`
	Principal string          `json:"principal"`
	Op        string          `json:"op"`
	Kind      string          `json:"kind"`
	ID        string          `json:"id"`
	Fields    []string        `json:"fields"`
	Before    json.RawMessage `json:"before"`
	After     json.RawMessage `json:"after"`
}

const changeFields = `cursor at principal op kind id fields before after`

func TestHistory(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	e.ok(`mutation { upsertEntities(input: [{id: "enschede", type: "City", name: "Enschede!"}]) { id } }`, nil, nil)
	var got struct {
		Entity struct {
			History struct {
				Nodes    []changeJSON `json:"nodes"`
				PageInfo struct {
					HasNextPage bool   `json:"hasNextPage"`
					EndCursor   string `json:"endCursor"`
				} `json:"pageInfo"`
			} `json:"history"`
		} `json:"entity"`
	}
	e.ok(`{ entity(id: "enschede") { history(first: 1) { nodes { `+changeFields+` } pageInfo { hasNextPage endCursor } } } }`, nil, &got)
	h := got.Entity.History
	if len(h.Nodes) != 1 {
		t.Fatalf("history: got %d changes, want 1", len(h.Nodes))
	}
	c := h.Nodes[0]
	if c.Op != "UPDATE" || c.Kind != "ENTITY" || c.ID != "enschede" || c.Principal != "anonymous" {
		t.Errorf("newest change: got %+v", c)
	}
	if !h.PageInfo.HasNextPage {
		t.Errorf("hasNextPage: got false, want true (the founding batch created it)")
	}
	e.ok(`query($a: String) { entity(id: "enschede") { history(after: $a) { nodes { `+changeFields+` } } } }`, map[string]any{"a": h.PageInfo.EndCursor}, &got)
	if n := len(got.Entity.History.Nodes); n != 1 || got.Entity.History.Nodes[0].Op != "CREATE" {
		t.Errorf("older history: got %+v", got.Entity.History.Nodes)
	}
	var feed struct {
		Changes struct {
			Nodes []changeJSON `json:"nodes"`
		} `json:"changes"`
	}
	e.ok(`{ changes(first: 1000, kinds: [ENTITY], ids: ["enschede", "dalian"]) { nodes { `+changeFields+` } } }`, nil, &feed)
	nodes := feed.Changes.Nodes
	for _, c := range nodes {
		if c.Kind != "ENTITY" || (c.ID != "enschede" && c.ID != "dalian") {
			t.Errorf("the feed of enschede and dalian's entity changes holds %s %s %s", c.Op, c.Kind, c.ID)
		}
	}
	if len(nodes) < 3 {
		t.Fatalf("feed: got %d changes, want the two creations and the update", len(nodes))
	}
	if last := nodes[len(nodes)-1]; last.ID != "enschede" || last.Op != "UPDATE" {
		t.Errorf("the newest change in the feed is %s %s, want the update of enschede", last.Op, last.ID)
	}
}

func TestStatsRetention(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	var got struct {
		Stats struct {
			AsOfFrom    *string `json:"asOfFrom"`
			ChangesFrom *string `json:"changesFrom"`
		} `json:"stats"`
	}
	e.ok(`{ stats { asOfFrom changesFrom } }`, nil, &got)
	if got.Stats.ChangesFrom == nil {
		t.Errorf("changesFrom: got null, want the time of the founding commit")
	}
	if e.store.Features().AllHistory {
		// PostgreSQL keeps every version: asOf reaches back forever.
		if got.Stats.AsOfFrom != nil {
			t.Errorf("asOfFrom: got %v, want null where every version is kept", *got.Stats.AsOfFrom)
		}
		return
	}
	// The default retention, 30 days, reaches back before the store.
	if got.Stats.AsOfFrom == nil || *got.Stats.AsOfFrom >= *got.Stats.ChangesFrom {
		t.Errorf("asOfFrom: got %v, want an instant before changesFrom %v", got.Stats.AsOfFrom, got.Stats.ChangesFrom)
	}
}

// first: 0 is a page of no changes that still tells whether there are
// any, for the feed and for a record's history alike; it is not taken for
// "the default page".
func TestChangesFirstZero(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	type page struct {
		Nodes    []changeJSON `json:"nodes"`
		PageInfo struct {
			HasNextPage bool `json:"hasNextPage"`
		} `json:"pageInfo"`
	}
	var got struct {
		Changes page `json:"changes"`
		Entity  struct {
			History page `json:"history"`
		} `json:"entity"`
		Nothing page `json:"nothing"`
	}
	e.ok(`{ changes(first: 0) { nodes { id } pageInfo { hasNextPage } }
	  entity(id: "enschede") { history(first: 0) { nodes { id } pageInfo { hasNextPage } } }
	  nothing: changes(first: 0, ids: ["no-such-record"]) { nodes { id } pageInfo { hasNextPage } } }`, nil, &got)
	for name, p := range map[string]page{"changes": got.Changes, "history": got.Entity.History} {
		if len(p.Nodes) != 0 || !p.PageInfo.HasNextPage {
			t.Errorf("%s(first: 0): %d changes, hasNextPage %v; want none and true", name, len(p.Nodes), p.PageInfo.HasNextPage)
		}
	}
	if len(got.Nothing.Nodes) != 0 || got.Nothing.PageInfo.HasNextPage {
		t.Errorf("changes(first: 0) of no record: %+v, want none and no next page", got.Nothing)
	}
	if r := e.post(`{ changes(first: -1) { nodes { id } } }`, nil); r.Code() != "INVALID_ARGUMENT" {
		t.Errorf("first: -1: code %q, want INVALID_ARGUMENT: %s", r.Code(), r.Raw)
	}
}
