package store

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestLoadOnExisting loads a partial record of a stored entity and of a
// stored relation under each OnExisting, with the load's entities in its
// table and spilled, and checks what the store then holds and what the
// report says.
func TestLoadOnExisting(t *testing.T) {
	ctx := context.Background()
	conf := 1.0
	stored := Entity{
		ID: "munster", Type: "City", Name: "Münster", Description: "A city in North Rhine-Westphalia.",
		Labels: []Label{{"de", "Münster"}}, Aliases: []string{"Muenster"},
		Properties: Properties{"country": Text("DE"), "population": Number(300000)},
		Sources:    []Source{{Document: "report", Excerpt: "Münster learned.", Confidence: &conf}},
	}
	storedRel := Relation{ID: "twin", Type: "SISTER_CITY_OF", From: "enschede", To: "munster", ValidFrom: MustParseDate("2017"),
		Properties: Properties{"since": Number(2017)}, Sources: []Source{{Document: "report", Excerpt: "Twinned."}}}
	// What a CSV row "munster,...,City" with a fromName-less simple header
	// carries: the type and nothing else but a new alias, a property and a
	// source.
	incoming := Entity{ID: "munster", Type: "City", Name: "munster", Aliases: []string{"Munster", "Muenster"},
		Properties: Properties{"population": Number(316000), "wikidata": Text("Q2742")},
		Sources:    []Source{{Document: "report", Excerpt: "Münster learned.", Confidence: &conf}, {Document: "report", Excerpt: "Again."}}}
	incomingRel := Relation{ID: "twin", Type: "SISTER_CITY_OF", From: "enschede", To: "munster", Properties: Properties{"note": Text("csv")}}
	merged := stored
	merged.Aliases = []string{"Muenster", "Munster"}
	merged.Properties = Properties{"country": Text("DE"), "population": Number(316000), "wikidata": Text("Q2742")}
	merged.Sources = append(slices.Clone(stored.Sources), Source{Document: "report", Excerpt: "Again."})
	mergedRel := storedRel
	mergedRel.Properties = Properties{"since": Number(2017), "note": Text("csv")}

	for _, tc := range []struct {
		on      OnExisting
		dryRun  bool
		want    Entity
		wantRel Relation
		tally   Tally
		fail    string
	}{
		{on: OnExistingMerge, want: merged, wantRel: mergedRel, tally: Tally{New: 1, Changed: 1}},
		{on: OnExistingMerge, dryRun: true, want: stored, wantRel: storedRel, tally: Tally{New: 1, Changed: 1}},
		{on: OnExistingReplace, want: incoming, wantRel: incomingRel, tally: Tally{New: 1, Changed: 1}},
		{on: OnExistingSkip, want: stored, wantRel: storedRel, tally: Tally{New: 1, Skipped: 1}},
		{on: OnExistingFail, want: stored, wantRel: storedRel, fail: `t.ndjson:1: id: entity "munster" already exists`},
	} {
		name := tc.on.String()
		if tc.dryRun {
			name += "DryRun"
		}
		for _, eb := range entityBudgets {
			t.Run(name+"/"+eb.name, func(t *testing.T) {
				s := openLoadStore(t, eb.bytes)
				mustApply(t, s, Batch{
					Entities:  []Entity{stored, {ID: "enschede", Type: "City", Name: "Enschede"}, {ID: "report", Type: "Document", Name: "Report"}},
					Relations: []Relation{storedRel},
				})
				in, inRel := incoming, incomingRel
				recs := []Record{
					{Line: 1, Entity: &in, Fields: FieldsGiven},
					{Line: 2, Entity: &Entity{ID: "york", Type: "City", Name: "York"}, Fields: FieldsGiven | FieldName},
					{Line: 3, Relation: &inRel, Fields: FieldsGiven},
				}
				res, err := s.Load(ctx, sourceOf(recs), LoadOptions{Source: "t.ndjson", OnExisting: tc.on, DryRun: tc.dryRun})
				if tc.fail != "" {
					var es Errors
					if !errors.As(err, &es) || len(es) != 2 || !strings.HasPrefix(es[0].Error(), tc.fail) || es[0].Code != Conflict ||
						!strings.HasPrefix(es[1].Error(), `t.ndjson:3: id: relation "twin" already exists`) {
						t.Fatalf("got %v, want two Conflicts, the first %q", err, tc.fail)
					}
				} else if err != nil {
					t.Fatal(err)
				}
				if err == nil && res.Report.Entities != tc.tally {
					t.Errorf("entities: got %+v, want %+v", res.Report.Entities, tc.tally)
				}
				got := mustEntity(t, s, "munster")
				if !reflect.DeepEqual(*got, tc.want) {
					t.Errorf("munster:\n got %+v\nwant %+v", *got, tc.want)
				}
				gotRel, err := s.FindRelationByID(ctx, "twin", ReadOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(*gotRel, tc.wantRel) {
					t.Errorf("twin:\n got %+v\nwant %+v", *gotRel, tc.wantRel)
				}
				if tc.on == OnExistingMerge {
					want := []RecordChange{
						{Kind: "entity", ID: "munster", Record: "t.ndjson:1", Fields: []string{"aliases", "properties.population", "properties.wikidata", "sources"}},
						{Kind: "relation", ID: "twin", Record: "t.ndjson:3", Fields: []string{"properties.note"}},
					}
					if !reflect.DeepEqual(res.Report.Changes, want) {
						t.Errorf("changes:\n got %+v\nwant %+v", res.Report.Changes, want)
					}
				}
				if err := s.Check(ctx); err != nil {
					t.Errorf("check: %v", err)
				}
			})
		}
	}
}

// TestLoadMergeFields checks that a merge takes exactly the scalar fields
// a record carries, and that loading a record again changes nothing.
func TestLoadMergeFields(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	mustApply(t, s, Batch{Entities: []Entity{{ID: "x", Type: "City", Name: "X", Description: "old", ValidFrom: MustParseDate("1200")}}})
	rec := Entity{ID: "x", Type: "City", Name: "x", Description: "new"}
	res, err := s.Load(ctx, sourceOf([]Record{{Line: 1, Entity: &rec, Fields: FieldsGiven | FieldDescription}}), LoadOptions{OnExisting: OnExistingMerge})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"description"}; len(res.Report.Changes) != 1 || !slices.Equal(res.Report.Changes[0].Fields, want) {
		t.Errorf("changes: got %+v, want %v", res.Report.Changes, want)
	}
	got := mustEntity(t, s, "x")
	if got.Name != "X" || got.Description != "new" || got.ValidFrom != MustParseDate("1200") {
		t.Errorf("got %+v, want name X, description new, validFrom 1200", got)
	}
	res, err = s.Load(ctx, sourceOf([]Record{{Line: 1, Entity: &rec, Fields: FieldsGiven | FieldDescription}}), LoadOptions{OnExisting: OnExistingMerge})
	if err != nil {
		t.Fatal(err)
	}
	if res.Report.Entities != (Tally{Unchanged: 1}) {
		t.Errorf("again: got %+v, want 1 unchanged", res.Report.Entities)
	}
}

