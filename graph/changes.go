package graph

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/ties-graph/ties/graph/model"
	"github.com/ties-graph/ties/store"
)

// changeConnection is a page of changes as the schema shows it.
func changeConnection(p store.ChangePage) *model.ChangeConnection {
	c := &model.ChangeConnection{
		Edges:    make([]*model.ChangeEdge, len(p.Changes)),
		Nodes:    make([]*store.Change, len(p.Changes)),
		PageInfo: &model.PageInfo{HasNextPage: p.HasMore},
	}
	for i := range p.Changes {
		ch := &p.Changes[i]
		c.Nodes[i] = ch
		c.Edges[i] = &model.ChangeEdge{Cursor: ch.Cursor(), Node: ch}
	}
	if len(p.Changes) > 0 {
		first := p.Changes[0].Cursor()
		c.PageInfo.StartCursor = &first
	}
	if p.Through != "" {
		end := p.Through
		c.PageInfo.EndCursor = &end
	}
	return c
}

// history is the resolver of Entity.history and Relation.history.
func (r *Resolver) history(ctx context.Context, kind store.ChangeKind, id string, first *int, after *string) (*model.ChangeConnection, error) {
	p, err := r.store.History(ctx, kind, id, store.HistoryOptions{First: first, After: deref(after, "")})
	if err != nil {
		return nil, err
	}
	return changeConnection(p), nil
}

// changeFilter builds the store's filter from the arguments of changes.
func changeFilter(since *string, first *int, kinds []store.ChangeKind, types, ids []string) store.ChangeFilter {
	return store.ChangeFilter{Since: deref(since, ""), First: first, Kinds: kinds, Types: types, IDs: ids}
}

// changeRecords memoizes the records of the changes of one query or
// mutation, by cursor and side.
type changeRecords struct {
	mu sync.Mutex
	m  map[changeSide]*changeRecordOnce
}

type changeSide struct {
	cursor string
	after  bool
}

type changeRecordOnce struct {
	once sync.Once
	rec  json.RawMessage
	err  error
}

// get returns the record of k, read once by read.
func (cr *changeRecords) get(k changeSide, read func() (json.RawMessage, error)) (json.RawMessage, error) {
	cr.mu.Lock()
	if cr.m == nil {
		cr.m = map[changeSide]*changeRecordOnce{}
	}
	e := cr.m[k]
	if e == nil {
		e = &changeRecordOnce{}
		cr.m[k] = e
	}
	cr.mu.Unlock()
	e.once.Do(func() { e.rec, e.err = read() })
	return e.rec, e.err
}

// changeRecord is the record of a change, before or after it, as the API
// shows it: the fields of the schema's type, by their schema names. Within
// a query or mutation each is read once; a subscription, which lives as
// long as its client, keeps nothing.
func (r *Resolver) changeRecord(ctx context.Context, c *store.Change, after bool) (json.RawMessage, error) {
	l := loadersFor(ctx)
	if l == nil || isSubscription(ctx) {
		return r.readChangeRecord(ctx, c, after)
	}
	return l.changes.get(changeSide{c.Cursor(), after}, func() (json.RawMessage, error) {
		return r.readChangeRecord(ctx, c, after)
	})
}

// isSubscription reports whether ctx belongs to a subscription.
func isSubscription(ctx context.Context) bool {
	if !graphql.HasOperationContext(ctx) {
		return false
	}
	op := graphql.GetOperationContext(ctx).Operation
	return op != nil && op.Operation == ast.Subscription
}

// readChangeRecord reads the record of changeRecord.
func (r *Resolver) readChangeRecord(ctx context.Context, c *store.Change, after bool) (json.RawMessage, error) {
	if c.IsLoadSummary() {
		if !after || c.Load == nil {
			return nil, nil
		}
		return json.Marshal(map[string]any{"source": c.Load.Source, "entities": c.Load.Entities, "relations": c.Load.Relations})
	}
	read := r.store.ChangeBefore
	if after {
		read = r.store.ChangeAfter
	}
	rec, err := read(ctx, *c)
	var se *store.Error
	if errors.As(err, &se) && se.Code == store.Invalid {
		return nil, nil // older than the versions kept: unknown
	}
	if err != nil || rec == nil {
		return nil, err
	}
	return json.Marshal(apiRecord(rec))
}

// changedFields names the top-level fields in which before and after
// differ: all of them when one side is missing.
// changedFields names the top-level fields in which before and after
// differ: all of them when one side is missing.
func (r *Resolver) changedFields(ctx context.Context, c *store.Change) ([]string, error) {
	if c.IsLoadSummary() {
		return []string{}, nil
	}
	b, err := r.changeRecord(ctx, c, false)
	if err != nil {
		return nil, err
	}
	a, err := r.changeRecord(ctx, c, true)
	if err != nil {
		return nil, err
	}
	var bm, am map[string]json.RawMessage
	if b != nil {
		_ = json.Unmarshal(b, &bm)
	}
	if a != nil {
		_ = json.Unmarshal(a, &am)
	}
	out := []string{}
	for _, k := range slices.Sorted(maps.Keys(union(bm, am))) {
		if string(bm[k]) != string(am[k]) {
			out = append(out, k)
		}
	}
	return out, nil
}

