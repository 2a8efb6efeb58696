package graph_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/ties-graph/ties/graph"
)

// neighbors(distinct: true) gives one edge per neighbouring entity with
// every relation joining them: the relations list grouped by neighbour.
func TestDistinctNeighbors(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	for _, tc := range []struct {
		name, id string
		filter   string
	}{
		{"Enschede", "enschede", ""},
		{"DalianCityTies", "dalian", `types: ["SISTER_CITY_OF", "FRIENDLY_COOPERATIVE_CITY_OF", "INVITED"]`},
		{"EnschedeIn2012", "enschede", `validAt: "2012"`},
		{"EnschedeOut", "enschede", `direction: OUT`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.filter
			if args != "" {
				args += ", "
			}
			// The independent answer: every relation, grouped by neighbour.
			var all struct {
				Entity struct {
					Relations struct {
						Edges []struct {
							Node     struct{ ID string }
							Neighbor struct{ ID string }
						}
					}
				}
			}
			e.at(t).ok(fmt.Sprintf(`query($id: ID!) { entity(id: $id) { relations(%sfirst: 1000) { edges { node { id } neighbor { id } } } } }`, args),
				map[string]any{"id": tc.id}, &all)
			want := map[string][]string{}
			for _, ed := range all.Entity.Relations.Edges {
				want[ed.Neighbor.ID] = append(want[ed.Neighbor.ID], ed.Node.ID)
			}
			got := map[string][]string{}
			var after any
			total := -1
			for pages := 0; ; pages++ {
				var d struct {
					Entity struct {
						Neighbors struct {
							TotalCount int
							PageInfo   struct {
								HasNextPage bool
								EndCursor   string
							}
							Edges []struct {
								Node      struct{ ID string }
								Relation  struct{ ID string }
								Relations []struct{ ID string }
							}
						}
					}
				}
				e.at(t).ok(fmt.Sprintf(`query($id: ID!, $after: String) { entity(id: $id) { neighbors(%sdistinct: true, first: 3, after: $after) {
				  totalCount pageInfo { hasNextPage endCursor } edges { node { id } relation { id } relations { id } } } } }`, args),
					map[string]any{"id": tc.id, "after": after}, &d)
				nb := d.Entity.Neighbors
				total = nb.TotalCount
				for _, ed := range nb.Edges {
					if _, dup := got[ed.Node.ID]; dup {
						t.Errorf("neighbour %s listed twice", ed.Node.ID)
					}
					if len(ed.Relations) == 0 || ed.Relation.ID != ed.Relations[0].ID {
						t.Errorf("neighbour %s: relation %q, relations %v", ed.Node.ID, ed.Relation.ID, ed.Relations)
					}
					for _, r := range ed.Relations {
						got[ed.Node.ID] = append(got[ed.Node.ID], r.ID)
					}
				}
				if !nb.PageInfo.HasNextPage || pages > 100 {
					break
				}
				after = nb.PageInfo.EndCursor
			}
			if total != len(want) || len(got) != len(want) {
				t.Errorf("totalCount %d, %d neighbours listed; want %d", total, len(got), len(want))
			}
			for id, rels := range want {
				g := slices.Clone(got[id])
				slices.Sort(g)
				slices.Sort(rels)
				if !slices.Equal(g, rels) {
					t.Errorf("neighbour %s: relations %v, want %v", id, g, rels)
				}
			}
		})
	}
	t.Run("ErrRelationCursor", func(t *testing.T) {
		var d struct {
			Entity struct {
				Relations struct{ PageInfo struct{ EndCursor string } }
			}
		}
		e.at(t).ok(`{ entity(id: "enschede") { relations(first: 1) { pageInfo { endCursor } } } }`, nil, &d)
		r := e.at(t).post(`query($after: String) { entity(id: "enschede") { neighbors(distinct: true, after: $after) { totalCount } } }`,
			map[string]any{"after": d.Entity.Relations.PageInfo.EndCursor})
		if got, want := r.Code(), "INVALID_ARGUMENT"; got != want {
			t.Errorf("code %q, want %q: %s", got, want, r.Raw)
		}
	})
}
