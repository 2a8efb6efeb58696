package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ties-graph/ties/store"
)

const keysHelp = `
Subcommands:
  ties keys create --name NAME --scope read|write|admin [--expires 90d]
      prints the token alone on standard output (TOKEN=$(ties keys create ...)
      works); it is shown this once, and only its SHA-256 is kept
  ties keys list
  ties keys revoke --name NAME   (or: ties keys revoke NAME)
      the next request with the key's token is refused

Each works on the data directory (--data) while no service holds it, or
through a running service with --url and an admin key (--token or
TIES_TOKEN).
`

// keysTarget is where ties keys works: a data directory or a service.
type keysTarget struct {
	data, base, token string
}

// runKeys manages API keys.
func runKeys(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || isHelp(args[0]) {
		fmt.Fprint(stderr, "Usage: ties keys create|list|revoke [flags]\n"+keysHelp)
		if len(args) == 0 {
			return usageError{"keys needs a subcommand: create, list or revoke"}
		}
		return nil
	}
	sub, args := args[0], args[1:]
	synopsis := map[string]string{
		"create": "keys create --name NAME --scope read|write|admin [--expires 90d] [flags]",
		"list":   "keys list [flags]",
		"revoke": "keys revoke --name NAME [flags], or keys revoke [flags] NAME",
	}[sub]
	if synopsis == "" {
		return usageError{fmt.Sprintf("unknown keys subcommand %q: use create, list or revoke", sub)}
	}
	fs := flagSet("keys "+sub, synopsis, keysHelp, stderr)
	var t keysTarget
	var name, scope, expires string
	env := map[string]string{"data": "TIES_DATA", "url": "TIES_URL"}
	fs.StringVar(&t.data, "data", "./ties-data", "data directory (TIES_DATA)")
	fs.StringVar(&t.base, "url", "", "manage the keys of the service at this URL instead, with an admin key (TIES_URL)")
	tokenFlag(fs, &t.token, env)
	switch sub {
	case "revoke":
		// As create names the key: a user who made it with --name
		// revokes it the same way.
		fs.StringVar(&name, "name", "", "the name of the key to revoke")
	case "create":
		fs.StringVar(&name, "name", "", "the key's name: who the change log and the request log say made a change")
		fs.StringVar(&scope, "scope", "", "read (queries, exports), write (and mutations, imports) or admin (and keys, ontology, backups, metrics)")
		fs.StringVar(&expires, "expires", "", "when the key stops working: a duration such as 90d or 12h, or an RFC 3339 instant (default never)")
	}
	if err := parseFlags(fs, args, getenv, env); err != nil {
		return err
	}
	switch sub {
	case "create":
		if fs.NArg() > 0 {
			return usageError{fmt.Sprintf("keys create takes no arguments, got %q (use --name)", fs.Args())}
		}
		if name == "" || scope == "" {
			return usageError{"keys create needs --name and --scope"}
		}
		sc, err := store.ParseScope(scope)
		if err != nil || sc == store.ScopeNone {
			return usageError{fmt.Sprintf("--scope %q: use read, write or admin", scope)}
		}
		if _, err := store.ParseExpiry(expires, time.Now()); err != nil {
			return usageError{"--expires: " + store.ErrorMessage(err)}
		}
		return t.create(ctx, name, sc, expires, stdout, stderr)
	case "list":
		if fs.NArg() > 0 {
			return usageError{fmt.Sprintf("keys list takes no arguments, got %q", fs.Args())}
		}
		return t.list(ctx, stdout)
	default:
		switch {
		case name != "" && fs.NArg() == 0:
		case name == "" && fs.NArg() == 1:
			name = fs.Arg(0)
		case name != "":
			return usageError{fmt.Sprintf("keys revoke takes the key's name once: --name %q or an argument, got also %q", name, fs.Args())}
		default:
			return usageError{"keys revoke needs the key's name: --name NAME (or NAME as its one argument)"}
		}
		return t.revoke(ctx, name, stderr)
	}
}

// open opens the data directory for writing, creating it if needed: the
// first key may come before the first start.
func (t keysTarget) open() (*store.Store, error) {
	st, err := store.Open(t.data, store.Options{SyncWrites: true})
	if errors.Is(err, store.ErrLocked) {
		return nil, inUse(err, t.data, ": manage its keys through it with --url http://HOST:PORT and an admin key, or stop it first")
	}
	if err != nil {
		return nil, fmt.Errorf("open the data directory %s: %w", t.data, err)
	}
	return st, nil
}

// apiKeyJSON is an API key as the GraphQL API answers it.
type apiKeyJSON struct {
	Name       string     `json:"name"`
	Scope      string     `json:"scope"`
	CreatedAt  time.Time  `json:"createdAt"`
	CreatedBy  string     `json:"createdBy"`
	ExpiresAt  *time.Time `json:"expiresAt"`
	LastUsedAt *time.Time `json:"lastUsedAt"`
}

