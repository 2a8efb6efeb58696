package graph_test

import (
	"slices"
	"testing"

	"github.com/ties-graph/ties/graph"
)

// Filters added side by side must work together: a date filter with a
// where, a list of relations without a start entity that still says how
// each reads, and distinct neighbours that honour where.
func TestFiltersCombine(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	t.Run("EntitiesValidAtAndWhere", func(t *testing.T) {
		var d struct {
			Entities struct{ Nodes []struct{ ID string } }
		}
		// Events of 2017 with a season: the date filter alone keeps four
		// 2017 events, the where alone three records of any year.
		e.at(t).ok(`{ entities(types: ["Event"], validAt: "2017", where: [{key: "season", eq: "summer"}]) { nodes { id } } }`, nil, &d)
		var got []string
		for _, n := range d.Entities.Nodes {
			got = append(got, n.ID)
		}
		if want := []string{"dalian-visit-2017"}; !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
		e.at(t).ok(`{ entities(types: ["Event"], validAt: "2015", where: [{key: "season", exists: true}]) { nodes { id } } }`, nil, &d)
		if len(d.Entities.Nodes) != 0 {
			t.Errorf("2015 events with a season: %v, want none", d.Entities.Nodes)
		}
	})
	t.Run("RelationsByTypeReadFromTheirStart", func(t *testing.T) {
		var d struct {
			Relations struct {
				Edges []struct {
					Direction string
					Label     string
					Neighbor  struct{ ID string }
					Node      struct{ ToID string }
				}
			}
		}
		e.at(t).ok(`{ relations(types: ["MAYOR_OF"]) { edges { direction label neighbor { id } node { toId } } } }`, nil, &d)
		if len(d.Relations.Edges) == 0 {
			t.Fatal("no MAYOR_OF relations")
		}
		for _, ed := range d.Relations.Edges {
			if ed.Direction != "OUT" || ed.Label != "MAYOR_OF" || ed.Neighbor.ID != ed.Node.ToID {
				t.Errorf("edge %+v: want OUT, MAYOR_OF, the to end as neighbour", ed)
			}
		}
	})
	t.Run("EntityRelationsWhereSayDirection", func(t *testing.T) {
		var d struct {
			Entity struct {
				Relations struct {
					Edges []struct{ Direction, Label string }
				}
			}
		}
		e.at(t).ok(`{ entity(id: "enschede") { relations(types: ["MAYOR_OF"], where: [{key: "validFrom", exists: false}]) { edges { direction label } } } }`, nil, &d)
		if len(d.Entity.Relations.Edges) == 0 {
			t.Fatal("Enschede has no undated MAYOR_OF relation")
		}
		for _, ed := range d.Entity.Relations.Edges {
			if ed.Direction != "IN" || ed.Label != "HAS_MAYOR" {
				t.Errorf("Enschede's mayor relation reads %s %s, want IN HAS_MAYOR", ed.Direction, ed.Label)
			}
		}
	})
	t.Run("DistinctNeighborsWhere", func(t *testing.T) {
		var d struct {
			Entity struct {
				Neighbors struct {
					Nodes      []struct{ ID string }
					TotalCount int
				}
			}
		}
		e.at(t).ok(`{ entity(id: "enschede") { neighbors(distinct: true, where: [{key: "country", eq: "US"}]) { nodes { id } totalCount } } }`, nil, &d)
		got := d.Entity.Neighbors
		if len(got.Nodes) != 1 || got.Nodes[0].ID != "palo-alto" || got.TotalCount != 1 {
			t.Errorf("American neighbours of Enschede: %+v, want palo-alto once", got)
		}
		r := e.at(t).post(`{ entity(id: "enschede") { neighbors(distinct: true, orderBy: [{by: NAME}]) { totalCount } } }`, nil)
		if r.Code() != "INVALID_ARGUMENT" {
			t.Errorf("distinct with orderBy: code %q, want INVALID_ARGUMENT", r.Code())
		}
	})
}
