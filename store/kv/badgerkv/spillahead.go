package badgerkv

// A bulk load fills the batch on one goroutine; sorting a full chunk and
// writing it as a run took about a third of the load's second pass, all
// of it on that goroutine while the machine's other core idled. So a
// spilling batch sorts and writes each full chunk on a goroutine of its
// own while the caller fills the next one. At most one chunk is in flight:
// the next send waits for it, so memory holds two chunks, whatever the
// size of the batch, and the runs keep the order their chunks were filled
// in (later runs win over earlier ones in the merge).

// spillTask is a chunk being written as a run in the background.
type spillTask struct {
	c    chunk
	done chan struct{}
	err  error // set before done is closed
}

// spillBehind hands c to a goroutine that writes it as the next run,
// after the chunk in flight, if any, is written. It returns the arena and
// entry list of that earlier chunk for the caller to fill again (nil when
// there was none), or the error of writing it.
func (b *batch) spillBehind(c chunk) (chunk, error) {
	prev, err := b.settleSpill()
	if err != nil {
		return chunk{}, err
	}
	t := &spillTask{c: c, done: make(chan struct{})}
	b.inflight = t
	go func() {
		defer close(t.done)
		t.err = b.spillChunk(&t.c)
	}()
	return prev, nil
}

// settleSpill waits for the chunk in flight, if any, and returns its
// buffers emptied for reuse, or the error of writing it. Everything that
// reads b.spill calls it first: the goroutine writes there.
func (b *batch) settleSpill() (chunk, error) {
	t := b.inflight
	if t == nil {
		return chunk{}, nil
	}
	<-t.done
	b.inflight = nil
	if t.err != nil {
		return chunk{}, t.err
	}
	return chunk{arena: t.c.arena[:0], entries: t.c.entries[:0]}, nil
}
