package exchange

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ties-graph/ties/store"
)

// The CSV format follows neo4j-admin database import: a nodes file with an
// :ID column, a :LABEL column (the entity type) and property columns typed
// as name:type (int, long, float, double, boolean, date, point, string, and
// arrays such as string[] whose elements are separated by ';'), and a
// relationships file with :START_ID, :END_ID and :TYPE columns. The entity
// fields name, description, validFrom, validTo, labels (a JSON object),
// aliases (a string[] column, or a JSON array when an alias of the export
// holds ';') and sources (a JSON array), and the relation fields id, validFrom,
// validTo and sources, are columns of those names. A property named like
// one of them, or a node property named id (neo4j-admin stores the id:ID
// column as the property id too), is written under "properties." + its
// name, which import reads back as the property.
//
// A simple mode reads a single relationships file with the columns
// from,to,type and optionally id, validFrom, validTo, sources, and fromType,
// fromName, toType, toName: when a type column is filled, the entity at that
// end is written too (upserted with that type and name; when rows give one
// entity different types or names, the last row wins).

// csvSniffBytes is how much of a CSV file detectDelimiter sees: a header
// row is far shorter.
const csvSniffBytes = 64 << 10

// csvMode is the kind of CSV file, told by its header.
type csvMode uint8

const (
	csvNodes csvMode = iota
	csvRelationships
	csvSimple
)

// columnRole says what a CSV column holds.
type columnRole uint8

const (
	roleProperty columnRole = iota
	roleField               // an entity or relation field, such as name
	roleID
	roleLabel
	roleStart
	roleEnd
	roleType
	roleIgnore
)

// csvRoles are the neo4j-admin header types that give a column its role,
// upper case and without an ID space.
var csvRoles = map[string]columnRole{
	"ID": roleID, "LABEL": roleLabel, "START_ID": roleStart, "END_ID": roleEnd, "TYPE": roleType, "IGNORE": roleIgnore,
}

type column struct {
	header string // as written, for errors
	index  int
	name   string // property or field name
	role   columnRole
	typ    string // neo4j type, lower case; "" = string
	array  bool
}

var (
	csvNodeFields     = []string{"name", "description", "validFrom", "validTo", "labels", "aliases", "sources"}
	csvRelationFields = []string{"id", "validFrom", "validTo", "sources"}
	csvSimpleFields   = []string{"from", "to", "type", "id", "validFrom", "validTo", "sources", "fromType", "fromName", "toType", "toName"}
	csvTypes          = []string{"string", "char", "int", "long", "short", "byte", "float", "double", "boolean", "date", "point", "datetime", "localdatetime", "time", "localtime", "duration"}
	// csvNodeReserved are the property names a nodes.csv export keeps
	// clear of: its fields, and "id", which neo4j-admin also stores from
	// the id:ID column and so refuses as a second header entry.
	csvNodeReserved = append([]string{"id"}, csvNodeFields...)
)

// parseColumn splits a header cell "name:type" into a column.
func parseColumn(h string, i int) column {
	c := column{header: h, index: i, name: strings.TrimSpace(h)}
	j := strings.LastIndexByte(c.name, ':')
	if j < 0 {
		return c
	}
	spec := c.name[j+1:]
	name := c.name[:j]
	upper := strings.ToUpper(spec)
	if k := strings.IndexByte(upper, '('); k >= 0 && strings.HasSuffix(upper, ")") {
		upper = upper[:k] // an ID space such as :ID(City); ids are global here
	}
	if r, ok := csvRoles[upper]; ok {
		c.role = r
	} else {
		t := strings.ToLower(spec)
		array := strings.HasSuffix(t, "[]")
		t = strings.TrimSuffix(t, "[]")
		if !contains(csvTypes, t) {
			return c // not a type: the colon is part of the name
		}
		c.typ, c.array = t, array
	}
	c.name = name
	return c
}

// csvLayout is the parsed header of a CSV file.
type csvLayout struct {
	mode    csvMode
	cols    []column
	byField map[string]int // field name -> column index, for reserved fields
	id      int            // :ID, or -1
	label   int
	start   int
	end     int
	typ     int
}

