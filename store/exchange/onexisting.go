package exchange

import (
	"cmp"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ties-graph/ties/store"
)

// ImportReport is the JSON form of store.LoadReport: what an import did,
// or with dryRun would do, to the entities and relations it names.
type ImportReport struct {
	Entities  ImportTally    `json:"entities"`
	Relations ImportTally    `json:"relations"`
	Changes   []ImportChange `json:"changes"`
}

// ImportTally counts records by what the import does to them.
type ImportTally struct {
	New       int `json:"new"`
	Changed   int `json:"changed"`
	Unchanged int `json:"unchanged"`
	Skipped   int `json:"skipped"`
}

// ImportChange is a changed record and the fields that change.
type ImportChange struct {
	Kind   string   `json:"kind"`
	ID     string   `json:"id"`
	Record string   `json:"record"`
	Fields []string `json:"fields"`
}

func tallyOf(t store.Tally) ImportTally {
	return ImportTally{New: t.New, Changed: t.Changed, Unchanged: t.Unchanged, Skipped: t.Skipped}
}

func reportOf(r store.LoadReport) *ImportReport {
	out := &ImportReport{Entities: tallyOf(r.Entities), Relations: tallyOf(r.Relations), Changes: []ImportChange{}}
	for _, c := range r.Changes {
		out.Changes = append(out.Changes, ImportChange(c))
	}
	return out
}

// ReportOf is the JSON form of a load's report, for callers of Import
// that answer as POST /import does.
func ReportOf(r store.LoadReport) *ImportReport { return reportOf(r) }

// importChoices reads the query arguments onExisting (merge when absent)
// and delimiter (one character; "tab" or "\t" for a tab) of POST /import.
func importChoices(q url.Values, opts *ImportOptions) error {
	on, err := store.ParseOnExisting(q.Get("onExisting"))
	if err != nil {
		return store.FieldError("", "onExisting", "%s", store.ErrorMessage(err))
	}
	opts.OnExisting = on
	if d := q.Get("delimiter"); d != "" {
		r, err := ParseDelimiter(d)
		if err != nil {
			return store.FieldError("", "delimiter", "%s", store.ErrorMessage(err))
		}
		opts.Decode.Delimiter = r
	}
	return nil
}

// ParseDelimiter reads a CSV delimiter: one character, or "tab" or `\t`
// for a tab (hard to type in a shell or a URL).
func ParseDelimiter(s string) (rune, error) {
	switch s {
	case "tab", `\t`, "\t":
		return '\t', nil
	}
	r, size := utf8.DecodeRuneInString(s)
	if size != len(s) || !validDelimiter(r) {
		return 0, store.Errorf(store.Invalid, "delimiter %q: want one character other than a quote, a line break or U+FFFD, such as ';' or tab", s)
	}
	return r, nil
}

// validDelimiter is what encoding/csv accepts as a separator.
func validDelimiter(r rune) bool {
	return r != 0 && r != '"' && r != '\r' && r != '\n' && r != utf8.RuneError && utf8.ValidRune(r)
}

// inInputOrder sorts a list of input errors by file, in the order of
// inputs, then by line: the decoders' problems (syntax, bad values) and
// the load's (missing entities, endpoint types) come as two lists, and a
// reader wants them as the file has them. The entry counting unlisted
// problems stays last.
func inInputOrder(err error, inputs []Input) error {
	es, ok := err.(store.Errors)
	if !ok || len(es) < 2 {
		return err
	}
	listed := slices.Clone(es.Listed())
	key := func(e *store.Error) (int, int64) {
		// A file name may hold colons: the line is after the last.
		i := strings.LastIndexByte(e.Record, ':')
		if i < 0 {
			return len(inputs), 0
		}
		name := e.Record[:i]
		n, perr := strconv.ParseInt(e.Record[i+1:], 10, 64)
		if perr != nil {
			return len(inputs), 0
		}
		for i, in := range inputs {
			if in.Name == name {
				return i, n
			}
		}
		return len(inputs), n
	}
	slices.SortStableFunc(listed, func(a, b *store.Error) int {
		fa, la := key(a)
		fb, lb := key(b)
		return cmp.Or(cmp.Compare(fa, fb), cmp.Compare(la, lb))
	})
	return listed.WithOmitted(es.Total())
}
