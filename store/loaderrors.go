package store

import "errors"

// This file holds how a load reports the problems its source finds
// (malformed input) alongside its own.

// sourceErrors keeps the input problems a source reports at the end of
// pass 1, and reports whether err is such a list. The load then goes on
// validating, writing nothing, so that one run lists every problem of the
// input: a bad date on one line and a missing entity on another are
// reported together rather than one fix at a time.
func (l *loader) sourceErrors(err error) bool {
	var es Errors
	if err == nil || !errors.As(err, &es) || len(es) == 0 {
		return false
	}
	if l.srcErrs == nil {
		l.srcErrs = es
	}
	return true
}

// withSourceErrors joins the source's problems and the load's own (each
// sorted by line; the caller, who knows the names of the source's files,
// may sort them together), within MaxErrors listed, and counts them all.
func (l *loader) withSourceErrors(errs Errors) Errors {
	if l.srcErrs == nil {
		return errs.WithOmitted(l.w.nfail)
	}
	all := append(l.srcErrs.Listed()[:len(l.srcErrs.Listed()):len(l.srcErrs.Listed())], errs...)
	if len(all) > l.opts.MaxErrors {
		all = all[:l.opts.MaxErrors]
	}
	return all.WithOmitted(l.srcErrs.Total() + l.w.nfail)
}
