package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/ties-graph/ties/store/exchange"
)

// printReport prints what an import did to records the store held, or
// with a dry run would do to every record: a line of counts, then, for a
// dry run, the first changed records with the fields that would change.
// An import into an empty store prints nothing more than its summary.
func printReport(w io.Writer, dryRun bool, r *exchange.ImportReport) {
	if r == nil {
		return // a service that does not report
	}
	existing := func(t exchange.ImportTally) int { return t.Changed + t.Unchanged + t.Skipped }
	if !dryRun && existing(r.Entities)+existing(r.Relations) == 0 {
		return
	}
	fmt.Fprintf(w, "entities: %s; relations: %s\n", tallyText(r.Entities), tallyText(r.Relations))
	if !dryRun {
		return
	}
	for _, c := range r.Changes {
		fmt.Fprintf(w, "  %s %s (%s) would change: %s\n", c.Kind, c.ID, c.Record, strings.Join(c.Fields, ", "))
	}
	if n := r.Entities.Changed + r.Relations.Changed; n > len(r.Changes) {
		fmt.Fprintf(w, "  ... and %d more changed records\n", n-len(r.Changes))
	}
}

func tallyText(t exchange.ImportTally) string {
	s := fmt.Sprintf("%d new, %d changed, %d unchanged", t.New, t.Changed, t.Unchanged)
	if t.Skipped > 0 {
		s += fmt.Sprintf(", %d skipped", t.Skipped)
	}
	return s
}