func parseHeader(header []string, rec string) (*csvLayout, *store.Error) {
	l := &csvLayout{id: -1, label: -1, start: -1, end: -1, typ: -1, byField: map[string]int{}}
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff") // spreadsheets write a BOM
		}
		c := parseColumn(h, i)
		l.cols = append(l.cols, c)
		var slot *int
		switch c.role {
		case roleID:
			slot = &l.id
		case roleLabel:
			slot = &l.label
		case roleStart:
			slot = &l.start
		case roleEnd:
			slot = &l.end
		case roleType:
			slot = &l.typ
		}
		if slot != nil {
			if *slot >= 0 {
				return nil, store.FieldError(rec, h, "column %d: duplicate %s column", i+1, h)
			}
			*slot = i
		}
	}
	var fields []string
	switch {
	case l.id >= 0:
		l.mode, fields = csvNodes, csvNodeFields
	case l.start >= 0 || l.end >= 0 || l.typ >= 0:
		l.mode, fields = csvRelationships, csvRelationFields
		for _, need := range []struct {
			i    int
			name string
		}{{l.start, ":START_ID"}, {l.end, ":END_ID"}, {l.typ, ":TYPE"}} {
			if need.i < 0 {
				return nil, store.FieldError(rec, need.name, "relationships header lacks a %s column", need.name)
			}
		}
	default:
		l.mode, fields = csvSimple, csvSimpleFields
	}
	for i := range l.cols {
		c := &l.cols[i]
		if c.role != roleProperty {
			continue
		}
		if f := fieldNamed(fields, c.name); f != "" {
			if _, dup := l.byField[f]; dup {
				return nil, store.FieldError(rec, c.header, "column %d: duplicate %s column", i+1, f)
			}
			c.role, c.name = roleField, f
			l.byField[f] = i
			continue
		}
		c.name = strings.TrimPrefix(c.name, propPrefix)
		if c.name == "" {
			return nil, store.FieldError(rec, c.header, "column %d: empty column name", i+1)
		}
	}
	if l.mode == csvSimple {
		for _, need := range []string{"from", "to", "type"} {
			if _, ok := l.byField[need]; !ok {
				return nil, store.FieldError(rec, need, "header lacks a %q column: want id:ID and :LABEL (nodes), :START_ID, :END_ID and :TYPE (relationships), or from,to,type (simple mode)", need)
			}
		}
	}
	return l, nil
}

// fieldNamed returns the field that name stands for (case-insensitive), or "".
func fieldNamed(fields []string, name string) string {
	for _, f := range fields {
		if strings.EqualFold(f, name) {
			return f
		}
	}
	return ""
}

func decodeCSV(ctx context.Context, r io.Reader, name string, opts DecodeOptions, errs *errorList, yield func(store.Record) error) error {
	br := bufio.NewReaderSize(r, csvSniffBytes)
	delim := opts.Delimiter
	if delim == 0 {
		// A read error shows again, with its line, when the reader below
		// meets it.
		head, _ := br.Peek(csvSniffBytes)
		delim = detectDelimiter(head)
	}
	cr := csv.NewReader(&utf8Reader{r: &lineLimitReader{r: br, max: opts.maxLine()}})
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		errs.add(store.FieldError(name+":1", "", "empty file: want a header row"))
		return nil
	}
	if err != nil {
		errs.add(csvReadError(name, 1, err))
		return nil
	}
	layout, e := parseHeader(append([]string(nil), header...), name+":1")
	if e != nil {
		errs.add(e)
		return nil
	}
	csvFieldNames(opts.fields, layout)
	cd := &csvDecoder{name: name, layout: layout, yield: yield, fields: opts.fields}
	if layout.mode == csvSimple {
		cd.seen = map[string]seenEntity{}
	}
	last := int64(1) // line of the last row read, for errors without one
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			// The reader resynchronises at the next line after a quoting
			// error, so those are reported and decoding goes on; after a
			// read error nothing more can be read.
			var pe *csv.ParseError
			recoverable := errors.As(err, &pe) && (errors.Is(err, csv.ErrQuote) || errors.Is(err, csv.ErrBareQuote) || errors.Is(err, csv.ErrFieldCount))
			if errs.add(csvReadError(name, last, err)) || !recoverable {
				return nil
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		last = int64(line)
		if err := cd.row(row, last); err != nil {
			var se *store.Error
			if errors.As(err, &se) {
				if errs.add(se) {
					return nil
				}
				continue
			}
			return err
		}
	}
}

