package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ties-graph/ties/store/kv"
)

// This file holds the ontology: the entity and relation types, stored as
// type definitions and interned as the schema every read and write
// resolves names through; the default ontology a store starts with; the
// rules of its changes (applyOntology) and their writing in a batch; and
// the rules it sets for records (an end's type, relation ids).

// typeDef is the stored definition of a type (the value of typeDefKey).
type typeDef struct {
	Kind        string   `json:"kind"` // "entityType" or "relationType"
	Name        string   `json:"name"`
	Parent      string   `json:"parent,omitempty"`
	Inverse     string   `json:"inverse,omitempty"`
	Symmetric   bool     `json:"symmetric,omitempty"`
	From        []string `json:"from,omitempty"`
	To          []string `json:"to,omitempty"`
	Description string   `json:"description,omitempty"`
	// Indexed names the properties with a property index (propindex.go).
	Indexed []string `json:"indexed,omitempty"`
}

// typeInfo is one interned type with what traversal and validation need
// precomputed.
type typeInfo struct {
	id       TypeID
	relation bool
	def      typeDef
	parent   TypeID // entity types: 0 for none
	// from and to are, for relation types, the allowed entity type ids
	// (subtypes expanded); nil means any.
	from, to map[TypeID]bool
}

// kind is kindEntity or kindRelation, what the type's records are.
func (ti *typeInfo) kind() byte {
	if ti.relation {
		return kindRelation
	}
	return kindEntity
}

// schema is an immutable snapshot of the ontology with interned ids. A
// writer clones it before changing it.
type schema struct {
	version   uint64
	types     []*typeInfo // indexed by TypeID; [0] is nil
	entities  map[string]TypeID
	relations map[string]TypeID
	// laterEntities and laterRelations, in the ontology of a read in the
	// past, name the types defined since: a filter naming one matches
	// nothing then, rather than being an unknown type.
	laterEntities, laterRelations map[string]bool
	// plans are the filter scans derived from the types (filterscans.go),
	// made anew whenever a type is added.
	plans *scanPlans
}

func newSchema() *schema {
	return &schema{types: []*typeInfo{nil}, entities: map[string]TypeID{}, relations: map[string]TypeID{}, plans: new(scanPlans)}
}

// info returns the type t, or nil.
func (s *schema) info(t TypeID) *typeInfo {
	if int(t) < len(s.types) {
		return s.types[t]
	}
	return nil
}

// name returns the name of type t, or "" when there is none.
func (s *schema) name(t TypeID) string {
	if ti := s.info(t); ti != nil {
		return ti.def.Name
	}
	return ""
}

func (s *schema) entityType(name string) (TypeID, bool) {
	t, ok := s.entities[name]
	return t, ok
}

func (s *schema) relationType(name string) (*typeInfo, bool) {
	t, ok := s.relations[name]
	if !ok {
		return nil, false
	}
	return s.types[t], true
}

// isA reports whether entity type t is anc or one of its subtypes.
func (s *schema) isA(t, anc TypeID) bool {
	for i := 0; t != 0 && i < len(s.types); i++ {
		if t == anc {
			return true
		}
		ti := s.info(t)
		if ti == nil {
			return false
		}
		t = ti.parent
	}
	return false
}

// subtypes returns the entity types that are t or descend from it.
func (s *schema) subtypes(t TypeID) []TypeID {
	var out []TypeID
	for _, ti := range s.types {
		if ti != nil && !ti.relation && s.isA(ti.id, t) {
			out = append(out, ti.id)
		}
	}
	return out
}

// entityTypeSet resolves entity type names to the set of their ids with
// subtypes; nil for no names. Unknown names are Invalid errors naming field.
func (s *schema) entityTypeSet(names []string, field string) (map[TypeID]bool, error) {
	return typeSet(names, s.entities, s.laterEntities, func(n string) error {
		return &Error{Code: Invalid, Field: field, Message: s.unknownEntityType(n)}
	}, func(set map[TypeID]bool, t TypeID) {
		for _, st := range s.subtypes(t) {
			set[st] = true
		}
	})
}

// relationTypeSet resolves relation type names; nil for no names.
func (s *schema) relationTypeSet(names []string, field string) (map[TypeID]bool, error) {
	return typeSet(names, s.relations, s.laterRelations, func(n string) error {
		return &Error{Code: Invalid, Field: field, Message: s.unknownRelationType(n, "with direction IN")}
	}, func(set map[TypeID]bool, t TypeID) { set[t] = true })
}

