package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/ties-graph/ties/store/kv"
)

// This file holds external ids: their normal form (NormalizeID, applied
// to every id a write or a load brings), and the answer to "does this id
// exist, and as what": the one reading of
// the external-id index (keys.go draws it) that every path shares, each
// through the view it needs: a snapshot (readExt over a transaction), a
// batch's overlay (writer.lookup), a load that knows the store is empty
// (loader.lookup), or a reader's cache (Reader.lookupAny).

// extRef is what an external id names: an entity's node or a relation.
type extRef struct {
	kind byte // kindEntity or kindRelation
	id   uint64
}

// getter reads one key; ok is false when it does not exist.
type getter func(k []byte) (v []byte, ok bool, err error)

// txGetter reads from a transaction.
func txGetter(tx kv.Txn) getter {
	return func(k []byte) ([]byte, bool, error) {
		v, err := tx.Get(k)
		if errors.Is(err, kv.ErrNotFound) {
			return nil, false, nil
		}
		return v, err == nil, err
	}
}

// readExt resolves external id ext through get; ok is false when there is
// no such id.
func readExt(get getter, ext string) (extRef, bool, error) {
	v, ok, err := get(extKey(ext))
	if err != nil {
		return extRef{}, false, fmt.Errorf("look up %q: %w", ext, err)
	}
	if !ok {
		return extRef{}, false, nil
	}
	kind, id, err := parseExtValue(v)
	if err != nil {
		return extRef{}, false, fmt.Errorf("look up %q: %w", ext, err)
	}
	return extRef{kind, id}, true, nil
}

// lookupAny resolves an external id of either kind in a snapshot.
func lookupAny(tx kv.Txn, ext string) (extRef, bool, error) {
	return readExt(txGetter(tx), ext)
}

// noExternalIDs reports whether the snapshot holds no external id at all
// (an empty store), so that a load can skip every lookup.
func noExternalIDs(tx kv.Txn) bool {
	it := tx.Iterate(kv.IterOptions{Prefix: []byte{pExtID}, KeysOnly: true})
	defer it.Close()
	it.Rewind()
	return !it.Valid()
}

// lookup resolves an external id as the batch sees it.
func (w *writer) lookup(ext string) (extRef, bool, error) { return readExt(w.get, ext) }

// lookup resolves an external id in the snapshot of the load.
func (l *loader) lookup(ext string) (extRef, bool, error) {
	if l.noIDs {
		return extRef{}, false, nil
	}
	if r, ok := l.resolved[ext]; ok {
		return r.ref, r.found, nil
	}
	return lookupAny(l.tx, ext)
}

// lookupAny resolves an external id of either kind, through the cache.
func (r *Reader) lookupAny(id string) (extRef, bool, error) {
	if ref, found, ok := r.cache.ext(id, r.ts); ok {
		return ref, found, nil
	}
	ref, ok, err := lookupAny(r.tx, id)
	if err != nil {
		return extRef{}, false, err
	}
	r.cache.putExt(id, r.ts, ref, ok)
	return ref, ok, nil
}

// Lookup resolves an entity id to its NodeID; ok is false when there is none.
func (r *Reader) Lookup(id string) (NodeID, bool, error) {
	ref, ok, err := r.lookupAny(id)
	if err != nil || !ok || ref.kind != kindEntity {
		return 0, false, err
	}
	return NodeID(ref.id), true, nil
}

// LookupEntity resolves an entity id to its NodeID. It returns a NotFound
// error naming id when there is no such entity, and the errors of the
// snapshot.
func (r *Reader) LookupEntity(id string) (NodeID, error) {
	n, ok, err := r.Lookup(id)
	if err != nil {
		return 0, fmt.Errorf("look up entity %s: %w", id, err)
	}
	if !ok {
		return 0, &Error{Code: NotFound, Record: id, Message: fmt.Sprintf("no entity %q", id) + r.didYouMean(id)}
	}
	return n, nil
}

// didYouMean names, for an id that names no entity, the entities its
// caller most likely meant, as "; did you mean ...?": those whose id
// differs only in case, or whose name, label or alias the id is (a name
// typed where the id belongs, "Enschede" for "enschede"), begins or is
// one typo away from. Ids are exact, so nothing is looked up in their
// place; an analyst who typed a name still learns which id to use. It
// returns "" when nothing is close or the search fails: the NotFound
// stands either way.
func (r *Reader) didYouMean(id string) string {
	meant, _ := r.meant(id)
	return DidYouMean(meant)
}

// meant returns the entities an id that names none most likely means
// (see didYouMean), at most maxSuggestions, and whether id is one of
// their names or one typo from one, rather than one typo from a word of
// one; none when the search fails.
func (r *Reader) meant(id string) ([]*Entity, bool) {
	hits, err := r.search(id, nil, maxSuggestions)
	if err != nil {
		return nil, false
	}
	// Closest first: "Enschede" means the city named so, and "Enschde"
	// the city one typo from that name, not also the documents whose
	// names begin with it or hold a word one typo from it.
	var tiers [3][]*Entity // the whole name, the whole within one typo, a word
	f := []rune(fold(id))
	for _, h := range hits {
		switch e := h.Entity; {
		case strings.EqualFold(e.ID, id), h.Matched == MatchName, h.Matched == MatchLabel, h.Matched == MatchAlias:
			tier := 2
			for _, n := range entityNames(e) {
				switch n := []rune(fold(n)); {
				case string(n) == string(f):
					tier = 0
				case withinOneEdit(n, f):
					tier = min(tier, 1)
				}
			}
			tiers[tier] = append(tiers[tier], e)
		}
	}
	for i, t := range tiers {
		if len(t) > 0 {
			return t, i < 2
		}
	}
	return nil, false
}

