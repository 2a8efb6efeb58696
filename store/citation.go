package store

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ties-graph/ties/store/kv"
)

// This file holds citations: the sources of entities and relations, each
// citing a Document entity, as they are checked on write, indexed (the
// citation index, whose keys keys.go draws) and listed per document.
//
// A source cites a Document entity. Both write paths check the citation
// once every entity the write names is known, so that a batch or a file
// may cite a document it also creates, in any order; a source whose
// document does not exist, or is not a Document, would otherwise be
// stored and then fail every read that follows it (Source.document is
// non-null in the API).

// citeCheck is one source's document reference awaiting its check.
type citeCheck struct {
	rec, field, doc string
	line            int64 // for Load: the record's line
}

// documentType is the entity type every cited document must have (or
// a subtype of it, such as Agreement).
const documentType = "Document"

// checkCite records a problem when doc is not an entity of type Document;
// typ and found say what the write resolved doc to.
func (w *writer) checkCite(c citeCheck, typ TypeID, found bool) {
	if !found {
		w.failf(Invalid, c.rec, c.field, "no document entity %q: add it (type %s) in the same write or before citing it", c.doc, documentType)
		return
	}
	doc, ok := w.sch.entityType(documentType)
	if !ok || !w.sch.isA(typ, doc) {
		w.failf(Invalid, c.rec, c.field, "%q is a %s, not a %s: a source cites the document that states the fact", c.doc, w.sch.name(typ), documentType)
	}
}

// checkCitesBy checks the citations recorded so far, resolving each
// cited id with resolve (its entity type, and whether it is an entity);
// done, when set, hears of each check with the problem counts from before
// it.
func (w *writer) checkCitesBy(resolve func(doc string) (TypeID, bool, error), done func(c citeCheck, n0, e0 int)) error {
	cs := w.cites
	w.cites = nil
	for _, c := range cs {
		n0, e0 := w.nfail, len(w.errs)
		t, ok, err := resolve(c.doc)
		if err != nil {
			return err
		}
		w.checkCite(c, t, ok)
		if done != nil {
			done(c, n0, e0)
		}
	}
	return nil
}

// checkCites checks the citations an Apply batch recorded, as the batch
// sees the store: documents it upserts count, documents it deletes do not.
func (w *writer) checkCites() error { return w.checkCitesBy(w.documentType, nil) }

// documentType resolves a cited id to its entity type as the batch sees
// it.
func (w *writer) documentType(id string) (TypeID, bool, error) {
	ref, ok, err := w.lookup(id)
	if err != nil || !ok || ref.kind != kindEntity {
		return 0, false, err
	}
	return w.nodeType(NodeID(ref.id))
}

// checkCites checks the citations recorded since the loader last checked,
// against the file's entities and then the store, naming each problem by
// the line of the record that cites.
func (l *loader) checkCites() error {
	return l.w.checkCitesBy(l.documentType, func(c citeCheck, n0, e0 int) { l.failed(n0, e0, c.line) })
}

// documentType resolves a cited id to its entity type: the type the file
// gives it, else the store's.
func (l *loader) documentType(id string) (TypeID, bool, error) {
	if le, ok := l.citedEntity(id); ok {
		if le.bad {
			return 0, false, nil
		}
		t, ok := l.w.sch.entityType(l.typeNames[le.tname])
		return t, ok, nil
	}
	ref, ok, err := l.lookup(id)
	if err != nil || !ok || ref.kind != kindEntity {
		return 0, false, err
	}
	t, err := l.typeOf(NodeID(ref.id))
	return t, err == nil, err
}

// leavesDocument reports whether a change of type from one to another
// turns a Document into something that is not one.
func (sch *schema) leavesDocument(from, to TypeID) bool {
	doc, ok := sch.entityType(documentType)
	return ok && sch.isA(from, doc) && !sch.isA(to, doc)
}

// citersOf reads, from the citation index, up to three of the facts
// that cite each of docs ("entity X", "relation Y"), leaving out those
// for which rewritten says the write replaces them (checkCites saw their
// new version); rewritten gets the record's body key and id. It reads
// only the citations of docs: refusing to delete a document costs what
// it is cited by, not a walk of the graph.
func citersOf(tx kv.Txn, docs []string, rewritten func(key []byte, id string) bool) (map[string][]string, error) {
	citers := map[string][]string{}
	it := tx.Iterate(kv.IterOptions{})
	defer it.Close()
	for _, doc := range docs {
		prefix := citePrefix(nil, doc)
		seen := map[string]bool{}
		for it.Seek(prefix); it.Valid() && len(citers[doc]) < 3; it.Next() {
			k := it.Key()
			if !bytes.HasPrefix(k, prefix) {
				break
			}
			ct, err := parseCiteKey(k)
			if err != nil {
				return nil, fmt.Errorf("check citations: %w", err)
			}
			v, err := it.Value()
			if err != nil {
				return nil, fmt.Errorf("check citations: %w", err)
			}
			what, key := "entity ", entityKey(NodeID(ct.id))
			if ct.kind == kindRelation {
				what, key = "relation ", relationKey(RelID(ct.id))
			}
			id := string(v)
			if seen[what+id] || rewritten(key, id) {
				continue
			}
			seen[what+id] = true
			citers[doc] = append(citers[doc], what+id)
		}
	}
	return citers, nil
}