// typeSet resolves names through known into a set, adding each type with
// add; nil for no names. A name in later, defined after the snapshot being
// read, names no record in it and is skipped; any other unknown name is
// the error of unknown.
func typeSet(names []string, known map[string]TypeID, later map[string]bool, unknown func(string) error, add func(map[TypeID]bool, TypeID)) (map[TypeID]bool, error) {
	if len(names) == 0 {
		return nil, nil
	}
	set := map[TypeID]bool{}
	for _, n := range names {
		t, ok := known[n]
		if !ok && later[n] {
			continue
		}
		if !ok {
			return nil, unknown(n)
		}
		add(set, t)
	}
	return set, nil
}

// unknownEntityType says that n names no entity type, and points a name
// written in other case (city), or a near miss (Cities), at the type it
// means.
func (s *schema) unknownEntityType(n string) string {
	if _, ok := s.relations[n]; ok {
		return fmt.Sprintf("unknown entity type %q: it is a relation type", n)
	}
	for name := range s.entities {
		if strings.EqualFold(name, n) {
			return fmt.Sprintf("unknown entity type %q: type names are case-sensitive; use %s", n, name)
		}
	}
	return fmt.Sprintf("unknown entity type %q", n) + typeHint(n, slices.Collect(maps.Keys(s.entities)))
}

// unknownRelationType says that n names no relation type, and what it may
// be instead: the inverse name of a type (HAS_MAYOR for MAYOR_OF), which
// is not a type of its own, a type written in other case, or a near miss
// (SISTER_CITY for SISTER_CITY_OF). backwards says
// how the caller reads a type the other way round.
func (s *schema) unknownRelationType(n, backwards string) string {
	if _, ok := s.entities[n]; ok {
		return fmt.Sprintf("unknown relation type %q: it is an entity type", n)
	}
	for _, ti := range s.types {
		if ti == nil || !ti.relation {
			continue
		}
		switch d := ti.def; {
		case d.Inverse != "" && d.Inverse == n && d.Name != n:
			return fmt.Sprintf("unknown relation type %q: it is the inverse name of %s, not a type of its own; use %s %s", n, d.Name, d.Name, backwards)
		case strings.EqualFold(d.Name, n):
			return fmt.Sprintf("unknown relation type %q: type names are case-sensitive; use %s", n, d.Name)
		}
	}
	return fmt.Sprintf("unknown relation type %q", n) + typeHint(n, slices.Collect(maps.Keys(s.relations)))
}

// symmetric reports whether relation type t is symmetric.
func (s *schema) symmetric(t TypeID) bool {
	ti := s.info(t)
	return ti != nil && ti.relation && ti.def.Symmetric
}

// endpointError says why relation type rt does not accept an entity of type
// et at the end named field ("from" or "to"), or returns "".
func (s *schema) endpointError(rt *typeInfo, field string, et TypeID) string {
	allowed, list := rt.from, rt.def.From
	if field == "to" {
		allowed, list = rt.to, rt.def.To
	}
	if allowed == nil || allowed[et] {
		return ""
	}
	return fmt.Sprintf("%s does not accept a %s at %q (allowed: %s)", rt.def.Name, s.name(et), field, strings.Join(list, ", "))
}

// Ontology returns the ontology, types in name order.
func (s *schema) ontology() Ontology {
	var o Ontology
	for _, ti := range s.types {
		if ti == nil {
			continue
		}
		if ti.relation {
			o.RelationTypes = append(o.RelationTypes, ti.def.relationType())
		} else {
			o.EntityTypes = append(o.EntityTypes, ti.def.entityType())
		}
	}
	sort.Slice(o.EntityTypes, func(i, j int) bool { return o.EntityTypes[i].Name < o.EntityTypes[j].Name })
	sort.Slice(o.RelationTypes, func(i, j int) bool { return o.RelationTypes[i].Name < o.RelationTypes[j].Name })
	return o
}

func (d typeDef) entityType() EntityType {
	return EntityType{Name: d.Name, Parent: d.Parent, Description: d.Description, Indexed: slices.Clone(d.Indexed)}
}

