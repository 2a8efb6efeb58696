package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/ties-graph/ties/store"
)

// Access is the access control of a server: who may do what. Requests
// authenticate with "Authorization: Bearer TOKEN", a token of an API key
// kept by the store (store.Store.Authenticate).
type Access struct {
	// Anonymous is what a request without a token may do.
	Anonymous store.Scope
}

// identity is who sent a request, and what it may do.
type identity struct {
	name  string      // the key's name, or store.PrincipalAnonymous
	scope store.Scope // what the key (or anonymous access) allows
	key   bool        // authenticated by a key
	// apiKey is the key that authenticated the request, for requests
	// that outlive it (subscriptions) to check it still does.
	apiKey store.APIKey
}

type identityKey struct{}

// identityFrom returns the identity the guard put into ctx. A request that
// did not pass a guard (in-process execution, a server without Access)
// may do everything.
func identityFrom(ctx context.Context) identity {
	if id, ok := ctx.Value(identityKey{}).(identity); ok {
		return id
	}
	return identity{name: store.PrincipalFrom(ctx), scope: store.ScopeAdmin}
}

func withIdentity(ctx context.Context, id identity) context.Context {
	ctx = store.WithScope(context.WithValue(ctx, identityKey{}, id), id.scope)
	return store.WithPrincipal(ctx, id.name)
}

// guard authenticates requests and refuses those whose scope is too
// small, before any handler reads their body.
type guard struct {
	store  *store.Store
	access *Access // nil: no access control
}

// refusal is a request turned away: 401 when it must authenticate (again),
// 403 when its key's scope is too small.
type refusal struct {
	status  int
	code    store.Code
	message string
	// challenge is the WWW-Authenticate header (RFC 6750).
	challenge string
}

// identify returns who sent r, or a refusal for a bad token.
func (g guard) identify(r *http.Request) (identity, *refusal) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return identity{name: store.PrincipalAnonymous, scope: g.access.Anonymous}, nil
	}
	scheme, token, _ := strings.Cut(h, " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		return identity{}, &refusal{
			status: http.StatusUnauthorized, code: store.Unauthenticated,
			message:   "the Authorization header must be \"Bearer TOKEN\" with the token of an API key",
			challenge: `Bearer realm="ties", error="invalid_request"`,
		}
	}
	key, err := g.store.Authenticate(r.Context(), token)
	if err != nil {
		return identity{}, &refusal{
			status: http.StatusUnauthorized, code: store.Unauthenticated,
			message:   store.ErrorMessage(err),
			challenge: `Bearer realm="ties", error="invalid_token"`,
		}
	}
	return identity{name: key.Name, scope: key.Scope, key: true, apiKey: key}, nil
}

// scopeRefusal says why id may not do what needs scope, or nil when it
// may.
func scopeRefusal(id identity, need store.Scope, what string) *refusal {
	if id.scope >= need {
		return nil
	}
	if !id.key {
		return &refusal{
			status: http.StatusUnauthorized, code: store.Unauthenticated,
			message: fmt.Sprintf("%s needs an API key with the %s scope: send \"Authorization: Bearer TOKEN\" (an admin creates keys with ties keys create)",
				what, need),
			challenge: `Bearer realm="ties"`,
		}
	}
	return &refusal{
		status: http.StatusForbidden, code: store.Forbidden,
		message: fmt.Sprintf("%s needs the %s scope; the API key %q has the %s scope",
			what, need, id.name, id.scope),
		challenge: fmt.Sprintf(`Bearer realm="ties", error="insufficient_scope", scope="%s"`, need),
	}
}

// require wraps next so that only requests allowed need reach it. what
// names the endpoint in refusals; graphQL says whether refusals are
// GraphQL responses (for /query) or the JSON errors of the other
// endpoints.
func (g guard) require(need store.Scope, what string, graphQL bool, next http.Handler) http.Handler {
	if g.access == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			// Browsers send preflights without credentials; they read
			// and write nothing.
			next.ServeHTTP(w, r)
			return
		}
		id, ref := g.identify(r)
		if ref == nil {
			ref = scopeRefusal(id, need, what)
		}
		if ref != nil {
			ref.write(w, r, graphQL)
			return
		}
		ctx := withIdentity(r.Context(), id)
		if id.key && !graphQL {
			// An upload, an export or a backup may run for minutes:
			// revoking its key ends it, as it ends a subscription.
			// (GraphQL requests end within the per-request timeout,
			// and a subscription watches its key itself.)
			var stop func()
			ctx, stop = watchKey(ctx, g.store, id.apiKey)
			defer stop()
			r = r.WithContext(ctx)
			r.Body = keyedBody{ReadCloser: r.Body, ctx: ctx}
		} else {
			r = r.WithContext(ctx)
		}
		next.ServeHTTP(w, r)
	})
}

