package store

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/ties-graph/ties/store/kv/badgerkv"
)

func TestApplyValidation(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	b := twinCities()
	b.Entities = append(b.Entities, Entity{ID: "zwolle", Type: "Person", Name: "Not a city"})
	mustApply(t, s, b)
	bad := string([]byte{0xff, 0xfe})
	conf := 1.5
	for _, tc := range []struct {
		name string
		b    Batch
		want string // code|record|field; ...
	}{
		{"EntityEmptyID", Batch{Entities: []Entity{{Type: "City", Name: "X"}}}, "INVALID_ARGUMENT|entities[0]|id;"},
		{"EntityBlankID", Batch{Entities: []Entity{{ID: " \u00a0 ", Type: "City", Name: "X"}}}, "INVALID_ARGUMENT|entities[0]|id;"},
		{"RelationBlankID", Batch{Relations: []Relation{{ID: "  ", Type: "MEMBER_OF", From: "enschede", To: "eurocities"}}}, "INVALID_ARGUMENT|relations[0]|id;"},
		{"EntityLongID", Batch{Entities: []Entity{{ID: strings.Repeat("x", maxIDBytes+1), Type: "City", Name: "X"}}}, "INVALID_ARGUMENT|entities[0]|id;"},
		{"EntityBadUTF8ID", Batch{Entities: []Entity{{ID: bad, Type: "City", Name: "X"}}}, "INVALID_ARGUMENT|entities[0]|id;"},
		{"EntityControlID", Batch{Entities: []Entity{{ID: "a\nb", Type: "City", Name: "X"}}}, "INVALID_ARGUMENT|a\nb|id;"},
		{"EntityNULID", Batch{Entities: []Entity{{ID: "a\x00b", Type: "City", Name: "X"}}}, "INVALID_ARGUMENT|a\x00b|id;"},
		{"EntityZeroWidthID", Batch{Entities: []Entity{{ID: "enschede\u200b", Type: "City", Name: "X"}}}, "INVALID_ARGUMENT|enschede\u200b|id;"},
		{"EntityBidiID", Batch{Entities: []Entity{{ID: "\u202eedehcsne", Type: "City", Name: "X"}}}, "INVALID_ARGUMENT|\u202eedehcsne|id;"},
		{"EntityBOMID", Batch{Entities: []Entity{{ID: "\ufeffenschede", Type: "City", Name: "X"}}}, "INVALID_ARGUMENT|\ufeffenschede|id;"},
		{"EntityReplacementID", Batch{Entities: []Entity{{ID: "x\ufffd", Type: "City", Name: "X"}}}, "INVALID_ARGUMENT|x\ufffd|id;"},
		{"RelationZeroWidthID", Batch{Relations: []Relation{{ID: "r\u200d", Type: "MEMBER_OF", From: "enschede", To: "eurocities"}}}, "INVALID_ARGUMENT|r\u200d|id;"},
		{"EntityUnknownType", Batch{Entities: []Entity{{ID: "x", Type: "Planet", Name: "X"}}}, "INVALID_ARGUMENT|x|type;"},
		{"EntityRelationType", Batch{Entities: []Entity{{ID: "x", Type: "MEMBER_OF", Name: "X"}}}, "INVALID_ARGUMENT|x|type;"},
		{"EntityEmptyType", Batch{Entities: []Entity{{ID: "x", Name: "X"}}}, "INVALID_ARGUMENT|x|type;"},
		{"EntityEmptyName", Batch{Entities: []Entity{{ID: "x", Type: "City", Name: "  "}}}, "INVALID_ARGUMENT|x|name;"},
		{"EntityBadUTF8Name", Batch{Entities: []Entity{{ID: "x", Type: "City", Name: bad}}}, "INVALID_ARGUMENT|x|name;"},
		{"EntityBadUTF8Description", Batch{Entities: []Entity{{ID: "x", Type: "City", Name: "X", Description: bad}}}, "INVALID_ARGUMENT|x|description;"},
		{"LabelEmptyLang", Batch{Entities: []Entity{{ID: "x", Type: "City", Name: "X", Labels: []Label{{"", "X"}}}}}, "INVALID_ARGUMENT|x|labels;"},
		{"LabelBadUTF8", Batch{Entities: []Entity{{ID: "x", Type: "City", Name: "X", Labels: []Label{{"nl", bad}}}}}, "INVALID_ARGUMENT|x|labels.nl;"},
		{"LabelBlankSecond", Batch{Entities: []Entity{{ID: "x", Type: "City", Name: "X", Labels: []Label{{"de", "X"}, {"nl", " "}}}}}, "INVALID_ARGUMENT|x|labels.nl;"},
		{"AliasEmpty", Batch{Entities: []Entity{{ID: "x", Type: "City", Name: "X", Aliases: []string{"ok", ""}}}}, "INVALID_ARGUMENT|x|aliases[1];"},
		{"PropertyBadUTF8", Batch{Entities: []Entity{{ID: "x", Type: "City", Name: "X", Properties: Properties{"p": Text(bad)}}}}, "INVALID_ARGUMENT|x|properties.p;"},
		{"PropertyNaN", Batch{Entities: []Entity{{ID: "x", Type: "City", Name: "X", Properties: Properties{"p": Number(math.NaN())}}}}, "INVALID_ARGUMENT|x|properties.p;"},
		{"PropertyGeo", Batch{Entities: []Entity{{ID: "x", Type: "City", Name: "X", Properties: Properties{"p": Geo(91, 0)}}}}, "INVALID_ARGUMENT|x|properties.p;"},
		{"PropertyNestedList", Batch{Entities: []Entity{{ID: "x", Type: "City", Name: "X", Properties: Properties{"p": List(List())}}}}, "INVALID_ARGUMENT|x|properties.p;"},
		{"PropertyEmptyName", Batch{Entities: []Entity{{ID: "x", Type: "City", Name: "X", Properties: Properties{"": Text("v")}}}}, "INVALID_ARGUMENT|x|properties;"},
		{"EntityValidToBeforeFrom", Batch{Entities: []Entity{{ID: "x", Type: "City", Name: "X", ValidFrom: MustParseDate("2017-07"), ValidTo: MustParseDate("2017-06-30")}}}, "INVALID_ARGUMENT|x|validTo;"},
		{"SourceConfidence", Batch{Entities: []Entity{{ID: "x", Type: "City", Name: "X", Sources: []Source{{Document: "report", Confidence: &conf}}}}}, "INVALID_ARGUMENT|x|sources[0].confidence;"},
		{"EntityIDIsRelation", Batch{Entities: []Entity{{ID: "onno-mayor", Type: "City", Name: "X"}}}, "CONFLICT|onno-mayor|id;"},
		{"RelationUnknownType", Batch{Relations: []Relation{{Type: "HATES", From: "enschede", To: "dalian"}}}, "INVALID_ARGUMENT|relations[0]|type;"},
		{"RelationEntityType", Batch{Relations: []Relation{{Type: "City", From: "enschede", To: "dalian"}}}, "INVALID_ARGUMENT|relations[0]|type;"},
		{"RelationEmptyFrom", Batch{Relations: []Relation{{Type: "MEMBER_OF", To: "eurocities"}}}, "INVALID_ARGUMENT|relations[0]|from;"},
		{"RelationDanglingFrom", Batch{Relations: []Relation{{Type: "MEMBER_OF", From: "ghost", To: "eurocities"}}}, "INVALID_ARGUMENT|relations[0]|from;"},
		{"RelationDanglingTo", Batch{Relations: []Relation{{ID: "r", Type: "MEMBER_OF", From: "enschede", To: "ghost"}}}, "INVALID_ARGUMENT|r|to;"},
		{"RelationEndpointIsRelation", Batch{Relations: []Relation{{Type: "MEMBER_OF", From: "onno-mayor", To: "eurocities"}}}, "INVALID_ARGUMENT|relations[0]|from;"},
		{"RelationOntologyFrom", Batch{Relations: []Relation{{Type: "MAYOR_OF", From: "dalian", To: "enschede"}}}, "INVALID_ARGUMENT|relations[0]|from;"},
		{"RelationOntologyTo", Batch{Relations: []Relation{{Type: "MEMBER_OF", From: "enschede", To: "dalian"}}}, "INVALID_ARGUMENT|relations[0]|to;"},
		{"RelationSymmetricSwappedField", Batch{Relations: []Relation{{Type: "SISTER_CITY_OF", From: "zwolle", To: "dalian"}}}, "INVALID_ARGUMENT|relations[0]|from;"},
		{"RelationIDIsEntity", Batch{Relations: []Relation{{ID: "dalian", Type: "MEMBER_OF", From: "enschede", To: "eurocities"}}}, "CONFLICT|dalian|id;"},
		{"RelationValidToBeforeFrom", Batch{Relations: []Relation{{Type: "MEMBER_OF", From: "enschede", To: "eurocities", ValidFrom: MustParseDate("2018"), ValidTo: MustParseDate("2017")}}}, "INVALID_ARGUMENT|relations[0]|validTo;"},
		{"RelationBadUTF8Type", Batch{Relations: []Relation{{Type: bad, From: "enschede", To: "eurocities"}}}, "INVALID_ARGUMENT|relations[0]|type;"},
		{"SameIDBothKinds", Batch{Entities: []Entity{{ID: "both", Type: "City", Name: "B"}}, Relations: []Relation{{ID: "both", Type: "MEMBER_OF", From: "enschede", To: "eurocities"}}}, "CONFLICT|both|id;"},
		{"DeleteUnknownEntity", Batch{DeleteEntities: []string{"ghost"}}, "NOT_FOUND|ghost|;"},
		{"DeleteEntityIsRelation", Batch{DeleteEntities: []string{"onno-mayor"}}, "NOT_FOUND|onno-mayor|;"},
		{"DeleteUnknownRelation", Batch{DeleteRelations: []string{"ghost"}}, "NOT_FOUND|ghost|;"},
		{"DeleteWithRelations", Batch{DeleteEntities: []string{"dalian"}}, "CONFLICT|dalian|;"},
		{"EntityTypeNoParent", Batch{EntityTypes: []EntityType{{Name: "Village", Parent: "Hamlet"}}}, "INVALID_ARGUMENT|Village|parent;"},
		{"EntityTypeCycle", Batch{EntityTypes: []EntityType{{Name: "A", Parent: "B"}, {Name: "B", Parent: "A"}}}, "INVALID_ARGUMENT|A|parent;INVALID_ARGUMENT|B|parent;"},
		{"EntityTypeSelfParent", Batch{EntityTypes: []EntityType{{Name: "A", Parent: "A"}}}, "INVALID_ARGUMENT|A|parent;"},
		{"EntityTypeEmptyName", Batch{EntityTypes: []EntityType{{Name: ""}}}, "INVALID_ARGUMENT|entityTypes[0]|name;"},
		{"EntityTypeSpace", Batch{EntityTypes: []EntityType{{Name: "Big City"}}}, "INVALID_ARGUMENT|Big City|name;"},
		{"EntityTypeNameOfRelation", Batch{EntityTypes: []EntityType{{Name: "MEMBER_OF"}}}, "INVALID_ARGUMENT|MEMBER_OF|name;"},
		{"EntityTypeDropsAncestor", Batch{EntityTypes: []EntityType{{Name: "City", Parent: "Organization"}}}, "INVALID_ARGUMENT|City|parent;"},
		{"RelationTypeUnknownEndpoint", Batch{RelationTypes: []RelationType{{Name: "KNOWS", From: []string{"Human"}}}}, "INVALID_ARGUMENT|KNOWS|from;"},
		// Checks run in phases (an unknown type before a missing entity);
		// errors come in the order of the records.
		{"ErrorsInRecordOrder", Batch{Relations: []Relation{
			{Type: "MEMBER_OF", From: "enschede", To: "ghost"},
			{Type: "HATES", From: "enschede", To: "dalian"},
		}}, "INVALID_ARGUMENT|relations[0]|to;INVALID_ARGUMENT|relations[1]|type;"},
		{"RelationTypeInverseIsRelationType", Batch{RelationTypes: []RelationType{{Name: "ADVISES", Inverse: "MEMBER_OF"}}}, "INVALID_ARGUMENT|ADVISES|inverse;"},
		{"RelationTypeInverseIsEntityType", Batch{RelationTypes: []RelationType{{Name: "ADVISES", Inverse: "City"}}}, "INVALID_ARGUMENT|ADVISES|inverse;"},
		{"RelationTypeInverseIsNewType", Batch{RelationTypes: []RelationType{{Name: "ADVISES", Inverse: "MENTORS"}, {Name: "MENTORS"}}}, "INVALID_ARGUMENT|ADVISES|inverse;"},
		{"RelationTypeInverseSpaces", Batch{RelationTypes: []RelationType{{Name: "ADVISES", Inverse: "advised by"}}}, "INVALID_ARGUMENT|ADVISES|inverse;"},
		{"RelationTypeSymmetricInverse", Batch{RelationTypes: []RelationType{{Name: "KNOWS", Inverse: "KNOWN_BY", Symmetric: true}}}, "INVALID_ARGUMENT|KNOWS|inverse;"},
		{"RelationTypeSymmetryChange", Batch{RelationTypes: []RelationType{{Name: "SISTER_CITY_OF"}}}, "INVALID_ARGUMENT|SISTER_CITY_OF|symmetric;"},
		{"RelationTypeInverseRename", Batch{RelationTypes: []RelationType{{Name: "MEMBER_OF", Inverse: "CONTAINS", From: []string{"Person", "Organization", "Place", "Network"}, To: []string{"Organization"}}}}, "INVALID_ARGUMENT|MEMBER_OF|inverse;"},
		{"RelationTypeNarrows", Batch{RelationTypes: []RelationType{{Name: "MEMBER_OF", Inverse: "HAS_MEMBER", From: []string{"Person"}, To: []string{"Organization"}}}}, "INVALID_ARGUMENT|MEMBER_OF|from;"},
		{"RelationTypeRestrictsAny", Batch{RelationTypes: []RelationType{{Name: "PART_OF", Inverse: "HAS_PART", From: []string{"Place"}}}}, "INVALID_ARGUMENT|PART_OF|from;"},
		{"RelationTypeNameOfEntity", Batch{RelationTypes: []RelationType{{Name: "City"}}}, "INVALID_ARGUMENT|City|name;"},
		{"AllProblemsReported", Batch{
			Entities:  []Entity{{ID: "a", Type: "Nope", Name: "A"}, {ID: "b", Type: "City", Name: ""}},
			Relations: []Relation{{Type: "MEMBER_OF", From: "a", To: "ghost"}},
		}, "INVALID_ARGUMENT|a|type;INVALID_ARGUMENT|b|name;INVALID_ARGUMENT|relations[0]|to;"},
	} {
		// Every case is refused and leaves the store as it was, so they
		// share one store.
		t.Run(tc.name, func(t *testing.T) {
			before, beforeRaw := dump(t, s, ReadOptions{}), rawDump(t, s)
			_, err := s.Apply(ctx, tc.b)
			if got := errorSummary(errorsOf(t, err)); got != tc.want {
				t.Errorf("errors: got %q, want %q (%v)", got, tc.want, err)
			}
			if got := dump(t, s, ReadOptions{}); got != before {
				t.Errorf("a refused batch changed the data:\n%s\nwant\n%s", got, before)
			}
			if got := rawDump(t, s); got != beforeRaw {
				t.Errorf("a refused batch changed the store's bytes")
			}
		})
	}
}

