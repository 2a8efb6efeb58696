package exchange

import (
	"fmt"
	"strings"
	"sync"

	"github.com/ties-graph/ties/store"
)

// The store checks records and names its own fields in its errors
// ("type", "from"), but a bad import line must name what the user has to
// edit: the column toType of a simple CSV row, the member source of a
// node-link link. Only the decoder knows which column or member a field
// came from, and one line may make several records (a simple CSV row makes
// up to two entities and a relation). So a decoder tags each record's line
// with its origin, the part of the file it came from, and notes once per
// file the name each field has there; Sources' rewrite of the load's
// errors then renames the fields (untag).

// origin is the part of a file a record came from.
type origin uint8

const (
	originAsIs    origin = iota // named as the store names it (NDJSON)
	originNode                  // a node-link node, a CSV nodes row
	originLink                  // a node-link link, a CSV relationships or simple row
	originLinkKey               // a node-link link whose id is its "key"
	originFromEnd               // the entity at the from end of a simple CSV row
	originToEnd                 // the entity at the to end of a simple CSV row
	numOrigins
)

// A record's origin sits in Record.Line just below the file index that
// Sources adds, leaving 2^36 lines to a file.
const (
	originBits  = 4
	originShift = lineBits - originBits
	lineMask    = 1<<originShift - 1
)

// fieldName is the name a field has in a file and, in a CSV file, its
// 1-based column.
type fieldName struct {
	name   string
	column int
}

// fileFields holds the names of one file's fields by origin; nil (a
// single source outside Sources) leaves lines and fields as they are.
type fileFields struct {
	mu    sync.Mutex // a load may run its passes on different goroutines
	names [numOrigins]map[string]fieldName
	// elements are a node-link document's nodes and links arrays. Their
	// records carry their index in the array, plus one, in place of a
	// line, and an error names the element ("links[2].target") at the
	// line it starts on: json.dump writes a whole document on one line,
	// where the line alone says nothing.
	elements [2]elementLines
}

// elementLines is one array of a node-link document: its name ("nodes",
// "links" or "edges") and the line each element starts on, by index.
type elementLines struct {
	key   string
	lines []int64
}

// elementArray returns which of fileFields.elements records of origin o
// come from, or -1 when they are not node-link elements.
func elementArray(o origin) int {
	switch o {
	case originNode:
		return 0
	case originLink, originLinkKey:
		return 1
	}
	return -1
}

// setElements records the lines of the elements of one node-link array
// (key) whose records have origin o. Every pass of a load decodes the
// file again and sets the same lines.
func (f *fileFields) setElements(o origin, key string, lines []int64) {
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.elements[elementArray(o)] = elementLines{key: key, lines: lines}
}

// tagElement returns the Record.Line of the element at index i of a
// node-link array, which starts on line: i+1 tagged with origin o, or
// line itself outside Sources.
func (f *fileFields) tagElement(line int64, i int, o origin) int64 {
	if f == nil {
		return line
	}
	return f.tag(int64(i)+1, o)
}

// element returns the line and the path ("links[2]") of the node-link
// element whose record of origin o carries n (index plus one), or ok
// false when o is not a node-link element's.
func (f *fileFields) element(o origin, n int64) (line int64, path string, ok bool) {
	a := elementArray(o)
	if f == nil || a < 0 {
		return 0, "", false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	el := f.elements[a]
	if n < 1 || n > int64(len(el.lines)) {
		return 0, "", false
	}
	return el.lines[n-1], fmt.Sprintf("%s[%d]", el.key, n-1), true
}

// set records the names of the fields of records of origin o; a field
// missing from names keeps the store's name.
func (f *fileFields) set(o origin, names map[string]fieldName) {
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.names[o] = names
}

// tag returns line tagged with origin o.
func (f *fileFields) tag(line int64, o origin) int64 {
	if f == nil {
		return line
	}
	return line | int64(o)<<originShift
}

// rename returns e with its field named as the file of origin o names it:
// the field's root ("sources" of "sources[0].document") is replaced, and a
// CSV column is said in the message as the decoder's own errors say it.
func (f *fileFields) rename(e *store.Error, o origin) *store.Error {
	if f == nil || e.Field == "" || o >= numOrigins {
		return e
	}
	f.mu.Lock()
	names := f.names[o]
	f.mu.Unlock()
	n, ok := names[e.Field]
	rest := ""
	if !ok {
		root := e.Field
		if i := strings.IndexAny(root, ".["); i >= 0 {
			root, rest = root[:i], root[i:]
		}
		if n, ok = names[root]; !ok {
			return e
		}
	}
	c := *e
	c.Field = n.name + rest
	if n.column > 0 {
		c.Message = fmt.Sprintf("column %d: %s", n.column, e.Message)
	}
	return &c
}

// nodeLinkNames are the members of node-link links that the store names
// otherwise; nodes use the store's names.
var (
	nodeLinkLinkNames    = map[string]fieldName{"from": {name: "source"}, "to": {name: "target"}}
	nodeLinkLinkKeyNames = map[string]fieldName{"from": {name: "source"}, "to": {name: "target"}, "id": {name: "key"}}
)

// csvFieldNames notes the columns of a CSV file by origin, from its
// header: every field by the column it is read from, as written.
func csvFieldNames(f *fileFields, l *csvLayout) {
	if f == nil {
		return
	}
	col := func(i int) fieldName { return fieldName{name: l.cols[i].header, column: i + 1} }
	byField := func(names map[string]fieldName, fields ...string) map[string]fieldName {
		for _, name := range fields {
			if i, ok := l.byField[name]; ok {
				names[name] = col(i)
			}
		}
		return names
	}
	fact := func() map[string]fieldName {
		names := map[string]fieldName{}
		for _, c := range l.cols {
			if c.role == roleProperty {
				names[propPrefix+c.name] = col(c.index)
			}
		}
		return names
	}
	switch l.mode {
	case csvNodes:
		names := byField(fact(), csvNodeFields...)
		names["id"] = col(l.id)
		if l.label >= 0 {
			names["type"] = col(l.label)
		}
		f.set(originNode, names)
	case csvRelationships:
		names := byField(fact(), csvRelationFields...)
		names["from"], names["to"], names["type"] = col(l.start), col(l.end), col(l.typ)
		f.set(originLink, names)
	case csvSimple:
		f.set(originLink, byField(fact(), "from", "to", "type", "id", "validFrom", "validTo", "sources"))
		for _, end := range []struct {
			o                  origin
			id, typ, nameField string
		}{{originFromEnd, "from", "fromType", "fromName"}, {originToEnd, "to", "toType", "toName"}} {
			names := map[string]fieldName{"id": col(l.byField[end.id])}
			if i, ok := l.byField[end.typ]; ok {
				names["type"] = col(i)
			}
			names["name"] = names["id"] // a row without a name names the entity by its id
			if i, ok := l.byField[end.nameField]; ok {
				names["name"] = col(i)
			}
			f.set(end.o, names)
		}
	}
}