const apiKeyFields = `name scope createdAt createdBy expiresAt lastUsedAt`

func fromAPIKey(k store.APIKey) apiKeyJSON {
	opt := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		return &t
	}
	return apiKeyJSON{Name: k.Name, Scope: strings.ToUpper(k.Scope.String()), CreatedAt: k.CreatedAt, CreatedBy: k.CreatedBy,
		ExpiresAt: opt(k.ExpiresAt), LastUsedAt: opt(k.LastUsedAt)}
}

func (t keysTarget) create(ctx context.Context, name string, scope store.Scope, expires string, stdout, stderr io.Writer) error {
	var key apiKeyJSON
	var token string
	if t.base != "" {
		r, err := newRemote(t.base, t.token)
		if err != nil {
			return err
		}
		var data struct {
			CreateAPIKey struct {
				Key   apiKeyJSON `json:"key"`
				Token string     `json:"token"`
			} `json:"createApiKey"`
		}
		vars := map[string]any{"name": name, "scope": strings.ToUpper(scope.String())}
		if expires != "" {
			vars["expires"] = expires
		}
		err = r.graphQLData(ctx, `mutation($name: String!, $scope: ApiKeyScope!, $expires: String) {
  createApiKey(name: $name, scope: $scope, expires: $expires) { token key { `+apiKeyFields+` } }
}`, vars, &data)
		if err != nil {
			return fmt.Errorf("create the key %s: %w", name, err)
		}
		key, token = data.CreateAPIKey.Key, data.CreateAPIKey.Token
	} else {
		st, err := t.open()
		if err != nil {
			return err
		}
		at, _ := store.ParseExpiry(expires, time.Now())
		k, tok, err := st.CreateAPIKey(ctx, store.NewAPIKey{Name: name, Scope: scope, ExpiresAt: at, Principal: store.PrincipalCLI})
		if cerr := st.Close(); err == nil && cerr != nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("create the key %s: %s", name, store.ErrorMessage(err))
		}
		key, token = fromAPIKey(k), tok
	}
	if _, err := fmt.Fprintln(stdout, token); err != nil {
		return err
	}
	exp := "never expires"
	if key.ExpiresAt != nil {
		exp = "expires " + key.ExpiresAt.Format(time.RFC3339)
	}
	fmt.Fprintf(stderr, "created the %s key %q (%s); the token above is shown once: keep it secret\n",
		strings.ToLower(key.Scope), key.Name, exp)
	return nil
}

func (t keysTarget) list(ctx context.Context, stdout io.Writer) error {
	var keys []apiKeyJSON
	if t.base != "" {
		r, err := newRemote(t.base, t.token)
		if err != nil {
			return err
		}
		var data struct {
			APIKeys []apiKeyJSON `json:"apiKeys"`
		}
		if err := r.graphQLData(ctx, `{ apiKeys { `+apiKeyFields+` } }`, nil, &data); err != nil {
			return fmt.Errorf("list the keys: %w", err)
		}
		keys = data.APIKeys
	} else {
		st, err := location{data: t.data}.openExisting(ctx, true)
		if err != nil {
			return inUse(err, t.data, ": list its keys with --url http://HOST:PORT and an admin key")
		}
		defer st.Close()
		ks, err := st.APIKeys(ctx)
		if err != nil {
			return err
		}
		for _, k := range ks {
			keys = append(keys, fromAPIKey(k))
		}
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSCOPE\tCREATED\tBY\tEXPIRES\tLAST USED")
	when := func(t *time.Time, none string) string {
		if t == nil {
			return none
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, k := range keys {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.Name, strings.ToLower(k.Scope), k.CreatedAt.UTC().Format(time.RFC3339),
			k.CreatedBy, when(k.ExpiresAt, "never"), when(k.LastUsedAt, "never"))
	}
	return tw.Flush()
}

func (t keysTarget) revoke(ctx context.Context, name string, stderr io.Writer) error {
	if t.base != "" {
		r, err := newRemote(t.base, t.token)
		if err != nil {
			return err
		}
		var data struct {
			Revoked bool `json:"revokeApiKey"`
		}
		if err := r.graphQLData(ctx, `mutation($name: String!) { revokeApiKey(name: $name) }`, map[string]any{"name": name}, &data); err != nil {
			return fmt.Errorf("revoke the key %s: %w", name, err)
		}
	} else {
		st, err := t.open()
		if err != nil {
			return err
		}
		err = st.RevokeAPIKey(ctx, name, store.PrincipalCLI)
		if cerr := st.Close(); err == nil && cerr != nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("revoke the key %s: %s", name, store.ErrorMessage(err))
		}
	}
	fmt.Fprintf(stderr, "revoked the key %q\n", name)
	return nil
}