func csvReadError(name string, last int64, err error) *store.Error {
	var pe *csv.ParseError
	var re *readError
	switch {
	case errors.As(err, &re):
		return readFailure(name, last, err)
	case errors.As(err, &pe):
		if errors.Is(pe.Err, io.ErrUnexpectedEOF) {
			return store.FieldError(fmt.Sprintf("%s:%d", name, pe.StartLine), "", "unexpected end of input in a quoted field (truncated file?)")
		}
		var inner *readError
		if errors.As(pe.Err, &inner) {
			return readFailure(name, int64(pe.Line), pe.Err)
		}
		return store.FieldError(fmt.Sprintf("%s:%d", name, pe.Line), fmt.Sprintf("column %d", pe.Column), "%v", pe.Err)
	}
	return readFailure(name, last, err)
}

// lineLimitReader refuses physical lines longer than max bytes, so that a
// file without line breaks cannot grow one CSV row without bound.
type lineLimitReader struct {
	r    io.Reader
	max  int
	cur  int
	line int64
}

func (l *lineLimitReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i := 0; i < n; i++ {
		if p[i] == '\n' {
			l.cur = 0
			l.line++
			continue
		}
		l.cur++
		if l.cur > l.max {
			return i, &readError{line: l.line + 1, err: errors.New("line too long"), e: store.Errorf(store.Invalid, "line longer than %d bytes", l.max)}
		}
	}
	return n, err
}

// csvDecoder turns rows into records.
type csvDecoder struct {
	name   string
	layout *csvLayout
	yield  func(store.Record) error
	seen   map[string]seenEntity // simple mode: entities already written
	fields *fileFields           // tags lines with origins; nil: leaves them
}

func (cd *csvDecoder) cellError(line int64, c column, format string, args ...any) *store.Error {
	return store.FieldError(fmt.Sprintf("%s:%d", cd.name, line), c.header, "column %d: %s", c.index+1, fmt.Sprintf(format, args...))
}

func (cd *csvDecoder) cell(row []string, i int) string {
	if i < 0 || i >= len(row) {
		return ""
	}
	return row[i]
}

func (cd *csvDecoder) field(row []string, f string) (string, column, bool) {
	i, ok := cd.layout.byField[f]
	if !ok {
		return "", column{}, false
	}
	return cd.cell(row, i), cd.layout.cols[i], true
}

func (cd *csvDecoder) row(row []string, line int64) error {
	l := cd.layout
	if len(row) > len(l.cols) {
		return store.FieldError(fmt.Sprintf("%s:%d", cd.name, line), fmt.Sprintf("column %d", len(l.cols)+1), "row has %d cells, the header %d", len(row), len(l.cols))
	}
	if len(row) == 1 && row[0] == "" {
		return nil // a blank line
	}
	switch l.mode {
	case csvNodes:
		e, err := cd.entity(row, line)
		if err != nil {
			return err
		}
		return cd.yield(store.Record{Line: cd.fields.tag(line, originNode), Entity: e, Fields: cd.csvCarried(row, csvNodeFields...)})
	case csvRelationships:
		r, err := cd.relation(row, line, l.start, l.end, l.typ)
		if err != nil {
			return err
		}
		return cd.yield(store.Record{Line: cd.fields.tag(line, originLink), Relation: r, Fields: cd.csvCarried(row, csvRelationFields...)})
	}
	return cd.simple(row, line)
}