func union(a, b map[string]json.RawMessage) map[string]bool {
	u := map[string]bool{}
	for k := range a {
		u[k] = true
	}
	for k := range b {
		u[k] = true
	}
	return u
}

// apiRecord maps a record of the store to the shape of its schema type.
func apiRecord(rec any) map[string]any {
	opt := func(m map[string]any, k string, v any, set bool) {
		if set {
			m[k] = v
		} else {
			m[k] = nil
		}
	}
	sources := func(ss []store.Source) []map[string]any {
		out := make([]map[string]any, len(ss))
		for i, s := range ss {
			m := map[string]any{"documentId": s.Document}
			opt(m, "excerpt", s.Excerpt, s.Excerpt != "")
			opt(m, "locator", s.Locator, s.Locator != "")
			opt(m, "confidence", s.Confidence, s.Confidence != nil)
			if s.RetrievedAt != nil {
				m["retrievedAt"] = s.RetrievedAt.UTC().Format(time.RFC3339Nano)
			} else {
				m["retrievedAt"] = nil
			}
			out[i] = m
		}
		return out
	}
	props := func(p store.Properties) any {
		if p == nil {
			return map[string]any{}
		}
		return p
	}
	switch r := rec.(type) {
	case *store.Entity:
		labels := make([]map[string]string, len(r.Labels))
		for i, l := range r.Labels {
			labels[i] = map[string]string{"lang": l.Lang, "value": l.Value}
		}
		m := map[string]any{"id": r.ID, "type": r.Type, "name": r.Name, "labels": labels,
			"aliases": nonNil(r.Aliases), "properties": props(r.Properties), "sources": sources(r.Sources),
			"validFrom": r.ValidFrom, "validTo": r.ValidTo}
		opt(m, "description", r.Description, r.Description != "")
		return m
	case *store.Relation:
		return map[string]any{"id": r.ID, "type": r.Type, "fromId": r.From, "toId": r.To,
			"properties": props(r.Properties), "validFrom": r.ValidFrom, "validTo": r.ValidTo, "sources": sources(r.Sources)}
	case *store.EntityType:
		m := map[string]any{"name": r.Name}
		opt(m, "parent", r.Parent, r.Parent != "")
		opt(m, "description", r.Description, r.Description != "")
		return m
	case *store.RelationType:
		m := map[string]any{"name": r.Name, "symmetric": r.Symmetric, "from": nonNil(r.From), "to": nonNil(r.To)}
		opt(m, "inverse", r.Inverse, r.Inverse != "")
		opt(m, "description", r.Description, r.Description != "")
		return m
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// SlowSubscriberTimeout is how long a subscriber may leave a change
// untaken before it is closed as too slow: it has stopped reading, or
// reads slower than the graph changes.
const SlowSubscriberTimeout = 30 * time.Second

// changeCursor is the resolver of Change.cursor.
func changeCursor(c *store.Change) (string, error) {
	return c.Cursor(), nil
}

// changeAt is the resolver of Change.at, a change's commit time.
func changeAt(c *store.Change) (*time.Time, error) {
	return &c.At, nil
}

// slowSubscriber returns how long a subscriber may leave a change untaken.
func (r *Resolver) slowSubscriber() time.Duration {
	if r.slow > 0 {
		return r.slow
	}
	return SlowSubscriberTimeout
}

// followChanges is the resolver of the changes subscription: a goroutine
// follows the change log (store.Follow, which reads it a page at a time,
// so memory stays bounded however far behind the client is) and hands
// each change to gqlgen's transport through an unbuffered channel. A
// client that takes no change for slow is sent an error naming the
// cursor to resume from, and closed.
func (r *Resolver) followChanges(ctx context.Context, f store.ChangeFilter, slow time.Duration) (<-chan *store.Change, error) {
	if f.Since != "" {
		// Refuse a bad cursor as the subscription's error, not later.
		if err := store.CheckCursor(f.Since, "since"); err != nil {
			return nil, err
		}
	}
	ch := make(chan *store.Change)
	go func() {
		defer close(ch)
		last := f.Since
		timer := time.NewTimer(slow)
		defer timer.Stop()
		// The walk stops when the subscriber's API key stops working.
		follow, stop := r.whileKeyWorks(ctx)
		defer stop()
		err := r.store.Follow(follow, f, func(c store.Change) error {
			if err := r.keyWorks(ctx); err != nil {
				return err
			}
			timer.Reset(slow)
			select {
			case ch <- &c:
				last = c.Cursor()
				return nil
			case <-follow.Done():
				return follow.Err()
			case <-timer.C:
				return store.Errorf(store.Timeout, "this subscription took no change for %s and is closed as too slow; subscribe again with since: %q to resume", slow, last)
			}
		})
		if cause := context.Cause(follow); ctx.Err() == nil && follow.Err() != nil && cause != nil {
			err = cause
		}
		if err == nil || ctx.Err() != nil {
			return
		}
		// The error reaches the client as one last response once the
		// stream has closed (answerSubscriptionEnd).
		endSubscription(ctx, err)
	}()
	return ch, nil
}
