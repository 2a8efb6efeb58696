package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/ties-graph/ties/store"
)

// Codes of request errors that come from GraphQL itself rather than from
// the store; the store's codes (store.Code) cover everything else.
const (
	codeParseFailed      = errcode.ParseFailed      // GRAPHQL_PARSE_FAILED
	codeValidationFailed = errcode.ValidationFailed // GRAPHQL_VALIDATION_FAILED
	codeBadRequest       = "BAD_REQUEST"            // the HTTP request itself is malformed
)

// gqlgen's own codes, translated into ours.
const gqlgenComplexityCode = "COMPLEXITY_LIMIT_EXCEEDED"

// errReported is returned by a resolver that has already reported its
// errors one by one (a batch with several invalid records); the presenter
// drops it so that it does not appear twice.
var errReported = errors.New("errors already reported")

// presenter turns every error into a GraphQL error with extensions.code:
// the one place where errors meet the wire.
type presenter struct {
	logger  *slog.Logger
	timeout time.Duration
	count   func(code string) // for /metrics; nil counts nothing
}

// present is the gqlgen ErrorPresenterFunc.
func (p presenter) present(ctx context.Context, err error) *gqlerror.Error {
	e := p.presentError(ctx, err)
	if e != nil && p.count != nil {
		code, _ := e.Extensions["code"].(string)
		p.count(code)
	}
	return e
}

func (p presenter) presentError(ctx context.Context, err error) *gqlerror.Error {
	var gqlErr *gqlerror.Error
	if errors.As(err, &gqlErr) && gqlErr.Err == nil {
		return p.presentRequestError(gqlErr)
	}
	cause := err
	out := &gqlerror.Error{Path: graphql.GetPath(ctx)}
	if gqlErr != nil {
		cause = gqlErr.Err
		out.Path = gqlErr.Path
		out.Locations = gqlErr.Locations
	}
	if errors.Is(cause, errReported) {
		return nil
	}
	var se *store.Error
	switch {
	case isUnreachable(cause):
		// Before the coded errors: a store error that wraps a lost
		// connection is still the database being away.
		_, maybe := store.Unreachable(cause)
		out.Message = "the database cannot be reached (it may be switching to a standby); retry shortly"
		if maybe {
			out.Message = "the connection to the database was lost while committing: the change may or may not have been made; retry it once the database is back (upserts are safe to repeat)"
		}
		out.Extensions = map[string]any{"code": string(store.Unavailable)}
		p.logger.WarnContext(ctx, "database unreachable", "path", out.Path.String(), "error", cause)
	case errors.As(cause, &se):
		out.Message = store.ErrorMessage(cause)
		out.Extensions = map[string]any{"code": string(se.Code)}
		if se.Record != "" {
			out.Extensions["record"] = se.Record
		}
		if se.Field != "" {
			out.Extensions["field"] = se.Field
		} else if name := argumentName(out.Path, graphql.GetPath(ctx)); name != "" {
			out.Extensions["field"] = name
		} else if name := argumentOf(ctx, se); name != "" {
			out.Extensions["field"] = name
		}
		if se.Code == store.Internal {
			p.logger.ErrorContext(ctx, "internal error", "path", out.Path.String(), "error", cause)
		}
	case errors.Is(cause, context.DeadlineExceeded):
		out.Message = fmt.Sprintf("the request took longer than the limit of %s; ask for less (a lower depth, first or limit, or narrower types)", p.timeout)
		out.Extensions = map[string]any{"code": string(store.Timeout)}
	case errors.Is(cause, context.Canceled):
		out.Message = "the request was cancelled"
		out.Extensions = map[string]any{"code": string(store.Unavailable)}
	default:
		p.logger.ErrorContext(ctx, "internal error", "path", out.Path.String(), "error", cause)
		out.Message = "internal error"
		out.Extensions = map[string]any{"code": string(store.Internal)}
	}
	return out
}

