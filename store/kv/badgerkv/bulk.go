package badgerkv

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/ristretto/v2/z"
)

// A large batch into a store that has never been written (the usual `ties
// import` into a new data directory) does not go through the memtables at
// all. Written there, keys that arrive in random order (adjacency, names)
// make every memtable's table overlap all the others, and badger's
// compactions rewrite the data again and again: measured, 10 million
// relations took 13 minutes and 7 GiB of heap, most of it compaction, and
// reads stayed slow for minutes after. Instead the batch sorts its chunks
// into run files in the data directory, and Flush merges the runs into
// badger's StreamWriter, which writes sorted tables straight into the
// bottom level: no write-ahead log, no memtable, no compaction, memory
// bounded by one chunk and the read buffers of at most maxFanIn runs.
//
// Nothing reaches badger before Flush, so a cancelled batch only removes
// its files. Should the stream fail half-way, the tables it wrote carry
// the batch's timestamp and are rolled back like any failed batch; so are
// they after a crash, through the pending marker.

// spillPrefix names the run directories in the data directory; Open
// removes any a crash left behind.
const spillPrefix = "bulk-"

// spill holds the runs of a streamed batch.
type spill struct {
	dir  string
	runs []string
	next int // number of the next run file
	// fanIn is the most runs merged at once; 0 means maxFanIn.
	fanIn int
}

// maxFanIn bounds the runs one merge reads side by side, and with it the
// merge's memory (a 256 KiB read buffer per run) and open files: a larger
// batch first merges its runs in rounds (reduceRuns), so memory stays
// the same whatever the size of the batch. 64 runs hold about 10 million
// relations, so imports of that size merge once.
const maxFanIn = 64

// streamable reports whether a batch beginning now may be streamed: the
// store is on disk and badger holds no version of anything.
func (db *DB) streamable() bool {
	return !db.opts.InMemory && !db.opts.ReadOnly && db.bdb.MaxVersion() == 0
}

// removeStaleSpills removes run directories left by a batch that did not
// finish (a crash).
func removeStaleSpills(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("list %s: %w", dir, err)
	}
	for _, e := range ents {
		if e.IsDir() && strings.HasPrefix(e.Name(), spillPrefix) {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("remove stale bulk runs: %w", err)
			}
		}
	}
	return nil
}

// spillChunk writes c, sorted, as a new run file.
func (b *batch) spillChunk(c *chunk) error {
	if b.spill.dir == "" {
		d := filepath.Join(b.db.opts.Dir, spillPrefix+strconv.FormatUint(b.commitTs, 10))
		if err := os.Mkdir(d, 0o700); err != nil {
			return fmt.Errorf("bulk runs: %w", err)
		}
		b.spill.dir = d
	}
	name, err := b.spill.writeRun(func(w *runWriter) error {
		return c.sorted(func(e *chunkEntry) error {
			k := c.arena[e.off : e.off+int(e.keyLen)]
			return w.write(k, c.arena[e.off+int(e.keyLen):e.off+int(e.keyLen)+int(e.valueLen)], e.del)
		})
	})
	if err != nil {
		return err
	}
	b.spill.runs = append(b.spill.runs, name)
	return nil
}

// writeRun creates a new run file in the spill directory and fills it
// through fill, which must write its entries in key order.
func (s *spill) writeRun(fill func(w *runWriter) error) (string, error) {
	name := filepath.Join(s.dir, fmt.Sprintf("run-%06d", s.next))
	s.next++
	f, err := os.Create(name)
	if err != nil {
		return "", fmt.Errorf("bulk runs: %w", err)
	}
	w := newRunWriter(f)
	err = fill(w)
	if err == nil {
		err = w.flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("bulk run %s: %w", name, err)
	}
	return name, nil
}

// runWriter writes the records of a run: a flags byte (1 = delete), the
// key and value lengths as uvarints, then key and value. It fills its
// own buffer with each record in one go rather than through a
// bufio.Writer, whose three calls per record (header, key, value) each
// checked and copied on their own: a load writes every entry once, some
// nine million at 1M relations.
type runWriter struct {
	w   io.Writer
	buf []byte
}

// runBuffer is the size of a run writer's buffer.
const runBuffer = 1 << 20

func newRunWriter(w io.Writer) *runWriter {
	return &runWriter{w: w, buf: make([]byte, 0, runBuffer)}
}

func (w *runWriter) write(key, value []byte, del bool) error {
	n := 1 + 2*binary.MaxVarintLen64 + len(key) + len(value)
	if len(w.buf)+n > cap(w.buf) {
		if err := w.flush(); err != nil {
			return err
		}
	}
	flags := byte(0)
	if del {
		flags = 1
	}
	b := append(w.buf, flags)
	b = binary.AppendUvarint(b, uint64(len(key)))
	b = binary.AppendUvarint(b, uint64(len(value)))
	if n > cap(w.buf) {
		// Larger than the buffer: the header goes first, the key and
		// value straight to the file.
		w.buf = b
		if err := w.flush(); err != nil {
			return err
		}
		if _, err := w.w.Write(key); err != nil {
			return err
		}
		_, err := w.w.Write(value)
		return err
	}
	b = append(b, key...)
	w.buf = append(b, value...)
	return nil
}