func (cd *csvDecoder) entity(row []string, line int64) (*store.Entity, error) {
	l := cd.layout
	idCol := l.cols[l.id]
	e := &store.Entity{ID: cd.cell(row, l.id)}
	if e.ID == "" {
		return nil, cd.cellError(line, idCol, "missing entity id")
	}
	if l.label < 0 {
		return nil, cd.cellError(line, idCol, "missing entity type: the header has no :LABEL column")
	}
	labels := cd.cell(row, l.label)
	e.Type, _, _ = strings.Cut(labels, ";")
	if e.Type == "" {
		return nil, cd.cellError(line, l.cols[l.label], "missing entity type for %q", e.ID)
	}
	err := cd.fact(row, line, csvNodeFields, func(f string, c column, v string) (err *store.Error) {
		switch f {
		case "name":
			e.Name = v
		case "description":
			e.Description = v
		case "labels":
			e.Labels, err = cd.labels(line, c, v)
		case "aliases":
			e.Aliases, err = cd.aliases(line, c, v)
		}
		return err
	}, &e.ValidFrom, &e.ValidTo, &e.Sources, &e.Properties)
	if err != nil {
		return nil, err
	}
	if e.Name == "" {
		e.Name = e.ID
	}
	return e, nil
}

func (cd *csvDecoder) relation(row []string, line int64, from, to, typ int) (*store.Relation, error) {
	l := cd.layout
	r := &store.Relation{From: cd.cell(row, from), To: cd.cell(row, to), Type: cd.cell(row, typ)}
	for _, need := range []struct {
		v string
		i int
	}{{r.From, from}, {r.To, to}, {r.Type, typ}} {
		if need.v == "" {
			return nil, cd.cellError(line, l.cols[need.i], "missing")
		}
	}
	err := cd.fact(row, line, csvRelationFields, func(f string, c column, v string) *store.Error {
		if f == "id" {
			r.ID = v
		}
		return nil
	}, &r.ValidFrom, &r.ValidTo, &r.Sources, &r.Properties)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// fact reads the cells entities and relations share, validity, sources
// and the property columns, and hands the other cells of fields to own.
// An empty cell says nothing, as for neo4j-admin.
func (cd *csvDecoder) fact(row []string, line int64, fields []string, own func(f string, c column, v string) *store.Error,
	validFrom, validTo *store.Date, sources *[]store.Source, props *store.Properties) error {
	for _, f := range fields {
		v, c, ok := cd.field(row, f)
		if !ok || v == "" {
			continue
		}
		var err *store.Error
		switch f {
		case "validFrom":
			*validFrom, err = cd.date(line, c, v)
		case "validTo":
			*validTo, err = cd.date(line, c, v)
		case "sources":
			*sources, err = cd.sources(line, c, v)
		default:
			err = own(f, c, v)
		}
		if err != nil {
			return err
		}
	}
	p, err := cd.properties(row, line)
	if err != nil {
		return err
	}
	*props = p
	return nil
}

func (cd *csvDecoder) simple(row []string, line int64) error {
	l := cd.layout
	r, err := cd.relation(row, line, l.byField["from"], l.byField["to"], l.byField["type"])
	if err != nil {
		return err
	}
	for _, end := range []struct {
		id, typ, name string
		o             origin
	}{{r.From, "fromType", "fromName", originFromEnd}, {r.To, "toType", "toName", originToEnd}} {
		typ, _, _ := cd.field(row, end.typ)
		name, nameCol, hasName := cd.field(row, end.name)
		if typ == "" {
			if hasName && name != "" {
				return cd.cellError(line, nameCol, "missing entity type for %q: fill the %s column too", end.id, end.typ)
			}
			continue
		}
		if name == "" {
			name = end.id
		}
		seen := seenEntity{typ: typ, name: fnv64(name)}
		if cd.seen[end.id] == seen {
			continue
		}
		// A row that gives the entity another type or name writes it
		// again, so that the last one wins as in every other format,
		// rather than being dropped without a word.
		cd.seen[end.id] = seen
		e := &store.Entity{ID: end.id, Type: typ, Name: name}
		if err := cd.yield(store.Record{Line: cd.fields.tag(line, end.o), Entity: e, Fields: cd.csvCarried(row, end.name)}); err != nil {
			return err
		}
	}
	return cd.yield(store.Record{Line: cd.fields.tag(line, originLink), Relation: r, Fields: cd.csvCarried(row, "validFrom", "validTo")})
}

// seenEntity is what simple mode remembers of an entity it wrote: its type
// and a hash of its name (names can be long, and there may be millions).
type seenEntity struct {
	typ  string
	name uint64
}

// fnv64 is the FNV-1a hash of s.
func fnv64(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

func (cd *csvDecoder) properties(row []string, line int64) (store.Properties, error) {
	var p store.Properties
	for _, c := range cd.layout.cols {
		if c.role != roleProperty {
			continue
		}
		v := cd.cell(row, c.index)
		if v == "" {
			continue // neo4j-admin: an empty cell is no property
		}
		val, err := cd.value(line, c, v)
		if err != nil {
			return nil, err
		}
		if p == nil {
			p = store.Properties{}
		}
		p[c.name] = val
	}
	return p, nil
}

func (cd *csvDecoder) value(line int64, c column, s string) (store.Value, *store.Error) {
	if !c.array {
		return cd.scalar(line, c, s)
	}
	parts := strings.Split(s, ";")
	vs := make([]store.Value, len(parts))
	for i, part := range parts {
		v, err := cd.scalar(line, c, part)
		if err != nil {
			return store.Value{}, err
		}
		vs[i] = v
	}
	return store.List(vs...), nil
}

func (cd *csvDecoder) scalar(line int64, c column, s string) (store.Value, *store.Error) {
	switch c.typ {
	case "int", "long", "short", "byte":
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return store.Value{}, cd.cellError(line, c, "%q is not an integer", s)
		}
		return store.Number(float64(n)), nil
	case "float", "double":
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return store.Value{}, cd.cellError(line, c, "%q is not a finite number", s)
		}
		return store.Number(f), nil
	case "boolean":
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true":
			return store.Bool(true), nil
		case "false":
			return store.Bool(false), nil
		}
		return store.Value{}, cd.cellError(line, c, "%q is not true or false", s)
	case "date":
		d, err := cd.date(line, c, strings.TrimSpace(s))
		if err != nil {
			return store.Value{}, err
		}
		return store.DateValue(d), nil
	case "point":
		lat, lon, ok := parsePoint(s)
		if !ok {
			return store.Value{}, cd.cellError(line, c, "%q is not a point such as {latitude:52.22,longitude:6.89}", s)
		}
		if lat < -90 || lat > 90 || lon < -180 || lon > 180 {
			return store.Value{}, cd.cellError(line, c, "point (%v, %v) out of range", lat, lon)
		}
		return store.Geo(lat, lon), nil
	}
	return store.Text(s), nil
}