func (d typeDef) relationType() RelationType {
	return RelationType{
		Name: d.Name, Inverse: d.Inverse, Symmetric: d.Symmetric,
		From: slices.Clone(d.From), To: slices.Clone(d.To), Description: d.Description,
		Indexed: slices.Clone(d.Indexed),
	}
}

func (s *schema) clone() *schema {
	c := &schema{
		version:   s.version,
		types:     make([]*typeInfo, len(s.types)),
		entities:  make(map[string]TypeID, len(s.entities)),
		relations: make(map[string]TypeID, len(s.relations)),
		plans:     new(scanPlans),
	}
	for i, ti := range s.types {
		if ti != nil {
			cp := *ti
			c.types[i] = &cp
		}
	}
	for k, v := range s.entities {
		c.entities[k] = v
	}
	for k, v := range s.relations {
		c.relations[k] = v
	}
	return c
}

// add interns a definition with id t (replacing one of the same id) without
// validating it; finish must run after the last add.
func (s *schema) add(t TypeID, d typeDef) {
	for int(t) >= len(s.types) {
		s.types = append(s.types, nil)
	}
	ti := &typeInfo{id: t, def: d, relation: d.Kind == defRelationType}
	s.types[t] = ti
	s.plans = new(scanPlans)
	if ti.relation {
		s.relations[d.Name] = t
	} else {
		s.entities[d.Name] = t
	}
}

const (
	defEntityType   = "entityType"
	defRelationType = "relationType"
)

// finish resolves parents and endpoint lists after adds. It reports the
// first broken reference; validate reports all of them with context.
func (s *schema) finish() error {
	for _, ti := range s.types {
		if ti == nil || ti.relation {
			continue
		}
		ti.parent = 0
		if ti.def.Parent != "" {
			p, ok := s.entities[ti.def.Parent]
			if !ok {
				return fmt.Errorf("entity type %s: unknown parent %q", ti.def.Name, ti.def.Parent)
			}
			ti.parent = p
		}
	}
	for _, ti := range s.types {
		if ti == nil || !ti.relation {
			continue
		}
		var err error
		if ti.from, err = s.entityTypeSet(ti.def.From, "from"); err != nil {
			return fmt.Errorf("relation type %s: %w", ti.def.Name, err)
		}
		if ti.to, err = s.entityTypeSet(ti.def.To, "to"); err != nil {
			return fmt.Errorf("relation type %s: %w", ti.def.Name, err)
		}
	}
	return nil
}