// flush writes what the buffer holds.
func (w *runWriter) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.w.Write(w.buf)
	w.buf = w.buf[:0]
	return err
}

// reduceRuns merges runs in rounds until at most fanIn are left. A round
// merges groups of consecutive runs, each into one that takes the group's
// place, so later runs still win over earlier ones; deletes are carried
// over, so a merged run means exactly what the runs it replaces meant.
// Each round writes every run at most once, and there are about
// log(runs)/log(fanIn) rounds: merging the oldest runs into the first
// one again and again instead wrote the first runs once per merge, a
// cost that grew with the square of the number of runs.
func (s *spill) reduceRuns() error {
	fanIn := s.fanIn
	if fanIn <= 0 {
		fanIn = maxFanIn
	}
	for len(s.runs) > fanIn {
		var next []string
		i := 0
		for _, k := range mergeRound(len(s.runs), fanIn) {
			group := s.runs[i : i+k]
			i += k
			if k == 1 {
				next = append(next, group[0])
				continue
			}
			merged, err := s.mergeRuns(group)
			if err != nil {
				return err
			}
			for _, r := range group {
				if err := os.Remove(r); err != nil {
					return fmt.Errorf("bulk runs: %w", err)
				}
			}
			next = append(next, merged)
		}
		s.runs = next
	}
	return nil
}

// mergeRound plans one round of merges of n runs with at most fanIn read
// at once: the sizes of the groups of consecutive runs, in order, that
// become one run each (a group of one is left as it is). It merges no
// more than needed: the round leaves fanIn runs when one round can, and
// else merges every group of fanIn.
func mergeRound(n, fanIn int) []int {
	excess := n - fanIn // runs the merges must remove
	var groups []int
	for left := n; left > 0; {
		k := 1
		if excess > 0 {
			k = min(fanIn, excess+1, left)
		}
		groups = append(groups, k)
		excess -= k - 1
		left -= k
	}
	return groups
}

func (s *spill) mergeRuns(runs []string) (string, error) {
	m, err := openMerge(runs)
	if err != nil {
		return "", err
	}
	defer m.close()
	return s.writeRun(func(w *runWriter) error {
		for {
			e, ok, err := m.next()
			if err != nil || !ok {
				return err
			}
			if err := w.write(e.key, e.value, e.del); err != nil {
				return err
			}
		}
	})
}

// removeSpill deletes the batch's runs.
func (b *batch) removeSpill() {
	if b.spill.dir == "" {
		return
	}
	if err := os.RemoveAll(b.spill.dir); err != nil {
		b.db.log.Error("remove bulk runs", "dir", b.spill.dir, "err", err)
	}
	b.spill = spill{}
}

// stream merges the runs into badger: through a StreamWriter into the
// bottom level, or, should badger refuse to stream (it was written to
// after all), through the loader in key order.
func (b *batch) stream() error {
	return b.withMerged(b.streamMerged)
}

// withMerged hands fn the batch's runs merged into key order, and removes
// the runs afterwards.
func (b *batch) withMerged(fn func(m *merge) error) error {
	defer b.removeSpill()
	if err := b.spill.reduceRuns(); err != nil {
		return err
	}
	m, err := openMerge(b.spill.runs)
	if err != nil {
		return err
	}
	defer m.close()
	return fn(m)
}

// streamMerged writes the merged runs through a StreamWriter.
func (b *batch) streamMerged(m *merge) error {
	sw := b.db.bdb.NewStreamWriter()
	if err := sw.PrepareIncremental(); err != nil {
		sw.Cancel()
		b.db.log.Warn("bulk batch cannot stream; writing through memtables", "err", err)
		return b.mergeToLoader(m)
	}
	b.sent++ // from here on badger may hold some of it
	err := b.streamTo(sw, m)
	if err == nil {
		err = sw.Flush()
	} else {
		sw.Cancel()
	}
	if err != nil {
		return mapErr("bulk stream", err)
	}
	return nil
}