func (cd *csvDecoder) date(line int64, c column, s string) (store.Date, *store.Error) {
	d, err := store.ParseDate(s)
	if err != nil {
		return store.Date{}, cd.cellError(line, c, "%s", store.ErrorMessage(err))
	}
	return d, nil
}

func (cd *csvDecoder) labels(line int64, c column, s string) ([]store.Label, *store.Error) {
	fd := fieldDecoder{record: fmt.Sprintf("%s:%d", cd.name, line)}
	ls, err := fd.labels(json.RawMessage(s), c.header)
	if err != nil {
		return nil, cd.cellError(line, c, `want a JSON object of language tags to names, such as {"nl":"Enschede"}`)
	}
	return ls, nil
}

func (cd *csvDecoder) aliases(line int64, c column, s string) ([]string, *store.Error) {
	if strings.HasPrefix(s, "[") {
		var out []string
		if err := json.Unmarshal([]byte(s), &out); err != nil {
			return nil, cd.cellError(line, c, "want names separated by ';' or a JSON array of strings")
		}
		return out, nil
	}
	return strings.Split(s, ";"), nil
}

func (cd *csvDecoder) sources(line int64, c column, s string) ([]store.Source, *store.Error) {
	if !json.Valid([]byte(s)) {
		return nil, cd.cellError(line, c, `want a JSON array of sources, such as [{"document":"report-2017"}]`)
	}
	fd := fieldDecoder{record: fmt.Sprintf("%s:%d", cd.name, line)}
	src, err := fd.sources(json.RawMessage(s), c.header)
	if err != nil {
		err.Message = fmt.Sprintf("column %d: %s", c.index+1, err.Message)
		return nil, err
	}
	return src, nil
}

