package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/ties-graph/ties/store/kv"
)

// WriteTxn applies several batches as one transaction: each batch sees the
// writes of those before it, and either all of them are committed or none
// is. The GraphQL layer gives each request that runs more than one
// mutation field one WriteTxn, so that a request is all or nothing. It
// holds the writer slot from BeginWrite until Commit or Discard: keep it
// short.
type WriteTxn struct {
	s      *Store
	tx     kv.Txn
	log    ChangeRecord
	keys   map[string]struct{} // every key written, for the read cache
	sch    *schema             // newest ontology of the transaction
	failed bool
	done   bool
}

// BeginWrite starts a WriteTxn. It returns the errors of Apply before any
// record is looked at: Unavailable while writes are paused, Busy while a
// bulk load holds the writer.
func (s *Store) BeginWrite(ctx context.Context) (*WriteTxn, error) {
	tx, err := s.beginUpdate(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin write: %w", err)
	}
	return &WriteTxn{s: s, tx: tx, keys: map[string]struct{}{}}, nil
}

// Apply validates b against everything the transaction has written so far
// and adds its writes, returning what Store.Apply would return. After an
// error the transaction can only be discarded: its earlier batches were
// accepted on the understanding that the whole would commit.
func (t *WriteTxn) Apply(b Batch) (BatchResult, error) {
	if t.done {
		return BatchResult{}, errors.New("apply: the write transaction has ended")
	}
	if t.failed {
		return BatchResult{}, Errorf(Conflict, "an earlier part of this request failed, so nothing of it is written")
	}
	n, err := t.s.batchSize(b)
	if err != nil {
		t.failed = true
		return BatchResult{}, err
	}
	if n == 0 {
		return BatchResult{}, nil
	}
	b = b.normalizeIDs()
	sch := t.sch
	if sch == nil {
		var err error
		if sch, err = t.s.schemaOf(t.tx); err != nil {
			t.failed = true
			return BatchResult{}, err
		}
	}
	w := newWriter(t.tx, sch)
	w.log.Principal = b.Principal
	w.noHistory = t.s.opts.noHistoryIndex
	if err := w.initialize(); err != nil {
		t.failed = true
		return BatchResult{}, err
	}
	res, err := w.batch(b)
	if err != nil {
		t.failed = true
		return BatchResult{}, err
	}
	// The writes go into the transaction, where the next batch's writer
	// reads them; nothing is visible to others before Commit.
	if err := w.flush(t.tx); err != nil {
		t.failed = true
		return BatchResult{}, fmt.Errorf("apply: %w", err)
	}
	for k := range w.ov {
		t.keys[k] = struct{}{}
	}
	if w.ontologyChanged {
		t.sch = w.sch
	}
	t.log.merge(&w.log)
	return res, nil
}

// Commit writes every batch at one commit timestamp and returns it. It
// returns TooLarge when the batches together are more than one
// transaction can hold (Store.Apply would have fallen back to a bulk
// write; split the request instead).
func (t *WriteTxn) Commit() (uint64, error) {
	if t.done || t.failed {
		t.Discard()
		return 0, errors.New("commit: the write transaction failed or has ended")
	}
	t.done = true
	s := t.s
	if err := s.CheckSpace(); err != nil {
		t.tx.Discard()
		return 0, err
	}
	s.cache.begin(false)
	for k := range t.keys {
		s.cache.forget(k)
	}
	defer func() {
		s.cache.end(s.db.LastCommit())
		s.commits.notify()
	}()
	t.tx.SetLog(t.log.encode())
	ts, err := t.tx.Commit()
	t.tx.Discard()
	if errors.Is(err, kv.ErrTooBig) {
		return 0, Errorf(TooLarge, "the mutations of this request are too large for one transaction together; send them in separate requests")
	}
	if err != nil {
		return 0, fmt.Errorf("commit: %w", err)
	}
	if t.sch != nil {
		s.mu.Lock()
		if s.schema == nil || t.sch.version > s.schema.version {
			s.schema = t.sch
		}
		s.mu.Unlock()
	}
	return ts, nil
}

// Discard ends the transaction without writing anything. It is safe to
// call after Commit.
func (t *WriteTxn) Discard() {
	if !t.done {
		t.done = true
		t.tx.Discard()
	}
}
