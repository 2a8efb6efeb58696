package store

import (
	"errors"
	"fmt"
	"strings"
)

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
}

// Error returns the message, prefixed with the record and field it names.
func (e *Error) Error() string {
	switch {
	case e.Record != "" && e.Field != "":
		return fmt.Sprintf("%s: %s: %s", e.Record, e.Field, e.Message)
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
