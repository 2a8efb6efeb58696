package exchange

import (
	"encoding/json"

	"github.com/ties-graph/ties/store"
)

// carriedFields is the set of fields a JSON record (an NDJSON line or a
// node-link node or link) carries: the members it has. A member given as
// null is carried too, so that "description": null clears a description
// in a merge, as in a JSON merge patch.
func carriedFields(m map[string]json.RawMessage) store.Fields {
	fs := store.FieldsGiven
	for _, f := range []struct {
		key   string
		field store.Fields
	}{{"name", store.FieldName}, {"description", store.FieldDescription}, {"validFrom", store.FieldValidFrom}, {"validTo", store.FieldValidTo}} {
		if _, ok := m[f.key]; ok {
			fs |= f.field
		}
	}
	return fs
}

// defaultName gives an entity record without a name member its id as
// name, as the CSV formats do: a merge keeps the stored entity's name
// (the record does not carry one), and a new entity is named by its id.
func defaultName(e *store.Entity, m map[string]json.RawMessage) {
	if _, ok := m["name"]; !ok && e != nil && e.Name == "" {
		e.Name = e.ID
	}
}

// csvCarried is the set of fields a CSV row carries: the cells it fills.
// neo4j-admin reads an empty cell as no value, and a merge as nothing said,
// so an export with a column for every field merges without clearing
// anything.
func (cd *csvDecoder) csvCarried(row []string, fields ...string) store.Fields {
	fs := store.FieldsGiven
	for _, f := range fields {
		v, _, ok := cd.field(row, f)
		if !ok || v == "" {
			continue
		}
		switch f {
		case "name", "fromName", "toName":
			fs |= store.FieldName
		case "description":
			fs |= store.FieldDescription
		case "validFrom":
			fs |= store.FieldValidFrom
		case "validTo":
			fs |= store.FieldValidTo
		}
	}
	return fs
}