// deletedDocument is a Document entity an Apply batch deletes, or retypes
// to a type that is not a Document (retyped names that type): either way
// its citations would no longer cite a document.
type deletedDocument struct{ id, rec, retyped string }

// noteRetypedDocument records an entity whose type changes from a
// Document to something else, for checkDeletedDocuments.
func (w *writer) noteRetypedDocument(from, to TypeID, id, rec string) {
	if w.sch.leavesDocument(from, to) {
		w.deletedDocs = append(w.deletedDocs, deletedDocument{id: id, rec: rec, retyped: w.sch.name(to)})
	}
}

// checkDeletedDocuments refuses the deletion (or retyping to a type that
// is not a Document) of documents that facts the batch leaves in place
// still cite, from the citation index: a dangling citation would break
// every read of the fact that holds it.
func (w *writer) checkDeletedDocuments() error {
	if len(w.deletedDocs) == 0 {
		return nil
	}
	doomed := make(map[string]*deletedDocument, len(w.deletedDocs))
	for i := range w.deletedDocs {
		doomed[w.deletedDocs[i].id] = &w.deletedDocs[i]
	}
	docs := make([]string, 0, len(doomed))
	for id := range doomed {
		docs = append(docs, id)
	}
	citers, err := citersOf(w.tx, docs, func(key []byte, _ string) bool {
		_, rewritten := w.ov[string(key)] // checkCites saw this batch's version
		return rewritten
	})
	if err != nil {
		return err
	}
	for _, d := range w.deletedDocs {
		cs := citers[d.id]
		switch {
		case len(cs) == 0:
		case d.retyped != "":
			w.failf(Conflict, d.rec, "type", "document %q is cited as a source (by %s), so it cannot become a %s: remove those sources first, or keep it a %s", d.id, strings.Join(cs, ", "), d.retyped, documentType)
		default:
			w.failf(Conflict, d.rec, "", "document %q is cited as a source (by %s): remove those sources first", d.id, strings.Join(cs, ", "))
		}
	}
	return nil
}

// noteRetypedDocument records a stored document that the load turns into
// an entity that is not a Document, for checkRetypedDocuments.
func (l *loader) noteRetypedDocument(id string, le loadEntity) {
	if !l.w.sch.leavesDocument(le.oldTyp, le.typ) {
		return
	}
	if l.retypedDocs == nil {
		l.retypedDocs, l.rewritten = map[string]int64{}, map[string]bool{}
	}
	l.retypedDocs[id] = le.line
}

// checkRetypedDocuments refuses a load that turns a document into
// something else while stored facts the load leaves in place still cite
// it, from the citation index like checkDeletedDocuments; the load's own
// records were checked by checkCites against the types the load gives.
func (l *loader) checkRetypedDocuments() error {
	if len(l.retypedDocs) == 0 {
		return nil
	}
	docs := make([]string, 0, len(l.retypedDocs))
	for id := range l.retypedDocs {
		docs = append(docs, id)
	}
	citers, err := citersOf(l.tx, docs, func(key []byte, id string) bool {
		if key[0] == pEntity {
			if l.spilled != nil {
				return l.loadCiters[id]
			}
			return l.ents.has(id)
		}
		return l.rewritten[id]
	})
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	ids := slices.Sorted(maps.Keys(citers))
	for _, id := range ids {
		line := l.retypedDocs[id]
		n0, e0 := l.w.nfail, len(l.w.errs)
		le := l.retypedEnts[id]
		l.w.failf(Conflict, "", "type", "document %q is cited as a source (by %s), so it cannot become a %s: remove those sources first, or keep it a %s",
			id, strings.Join(citers[id], ", "), l.w.sch.name(le.typ), documentType)
		l.failed(n0, e0, line)
		l.writeable = false
	}
	return nil
}

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
				e, err := r.liveEntity(NodeID(ct.id), "citation index")
				if err != nil {
					return fmt.Errorf("citations of %q: %w", doc, err)
				}
				c.Entity, ss = e, e.Sources
			} else {
				rel, err := r.liveRelation(RelID(ct.id), "citation index")
				if err != nil {
					return fmt.Errorf("citations of %q: %w", doc, err)
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

// citeKeys returns the citation index keys of the sources ss of the entity
// or relation (kind, id): one per source, so that a fact citing one
// document twice (two excerpts) is listed twice, once with each.
func citeKeys(kind byte, id uint64, ss []Source) [][]byte {
	keys := make([][]byte, len(ss))
	for i, s := range ss {
		keys[i] = citeKey(s.Document, kind, id, i)
	}
	return keys
}