// streamTo feeds the merged runs to sw. Two goroutines share the work:
// one merges the runs and encodes their entries into buffers, the other
// hands full buffers to sw.Write, which decodes every entry again (the
// stream API's protobuf form) before badger builds tables from them on
// goroutines of its own. Done in one goroutine, the two halves took the
// final third of a 1M-relation import's time with the second core mostly
// idle. Buffers are few (streamBuffers), so memory stays bounded.
func (b *batch) streamTo(sw *badger.StreamWriter, m *merge) error {
	var all []*z.Buffer
	free := make(chan *z.Buffer, streamBuffers)
	for range streamBuffers {
		buf := z.NewBuffer(8<<20, "ties.bulk")
		all = append(all, buf)
		free <- buf
	}
	defer func() {
		for _, buf := range all {
			buf.Release()
		}
	}()
	full := make(chan *z.Buffer, streamBuffers)
	stop := make(chan struct{})
	mergeErr := make(chan error, 1)
	go func() {
		defer close(full)
		mergeErr <- b.encodeMerged(m, free, full, stop)
	}()
	var err error
	for buf := range full {
		if err == nil {
			if err = sw.Write(buf); err != nil {
				close(stop)
			}
		}
		buf.Reset()
		free <- buf
	}
	if merr := <-mergeErr; err == nil {
		err = merr
	}
	return err
}

// streamBuffers is the number of encoded buffers of 4 MiB or so that a
// stream holds: one being filled, one being written, one in between.
const streamBuffers = 3

// encodeMerged encodes the merged runs into buffers from free, sending
// each full one to full, until the runs end or stop is closed.
func (b *batch) encodeMerged(m *merge, free <-chan *z.Buffer, full chan<- *z.Buffer, stop <-chan struct{}) error {
	buf := <-free
	send := func() bool {
		select {
		case full <- buf:
		case <-stop:
			return false
		}
		select {
		case buf = <-free:
			return true
		case <-stop:
			return false
		}
	}
	for {
		e, ok, err := m.next()
		if err != nil {
			return err
		}
		if !ok {
			if buf.LenNoPadding() > 0 {
				send()
			}
			return nil
		}
		if e.del {
			// The store held nothing when the batch began: there is
			// nothing to delete.
			continue
		}
		putStreamKV(buf, e.key, e.value, b.commitTs)
		if buf.LenNoPadding() >= 4<<20 && !send() {
			return nil // the writer failed, and says why
		}
	}
}

// mergeRuns writes the runs of a batch into a store that holds data
// through badger's loader, merged into key order.
func (b *batch) mergeRuns() error { return b.withMerged(b.mergeToLoader) }

// mergeToLoader writes the merged runs through badger's loader.
func (b *batch) mergeToLoader(m *merge) error {
	if b.loader == nil {
		b.loader = b.db.bdb.NewKVLoader(maxPendingChunks)
	}
	del := []byte{badgerDelete}
	for {
		e, ok, err := m.next()
		if err != nil {
			return err
		}
		if !ok {
			return b.finishLoader()
		}
		// The loader keeps the value until it is written: copy it out of
		// the run's buffer.
		kv := pb.KV{Key: e.key, Value: bytes.Clone(e.value), Version: b.commitTs}
		if e.del {
			kv.Meta = del
		}
		if err := b.loader.Set(&kv); err != nil {
			return mapErr("batch write", err)
		}
		b.sent++
	}
}

// runEntry is one record of a run.
type runEntry struct {
	key, value []byte
	del        bool
}

// runReader reads a run file record by record; key and value are valid
// until the next read.
type runReader struct {
	f   *os.File
	r   *bufio.Reader
	idx int // the run's position: later runs win over earlier ones
	pos int // index in the merge heap
	cur runEntry
	// head is the first sixteen bytes of cur.key, as a chunk entry's: the
	// merge's comparisons rarely need the keys themselves.
	head [2]uint64
	buf  []byte
	// read is the length of cur in r's buffer, where it stays until the
	// next call: it is discarded then rather than copied out.
	read int
}

func (rr *runReader) next() (bool, error) {
	if _, err := rr.r.Discard(rr.read); err != nil {
		return false, fmt.Errorf("read %s: %w", rr.f.Name(), err)
	}
	rr.read = 0
	// The header is decoded from the reader's buffer rather than a byte
	// at a time through ReadByte and ReadUvarint, and the record is used
	// where it lies in the buffer: the merge reads every entry of a load
	// once more.
	hdr, err := rr.r.Peek(1 + 2*binary.MaxVarintLen64)
	if len(hdr) == 0 {
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		return false, fmt.Errorf("read %s: %w", rr.f.Name(), err)
	}
	flags := hdr[0]
	kl, n1 := binary.Uvarint(hdr[1:])
	vl, n2 := 0, 0
	if n1 > 0 {
		var v uint64
		v, n2 = binary.Uvarint(hdr[1+n1:])
		vl = int(v)
	}
	if n1 <= 0 || n2 <= 0 {
		return false, fmt.Errorf("read %s: bad record header", rr.f.Name())
	}
	hl, n := 1+n1+n2, int(kl)+vl
	if hl+n <= rr.r.Size() {
		rec, err := rr.r.Peek(hl + n)
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return false, fmt.Errorf("read %s: %w", rr.f.Name(), err)
		}
		rr.read = hl + n
		rr.cur = runEntry{key: rec[hl : hl+int(kl)], value: rec[hl+int(kl):], del: flags&1 != 0}
		rr.head = keyHead(rr.cur.key)
		return true, nil
	}
	// Larger than the buffer: copied out.
	if _, err := rr.r.Discard(hl); err != nil {
		return false, fmt.Errorf("read %s: %w", rr.f.Name(), err)
	}
	if cap(rr.buf) < n {
		rr.buf = make([]byte, n)
	}
	rr.buf = rr.buf[:n]
	if _, err := io.ReadFull(rr.r, rr.buf); err != nil {
		return false, fmt.Errorf("read %s: %w", rr.f.Name(), err)
	}
	rr.cur = runEntry{key: rr.buf[:kl], value: rr.buf[kl:], del: flags&1 != 0}
	rr.head = keyHead(rr.cur.key)
	return true, nil
}