// entityNames returns what an entity is called: its id, name, labels and
// aliases.
func entityNames(e *Entity) []string {
	names := append(make([]string, 0, 2+len(e.Labels)+len(e.Aliases)), e.ID, e.Name)
	for _, l := range e.Labels {
		names = append(names, l.Value)
	}
	return append(names, e.Aliases...)
}

// EntitiesMeant returns the entities that id, which names no entity, most
// likely means: for an answer in which a missing entity is null rather
// than an error (the entity field), the advice LookupEntity's NotFound
// gives, but only where id is one of their names (or ids in other case)
// or one typo from one. A null is an answer, and an id that shares only a
// word with some names ("enschede" once the city is deleted, with a
// report named after it) is not worth a warning. It returns none when id
// names an entity.
func (s *Store) EntitiesMeant(ctx context.Context, id string, ro ReadOptions) ([]*Entity, error) {
	return Read(ctx, s, ro, func(r *Reader) ([]*Entity, error) {
		if _, ok, err := r.Lookup(id); err != nil || ok {
			return nil, err
		}
		if meant, near := r.meant(id); near {
			return meant, nil
		}
		return nil, nil
	})
}

// DidYouMean returns "; did you mean ...?" naming the entities of meant by
// id, name and type, or "" for none.
func DidYouMean(meant []*Entity) string {
	named := make([]string, 0, len(meant))
	for _, e := range meant {
		named = append(named, fmt.Sprintf("%q (%s, %s)", e.ID, e.Name, e.Type))
	}
	switch len(named) {
	case 0:
		return ""
	case 1:
		return "; did you mean " + named[0] + "?"
	}
	return "; did you mean " + strings.Join(named[:len(named)-1], ", ") + " or " + named[len(named)-1] + "?"
}

// maxSuggestions is the most entities an unknown id's error suggests.
const maxSuggestions = 3

// NormalizeID returns id in Unicode normalization form C, the form every
// id is stored and looked up in: a composed "São" and a decomposed one
// (S, a, combining tilde, o) are one id, as a person reading them would
// expect.
func NormalizeID(id string) string {
	if isNFC(id) {
		return id
	}
	return norm.NFC.String(id)
}

// isNFC reports whether s is in normalization form C. Text of ASCII
// alone always is (no ASCII character decomposes or combines), and most
// ids are: the check of those is a loop over their bytes, where
// norm.NFC.IsNormalString allocated its state for every id, about 2% of
// a bulk load's CPU in its profile.
func isNFC(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return norm.NFC.IsNormalString(s)
		}
	}
	return true
}

// idCharProblem returns why r cannot be part of an id, or "": ids are
// read and typed by people, so a character that cannot be seen (a
// zero-width space, a bidirectional control, a byte-order mark) would make
// two ids that look the same differ, and U+FFFD is what a decoder leaves
// of a lone surrogate or a broken encoding, never a character meant.
func idCharProblem(r rune) string {
	switch {
	case unicode.IsControl(r):
		return "control characters"
	case r == unicode.ReplacementChar:
		return "U+FFFD, the replacement character (a lone surrogate or broken encoding in the input)"
	case unicode.Is(unicode.Cf, r):
		return fmt.Sprintf("the invisible formatting character U+%04X", r)
	}
	return ""
}

// normalizeIDs puts the ids e names into NFC, copying its sources when one
// changes so that the caller's slice is left as it was.
func (e *Entity) normalizeIDs() {
	e.ID = NormalizeID(e.ID)
	e.Sources = normalizeSources(e.Sources)
}

// normalizeIDs puts the ids r names into NFC (see Entity.normalizeIDs).
func (r *Relation) normalizeIDs() {
	r.ID, r.From, r.To = NormalizeID(r.ID), NormalizeID(r.From), NormalizeID(r.To)
	r.Sources = normalizeSources(r.Sources)
}

func normalizeSources(ss []Source) []Source {
	for i := range ss {
		if d := NormalizeID(ss[i].Document); d != ss[i].Document {
			out := make([]Source, len(ss))
			copy(out, ss)
			for j := i; j < len(out); j++ {
				out[j].Document = NormalizeID(out[j].Document)
			}
			return out
		}
	}
	return ss
}

// normalizeIDs returns b with every id in NFC, sharing b's slices when
// every id already is, as nearly all are.
func (b Batch) normalizeIDs() Batch {
	if b.idsNormal() {
		return b
	}
	b.Entities = append([]Entity(nil), b.Entities...)
	for i := range b.Entities {
		b.Entities[i].normalizeIDs()
	}
	b.Relations = append([]Relation(nil), b.Relations...)
	for i := range b.Relations {
		b.Relations[i].normalizeIDs()
	}
	b.DeleteEntities = normalizeAll(b.DeleteEntities)
	b.DeleteRelations = normalizeAll(b.DeleteRelations)
	return b
}

func (b Batch) idsNormal() bool {
	normal := func(ids ...string) bool {
		for _, id := range ids {
			if !isNFC(id) {
				return false
			}
		}
		return true
	}
	sourcesNormal := func(ss []Source) bool {
		for _, s := range ss {
			if !normal(s.Document) {
				return false
			}
		}
		return true
	}
	for _, e := range b.Entities {
		if !normal(e.ID) || !sourcesNormal(e.Sources) {
			return false
		}
	}
	for _, r := range b.Relations {
		if !normal(r.ID, r.From, r.To) || !sourcesNormal(r.Sources) {
			return false
		}
	}
	return normal(b.DeleteEntities...) && normal(b.DeleteRelations...)
}

func normalizeAll(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = NormalizeID(id)
	}
	return out
}