// write answers the refusal; the request's body is never read.
func (ref *refusal) write(w http.ResponseWriter, r *http.Request, graphQL bool) {
	w.Header().Set("WWW-Authenticate", ref.challenge)
	if r.ContentLength != 0 {
		// Close rather than drain the unread body first (the server
		// would, up to 256 KiB), which held the refusal for as long as
		// a slow upload went on.
		w.Header().Set("Connection", "close")
	}
	if graphQL {
		media, ok := responseMedia(r.Header.Get("Accept"))
		if !ok {
			media = mediaJSON
		}
		writeHTTPError(w, media, ref.status, string(ref.code), ref.message)
		return
	}
	writeEndpointError(w, ref.status, ref.code, ref.message)
}

// writeEndpointError answers in the error JSON of /export, /import and
// /backup, which their clients already read.
func writeEndpointError(w http.ResponseWriter, status int, code store.Code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": string(code), "message": message}})
}

// adminFields are the root fields that need the admin scope beyond what
// their operation needs: the ontology, API keys.
var adminFields = map[string]bool{
	"defineEntityType":   true,
	"defineRelationType": true,
	"createApiKey":       true,
	"revokeApiKey":       true,
	"apiKeys":            true,
}

// checkScope refuses an operation its sender may not run: a mutation needs
// the write scope, the fields of adminFields the admin scope. It runs
// after validation and before execution, so a refused operation changes
// nothing, whichever of its fields is refused.
func checkScope(ctx context.Context, op *ast.OperationDefinition) *gqlerror.Error {
	id := identityFrom(ctx)
	if id.scope >= store.ScopeAdmin {
		return nil
	}
	need, what := store.ScopeRead, "a query"
	switch op.Operation {
	case ast.Mutation:
		need, what = store.ScopeWrite, "a mutation"
	case ast.Subscription:
		what = "a subscription"
	}
	for _, name := range rootFields(op.SelectionSet) {
		if adminFields[name] {
			need, what = store.ScopeAdmin, name
			break
		}
	}
	ref := scopeRefusal(id, need, what)
	if ref == nil {
		return nil
	}
	e := codedError(ref.code, "%s", ref.message)
	e.Extensions["scope"] = need.String()
	return e
}

// rootFields returns the names of the fields of an operation's root
// selection set, through fragments.
func rootFields(ss ast.SelectionSet) []string {
	var names []string
	seen := map[string]bool{}
	var walk func(ss ast.SelectionSet)
	walk = func(ss ast.SelectionSet) {
		for _, s := range ss {
			switch s := s.(type) {
			case *ast.Field:
				names = append(names, s.Name)
			case *ast.InlineFragment:
				walk(s.SelectionSet)
			case *ast.FragmentSpread:
				if s.Definition != nil && !seen[s.Name] {
					seen[s.Name] = true
					walk(s.Definition.SelectionSet)
				}
			}
		}
	}
	walk(ss)
	return names
}

// refusalStatus returns the HTTP status and WWW-Authenticate challenge of a
// request refused by checkScope, or 0.
func refusalStatus(errs gqlerror.List) (int, string) {
	for _, e := range errs {
		scope, _ := e.Extensions["scope"].(string)
		switch code, _ := e.Extensions["code"].(string); {
		case code == string(store.Unauthenticated):
			return http.StatusUnauthorized, `Bearer realm="ties"`
		case code == string(store.Forbidden) && scope != "":
			return http.StatusForbidden, fmt.Sprintf(`Bearer realm="ties", error="insufficient_scope", scope="%s"`, scope)
		}
	}
	return 0, ""
}

// logMutations logs one line per mutation with its principal, after it
// ran: the request log of writes.
func logMutations(logger *slog.Logger) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		resp := next(ctx)
		if !graphql.HasOperationContext(ctx) {
			return resp
		}
		oc := graphql.GetOperationContext(ctx)
		if oc.Operation == nil || oc.Operation.Operation != ast.Mutation {
			return resp
		}
		errs := 0
		if resp != nil {
			errs = len(resp.Errors)
		}
		logger.InfoContext(ctx, "mutation", "principal", identityFrom(ctx).name,
			"operation", oc.OperationName, "fields", strings.Join(rootFields(oc.Operation.SelectionSet), ","),
			"errors", errs, "duration", time.Since(oc.Stats.OperationStart))
		return resp
	}
}

// optionalTime is nil for the zero time, for nullable DateTime fields.
func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
