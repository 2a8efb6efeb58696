package exchange

import (
	"context"
	"errors"
	"sync"

	"github.com/ties-graph/ties/store"
)

// ImportOptions configure Import.
type ImportOptions struct {
	DryRun    bool // validate and report only
	MaxErrors int  // stop after this many errors; 0 = 100, at most store.MaxLoadErrors
	Decode    DecodeOptions
	// Progress, when set, is called now and then while the import runs.
	Progress func(Progress)
	// Principal is who imports, for the change log.
	Principal string
	// OnExisting is what to do with records whose ids the store holds.
	// The zero value replaces them, as Store.Load does; `ties import`,
	// POST /import and the Client merge unless told otherwise.
	OnExisting store.OnExisting
	// KeepOntology refuses type definitions that would change the
	// ontology (store.LoadOptions.KeepOntology).
	KeepOntology bool
}

// Progress reports how far an import has come. Store.Load makes two
// passes, first to validate and then to write, so Done runs from 0 to 1
// over both: over the bytes read in the first, and over the records of
// the first in the second, which reads them back from the load's own
// spool rather than from the input.
type Progress struct {
	Pass    int     // 1 validates, 2 validates relations and writes
	Done    float64 // fraction of the whole import, from the bytes read
	Records int64   // records handled so far, both passes counted
}

// Import loads inputs into st with one Store.Load, so that the files may
// refer to each other's entities and nothing is written unless all of them
// are valid. Errors of the input are store.Errors, each naming "file:line"
// and the field; it returns the store's errors otherwise.
func Import(ctx context.Context, st *store.Store, inputs []Input, opts ImportOptions) (store.LoadResult, error) {
	if len(inputs) == 0 {
		return store.LoadResult{}, store.Errorf(store.Invalid, "nothing to import: name at least one file")
	}
	// The load is named by the files given (a zip by its own name), as
	// the change feed and the log show it; errors still name the file a
	// line is in.
	names := make([]string, len(inputs))
	for i, in := range inputs {
		names[i] = in.Name
	}
	name := LoadName(names)
	inputs, err := expandZips(inputs)
	if err != nil {
		return store.LoadResult{}, err
	}
	dec := opts.Decode
	if dec.MaxErrors == 0 {
		dec.MaxErrors = opts.MaxErrors
	}
	var records int64
	var last Progress
	// Load decodes on a goroutine of its own (store.RecordSource): the
	// decoder's progress and the load's arrive from two goroutines.
	var mu sync.Mutex
	if opts.Progress != nil {
		dec.Progress = func(pass int, fraction float64) {
			mu.Lock()
			defer mu.Unlock()
			last = Progress{Pass: pass, Done: (float64(pass-1) + min(fraction, 1)) / 2, Records: records}
			opts.Progress(last)
		}
	}
	src, rewrite, err := Sources(inputs, name, dec)
	if err != nil {
		return store.LoadResult{}, err
	}
	lo := store.LoadOptions{DryRun: opts.DryRun, MaxErrors: opts.MaxErrors, Source: name, Principal: opts.Principal, OnExisting: opts.OnExisting, KeepOntology: opts.KeepOntology}
	if opts.Progress != nil {
		var first int64 // records of the first pass, once the second began
		lo.Progress = func(done int64) {
			mu.Lock()
			defer mu.Unlock()
			if first == 0 && done < records {
				first = records // the count starts again: the second pass
			}
			records = done
			last.Records = done
			if first > 0 && last.Pass < 2 {
				last.Pass, last.Done = 2, 0.5+0.5*min(1, float64(done)/float64(first))
			} else if first > 0 {
				last.Done = max(last.Done, 0.5+0.5*min(1, float64(done)/float64(first)))
			}
			opts.Progress(last)
		}
	}
	res, err := st.Load(ctx, src, lo)
	if err != nil {
		return res, inInputOrder(userErrors(rewrite(err)), inputs)
	}
	for i, c := range res.Report.Changes {
		// Changes name records as errors do: "file:line" once rewritten.
		if e, ok := rewrite(&store.Error{Record: c.Record}).(*store.Error); ok {
			res.Report.Changes[i].Record = e.Record
		}
	}
	return res, nil
}

// userErrors unwraps the list of input errors from the context Load wraps
// around them, so that callers can present each one.
func userErrors(err error) error {
	var es store.Errors
	if errors.As(err, &es) {
		return es
	}
	return err
}
