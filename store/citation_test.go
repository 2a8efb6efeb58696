package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestCiteApply(t *testing.T) {
	cites := func(doc string) []Source { return []Source{{Document: doc, Excerpt: "says so"}} }
	tests := []struct {
		name      string
		batch     Batch
		wantField string // "" = accepted
		wantMsg   string
	}{
		{name: "OK", batch: Batch{Relations: []Relation{{Type: "MEMBER_OF", From: "enschede", To: "eurocities", Sources: cites("report")}}}},
		{name: "OKSubtype", batch: Batch{
			Entities:  []Entity{{ID: "mou", Type: "Agreement", Name: "MoU"}},
			Relations: []Relation{{Type: "MEMBER_OF", From: "enschede", To: "eurocities", Sources: cites("mou")}},
		}},
		{name: "OKDocumentInSameBatch", batch: Batch{
			Relations: []Relation{{Type: "MEMBER_OF", From: "enschede", To: "eurocities", Sources: cites("new-doc")}},
			Entities:  []Entity{{ID: "new-doc", Type: "Document", Name: "A new document"}},
		}},
		{name: "OKEntitySource", batch: Batch{Entities: []Entity{{ID: "x", Type: "Topic", Name: "X", Sources: cites("report")}}}},
		{name: "ErrMissingDocument", batch: Batch{Relations: []Relation{{Type: "MEMBER_OF", From: "enschede", To: "eurocities", Sources: cites("nowhere")}}},
			wantField: "sources[0].document", wantMsg: `no document entity "nowhere"`},
		{name: "ErrNotADocument", batch: Batch{Relations: []Relation{{Type: "MEMBER_OF", From: "enschede", To: "eurocities", Sources: cites("dalian")}}},
			wantField: "sources[0].document", wantMsg: `"dalian" is a City, not a Document`},
		{name: "ErrEmptyDocument", batch: Batch{Entities: []Entity{{ID: "x", Type: "Topic", Name: "X", Sources: cites("")}}},
			wantField: "sources[0].document", wantMsg: "must name the document"},
		{name: "ErrDocumentDeletedBySameBatch", batch: Batch{
			Entities:       []Entity{{ID: "old-doc", Type: "Document", Name: "Old"}},
			Relations:      []Relation{{Type: "MEMBER_OF", From: "enschede", To: "eurocities", Sources: cites("old-doc")}},
			DeleteEntities: []string{"old-doc"},
		}, wantField: "sources[0].document", wantMsg: `no document entity "old-doc"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTestStore(t)
			mustApply(t, s, twinCities())
			before := rawDump(t, s)
			_, err := s.Apply(context.Background(), tt.batch)
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("Apply: %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Apply: got %v, want an *Error", err)
			}
			if got, want := e.Field, tt.wantField; got != want {
				t.Errorf("field: got %q, want %q", got, want)
			}
			if !strings.Contains(e.Message, tt.wantMsg) {
				t.Errorf("message: got %q, want it to contain %q", e.Message, tt.wantMsg)
			}
			if after := rawDump(t, s); after != before {
				t.Errorf("a refused batch changed the store")
			}
		})
	}
}

func TestCiteLoad(t *testing.T) {
	rel := func(doc string) *Relation {
		return &Relation{Type: "MEMBER_OF", From: "a", To: "net", Sources: []Source{{Document: doc}}}
	}
	ent := func(id, typ string) *Entity { return &Entity{ID: id, Type: typ, Name: id} }
	tests := []struct {
		name     string
		records  []Record
		wantLine string // "" = accepted
	}{
		{name: "OKDocumentAfterRelation", records: []Record{
			{Line: 1, Relation: rel("doc")}, {Line: 2, Entity: ent("a", "City")}, {Line: 3, Entity: ent("net", "Network")}, {Line: 4, Entity: ent("doc", "Document")},
		}},
		{name: "OKEntityCitesLaterDocument", records: []Record{
			{Line: 1, Entity: &Entity{ID: "a", Type: "City", Name: "A", Sources: []Source{{Document: "doc"}}}}, {Line: 2, Entity: ent("doc", "Document")},
		}},
		{name: "ErrMissing", records: []Record{
			{Line: 1, Entity: ent("a", "City")}, {Line: 2, Entity: ent("net", "Network")}, {Line: 3, Relation: rel("nowhere")},
		}, wantLine: "f.ndjson:3"},
		{name: "ErrEntityCitesCity", records: []Record{
			{Line: 1, Entity: ent("b", "City")}, {Line: 2, Entity: &Entity{ID: "a", Type: "City", Name: "A", Sources: []Source{{Document: "b"}}}},
		}, wantLine: "f.ndjson:2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTestStore(t)
			_, err := s.Load(context.Background(), sourceOf(tt.records), LoadOptions{Source: "f.ndjson"})
			if tt.wantLine == "" {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Load: got no error")
			}
			if got := err.Error(); !strings.Contains(got, tt.wantLine) || !strings.Contains(got, "sources[0].document") {
				t.Errorf("Load: got %q, want it to name %s and sources[0].document", got, tt.wantLine)
			}
			if empty, err := s.IsEmpty(context.Background()); err != nil || !empty {
				t.Errorf("a refused load wrote something (empty %v, %v)", empty, err)
			}
		})
	}
}

func TestCiteDeleteDocument(t *testing.T) {
	sisterID := RelationID("SISTER_CITY_OF", "dalian", "enschede", MustParseDate("2017"), true)
	tests := []struct {
		name    string
		batch   Batch
		wantErr string // "" = accepted
	}{
		{name: "ErrCitedByRelation", batch: Batch{DeleteEntities: []string{"report"}},
			wantErr: `document "report" is cited as a source (by relation ` + sisterID + `)`},
		{name: "OKWithItsCiters", batch: Batch{DeleteRelations: []string{sisterID}, DeleteEntities: []string{"report"}}},
		{name: "OKCiterRewrittenWithoutSource", batch: Batch{
			Relations:      []Relation{{Type: "SISTER_CITY_OF", From: "enschede", To: "dalian", ValidFrom: MustParseDate("2017")}},
			DeleteEntities: []string{"report"},
		}},
		{name: "OKUncitedDocument", batch: Batch{DeleteEntities: []string{"unused"}}},
		{name: "ErrRetypedCitedDocument", batch: Batch{Entities: []Entity{{ID: "report", Type: "City", Name: "Report"}}},
			wantErr: `document "report" is cited as a source (by relation ` + sisterID + `), so it cannot become a City`},
		{name: "OKRetypedToSubtype", batch: Batch{Entities: []Entity{{ID: "report", Type: "Agreement", Name: "Report"}}}},
		{name: "OKRetypedUncitedDocument", batch: Batch{Entities: []Entity{{ID: "unused", Type: "City", Name: "Unused"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTestStore(t)
			mustApply(t, s, twinCities())
			mustApply(t, s, Batch{Entities: []Entity{{ID: "unused", Type: "Document", Name: "Unused"}}})
			before := rawDump(t, s)
			_, err := s.Apply(context.Background(), tt.batch)
			checkConflict(t, s, before, err, tt.wantErr)
		})
	}
}

// A load may not turn a stored document that stored facts cite into
// something that is not a Document; ties check would find citations of a
// City afterwards.
func TestCiteLoadRetypedDocument(t *testing.T) {
	sister := Relation{Type: "SISTER_CITY_OF", From: "enschede", To: "dalian", ValidFrom: MustParseDate("2017")}
	tests := []struct {
		name        string
		entityCiter bool // the store holds a document that an entity cites
		records     []Record
		wantErr     string // "" = accepted
	}{
		{name: "ErrCited", records: []Record{{Line: 1, Entity: &Entity{ID: "report", Type: "City", Name: "Report"}}},
			wantErr: `f.ndjson:1: type: document "report" is cited as a source (by relation ` + RelationID("SISTER_CITY_OF", "dalian", "enschede", MustParseDate("2017"), true) + `), so it cannot become a City`},
		{name: "OKCiterRewrittenWithoutSource", records: []Record{
			{Line: 1, Entity: &Entity{ID: "report", Type: "City", Name: "Report"}}, {Line: 2, Relation: &sister},
		}},
		{name: "OKSubtype", records: []Record{{Line: 1, Entity: &Entity{ID: "report", Type: "Agreement", Name: "Report"}}}},
		{name: "ErrCitedByEntity", entityCiter: true, records: []Record{{Line: 1, Entity: &Entity{ID: "memo", Type: "City", Name: "Memo"}}},
			wantErr: `f.ndjson:1: type: document "memo" is cited as a source (by entity atlas), so it cannot become a City`},
		{name: "OKEntityCiterRewritten", entityCiter: true, records: []Record{
			{Line: 1, Entity: &Entity{ID: "memo", Type: "City", Name: "Memo"}}, {Line: 2, Entity: &Entity{ID: "atlas", Type: "City", Name: "Atlas"}},
		}},
	}
	// Past the entity budget the load finds its entities among the
	// citers by a join rather than in its table.
	for _, eb := range entityBudgets {
		for _, tt := range tests {
			t.Run(eb.name+"/"+tt.name, func(t *testing.T) {
				s := openLoadStore(t, eb.bytes)
				mustApply(t, s, twinCities())
				if tt.entityCiter {
					mustApply(t, s, Batch{Entities: []Entity{
						{ID: "memo", Type: "Document", Name: "Memo"},
						{ID: "atlas", Type: "City", Name: "Atlas", Sources: []Source{{Document: "memo", Excerpt: "mapped"}}},
					}})
				}
				before := rawDump(t, s)
				_, err := s.Load(context.Background(), sourceOf(tt.records), LoadOptions{Source: "f.ndjson"})
				checkConflict(t, s, before, err, tt.wantErr)
			})
		}
	}
}

// checkConflict wants err to be nil when want is "", and otherwise a
// Conflict whose text contains want, refused without changing s from what
// rawDump read before.
func checkConflict(t *testing.T, s *Store, before string, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("got %v, want no error", err)
		}
		return
	}
	if got := ErrorCode(err); got != Conflict {
		t.Errorf("code: got %s (%v), want %s", got, err, Conflict)
	}
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want an error containing %q", err, want)
	}
	if after := rawDump(t, s); after != before {
		t.Errorf("a refused write changed the store")
	}
}

// citing lists the citations of doc as "kind id: excerpt", paging by
// page.
func citing(t *testing.T, s *Store, doc string, page int) (got []string, total int) {
	t.Helper()
	after := ""
	for {
		p, err := s.FindCitations(context.Background(), doc, &page, after, ReadOptions{})
		if err != nil {
			t.Fatalf("FindCitations(%q): %v", doc, err)
		}
		total = p.TotalCount
		for _, c := range p.Citations {
			switch {
			case c.Entity != nil:
				got = append(got, fmt.Sprintf("entity %s: %s", c.Entity.ID, c.Source.Excerpt))
			default:
				got = append(got, fmt.Sprintf("relation %s: %s", c.Relation.Type, c.Source.Excerpt))
			}
		}
		if !p.HasNext {
			return got, total
		}
		after = p.Cursors[len(p.Cursors)-1]
	}
}

func TestFindCitations(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	mustApply(t, s, twinCities())
	mustApply(t, s, Batch{Entities: []Entity{{ID: "munster", Type: "City", Name: "Münster", Sources: []Source{
		{Document: "report", Excerpt: "Münster came to the conference."},
		{Document: "report", Excerpt: "Münster is a university city."},
	}}}})
	want := []string{
		"entity munster: Münster came to the conference.",
		"entity munster: Münster is a university city.",
		"relation SISTER_CITY_OF: Dalian became a sister city.",
	}
	for _, page := range []int{1, 2, 50} {
		got, total := citing(t, s, "report", page)
		if fmt.Sprint(got) != fmt.Sprint(want) || total != len(want) {
			t.Errorf("page size %d: got %q (total %d), want %q", page, got, total, want)
		}
	}

	t.Run("SourceDropped", func(t *testing.T) {
		mustApply(t, s, Batch{Entities: []Entity{{ID: "munster", Type: "City", Name: "Münster", Sources: []Source{
			{Document: "report", Excerpt: "Münster is a university city."},
		}}}})
		got, total := citing(t, s, "report", 50)
		if want := []string{"entity munster: Münster is a university city.", "relation SISTER_CITY_OF: Dalian became a sister city."}; fmt.Sprint(got) != fmt.Sprint(want) || total != 2 {
			t.Errorf("got %q (total %d), want %q", got, total, want)
		}
	})
	t.Run("DeleteRefusedThenAllowed", func(t *testing.T) {
		_, err := s.Apply(ctx, Batch{DeleteEntities: []string{"report"}})
		if ErrorCode(err) != Conflict {
			t.Fatalf("deleting a cited document: got %v, want CONFLICT", err)
		}
		mustApply(t, s, Batch{
			Entities:       []Entity{{ID: "munster", Type: "City", Name: "Münster"}},
			DeleteEntities: []string{"dalian"}, Cascade: true, // takes the citing relation along
		})
		if got, total := citing(t, s, "report", 50); len(got) != 0 || total != 0 {
			t.Errorf("after removing every citing source: got %q (total %d), want none", got, total)
		}
		mustApply(t, s, Batch{DeleteEntities: []string{"report"}})
	})
	t.Run("NothingCites", func(t *testing.T) {
		if got, total := citing(t, s, "enschede", 50); len(got) != 0 || total != 0 {
			t.Errorf("got %q (total %d), want none", got, total)
		}
	})
	t.Run("ErrForeignCursor", func(t *testing.T) {
		_, err := s.FindCitations(ctx, "report", nil, encodeCursor(citeKey("other", kindEntity, 1, 0)), ReadOptions{})
		if ErrorCode(err) != Invalid {
			t.Errorf("got %v, want INVALID_ARGUMENT", err)
		}
	})
}