// merge yields the entries of sorted runs in key order, of equal keys the
// one of the latest run.
type merge struct {
	h    runHeap
	all  []*runReader
	last *runReader // the reader of the entry returned last, advanced on the next call
}

func openMerge(runs []string) (*merge, error) {
	m := &merge{}
	for i, name := range runs {
		f, err := os.Open(name)
		if err != nil {
			m.close()
			return nil, fmt.Errorf("bulk runs: %w", err)
		}
		rr := &runReader{f: f, r: bufio.NewReaderSize(f, 256<<10), idx: i}
		m.all = append(m.all, rr)
		ok, err := rr.next()
		if err != nil {
			m.close()
			return nil, err
		}
		if ok {
			rr.pos = len(m.h)
			m.h = append(m.h, rr)
		}
	}
	m.h.init()
	return m, nil
}

// next returns the next entry, valid until the following call.
func (m *merge) next() (runEntry, bool, error) {
	if m.last != nil {
		if err := m.advance(m.last); err != nil {
			return runEntry{}, false, err
		}
		m.last = nil
	}
	if len(m.h) == 0 {
		return runEntry{}, false, nil
	}
	top := m.h[0]
	// Older runs' entries of the same key are superseded.
	for len(m.h) > 1 {
		second := m.h[1]
		if len(m.h) > 2 && m.h.less(2, 1) {
			second = m.h[2]
		}
		if second.head != top.head || !bytes.Equal(second.cur.key, top.cur.key) {
			break
		}
		if err := m.advance(second); err != nil {
			return runEntry{}, false, err
		}
	}
	m.last = top
	return top.cur, true, nil
}

// advance moves rr to its next entry and restores the heap.
func (m *merge) advance(rr *runReader) error {
	ok, err := rr.next()
	if err != nil {
		return err
	}
	if ok {
		m.h.fix(rr.pos)
	} else {
		m.h.remove(rr.pos)
	}
	return nil
}

func (m *merge) close() {
	for _, rr := range m.all {
		rr.f.Close()
	}
}

// runHeap orders readers by their current key, the latest run first
// among equal keys. It is a binary heap written for the merge rather than
// container/heap's, whose calls through an interface, and comparisons of
// whole keys, were most of the merge's own time.
type runHeap []*runReader

func (h runHeap) less(i, j int) bool {
	x, y := h[i], h[j]
	switch {
	case x.head[0] != y.head[0]:
		return x.head[0] < y.head[0]
	case x.head[1] != y.head[1]:
		return x.head[1] < y.head[1]
	}
	if c := bytes.Compare(x.cur.key, y.cur.key); c != 0 {
		return c < 0
	}
	return x.idx > y.idx
}

func (h runHeap) swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].pos, h[j].pos = i, j
}

func (h runHeap) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

// fix restores the heap after the key of the reader at i changed.
func (h runHeap) fix(i int) {
	if !h.down(i) {
		h.up(i)
	}
}

// remove takes the reader at i out of the heap.
func (h *runHeap) remove(i int) {
	n := len(*h) - 1
	if i != n {
		h.swap(i, n)
	}
	*h = (*h)[:n]
	if i != n {
		h.fix(i)
	}
}

func (h runHeap) up(j int) {
	for j > 0 {
		i := (j - 1) / 2
		if !h.less(j, i) {
			break
		}
		h.swap(i, j)
		j = i
	}
}

// down moves the reader at i0 down to its place and reports whether it
// moved.
func (h runHeap) down(i0 int) bool {
	i := i0
	for {
		j := 2*i + 1
		if j >= len(h) {
			break
		}
		if r := j + 1; r < len(h) && h.less(r, j) {
			j = r
		}
		if !h.less(j, i) {
			break
		}
		h.swap(i, j)
		i = j
	}
	return i > i0
}
