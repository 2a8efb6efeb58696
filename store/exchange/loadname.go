package exchange

import (
	"fmt"
	"strings"
)

// loadNameFiles is how many file names a load's name spells out. Beyond
// it, the name gives the first loadNameShown and a count: a change feed
// entry, a log line or a summary must stay one readable line when a
// load is hundreds of files (a directory's worth of CSV shards).
const (
	loadNameFiles = 4
	loadNameShown = 2
)

// LoadName names a load of the files names, as the change feed (the
// LOAD change's id and source), the log and `ties import` show it: every
// name for a few files ("a.ndjson, b.csv"), the first two and a count for
// more ("a.ndjson, b.ndjson and 298 more files").
func LoadName(names []string) string {
	if len(names) <= loadNameFiles {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more files", strings.Join(names[:loadNameShown], ", "), len(names)-loadNameShown)
}