func TestApplyTooLarge(t *testing.T) {
	s, err := Open("", Options{InMemory: true, MaxBatchRecords: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = s.Apply(context.Background(), Batch{DeleteEntities: []string{"a", "b", "c"}})
	if got, want := ErrorCode(err), TooLarge; got != want {
		t.Errorf("error code: got %q (%v), want %q", got, err, want)
	}
}

func TestApplyUpserts(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	res := mustApply(t, s, twinCities())
	sister := res.Relations[0].ID

	t.Run("Idempotent", func(t *testing.T) {
		before := dump(t, s, ReadOptions{})
		mustApply(t, s, twinCities())
		if got := dump(t, s, ReadOptions{}); got != before {
			t.Errorf("applying the same batch twice changed the data")
		}
	})
	t.Run("DerivedIDIgnoresOrder", func(t *testing.T) {
		r := mustApply(t, s, Batch{Relations: []Relation{{Type: "SISTER_CITY_OF", From: "dalian", To: "enschede", ValidFrom: MustParseDate("2017")}}})
		if got, want := r.Relations[0].ID, sister; got != want {
			t.Errorf("id: got %q, want %q", got, want)
		}
		if got, want := r.Relations[0].From, "dalian"; got != want {
			t.Errorf("stored from: got %q, want %q", got, want)
		}
	})
	t.Run("DuplicateInBatchLastWins", func(t *testing.T) {
		r := mustApply(t, s, Batch{Entities: []Entity{
			{ID: "heidelberg", Type: "City", Name: "Heidelberg?"},
			{ID: "heidelberg", Type: "City", Name: "Heidelberg"},
		}})
		if got, want := r.Entities[0].Name, "Heidelberg"; got != want {
			t.Errorf("first result: got %q, want %q", got, want)
		}
		e := mustEntity(t, s, "heidelberg")
		if got, want := e.Name, "Heidelberg"; got != want {
			t.Errorf("stored: got %q, want %q", got, want)
		}
	})
	t.Run("ChangeType", func(t *testing.T) {
		mustApply(t, s, Batch{Entities: []Entity{{ID: "enschede", Type: "Municipality", Name: "Enschede"}}})
		if got, want := neighborIDs(t, s, "palo-alto", RelationFilter{EntityTypes: []string{"Municipality"}}), []string{"enschede"}; !slices.Equal(got, want) {
			t.Errorf("neighbours by new type: got %v, want %v", got, want)
		}
		p, err := s.FindEntities(ctx, EntityFilter{Types: []string{"Municipality"}}, ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := p.TotalCount, 1; got != want {
			t.Errorf("municipalities: got %d, want %d", got, want)
		}
	})
	t.Run("ChangeTypeBreaksRelation", func(t *testing.T) {
		_, err := s.Apply(ctx, Batch{Entities: []Entity{{ID: "enschede", Type: "Person", Name: "Enschede"}}})
		if got, want := errorSummary(errorsOf(t, err)), "INVALID_ARGUMENT|enschede|type;"; got != want {
			t.Errorf("errors: got %q, want %q", got, want)
		}
	})
	t.Run("ChangeEndpoints", func(t *testing.T) {
		mustApply(t, s, Batch{Relations: []Relation{{ID: "onno-mayor", Type: "MAYOR_OF", From: "onno", To: "dalian"}}})
		if got := neighborIDs(t, s, "enschede", RelationFilter{Types: []string{"MAYOR_OF"}}); got != nil {
			t.Errorf("enschede's mayors after the move: got %v, want none", got)
		}
		if got, want := neighborIDs(t, s, "dalian", RelationFilter{Types: []string{"MAYOR_OF"}}), []string{"onno"}; !slices.Equal(got, want) {
			t.Errorf("dalian's mayors: got %v, want %v", got, want)
		}
	})
	t.Run("ChangeRelationType", func(t *testing.T) {
		mustApply(t, s, Batch{Relations: []Relation{{ID: "onno-mayor", Type: "WORKS_FOR", From: "onno", To: "dalian"}}})
		st, err := s.Stats(ctx, ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range st.ByRelationType {
			if tc.Type == "MAYOR_OF" {
				t.Errorf("MAYOR_OF still counted: %v", tc)
			}
		}
	})
	t.Run("DeleteRelation", func(t *testing.T) {
		r := mustApply(t, s, Batch{DeleteRelations: []string{"onno-mayor", "onno-mayor"}})
		if got, want := r.DeletedRelations, 1; got != want {
			t.Errorf("deleted: got %d, want %d", got, want)
		}
		if _, err := s.FindRelationByID(ctx, "onno-mayor", ReadOptions{}); ErrorCode(err) != NotFound {
			t.Errorf("FindRelationByID after delete: got %v, want NotFound", err)
		}
	})
	t.Run("DeleteCascade", func(t *testing.T) {
		r := mustApply(t, s, Batch{DeleteEntities: []string{"enschede"}, Cascade: true})
		if got, want := [2]int{r.DeletedEntities, r.DeletedRelations}, [2]int{1, 5}; got != want {
			t.Errorf("deleted: got %v, want %v", got, want)
		}
		if got := neighborIDs(t, s, "dalian", RelationFilter{}); got != nil {
			t.Errorf("dalian's neighbours: got %v, want none", got)
		}
	})
	t.Run("DeleteAndRecreateSameBatch", func(t *testing.T) {
		r := mustApply(t, s, Batch{
			Relations:       []Relation{{ID: "tmp", Type: "LOCATED_IN", From: "dalian", To: "netherlands"}},
			DeleteRelations: []string{"tmp"},
			DeleteEntities:  []string{"dalian"},
		})
		if got, want := [2]int{r.DeletedEntities, r.DeletedRelations}, [2]int{1, 1}; got != want {
			t.Errorf("deleted: got %v, want %v", got, want)
		}
	})
}

func TestApplyOntology(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	mustApply(t, s, twinCities())
	mustApply(t, s, Batch{
		EntityTypes:   []EntityType{{Name: "Village", Parent: "City"}, {Name: "Settlement", Parent: "Place"}},
		RelationTypes: []RelationType{{Name: "KNOWS", Symmetric: true, From: []string{"Person"}, To: []string{"Person"}}},
		Entities:      []Entity{{ID: "lonneker", Type: "Village", Name: "Lonneker"}, {ID: "xiao", Type: "Person", Name: "Xiao"}},
		Relations:     []Relation{{Type: "KNOWS", From: "xiao", To: "onno"}, {Type: "SISTER_CITY_OF", From: "lonneker", To: "dalian"}},
	})
	// Adding an ancestor (Settlement between City and Place) and widening
	// an endpoint list are allowed.
	mustApply(t, s, Batch{
		EntityTypes:   []EntityType{{Name: "City", Parent: "Settlement", Description: "A city or town."}},
		RelationTypes: []RelationType{{Name: "KNOWS", Symmetric: true, From: []string{"Person", "Organization"}, To: []string{"Person"}}},
	})
	o, err := s.Ontology(ctx, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var knows RelationType
	for _, rt := range o.RelationTypes {
		if rt.Name == "KNOWS" {
			knows = rt
		}
	}
	if got, want := knows.Inverse, "KNOWS"; got != want {
		t.Errorf("inverse of a symmetric type: got %q, want %q", got, want)
	}
	if !slices.IsSortedFunc(o.EntityTypes, func(a, b EntityType) int { return strings.Compare(a.Name, b.Name) }) {
		t.Errorf("entity types not in name order")
	}
	ids := findIDs(t, s, EntityFilter{Types: []string{"Settlement"}, First: opt(100)})
	if want := []string{"dalian", "enschede", "lonneker", "munster", "palo-alto"}; !slices.Equal(ids, want) {
		t.Errorf("settlements: got %v, want %v", ids, want)
	}
	// A reopened store reads the ontology from the database.
	if got, want := neighborIDs(t, s, "onno", RelationFilter{Types: []string{"KNOWS"}, Direction: In}), []string{"xiao"}; !slices.Equal(got, want) {
		t.Errorf("KNOWS in: got %v, want %v", got, want)
	}
}

func TestOntologyPersists(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := mustOpen(t, dir, Options{})
	mustApply(t, s, Batch{EntityTypes: []EntityType{{Name: "Village", Parent: "City"}}, Entities: []Entity{{ID: "v", Type: "Village", Name: "V"}}})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, dir, Options{ReadOnly: true})
	defer s.Close()
	if err := s.Check(ctx); err != nil {
		t.Error(err)
	}
	p, err := s.FindEntities(ctx, EntityFilter{Types: []string{"City"}}, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.TotalCount, 1; got != want {
		t.Errorf("cities after reopening: got %d, want %d", got, want)
	}
	if _, err := s.Apply(ctx, Batch{DeleteEntities: []string{"v"}}); err == nil {
		t.Errorf("Apply on a read-only store: got no error")
	}
}

// TestApplyTooBigForOneTransaction checks that a batch bigger than one
// backend transaction goes through the bulk path, atomically.
func TestApplyTooBigForOneTransaction(t *testing.T) {
	ctx := context.Background()
	db, err := badgerkv.Open(badgerkv.Options{InMemory: true, MemTableSize: 4 << 20, LogKey: logKey})
	if err != nil {
		t.Fatal(err)
	}
	s, err := newStore(db, Options{}, badgerkv.ReadTsAt, badgerkv.TimeOf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Check(ctx); err != nil {
			t.Error(err)
		}
		s.Close()
	})
	var b Batch
	for i := range 5000 {
		id := "e" + itoa(i)
		b.Entities = append(b.Entities, Entity{ID: id, Type: "Person", Name: "Person number " + id, Description: strings.Repeat("x", 100)})
		if i > 0 {
			b.Relations = append(b.Relations, Relation{Type: "INVITED", From: id, To: "e0"})
		}
	}
	res := mustApply(t, s, b)
	if got, want := len(res.Relations), 4999; got != want {
		t.Errorf("relations: got %d, want %d", got, want)
	}
	d, err := s.Degree(ctx, "e0", RelationFilter{Direction: In}, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := d, 4999; got != want {
		t.Errorf("degree: got %d, want %d", got, want)
	}
}

// An inverse name (HAS_MAYOR) or a type in the wrong case is the likeliest
// unknown relation type; the message says which type is meant, for a
// filter and for a record alike.
func TestUnknownRelationTypeHints(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	mustApply(t, s, twinCities())
	for _, tc := range []struct{ name, want string }{
		{"HAS_MAYOR", `unknown relation type "HAS_MAYOR": it is the inverse name of MAYOR_OF, not a type of its own; use MAYOR_OF `},
		{"sister_city_of", `unknown relation type "sister_city_of": type names are case-sensitive; use SISTER_CITY_OF`},
		{"HATES", `unknown relation type "HATES"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Degree(ctx, "enschede", RelationFilter{Types: []string{tc.name}}, ReadOptions{})
			if got := ErrorMessage(err); !strings.Contains(got, tc.want) {
				t.Errorf("filter: got %q, want it to contain %q", got, tc.want)
			}
			_, err = s.Apply(ctx, Batch{Relations: []Relation{{Type: tc.name, From: "enschede", To: "dalian"}}})
			if got := ErrorMessage(err); !strings.Contains(got, tc.want) {
				t.Errorf("record: got %q, want it to contain %q", got, tc.want)
			}
		})
	}
}

// An entity type in the wrong case (city) is pointed at the right one.
func TestUnknownEntityTypeHint(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	mustApply(t, s, twinCities())
	want := `unknown entity type "city": type names are case-sensitive; use City`
	_, err := s.Degree(ctx, "enschede", RelationFilter{EntityTypes: []string{"city"}}, ReadOptions{})
	if got := ErrorMessage(err); !strings.Contains(got, want) {
		t.Errorf("filter: got %q, want it to contain %q", got, want)
	}
	_, err = s.Apply(ctx, Batch{Entities: []Entity{{ID: "hengelo", Type: "city", Name: "Hengelo"}}})
	if got := ErrorMessage(err); !strings.Contains(got, want) {
		t.Errorf("record: got %q, want it to contain %q", got, want)
	}
}

// A type of the other kind in a filter (an entity type among relation
// types, or the reverse) says which kind it is.
func TestFilterTypeOfTheOtherKind(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	mustApply(t, s, twinCities())
	_, err := s.Degree(ctx, "enschede", RelationFilter{Types: []string{"City"}}, ReadOptions{})
	if got, want := ErrorMessage(err), `types: unknown relation type "City": it is an entity type`; got != want {
		t.Errorf("relation filter: got %q, want %q", got, want)
	}
	_, err = s.Degree(ctx, "enschede", RelationFilter{EntityTypes: []string{"MEMBER_OF"}}, ReadOptions{})
	if got, want := ErrorMessage(err), `entityTypes: unknown entity type "MEMBER_OF": it is a relation type`; got != want {
		t.Errorf("entity filter: got %q, want %q", got, want)
	}
}

// TestIDsAreNFC: ids are stored and looked up in Unicode NFC, so a
// composed and a decomposed "São Paulo" are one entity, whichever form a
// write, a relation's end, a citation, a lookup or a delete uses.
func TestIDsAreNFC(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	composed, decomposed := "s\u00e3o-paulo", "sa\u0303o-paulo"
	mustApply(t, s, twinCities())
	mustApply(t, s, Batch{Entities: []Entity{{ID: decomposed, Type: "City", Name: "São Paulo"}}})
	res := mustApply(t, s, Batch{
		Entities:  []Entity{{ID: composed, Type: "City", Name: "São Paulo", Description: "again"}},
		Relations: []Relation{{Type: "SISTER_CITY_OF", From: decomposed, To: "enschede"}},
	})
	if got := res.Entities[0].ID; got != composed {
		t.Errorf("stored id %q, want the NFC %q", got, composed)
	}
	st, err := s.Stats(ctx, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{composed, decomposed} {
		e, err := s.FindEntityByID(ctx, id, ReadOptions{})
		if err != nil {
			t.Fatalf("find %q: %v", id, err)
		}
		if e.ID != composed || e.Description != "again" {
			t.Errorf("find %q: got %q %q, want one entity %q", id, e.ID, e.Description, composed)
		}
	}
	page, err := s.FindRelations(ctx, decomposed, RelationFilter{First: new(10)}, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Relations) != 1 || page.Relations[0].From != composed && page.Relations[0].To != composed {
		t.Errorf("relations of the decomposed id: %+v", page.Relations)
	}
	mustApply(t, s, Batch{DeleteEntities: []string{decomposed}, Cascade: true})
	if _, err := s.FindEntityByID(ctx, composed, ReadOptions{}); ErrorCode(err) != NotFound {
		t.Errorf("after deleting the decomposed id, the composed one: %v", err)
	}
	after, err := s.Stats(ctx, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if after.Entities != st.Entities-1 {
		t.Errorf("entities: %d before the delete, %d after; want one fewer", st.Entities, after.Entities)
	}
}
