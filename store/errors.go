package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ties-graph/ties/store/kv"
)

// This file holds the error vocabulary users see: the coded Error, lists
// of them (Errors), and which backend errors mean an unreachable store.

// Code classifies an error for the people who see it. Codes are stable: the
// GraphQL layer puts them into extensions.code and clients branch on them.
type Code string

// The error codes of Ties.
const (
	NotFound        Code = "NOT_FOUND"
	Invalid         Code = "INVALID_ARGUMENT"
	Conflict        Code = "CONFLICT"
	Unauthenticated Code = "UNAUTHENTICATED"
	Forbidden       Code = "FORBIDDEN"
	TooComplex      Code = "TOO_COMPLEX"
	TooLarge        Code = "TOO_LARGE"
	Unavailable     Code = "UNAVAILABLE"
	// Busy: the write was refused at once because a bulk load holds the
	// writer; retry after a few seconds (BusyRetryAfter).
	Busy     Code = "BUSY"
	Timeout  Code = "TIMEOUT"
	Internal Code = "INTERNAL"
)

// Error is an error meant for users: a Code and a Message that says what to
// change. Record and Field, when set, name the offending input (an entity or
// relation id, or "line 12"; a field such as "validTo").
type Error struct {
	Code    Code
	Message string
	Record  string
	Field   string

	// more, on the last entry of an Errors list that stopped listing, is
	// how many problems were found beyond those listed (see Omitted).
	more int
}

// Omitted returns, for the entry that closes a list which stopped listing
// problems, how many more were found and not listed; 0 for any other.
func (e *Error) Omitted() int { return e.more }

// omittedError closes a list of listed problems when more were found.
func omittedError(listed, more int) *Error {
	return &Error{Code: Invalid, more: more, Message: fmt.Sprintf(
		"and %d more problems not listed (%d in all); fix these and try again, or ask for more with maxErrors (at most %d)",
		more, listed+more, MaxLoadErrors)}
}

// WithOmitted returns es closed by an entry counting the problems found
// beyond the listed ones, or es when there are none.
func (es Errors) WithOmitted(total int) Errors {
	listed := es.Listed()
	if total <= len(listed) {
		return listed
	}
	return append(listed[:len(listed):len(listed)], omittedError(len(listed), total-len(listed)))
}

// Listed returns the problems of es without the entry that counts those
// not listed.
func (es Errors) Listed() Errors {
	if n := len(es); n > 0 && es[n-1].more > 0 {
		return es[:n-1]
	}
	return es
}

// Total returns how many problems were found: those listed and those
// counted but not listed.
func (es Errors) Total() int {
	if n := len(es); n > 0 && es[n-1].more > 0 {
		return n - 1 + es[n-1].more
	}
	return len(es)
}

// Error returns the message, prefixed with the record and field it names.
// A message about the record as a whole that quotes it already (`no
// entity "atlantis"`, for a lookup of atlantis) is not prefixed with it
// again.
func (e *Error) Error() string {
	switch {
	case e.Record != "" && e.Field != "":
		return fmt.Sprintf("%s: %s: %s", e.Record, e.Field, e.Message)
	case e.Record != "" && strings.Contains(e.Message, strconv.Quote(e.Record)):
		return e.Message
	case e.Record != "":
		return fmt.Sprintf("%s: %s", e.Record, e.Message)
	case e.Field != "":
		return fmt.Sprintf("%s: %s", e.Field, e.Message)
	}
	return e.Message
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an Invalid *Error that names the record and field.
func FieldError(record, field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Record: record, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or Internal
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// ErrorMessage returns the user-facing message of err: the *Error's text, or
// "internal error" for anything uncoded, whose details must not leak.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Error()
	}
	return "internal error"
}

// Errors is a list of user errors reported together, such as every invalid
// record of a batch (up to a limit). Its code is the code of the first.
type Errors []*Error

// Error joins the messages, one per line.
func (es Errors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// As lets errors.As find the first *Error of the list.
func (es Errors) As(target any) bool {
	if p, ok := target.(**Error); ok && len(es) > 0 {
		*p = es[0]
		return true
	}
	return false
}

// AsTimeout gives a query stopped by a passed deadline, whether the store
// or a traversal noticed it, the error users see: a Timeout *Error that
// still wraps context.DeadlineExceeded. Other errors pass unchanged.
func AsTimeout(err error) error {
	if errors.Is(err, context.DeadlineExceeded) && ErrorCode(err) != Timeout {
		return fmt.Errorf("%w: %w", Errorf(Timeout, "the query ran out of time; narrow the filters or lower the depth"), err)
	}
	return err
}

// Unreachable reports whether err says that the backend could not be
// reached (a networked one, such as PostgreSQL during a failover), and
// whether a write may have been applied regardless: a commit whose
// connection was lost before the server answered. Either way the request
// can be retried once the backend is back; the API says so with code
// Unavailable.
func Unreachable(err error) (unreachable, maybeApplied bool) {
	maybeApplied = errors.Is(err, kv.ErrUnknownOutcome)
	return maybeApplied || errors.Is(err, kv.ErrUnavailable), maybeApplied
}
