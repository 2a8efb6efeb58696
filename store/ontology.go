package store

import (
	"crypto/sha256"
	"encoding/hex"
)

// DefaultOntology returns the ontology a new store starts with. It covers
// the founding data and the usual shapes of city-network and social data;
// more types are added at run time with Batch.EntityTypes/RelationTypes.
func DefaultOntology() Ontology {
	place := []string{"Place"}
	actor := []string{"Person", "Organization", "Place", "Network"}
	return Ontology{
		EntityTypes: []EntityType{
			{Name: "Place", Description: "A geographic entity."},
			{Name: "City", Parent: "Place", Description: "A city or town."},
			{Name: "Municipality", Parent: "City", Description: "A city as a body of local government."},
			{Name: "Region", Parent: "Place", Description: "A region, province or state."},
			{Name: "Country", Parent: "Place", Description: "A sovereign state."},
			{Name: "Organization", Description: "An organisation of any kind."},
			{Name: "Company", Parent: "Organization", Description: "A business."},
			{Name: "GovernmentBody", Parent: "Organization", Description: "A ministry, office or agency."},
			{Name: "Network", Parent: "Organization", Description: "A network or association of members, such as Eurocities."},
			{Name: "Person", Description: "A human being."},
			{Name: "Event", Description: "Something that happened at a time: a conference, a visit, a mission."},
			{Name: "Agreement", Parent: "Document", Description: "A signed agreement, such as a memorandum of understanding."},
			{Name: "Topic", Description: "A subject of cooperation or interest."},
			{Name: "Document", Description: "A source that states facts: a report, a web page, a data set."},
		},
		RelationTypes: []RelationType{
			{Name: "SISTER_CITY_OF", Inverse: "SISTER_CITY_OF", Symmetric: true, From: place, To: place, Description: "Officially twinned."},
			{Name: "FRIENDLY_COOPERATIVE_CITY_OF", Inverse: "FRIENDLY_COOPERATIVE_CITY_OF", Symmetric: true, From: place, To: place, Description: "A friendly cooperative city relationship, the stage before twinning."},
			{Name: "MEMBER_OF", Inverse: "HAS_MEMBER", From: actor, To: []string{"Organization"}},
			{Name: "LOCATED_IN", Inverse: "LOCATION_OF", From: []string{"Place", "Organization", "Event", "Person"}, To: place},
			{Name: "PART_OF", Inverse: "HAS_PART"},
			{Name: "MAYOR_OF", Inverse: "HAS_MAYOR", From: []string{"Person"}, To: place},
			{Name: "WORKS_FOR", Inverse: "EMPLOYS", From: []string{"Person"}, To: []string{"Organization", "Place"}},
			{Name: "WORK_PLACEMENT_AT", Inverse: "HOSTS_PLACEMENT_OF", From: []string{"Person"}, To: []string{"Organization", "Place"}},
			{Name: "PARTICIPATED_IN", Inverse: "HAD_PARTICIPANT", From: actor, To: []string{"Event"}},
			{Name: "ORGANIZED", Inverse: "ORGANIZED_BY", From: actor, To: []string{"Event"}},
			{Name: "INVITED", Inverse: "INVITED_BY", From: actor, To: actor},
			{Name: "SIGNED", Inverse: "SIGNED_BY", From: actor, To: []string{"Document"}},
			{Name: "BASED_IN", Inverse: "BASE_OF", From: []string{"Organization", "Person"}, To: place},
			{Name: "FOCUSES_ON", Inverse: "FOCUS_OF", To: []string{"Topic", "Place"}},
			{Name: "COOPERATES_ON", Inverse: "COOPERATION_TOPIC_OF", To: []string{"Topic"}},
			{Name: "COOPERATES_WITH", Inverse: "COOPERATES_WITH", Symmetric: true},
			{Name: "APPROVED", Inverse: "APPROVED_BY", To: []string{"Agreement", "Document", "Event"}},
			{Name: "MENTIONS", Inverse: "MENTIONED_IN", From: []string{"Document"}},
		},
	}
}

// RelationID derives the id of a relation that comes without one, from its
// type, endpoints and validFrom, so that importing the same fact twice
// writes it once. For a symmetric type the endpoints are ordered first, so
// "A SISTER_CITY_OF B" and "B SISTER_CITY_OF A" are one relation.
func RelationID(typ, from, to string, validFrom Date, symmetric bool) string {
	if symmetric && to < from {
		from, to = to, from
	}
	h := sha256.New()
	for _, s := range []string{typ, from, to, validFrom.String()} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return "rel-" + hex.EncodeToString(h.Sum(nil)[:10])
}
