package store

import (
	"context"
	"fmt"
	"testing"
)

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
