package graph_test

import (
	"testing"

	"github.com/ties-graph/ties/graph"
)

// From a document to the facts that state it: "which facts does the
// annual report state".
func TestCitedBy(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	type page struct {
		Entity struct {
			CitedBy struct {
				TotalCount int
				PageInfo   struct {
					HasNextPage bool
					EndCursor   string
				}
				Edges []struct {
					Node struct {
						Typename string `json:"__typename"`
						ID       string
					}
					Source struct{ DocumentID, Excerpt string }
				}
			}
		}
	}
	const q = `query($id: ID!, $first: Int, $after: String) { entity(id: $id) { citedBy(first: $first, after: $after) {
	  totalCount pageInfo { hasNextPage endCursor }
	  edges { node { __typename id } source { documentId excerpt } } } } }`
	for _, doc := range []string{"enschede-international-annual-report-2017"} {
		t.Run(doc, func(t *testing.T) {
			var all page
			e.at(t).ok(q, map[string]any{"id": doc, "first": 1000}, &all)
			c := all.Entity.CitedBy
			if c.TotalCount == 0 || len(c.Edges) != c.TotalCount || c.PageInfo.HasNextPage {
				t.Fatalf("totalCount %d, %d edges, hasNextPage %v", c.TotalCount, len(c.Edges), c.PageInfo.HasNextPage)
			}
			kinds := map[string]int{}
			for _, ed := range c.Edges {
				kinds[ed.Node.Typename]++
				if ed.Source.DocumentID != doc || ed.Node.ID == "" {
					t.Errorf("edge %+v: the source cites %q, want %q", ed, ed.Source.DocumentID, doc)
				}
			}
			if kinds["Relation"] == 0 {
				t.Errorf("no relation cites %s: %v", doc, kinds)
			}
			// Paging two at a time gives the same edges in the same order.
			var got []string
			var after any
			for i := 0; ; i++ {
				var p page
				e.at(t).ok(q, map[string]any{"id": doc, "first": 2, "after": after}, &p)
				for _, ed := range p.Entity.CitedBy.Edges {
					got = append(got, ed.Node.ID+"|"+ed.Source.Excerpt)
				}
				if !p.Entity.CitedBy.PageInfo.HasNextPage || i > 1000 {
					break
				}
				after = p.Entity.CitedBy.PageInfo.EndCursor
			}
			if len(got) != len(c.Edges) {
				t.Fatalf("paged: %d edges, want %d", len(got), len(c.Edges))
			}
			for i, ed := range c.Edges {
				if got[i] != ed.Node.ID+"|"+ed.Source.Excerpt {
					t.Errorf("paged edge %d: %q, want %q", i, got[i], ed.Node.ID+"|"+ed.Source.Excerpt)
				}
			}
		})
	}
	// The Germany agenda is referred to, but no fact cites it as its source.
	for _, id := range []string{"germany-agenda-annual-overview-2017", "enschede"} {
		t.Run("NothingCites_"+id, func(t *testing.T) {
			var p page
			e.at(t).ok(q, map[string]any{"id": id}, &p)
			if p.Entity.CitedBy.TotalCount != 0 || len(p.Entity.CitedBy.Edges) != 0 {
				t.Errorf("got %+v, want no citations", p.Entity.CitedBy)
			}
		})
	}
	t.Run("ErrBadCursor", func(t *testing.T) {
		r := e.at(t).post(`{ entity(id: "germany-agenda-annual-overview-2017") { citedBy(after: "bm9wZQ") { totalCount } } }`, nil)
		if got, want := r.Code(), "INVALID_ARGUMENT"; got != want {
			t.Errorf("code %q, want %q: %s", got, want, r.Raw)
		}
	})
}