// loadSchema reads the ontology from a transaction.
func loadSchema(tx kv.Txn) (*schema, error) {
	s := newSchema()
	var err error
	if s.version, err = readCounter(tx, counterKey(ctrOntologyVers)); err != nil {
		return nil, fmt.Errorf("load ontology: %w", err)
	}
	err = tx.ScanPrefixes([][]byte{{pTypeDef}}, false, func(_ int, k, v []byte) error {
		t, err := parseTypeDefKey(k)
		if err != nil {
			return err
		}
		var d typeDef
		if err := json.Unmarshal(v, &d); err != nil {
			return fmt.Errorf("type %d: %w", t, err)
		}
		s.add(t, d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load ontology: %w", err)
	}
	if err := s.finish(); err != nil {
		return nil, fmt.Errorf("load ontology: %w", err)
	}
	if s.version == 0 && len(s.entities)+len(s.relations) == 0 {
		// A new store: the default ontology, with the ids its first
		// write will give it.
		return defaultSchema(), nil
	}
	return s, nil
}

func defaultSchema() *schema {
	var next TypeID
	s, _, errs := applyOntology(newSchema(), defaultChange(), func() TypeID { next++; return next })
	if errs != nil {
		panic(fmt.Sprintf("the default ontology is invalid: %v", errs))
	}
	s.version = 0
	return s
}

// Limits on names and ids.
const (
	maxIDBytes       = 512
	maxTypeNameBytes = 128
	maxNameBytes     = 4096
)

// checkTypeName returns why name cannot be a type name, or "".
func checkTypeName(name string) string {
	switch {
	case name == "":
		return "is empty"
	case !utf8.ValidString(name):
		return "is not valid UTF-8"
	case len(name) > maxTypeNameBytes:
		return fmt.Sprintf("is longer than %d bytes", maxTypeNameBytes)
	case strings.IndexFunc(name, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return "contains spaces or control characters"
	}
	return ""
}

// ontologyChange is a set of type definitions to add or redefine.
type ontologyChange struct {
	entityTypes   []EntityType
	relationTypes []RelationType
	// records name each definition in errors, in the order above.
	records []string
}

// applyOntology validates defs against base and returns the new schema and
// the definitions that changed, with their ids (new ones allocated from
// next). Errors name the type and field, and the rule that was broken.
func applyOntology(base *schema, ch ontologyChange, next func() TypeID) (*schema, map[TypeID]typeDef, Errors) {
	s := base.clone()
	changed := map[TypeID]typeDef{}
	var errs Errors
	fail := func(i int, field, format string, args ...any) {
		errs = append(errs, FieldError(ch.records[i], field, format, args...))
	}
	put := func(kind byte, d typeDef) TypeID {
		var t TypeID
		var ok bool
		if kind == kindEntity {
			t, ok = s.entities[d.Name]
		} else {
			t, ok = s.relations[d.Name]
		}
		if !ok {
			t = next()
		} else if bytes.Equal(mustJSON(s.info(t).def), mustJSON(d)) {
			return t // as stored: nothing to write
		}
		s.add(t, d)
		changed[t] = d
		return t
	}
	// nameFree checks the form of definition i's name, and that no type
	// of the other kind (others, which are "a relation" or "an entity"
	// type) has it.
	nameFree := func(i int, name string, others map[string]TypeID, other string) bool {
		if why := checkTypeName(name); why != "" {
			fail(i, "name", "type name %s", why)
			return false
		}
		if _, ok := others[name]; ok {
			fail(i, "name", "%s is already %s type; type names are unique across entity and relation types", name, other)
			return false
		}
		return true
	}
	for i, et := range ch.entityTypes {
		if !nameFree(i, et.Name, s.relations, "a relation") {
			continue
		}
		if !utf8.ValidString(et.Parent) || !utf8.ValidString(et.Description) {
			fail(i, "description", "invalid UTF-8")
			continue
		}
		idx, why := indexedOf(s, kindEntity, et.Name, et.Indexed)
		if why != "" {
			fail(i, "indexed", "%s", why)
			continue
		}
		put(kindEntity, typeDef{Kind: defEntityType, Name: et.Name, Parent: et.Parent, Description: et.Description, Indexed: idx})
	}
	n := len(ch.entityTypes)
	for j, rt := range ch.relationTypes {
		i := n + j
		if !nameFree(i, rt.Name, s.entities, "an entity") {
			continue
		}
		if !utf8.ValidString(rt.Inverse) || !utf8.ValidString(rt.Description) {
			fail(i, "inverse", "invalid UTF-8")
			continue
		}
		inv := rt.Inverse
		if t, ok := s.relations[rt.Name]; ok && inv == "" {
			// A redefinition that leaves the inverse out keeps it.
			inv = s.types[t].def.Inverse
		}
		if rt.Symmetric {
			if inv != "" && inv != rt.Name {
				fail(i, "inverse", "a symmetric type is its own inverse: want %q or nothing, got %q", rt.Name, inv)
				continue
			}
			inv = rt.Name
		}
		idx, why := indexedOf(s, kindRelation, rt.Name, rt.Indexed)
		if why != "" {
			fail(i, "indexed", "%s", why)
			continue
		}
		put(kindRelation, typeDef{
			Kind: defRelationType, Name: rt.Name, Inverse: inv, Symmetric: rt.Symmetric,
			From: dedupe(rt.From), To: dedupe(rt.To), Description: rt.Description, Indexed: idx,
		})
	}
	if len(errs) > 0 {
		return nil, nil, errs
	}
	// References and rules, now that every new name is known. An inverse
	// names the same relation read backwards, so it must not be a name of
	// its own; one left out of a redefinition was checked before.
	for j, rt := range ch.relationTypes {
		inv := rt.Inverse
		if inv == "" || inv == rt.Name {
			continue
		}
		i := n + j
		if why := checkTypeName(inv); why != "" {
			fail(i, "inverse", "inverse name %s", why)
		} else if _, ok := s.entities[inv]; ok {
			fail(i, "inverse", "inverse %q is an entity type: the inverse is the name of %s read backwards, such as HAS_MEMBER for MEMBER_OF", inv, rt.Name)
		} else if _, ok := s.relations[inv]; ok {
			fail(i, "inverse", "inverse %q is a relation type of its own: the inverse is the name of %s read backwards, such as HAS_MEMBER for MEMBER_OF", inv, rt.Name)
		}
	}
	for i, et := range ch.entityTypes {
		t := s.entities[et.Name]
		if et.Parent != "" {
			p, ok := s.entities[et.Parent]
			if !ok {
				fail(i, "parent", "unknown entity type %q", et.Parent)
				continue
			}
			s.types[t].parent = p
		} else {
			s.types[t].parent = 0
		}
	}
	if len(errs) > 0 {
		return nil, nil, errs
	}
	for i, et := range ch.entityTypes {
		t := s.entities[et.Name]
		seen := map[TypeID]bool{}
		for p := t; p != 0; p = s.types[p].parent {
			if seen[p] {
				fail(i, "parent", "parent %q makes a cycle: a type cannot be its own ancestor", et.Parent)
				break
			}
			seen[p] = true
		}
	}
	if len(errs) > 0 {
		return nil, nil, errs
	}
	if err := s.finish(); err != nil {
		// Only relation endpoint lists can still be wrong here.
		for j, rt := range ch.relationTypes {
			for _, f := range []struct {
				field string
				names []string
			}{{"from", rt.From}, {"to", rt.To}} {
				for _, n := range f.names {
					if _, ok := s.entities[n]; !ok {
						fail(len(ch.entityTypes)+j, f.field, "unknown entity type %q", n)
					}
				}
			}
		}
		if len(errs) == 0 {
			errs = append(errs, Errorf(Invalid, "%v", err))
		}
		return nil, nil, errs
	}
	// Redefinitions may add, but not take away what stored data relies on.
	for i, et := range ch.entityTypes {
		t := s.entities[et.Name]
		if base.info(t) == nil {
			continue
		}
		for p := base.types[t].parent; p != 0; p = base.types[p].parent {
			if !s.isA(t, p) {
				fail(i, "parent", "redefining %s would drop its ancestor %s: a redefinition may add ancestors but not remove them", et.Name, base.name(p))
				break
			}
		}
	}
	for j, rt := range ch.relationTypes {
		i := len(ch.entityTypes) + j
		t := s.relations[rt.Name]
		old := base.info(t)
		if old == nil {
			continue
		}
		nw := s.types[t]
		if old.def.Symmetric != nw.def.Symmetric {
			fail(i, "symmetric", "cannot change whether %s is symmetric: stored relations depend on it", rt.Name)
		}
		if old.def.Inverse != "" && old.def.Inverse != nw.def.Inverse {
			fail(i, "inverse", "cannot change the inverse of %s from %q to %q: a redefinition may add but not rename", rt.Name, old.def.Inverse, nw.def.Inverse)
		}
		for _, f := range []struct {
			field    string
			old, new map[TypeID]bool
		}{{"from", old.from, nw.from}, {"to", old.to, nw.to}} {
			if f.new == nil {
				continue
			}
			if f.old == nil {
				fail(i, f.field, "cannot restrict %s %s to listed types: it accepted any type; a redefinition may widen but not narrow", rt.Name, f.field)
				continue
			}
			for ot := range f.old {
				if !f.new[ot] {
					fail(i, f.field, "redefining %s would no longer accept %s at %q: a redefinition may widen but not narrow", rt.Name, s.name(ot), f.field)
					break
				}
			}
		}
	}
	if len(errs) > 0 {
		return nil, nil, errs
	}
	return s, changed, nil
}

func dedupe(names []string) []string {
	if len(names) == 0 {
		return nil
	}
	out := slices.Clone(names)
	sort.Strings(out)
	return slices.Compact(out)
}

// Ontology returns the stored ontology, types in name order, as of ro
// (ro.AsOf reads it as recorded then). It returns the errors of opening a
// read snapshot, an AsOf beyond the history retention among them.
func (s *Store) Ontology(ctx context.Context, ro ReadOptions) (Ontology, error) {
	tx, sch, err := s.snapshot(ctx, ro)
	if err != nil {
		return Ontology{}, err
	}
	tx.Discard()
	return sch.ontology(), nil
}

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

// defaultChange is the default ontology as a change to an empty one.
func defaultChange() ontologyChange {
	def := DefaultOntology()
	ch := ontologyChange{entityTypes: def.EntityTypes, relationTypes: def.RelationTypes}
	for _, et := range def.EntityTypes {
		ch.records = append(ch.records, et.Name)
	}
	for _, rt := range def.RelationTypes {
		ch.records = append(ch.records, rt.Name)
	}
	return ch
}

// ontology validates and writes type definitions.
func (w *writer) ontology(ets []EntityType, rts []RelationType) error {
	ch := ontologyChange{entityTypes: ets, relationTypes: rts}
	for i, et := range ets {
		ch.records = append(ch.records, recordName(et.Name, "entityTypes", i))
	}
	for i, rt := range rts {
		ch.records = append(ch.records, recordName(rt.Name, "relationTypes", i))
	}
	return w.applyChange(ch)
}

// applyChange validates and writes the type definitions of ch, whose
// records name each definition in errors.
func (w *writer) applyChange(ch ontologyChange) error {
	var allocErr error
	next := func() TypeID {
		n, err := w.alloc(ctrNextType)
		if err != nil && allocErr == nil {
			allocErr = err
		}
		return TypeID(n)
	}
	sch, changed, errs := applyOntology(w.sch, ch, next)
	if allocErr != nil {
		return allocErr
	}
	if len(errs) > 0 {
		for _, e := range errs {
			w.fail(e)
		}
		return nil
	}
	if len(changed) == 0 {
		// Definitions the store already holds as they are: no version,
		// so that a reload of a full dump writes nothing for them.
		return nil
	}
	if w.keepOntology {
		w.refuseOntologyChange(ch, changed)
		return nil
	}
	ids := make([]TypeID, 0, len(changed))
	for t := range changed {
		ids = append(ids, t)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, t := range ids {
		d := changed[t]
		kind := kindEntity
		if d.Kind == defRelationType {
			kind = kindRelation
			_, known := w.sch.relations[d.Name]
			w.logChange(&w.log.RelationTypes, histRelationType, d.Name, !known)
		} else {
			_, known := w.sch.entities[d.Name]
			w.logChange(&w.log.EntityTypes, histEntityType, d.Name, !known)
		}
		w.set(typeNameKey(kind, d.Name), binary.BigEndian.AppendUint32(nil, uint32(t)))
		w.set(typeDefKey(t), mustJSON(d))
	}
	ver, err := readCounter(w.tx, counterKey(ctrOntologyVers))
	if err != nil {
		return err
	}
	sch.version = ver + 1
	w.set(counterKey(ctrOntologyVers), uint64Value(sch.version))
	w.noteReindex(w.sch, sch, changed)
	w.sch = sch
	w.typeMsgs = nil // their hints name the types of the schema before
	w.ontologyChanged = true
	return nil
}

// refuseOntologyChange fails each definition of ch that would change the
// ontology, naming its record, for a writer that may not change it.
func (w *writer) refuseOntologyChange(ch ontologyChange, changed map[TypeID]typeDef) {
	// The last definition of a name is the one that counts.
	records := map[string]string{}
	for i, et := range ch.entityTypes {
		records["entity "+et.Name] = ch.records[i]
	}
	for i, rt := range ch.relationTypes {
		records["relation "+rt.Name] = ch.records[len(ch.entityTypes)+i]
	}
	defs := make([]typeDef, 0, len(changed))
	for _, d := range changed {
		defs = append(defs, d)
	}
	sort.Slice(defs, func(i, j int) bool { return defs[i].Name < defs[j].Name })
	for _, d := range defs {
		kind, known := "entity", false
		if d.Kind == defRelationType {
			kind = "relation"
			_, known = w.sch.relations[d.Name]
		} else {
			_, known = w.sch.entities[d.Name]
		}
		verb := "defining"
		if known {
			verb = "changing"
		}
		w.fail(&Error{Code: Forbidden, Record: records[kind+" "+d.Name], Field: "name",
			Message: fmt.Sprintf("%s the %s type %s needs the admin scope, as defineEntityType and defineRelationType do; an admin can import this file, or define the type first", verb, kind, d.Name)})
	}
}

// endTypeError is endpointError for an error whose field already names
// the end as the record gave it ("to: SISTER_CITY_OF does not accept a
// Company (allowed: Place)"). Saying the stored end beside it would
// contradict it for a symmetric relation, whose ends are stored swapped.
func (s *schema) endTypeError(rt *typeInfo, end string, et TypeID) string {
	why := s.endpointError(rt, end, et)
	if why == "" {
		return ""
	}
	return strings.Replace(why, fmt.Sprintf(" at %q", end), "", 1)
}