// parsePoint reads neo4j's point literal {latitude:52.2, longitude:6.9}
// (or x/y, quoted keys, a crs member) and the JSON {"lat":..,"lon":..}.
func parsePoint(s string) (lat, lon float64, ok bool) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "{") || !strings.HasSuffix(s, "}") {
		return 0, 0, false
	}
	var hasLat, hasLon bool
	for _, part := range strings.Split(s[1:len(s)-1], ",") {
		k, v, found := strings.Cut(part, ":")
		if !found {
			return 0, 0, false
		}
		k = strings.ToLower(strings.Trim(strings.TrimSpace(k), `"'`))
		v = strings.Trim(strings.TrimSpace(v), `"'`)
		switch k {
		case "latitude", "lat", "y":
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return 0, 0, false
			}
			lat, hasLat = f, true
		case "longitude", "lon", "lng", "x":
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return 0, 0, false
			}
			lon, hasLon = f, true
		case "crs", "height", "z", "srid":
		default:
			return 0, 0, false
		}
	}
	return lat, lon, hasLat && hasLon
}

// csvWriter writes the nodes and relationships files. In zip mode the two
// files are entries of one zip stream, opened one after the other.
type csvWriter struct {
	zip       *zip.Writer
	modified  time.Time // of the zip's entries: when the export began
	nodesW    io.Writer
	relsW     io.Writer
	out       *csv.Writer
	nodeCols  []propColumn
	edgeCols  []propColumn
	row       []string
	nodeFixed int
	// aliasesAsText says the aliases column is JSON text (schema.aliasesAsText).
	aliasesAsText bool
}

// propColumn is a typed property column of the CSV export.
type propColumn struct {
	prop   string
	header string
	cell   func(store.Value) string
	asText bool // the values are not all of one kind CSV can type
}

// newCSVZipWriter writes the two files into a zip compressed at deflate's
// fastest level: the default level took a third of a whole-graph export's
// CPU for a file a fifth smaller (185 against 229 MiB at 10M relations).
// Its entries are dated modified, so that unzip and file managers show
// when the export was made rather than a zero DOS date (1980).
func newCSVZipWriter(w io.Writer, modified time.Time) *csvWriter {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	return &csvWriter{zip: zw, modified: modified}
}

func newCSVWriter(nodes, relationships io.Writer) *csvWriter {
	return &csvWriter{nodesW: nodes, relsW: relationships}
}

// csvColumnFor chooses the neo4j type of a property column from the kinds
// its values take. Mixed kinds, and lists that neo4j's arrays cannot carry,
// become string columns of the values' text (the type is lost on re-import).
func csvColumnFor(prop string, ps *propStat, reserved []string) propColumn {
	name := attrName(prop, reserved)
	col := func(t string, cell func(store.Value) string) propColumn {
		return propColumn{prop: prop, header: name + ":" + t, cell: cell}
	}
	text := propColumn{prop: prop, header: name + ":string", cell: valueText, asText: true}
	k, ok := single(ps.kinds)
	if !ok {
		return text
	}
	scalar := func(k store.Kind, fraction bool) (string, func(store.Value) string, bool) {
		switch k {
		case store.KindText:
			return "string", func(v store.Value) string { return v.Text }, true
		case store.KindNumber:
			if fraction {
				return "double", func(v store.Value) string { return strconv.FormatFloat(v.Num, 'g', -1, 64) }, true
			}
			return "long", func(v store.Value) string { return strconv.FormatInt(int64(v.Num), 10) }, true
		case store.KindBool:
			return "boolean", func(v store.Value) string { return strconv.FormatBool(v.Bool) }, true
		case store.KindDate:
			return "date", func(v store.Value) string { return v.Date.String() }, true
		case store.KindGeo:
			return "point", func(v store.Value) string {
				return "{latitude:" + strconv.FormatFloat(v.Geo.Lat, 'g', -1, 64) + ",longitude:" + strconv.FormatFloat(v.Geo.Lon, 'g', -1, 64) + "}"
			}, true
		}
		return "", nil, false
	}
	if k != store.KindList {
		t, cell, ok := scalar(k, ps.fraction)
		if !ok {
			return text
		}
		return col(t, cell)
	}
	ek, ok := single(ps.elemKinds)
	if !ok || ps.elemSemi {
		return text
	}
	t, cell, ok := scalar(ek, ps.elemFrac)
	if !ok {
		return text
	}
	return col(t+"[]", func(v store.Value) string {
		parts := make([]string, len(v.List))
		for i, x := range v.List {
			parts[i] = cell(x)
		}
		return strings.Join(parts, ";")
	})
}

