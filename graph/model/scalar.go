// Package model holds the Go side of the GraphQL schema that the store does
// not provide: the marshalers of the custom scalars, the connection types
// (generated into models_gen.go) and the Node interface.
package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/ties-graph/ties/store"
)

// Node is an entity or a relation: the Go side of the GraphQL Node
// interface. It is empty because the store types it stands for are bound
// as they are; the generated code switches on their concrete types.
type Node any

// MarshalDate writes a store.Date as its string at its own precision, and
// the zero Date as null.
func MarshalDate(d store.Date) graphql.Marshaler {
	if d.IsZero() {
		return graphql.Null
	}
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(d.String()))
	})
}

// UnmarshalDate reads a Date from a string such as "2017-07" (or a year as
// a number, as spreadsheets write it). Anything else is an
// INVALID_ARGUMENT *store.Error naming the value.
func UnmarshalDate(v any) (store.Date, error) {
	switch v := v.(type) {
	case nil:
		return store.Date{}, nil
	case string:
		return store.ParseDate(v)
	case json.Number:
		return store.ParseDate(v.String())
	case int64:
		return store.ParseDate(strconv.FormatInt(v, 10))
	case int:
		return store.ParseDate(strconv.Itoa(v))
	}
	return store.Date{}, store.Errorf(store.Invalid, "invalid date %v: want a string such as \"2017-07\"", v)
}

// MarshalDateTime writes an instant in RFC 3339 form (UTC kept as "Z"), and
// the zero time as null.
func MarshalDateTime(t time.Time) graphql.Marshaler {
	if t.IsZero() {
		return graphql.Null
	}
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.Format(time.RFC3339Nano)))
	})
}

// UnmarshalDateTime reads an RFC 3339 instant such as
// "2017-07-05T14:30:00Z". Anything else is an INVALID_ARGUMENT *store.Error
// naming the value.
func UnmarshalDateTime(v any) (time.Time, error) {
	switch v := v.(type) {
	case nil:
		return time.Time{}, nil
	case string:
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return time.Time{}, store.Errorf(store.Invalid, "invalid date-time %q: use RFC 3339 such as 2017-07-05T14:30:00Z", v)
		}
		return t, nil
	}
	return time.Time{}, store.Errorf(store.Invalid, "invalid date-time %v: want an RFC 3339 string such as \"2017-07-05T14:30:00Z\"", v)
}

// RawJSON is a JSON document built by a resolver (a node-link subgraph);
// it is written to the response as it is.
type RawJSON = json.RawMessage

// MarshalRawJSON writes the document as it is, or null when empty.
func MarshalRawJSON(b json.RawMessage) graphql.Marshaler {
	if len(b) == 0 {
		return graphql.Null
	}
	return graphql.WriterFunc(func(w io.Writer) { _, _ = w.Write(b) })
}

// UnmarshalRawJSON encodes any input value as JSON. It returns an
// INVALID_ARGUMENT error for values JSON cannot hold.
func UnmarshalRawJSON(v any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, store.Errorf(store.Invalid, "value is not JSON: %v", err)
	}
	return b, nil
}

// MarshalProperties writes properties as a JSON object with sorted keys, in
// the form described on store.Value.
func MarshalProperties(p store.Properties) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		if len(p) == 0 {
			_, _ = io.WriteString(w, "{}")
			return
		}
		var buf bytes.Buffer
		buf.WriteByte('{')
		for i, k := range p.Keys() {
			if i > 0 {
				buf.WriteByte(',')
			}
			kb, _ := json.Marshal(k)
			buf.Write(kb)
			buf.WriteByte(':')
			vb, err := json.Marshal(p[k].Any())
			if err != nil {
				vb = []byte("null")
			}
			buf.Write(vb)
		}
		buf.WriteByte('}')
		_, _ = w.Write(buf.Bytes())
	})
}

// UnmarshalProperties reads a JSON object of property values (see
// store.Value). Anything else is an INVALID_ARGUMENT *store.Error naming
// the property.
func UnmarshalProperties(v any) (store.Properties, error) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, store.Errorf(store.Invalid, "properties must be a JSON object, not %s", jsonKind(v))
	}
	p := make(store.Properties, len(m))
	for k, x := range m {
		val, err := store.ValueOf(x)
		if err != nil {
			return nil, &store.Error{Code: store.Invalid, Field: "properties." + k, Message: store.ErrorMessage(err)}
		}
		p[k] = val
	}
	return p, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	case json.Number, float64, int, int64:
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}
