package store

import (
	"bytes"
	"context"
	"fmt"

	"github.com/ties-graph/ties/store/kv"
)

// Citation is one source of an entity or a relation, with the fact that
// holds it: exactly one of Entity and Relation is set.
type Citation struct {
	Entity   *Entity
	Relation *Relation
	Source   Source
}

// CitationPage is a page of the citations of a document.
type CitationPage struct {
	Citations   []Citation
	Cursors     []string
	HasNext     bool
	HasPrevious bool
	TotalCount  int
}

// FindCitations pages through the sources that cite document doc, from
// the citation index: the entities citing it first, then the relations,
// each in the order they were created, and a fact citing it twice (two
// excerpts) once per source. A cursor is the position of its citation,
// valid whatever changes. An id that no source cites, document or not,
// has none. TotalCount counts them by scanning the document's entries,
// so it costs what the document is cited by. Errors: Invalid for a
// negative first or a cursor that is not one of doc's.
func (s *Store) FindCitations(ctx context.Context, doc string, first *int, after string, ro ReadOptions) (CitationPage, error) {
	n, err := SizeOr(first, DefaultPageSize, "first")
	if err != nil {
		return CitationPage{}, err
	}
	prefix := citePrefix(nil, NormalizeID(doc))
	var from []byte
	if after != "" {
		if from, err = decodeCursor(after); err != nil {
			return CitationPage{}, err
		}
		if _, err := parseCiteKey(from); err != nil || !bytes.HasPrefix(from, prefix) {
			return CitationPage{}, &Error{Code: Invalid, Field: "after", Message: fmt.Sprintf("invalid cursor %q: not a citation of %q", after, doc)}
		}
	}
	var page CitationPage
	err = s.View(ctx, ro, func(r *Reader) error {
		it := r.tx.Iterate(kv.IterOptions{KeysOnly: true, Prefix: prefix})
		defer it.Close()
		var keys []citation
		for it.Seek(prefix); it.Valid(); it.Next() {
			k := it.Key()
			page.TotalCount++
			if from != nil && bytes.Compare(k, from) <= 0 {
				continue
			}
			if len(keys) == n {
				page.HasNext = true
				continue
			}
			ct, err := parseCiteKey(k)
			if err != nil {
				return err
			}
			keys = append(keys, ct)
			page.Cursors = append(page.Cursors, encodeCursor(bytes.Clone(k)))
			if page.TotalCount%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
		}
		page.HasPrevious = from != nil
		for _, ct := range keys {
			var c Citation
			var ss []Source
			if ct.kind == kindEntity {
				e, err := r.entity(NodeID(ct.id))
				if err != nil {
					return err
				}
				if e == nil {
					return fmt.Errorf("citations of %q: entity %d is cited but has no body", doc, ct.id)
				}
				c.Entity, ss = e, e.Sources
			} else {
				rel, err := r.relation(RelID(ct.id))
				if err != nil {
					return err
				}
				if rel == nil {
					return fmt.Errorf("citations of %q: relation %d is cited but has no body", doc, ct.id)
				}
				c.Relation, ss = rel, rel.Sources
			}
			if ct.index >= len(ss) {
				return fmt.Errorf("citations of %q: source %d of %d, which has %d", doc, ct.index+1, ct.id, len(ss))
			}
			c.Source = ss[ct.index]
			page.Citations = append(page.Citations, c)
		}
		return nil
	})
	if err != nil {
		return CitationPage{}, err
	}
	return page, nil
}
