package graph_test

import (
	"testing"

	"github.com/ties-graph/ties/graph"
)

// A relation tells which way it points from the entity whose relations
// are listed, and reads with the ontology's inverse name from its far end.
func TestRelationEdgeDirection(t *testing.T) {
	e := newEnv(t, graph.ServerConfig{})
	for _, tc := range []struct {
		name, entity, typ, neighbor string
		direction, label            string
	}{
		{"OutFromMayor", "onno-van-veldhuizen", "MAYOR_OF", "enschede", "OUT", "MAYOR_OF"},
		{"InverseFromCity", "enschede", "MAYOR_OF", "onno-van-veldhuizen", "IN", "HAS_MAYOR"},
		// Symmetric relations are stored with the smaller id first.
		{"SymmetricFromStoredFrom", "dalian", "SISTER_CITY_OF", "enschede", "OUT", "SISTER_CITY_OF"},
		{"SymmetricFromStoredTo", "enschede", "SISTER_CITY_OF", "dalian", "IN", "SISTER_CITY_OF"},
		{"InvitedBy", "dalian", "INVITED", "enschede", "IN", "INVITED_BY"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d struct {
				Entity struct {
					Relations struct {
						Edges []struct {
							Direction, Label string
							Neighbor         struct{ ID string }
						}
					}
				}
			}
			e.at(t).ok(`query($id: ID!, $t: String!) { entity(id: $id) { relations(types: [$t]) {
			  edges { direction label neighbor { id } } } } }`, map[string]any{"id": tc.entity, "t": tc.typ}, &d)
			found := false
			for _, ed := range d.Entity.Relations.Edges {
				if ed.Neighbor.ID != tc.neighbor {
					continue
				}
				found = true
				if ed.Direction != tc.direction || ed.Label != tc.label {
					t.Errorf("direction, label = %s, %s; want %s, %s", ed.Direction, ed.Label, tc.direction, tc.label)
				}
			}
			if !found {
				t.Errorf("no %s relation between %s and %s: %+v", tc.typ, tc.entity, tc.neighbor, d)
			}
		})
	}
}