func TestParseOnExisting(t *testing.T) {
	for s, want := range map[string]OnExisting{"": OnExistingMerge, "merge": OnExistingMerge, "Replace": OnExistingReplace, "skip": OnExistingSkip, "fail": OnExistingFail} {
		got, err := ParseOnExisting(s)
		if err != nil || got != want {
			t.Errorf("ParseOnExisting(%q) = %v, %v; want %v", s, got, err, want)
		}
		if s != "" && !strings.EqualFold(got.String(), s) {
			t.Errorf("%v.String() = %q, want %q", got, got.String(), s)
		}
	}
	if _, err := ParseOnExisting("upsert"); ErrorCode(err) != Invalid {
		t.Errorf("upsert: got %v, want Invalid", err)
	}
}

// TestLoadMergeChecksTheWhole refuses a merge whose carried validTo falls
// before the stored validFrom, and keeps labels sorted by language.
func TestLoadMergeChecksTheWhole(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	mustApply(t, s, Batch{Entities: []Entity{{ID: "x", Type: "City", Name: "X", ValidFrom: MustParseDate("2000"), Labels: []Label{{"nl", "X"}}}}})
	bad := Entity{ID: "x", Type: "City", Name: "x", ValidTo: MustParseDate("1990")}
	_, err := s.Load(ctx, sourceOf([]Record{{Line: 7, Entity: &bad, Fields: FieldsGiven | FieldValidTo}}), LoadOptions{Source: "m.ndjson", OnExisting: OnExistingMerge})
	if got := ErrorMessage(err); !strings.HasPrefix(got, "m.ndjson:7: validTo: validTo 1990 is before validFrom 2000") {
		t.Errorf("got %q, want the merged interval refused on line 7", got)
	} else if !strings.Contains(got, "validFrom 2000 is the stored record's") {
		t.Errorf("got %q, want it to say the stored record gave validFrom", got)
	}
	labels := Entity{ID: "x", Type: "City", Name: "x", Labels: []Label{{"de", "X"}, {"zh", "叉"}}}
	if _, err := s.Load(ctx, sourceOf([]Record{{Line: 1, Entity: &labels, Fields: FieldsGiven}}), LoadOptions{OnExisting: OnExistingMerge}); err != nil {
		t.Fatal(err)
	}
	got := mustEntity(t, s, "x")
	if want := []Label{{"de", "X"}, {"nl", "X"}, {"zh", "叉"}}; !slices.Equal(got.Labels, want) {
		t.Errorf("labels: got %v, want %v", got.Labels, want)
	}
	if err := s.Check(ctx); err != nil {
		t.Errorf("check: %v", err)
	}
}
