package store

import (
	"fmt"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// NormalizeID returns id in Unicode normalization form C, the form every
// id is stored and looked up in: a composed "São" and a decomposed one
// (S, a, combining tilde, o) are one id, as a person reading them would
// expect.
func NormalizeID(id string) string {
	if norm.NFC.IsNormalString(id) {
		return id
	}
	return norm.NFC.String(id)
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
			if !norm.NFC.IsNormalString(id) {
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