// argumentOf names the argument of the field being resolved that gave
// the id a NotFound error is about: path(from:, to:) reports an unknown
// end in its message alike for both, and a client learns from the field
// which one to fix. It returns "" for other errors, and when no argument,
// or more than one, holds the id.
func argumentOf(ctx context.Context, se *store.Error) string {
	fc := graphql.GetFieldContext(ctx)
	if se.Code != store.NotFound || se.Record == "" || fc == nil {
		return ""
	}
	holds := func(v any) bool {
		switch v := v.(type) {
		case string:
			return store.NormalizeID(v) == se.Record
		case *string:
			return v != nil && store.NormalizeID(*v) == se.Record
		case []string:
			return slices.ContainsFunc(v, func(s string) bool { return store.NormalizeID(s) == se.Record })
		}
		return false
	}
	name := ""
	for arg, v := range fc.Args {
		if holds(v) {
			if name != "" {
				return ""
			}
			name = arg
		}
	}
	return name
}

// argumentName names the argument that a scalar refused while gqlgen read
// the arguments (a malformed Date, properties that are not an object), as
// the service's own checks name theirs: "validAt", "during.to", and within
// a list of records the record's field ("validFrom"), since the error's
// path holds the record's index. gqlgen puts such an error on a path below
// the field being resolved, and the scalar cannot know under which name
// it was given. It returns "" for an error of the field itself.
func argumentName(errPath, fieldPath ast.Path) string {
	if len(errPath) <= len(fieldPath) {
		return ""
	}
	for i, el := range fieldPath {
		if errPath[i] != el {
			return ""
		}
	}
	var names []string
	for _, el := range errPath[len(fieldPath):] {
		switch el := el.(type) {
		case ast.PathName:
			names = append(names, string(el))
		case ast.PathIndex:
			names = names[:0]
		}
	}
	return strings.Join(names, ".")
}

// presentRequestError codes the errors that the parser, the validator and
// the extensions produce before any resolver runs.
func (p presenter) presentRequestError(e *gqlerror.Error) *gqlerror.Error {
	code, _ := e.Extensions["code"].(string)
	switch code {
	case "":
		// gqlgen's own checks during execution (a null where the schema
		// forbids one) mean a resolver broke its contract.
		if e.Extensions == nil {
			e.Extensions = map[string]any{}
		}
		e.Extensions["code"] = string(store.Internal)
	case gqlgenComplexityCode:
		e.Extensions["code"] = string(store.TooComplex)
		e.Message += "; ask for fewer items (a lower first or limit) or fewer nested lists"
	case codeValidationFailed:
		// Variable errors name the variable only in their path.
		if len(e.Path) >= 2 && e.Path[0] == ast.PathName("variable") {
			e.Message = fmt.Sprintf("variable $%s: %s", e.Path[1], e.Message)
		}
	}
	return e
}

// recoverFunc is the gqlgen RecoverFunc: a panic in a resolver is logged
// with its stack and answered as an internal error.
func (p presenter) recoverFunc(ctx context.Context, v any) error {
	p.logger.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(v), "path", graphql.GetPath(ctx).String(), "stack", string(debug.Stack()))
	return store.Errorf(store.Internal, "internal error")
}

// reportEach reports every error of a store.Errors list as its own GraphQL
// error, with record and field in its extensions, and returns errReported
// in its place; any other error is returned as it is.
func reportEach(ctx context.Context, err error) error {
	var es store.Errors
	if !errors.As(err, &es) || len(es) < 2 {
		return err
	}
	for _, e := range es {
		// A lone error gets the field's location from gqlgen; each of
		// several gets it here.
		graphql.AddError(ctx, graphql.AddFieldLocationToError(ctx, e))
	}
	return errReported
}

// isUnreachable reports whether err says the store's backend could not be
// reached.
func isUnreachable(err error) bool {
	u, _ := store.Unreachable(err)
	return u
}