func (c *csvWriter) begin(s *schema) error {
	for _, k := range sortedKeys(s.nodeProps) {
		c.nodeCols = append(c.nodeCols, csvColumnFor(k, s.nodeProps[k], csvNodeReserved))
	}
	for _, k := range sortedKeys(s.edgeProps) {
		c.edgeCols = append(c.edgeCols, csvColumnFor(k, s.edgeProps[k], csvRelationFields))
	}
	aliases := "aliases:string[]"
	if s.aliasesAsText {
		aliases, c.aliasesAsText = "aliases", true
	}
	header := []string{"id:ID", ":LABEL", "name", "description", "validFrom:date", "validTo:date", "labels", aliases, "sources"}
	c.nodeFixed = len(header)
	return c.startFile(c.nodesW, "nodes.csv", header, c.nodeCols)
}

// startFile begins one of the export's two CSV files, in the zip when
// there is one and on w otherwise, with its header: the fixed columns,
// then one for each property.
func (c *csvWriter) startFile(w io.Writer, name string, header []string, cols []propColumn) error {
	if c.zip != nil {
		var err error
		if w, err = c.zip.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: c.modified}); err != nil {
			return err
		}
	}
	c.out = csv.NewWriter(w)
	for _, pc := range cols {
		header = append(header, pc.header)
	}
	return c.out.Write(header)
}

func (c *csvWriter) entity(e *store.Entity) error {
	c.row = append(c.row[:0], e.ID, e.Type, e.Name, e.Description, e.ValidFrom.String(), e.ValidTo.String(), labelsText(e.Labels), c.aliasCell(e.Aliases), sourcesText(e.Sources))
	c.row = appendCells(c.row, c.nodeCols, e.Properties)
	return c.out.Write(c.row)
}

// aliasCell joins aliases with ';', neo4j-admin's array delimiter, or,
// when an alias of the export holds it (schema.aliasesAsText), writes them
// as a JSON array in a text column, which the decoder also reads.
func (c *csvWriter) aliasCell(as []string) string {
	if len(as) == 0 {
		return ""
	}
	if c.aliasesAsText {
		return jsonText(as)
	}
	return strings.Join(as, ";")
}

func appendCells(row []string, cols []propColumn, p store.Properties) []string {
	for _, pc := range cols {
		v, ok := p[pc.prop]
		if !ok {
			row = append(row, "")
			continue
		}
		row = append(row, pc.cell(v))
	}
	return row
}

func (c *csvWriter) endEntities() error {
	c.out.Flush()
	if err := c.out.Error(); err != nil {
		return err
	}
	header := []string{":START_ID", ":END_ID", ":TYPE", "id", "validFrom:date", "validTo:date", "sources"}
	return c.startFile(c.relsW, "relationships.csv", header, c.edgeCols)
}

func (c *csvWriter) relation(r *store.Relation) error {
	c.row = append(c.row[:0], r.From, r.To, r.Type, r.ID, r.ValidFrom.String(), r.ValidTo.String(), sourcesText(r.Sources))
	c.row = appendCells(c.row, c.edgeCols, r.Properties)
	return c.out.Write(c.row)
}

// asText names the properties written as text though their values are
// not (ExportStats.AsText).
func (c *csvWriter) asText() []string {
	var names []string
	for _, cols := range []struct {
		what string
		cols []propColumn
	}{{"entities", c.nodeCols}, {"relations", c.edgeCols}} {
		for _, pc := range cols.cols {
			if pc.asText {
				names = append(names, pc.prop+" ("+cols.what+")")
			}
		}
	}
	return names
}

func (c *csvWriter) end() error {
	c.out.Flush()
	if err := c.out.Error(); err != nil {
		return err
	}
	if c.zip != nil {
		return c.zip.Close()
	}
	return nil
}
