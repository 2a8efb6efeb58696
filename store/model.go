package store

import (
	"fmt"
	"time"
)

// This file holds the domain types: entities, relations, their labels and
// sources, the ontology's types, subgraphs, search hits and statistics.

// Entity is a thing in the graph: a city, a person, an organisation, a
// document. Its ID is a readable, unique and immutable slug ("enschede").
type Entity struct {
	ID          string
	Type        string
	Name        string
	Description string
	Labels      []Label  // names by language: {nl Enschede} {zh 恩斯赫德}
	Aliases     []string // other names: "Muenster"
	Properties  Properties
	ValidFrom   Date // when the entity began to exist, if known
	ValidTo     Date // when it ceased to, if it did
	Sources     []Source
}

// Label is a name of an entity in one language (a BCP 47 tag such as "nl").
type Label struct {
	Lang  string
	Value string
}

// Relation is a typed, directed fact between two entities: From Type To.
// Symmetric types (SISTER_CITY_OF) are stored once and traversed from both
// ends. Several relations of one type may join the same pair, so a relation
// has an ID of its own; when none is given it is derived by RelationID.
type Relation struct {
	ID         string
	Type       string
	From       string
	To         string
	Properties Properties
	ValidFrom  Date
	ValidTo    Date
	Sources    []Source
}

// Source cites the Document entity that states a fact: the sentence that
// says it, where in the document, when it was read, and how sure we are.
type Source struct {
	Document    string // id of a Document entity
	Excerpt     string
	Locator     string // page, section or URL
	Confidence  *float64
	RetrievedAt *time.Time
}

// Direction selects which relations of an entity a traversal follows,
// relative to that entity.
type Direction uint8

// Directions. Symmetric relations match both OUT and IN.
const (
	Both Direction = iota
	Out
	In
)

// String returns OUT, IN or BOTH.
func (d Direction) String() string {
	switch d {
	case Out:
		return "OUT"
	case In:
		return "IN"
	}
	return "BOTH"
}

// EntityType is a type of the ontology. Parent makes it a subtype: asking
// for a type also finds its subtypes (a Municipality is a City).
type EntityType struct {
	Name        string
	Parent      string
	Description string
	// Indexed names the properties to keep a property index of, which
	// answers eq, in and range filters without reading the type. Nil in a
	// redefinition keeps the stored list; empty drops every index.
	Indexed []string
}

// RelationType is a relation type of the ontology. Inverse names the
// relation read backwards (MEMBER_OF / HAS_MEMBER); a Symmetric type is its
// own inverse. From and To list the entity types each end may have (a
// subtype of a listed type qualifies); empty means any.
type RelationType struct {
	Name        string
	Inverse     string
	Symmetric   bool
	From        []string
	To          []string
	Description string
	// Indexed is as for EntityType.
	Indexed []string
}

// Ontology is the set of types the graph accepts.
type Ontology struct {
	EntityTypes   []EntityType
	RelationTypes []RelationType
}

// Subgraph is a node-link view of part of the graph, ready for a chart.
// Truncated says a limit cut it short.
type Subgraph struct {
	Nodes     []*Entity
	Edges     []*Relation
	Truncated bool
}

// SearchHit is one result of a name search, best first.
type SearchHit struct {
	Entity *Entity
	Score  float64
	// Matched is the field that matched best, and Snippet a short passage
	// of it with the matching words marked (see matchedField).
	Matched SearchField
	Snippet string
	// Typo is set when some query word matched only with one typo.
	Typo bool
}

// TypeCount is a number of entities or relations of one type.
type TypeCount struct {
	Type  string
	Count int
}

// Stats counts the graph.
type Stats struct {
	Entities       int
	Relations      int
	ByEntityType   []TypeCount
	ByRelationType []TypeCount
	// AsOfFrom is the oldest instant asOf reads (and a change's before
	// and after) can see, which moves with the history retention; zero
	// when every version is kept. ChangesFrom is the time of the oldest
	// change in the change log, zero when there is none.
	AsOfFrom    time.Time
	ChangesFrom time.Time
}

// The API reports a text that is absent as null, not as an empty string:
// a client asking for a root type's parent or a source's excerpt must be
// able to tell "none" from a value. These accessors give it that.

// DescriptionOrNil returns the description, or nil when there is none.
func (e *Entity) DescriptionOrNil() *string { return nonEmpty(e.Description) }

// ExcerptOrNil returns the excerpt, or nil when the source quotes nothing.
func (s Source) ExcerptOrNil() *string { return nonEmpty(s.Excerpt) }

// LocatorOrNil returns the locator, or nil when the source gives none.
func (s Source) LocatorOrNil() *string { return nonEmpty(s.Locator) }

// ParentOrNil returns the parent type, or nil for a root type.
func (t EntityType) ParentOrNil() *string { return nonEmpty(t.Parent) }

// DescriptionOrNil returns the description, or nil when there is none.
func (t EntityType) DescriptionOrNil() *string { return nonEmpty(t.Description) }

// InverseOrNil returns the inverse's name, or nil when the type has none.
func (t RelationType) InverseOrNil() *string { return nonEmpty(t.Inverse) }

// DescriptionOrNil returns the description, or nil when there is none.
func (t RelationType) DescriptionOrNil() *string { return nonEmpty(t.Description) }

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// enumName is the name of v in names, or typ(v) for a value without one.
func enumName[T ~int | ~uint8](v T, names []string, typ string) string {
	if v < 0 || int(v) >= len(names) {
		return fmt.Sprintf("%s(%d)", typ, v)
	}
	return names[v]
}
