package exchange

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/ties-graph/ties/store"
)

// Input is one file to import. Open is called once per pass over the data
// (Store.Load reads its source twice), so it must return the same bytes each
// time: a file on disk, or a spooled copy of a stream (see Spool).
type Input struct {
	Name   string // used in errors, such as "nodes.csv"
	Format Format // "" means detect it from Name
	Size   int64  // bytes, for progress and the gzip limit; 0 if unknown
	Open   func() (io.ReadCloser, error)
}

// FileInput returns the Input of the file at path. It returns the error of
// os.Stat when the file cannot be read, and an Invalid error when format is
// empty and the name does not tell it.
func FileInput(path string, format Format) (Input, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Input{}, fmt.Errorf("import %s: %w", path, err)
	}
	if fi.IsDir() {
		return Input{}, store.Errorf(store.Invalid, "%s is a directory; name the files to import", path)
	}
	if format == "" {
		if format, err = DetectFormat(path); err != nil {
			return Input{}, err
		}
	}
	return Input{
		Name:   path,
		Format: format,
		Size:   fi.Size(),
		Open:   func() (io.ReadCloser, error) { return os.Open(path) },
	}, nil
}

// BytesInput returns the Input of data held in memory, such as the
// founding data embedded in the binary.
func BytesInput(name string, format Format, data []byte) Input {
	return Input{
		Name:   name,
		Format: format,
		Size:   int64(len(data)),
		Open:   func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
	}
}

// Spool copies r into a temporary file in dir ("" for the system default) so
// that it can be read more than once, and returns the Input reading it and a
// function that removes the file. At most limit bytes are accepted (0 = no
// limit); more is a TooLarge error.
func Spool(r io.Reader, dir, name string, format Format, limit int64) (Input, func(), error) {
	f, err := os.CreateTemp(dir, "ties-import-*")
	if err != nil {
		return Input{}, func() {}, fmt.Errorf("spool %s: %w", name, err)
	}
	cleanup := func() {
		f.Close()
		os.Remove(f.Name())
	}
	rr := &recordingReader{r: r}
	var src io.Reader = rr
	if limit > 0 {
		src = io.LimitReader(rr, limit+1)
	}
	n, err := io.Copy(f, src)
	if err != nil {
		cleanup()
		var refused *store.Error
		if errors.As(rr.err, &refused) {
			// The reader refused to go on (no room on the disk).
			return Input{}, func() {}, refused
		}
		if rr.err != nil {
			// The sender went away or broke the stream: its doing, not a
			// fault of the server to be logged as one.
			return Input{}, func() {}, store.Errorf(store.Unavailable, "%s: the upload broke off after %d bytes: %v", name, n, rr.err)
		}
		return Input{}, func() {}, fmt.Errorf("spool %s: %w", name, err)
	}
	if limit > 0 && n > limit {
		cleanup()
		return Input{}, func() {}, store.Errorf(store.TooLarge, "%s: upload larger than %d bytes", name, limit)
	}
	path := f.Name()
	return Input{
		Name:   name,
		Format: format,
		Size:   n,
		Open:   func() (io.ReadCloser, error) { return os.Open(path) },
	}, cleanup, nil
}

// recordingReader keeps the error its reader returned, so that a failed
// copy can tell a broken upload from a full disk.
type recordingReader struct {
	r   io.Reader
	err error
}

func (r *recordingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		r.err = err
	}
	return n, err
}

// DecodeOptions bound the decoders.
type DecodeOptions struct {
	// MaxLineBytes refuses NDJSON lines (and CSV rows) longer than this;
	// 0 means 1 MiB.
	MaxLineBytes int
	// MaxDecompressedBytes stops reading a gzip input that inflates beyond
	// this, to defuse gzip bombs; 0 means the larger of 64 MiB and 200
	// times the compressed size (real NDJSON and CSV compress 5 to 20
	// times; a bomb a thousand times).
	MaxDecompressedBytes int64
	// MaxErrors stops collecting errors after this many; 0 means 100, and
	// no more than store.MaxLoadErrors are collected.
	MaxErrors int
	// Progress, when set, is called now and then with the pass (1 for
	// validation, 2 for writing) and the fraction of the input read so far.
	Progress func(pass int, fraction float64)
	// Delimiter separates CSV cells; 0 tells it from the header row
	// (',', ';' or a tab, see detectDelimiter).
	Delimiter rune

	// fields, set by Sources, receives the names the file gives the
	// fields, and makes the decoder tag lines with the records' origins
	// (filefields.go).
	fields *fileFields
}

const (
	defaultMaxLine   = 1 << 20
	defaultMaxErrors = 100
	minBombLimit     = 64 << 20
	bombRatio        = 200
)

func (o DecodeOptions) maxLine() int {
	if o.MaxLineBytes > 0 {
		return o.MaxLineBytes
	}
	return defaultMaxLine
}

func (o DecodeOptions) maxErrors() int {
	if o.MaxErrors > 0 {
		return min(o.MaxErrors, store.MaxLoadErrors)
	}
	return defaultMaxErrors
}

func (o DecodeOptions) gzipLimit(compressed int64) int64 {
	if o.MaxDecompressedBytes > 0 {
		return o.MaxDecompressedBytes
	}
	return max(minBombLimit, bombRatio*compressed)
}

// errorList collects the errors of one pass up to a limit, and counts
// the rest.
type errorList struct {
	max   int
	errs  store.Errors
	total int
}

// add records err, or only counts it past the limit. It reports whether
// the decoder must stop, which it never must for the count: decoding goes
// on so that the answer can say how many problems the input has.
func (l *errorList) add(err *store.Error) bool {
	l.total++
	if len(l.errs) < l.max {
		l.errs = append(l.errs, err)
	}
	return false
}

func (l *errorList) err() error {
	if l.total == 0 {
		return nil
	}
	return l.errs.WithOmitted(l.total)
}

// decodeFunc reads records from r and hands them to yield, collecting
// record-level errors in errs. It returns yield's error, or a read error
// after which nothing more can be decoded.
type decodeFunc func(ctx context.Context, r io.Reader, name string, opts DecodeOptions, errs *errorList, yield func(store.Record) error) error

func decoderFor(f Format) (decodeFunc, error) {
	switch f {
	case NDJSON:
		return decodeNDJSON, nil
	case JSON:
		return decodeNodeLink, nil
	case CSV:
		return decodeCSV, nil
	}
	return nil, store.Errorf(store.Invalid, "cannot import format %q (use ndjson, json or csv)", f)
}

// NewSource returns a RecordSource over one input, or an Invalid error when
// the input's format cannot be imported or told from its name. Each call of
// the source re-opens the input and decodes it from the start. Record
// errors are collected (up to opts.MaxErrors) while valid records keep
// flowing, and returned together as store.Errors at the end, each naming
// "file:line" and the field; a gzip bomb ends it with a TooLarge error, and
// the source returns the errors of Open and of yield as they are.
func NewSource(in Input, opts DecodeOptions) (store.RecordSource, error) {
	format := in.Format
	if format == "" {
		var err error
		if format, err = DetectFormat(in.Name); err != nil {
			return nil, err
		}
	}
	decode, err := decoderFor(format)
	if err != nil {
		return nil, err
	}
	var pass atomic.Int32
	return func(ctx context.Context, yield func(store.Record) error) error {
		p := int(pass.Add(1))
		rc, err := in.Open()
		if err != nil {
			return fmt.Errorf("open %s: %w", in.Name, err)
		}
		defer rc.Close()
		counted := &countingReader{r: rc}
		r, err := maybeGunzip(counted, in, opts)
		if err != nil {
			return err
		}
		r = skipBOM(r)
		errs := &errorList{max: opts.maxErrors()}
		var n int64
		wrapped := yield
		if opts.Progress != nil && in.Size > 0 {
			wrapped = func(rec store.Record) error {
				n++
				if n%4096 == 0 {
					opts.Progress(p, float64(counted.n.Load())/float64(in.Size))
				}
				return yield(rec)
			}
		}
		if err := decode(ctx, r, in.Name, opts, errs, wrapped); err != nil {
			return err
		}
		if opts.Progress != nil {
			opts.Progress(p, 1)
		}
		return errs.err()
	}, nil
}

// skipBOM drops a UTF-8 byte-order mark at the start of r. Notepad and
// spreadsheets write one; JSON forbids it, and the file would otherwise
// fail as "invalid character 'ï'" on line 1.
func skipBOM(r io.Reader) io.Reader {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	if b, _ := br.Peek(3); bytes.Equal(b, []byte{0xef, 0xbb, 0xbf}) {
		br.Discard(3)
	}
	return br
}

// countingReader counts the bytes read through it (the compressed bytes of
// a gzip input), for progress.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// maybeGunzip decompresses r when it starts with the gzip magic bytes,
// whatever its name says, and bounds the inflated size.
func maybeGunzip(r io.Reader, in Input, opts DecodeOptions) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, _ := br.Peek(2)
	if !bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		return br, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, store.FieldError(in.Name, "", "invalid gzip stream: %v", err)
	}
	limit := opts.gzipLimit(in.Size)
	return &boundedReader{r: zr, left: limit, limit: limit, name: in.Name}, nil
}

// boundedReader refuses to inflate beyond a limit: a gzip bomb ends with a
// TooLarge error instead of filling the disk or the clock.
type boundedReader struct {
	r     io.Reader
	left  int64
	limit int64
	name  string
	what  string // what is inflated, for errors: "" is a gzip stream
}

func (b *boundedReader) kind() string {
	if b.what == "" {
		return "gzip stream"
	}
	return b.what
}

// errBomb is wrapped in the TooLarge error so that decoders can stop at once.
var errBomb = errors.New("decompressed size limit")

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, &readError{err: errBomb, e: store.Errorf(store.TooLarge,
			"%s: decompresses to more than %d bytes; refusing a possible %s bomb (raise the limit if the file is genuine)", b.name, b.limit, strings.Fields(b.kind())[0])}
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if err != nil && !errors.Is(err, io.EOF) {
		return n, &readError{err: err, e: store.Errorf(store.Invalid, "%s: corrupt or truncated %s: %v", b.name, b.kind(), err)}
	}
	return n, err
}

// readError is a read failure with the user-facing error to report for it.
type readError struct {
	err  error
	e    *store.Error
	line int64 // line of the problem; 0 if unknown
}

func (r *readError) Error() string { return r.err.Error() }
func (r *readError) Unwrap() error { return r.err }

// readFailure turns an error of the underlying reader into the error a
// decoder reports, naming where it happened.
func readFailure(name string, line int64, err error) *store.Error {
	var re *readError
	if errors.As(err, &re) {
		if re.line > 0 {
			line = re.line
		}
		e := *re.e
		e.Record = fmt.Sprintf("%s:%d", name, line)
		e.Message = strings.TrimPrefix(e.Message, name+": ")
		return &e
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return store.FieldError(fmt.Sprintf("%s:%d", name, line), "", "unexpected end of input (truncated file?)")
	}
	return &store.Error{Code: store.Internal, Record: fmt.Sprintf("%s:%d", name, line), Message: fmt.Sprintf("read error: %v", err)}
}

// lineBits is how far Sources shifts a file's index into Record.Line, so
// that one Load over several files can still say which file a line is in.
const lineBits = 40

// Sources combines inputs into one RecordSource, so that a single Load
// (with LoadOptions.Source set to name) covers them all: records may refer
// to entities of another file, and nothing is written unless every file is
// valid. Lines of the second and later files are tagged with the file's
// index; pass the errors of Load through the returned function to turn
// "name:line" back into "file:line". It returns the errors of NewSource.
func Sources(inputs []Input, name string, opts DecodeOptions) (store.RecordSource, func(error) error, error) {
	srcs := make([]store.RecordSource, len(inputs))
	fields := make([]*fileFields, len(inputs))
	var total, before int64
	for _, in := range inputs {
		total += in.Size
	}
	for i, in := range inputs {
		o := opts
		if opts.Progress != nil && total > 0 {
			// Each file reports its own fraction; scale it to the whole.
			offset, size := before, in.Size
			o.Progress = func(pass int, f float64) {
				opts.Progress(pass, (float64(offset)+f*float64(size))/float64(total))
			}
		}
		before += in.Size
		fields[i] = &fileFields{}
		o.fields = fields[i]
		s, err := NewSource(in, o)
		if err != nil {
			return nil, nil, err
		}
		srcs[i] = s
	}
	src := func(ctx context.Context, yield func(store.Record) error) error {
		var all store.Errors
		total := 0
		for i, s := range srcs {
			tag := int64(i) << lineBits
			err := s(ctx, func(r store.Record) error {
				r.Line |= tag
				return yield(r)
			})
			var es store.Errors
			switch {
			case err == nil:
			case errors.As(err, &es):
				listed := es.Listed()
				all = append(all, listed[:min(len(listed), max(0, opts.maxErrors()-len(all)))]...)
				total += es.Total()
			default:
				return err
			}
		}
		if total > 0 {
			return all.WithOmitted(total)
		}
		return nil
	}
	rewrite := func(err error) error {
		var es store.Errors
		var e *store.Error
		switch {
		case errors.As(err, &es):
			out := make(store.Errors, len(es))
			for i, x := range es {
				out[i] = untag(x, inputs, name, fields)
			}
			return out
		case errors.As(err, &e):
			return untag(e, inputs, name, fields)
		}
		return err
	}
	return src, rewrite, nil
}

// untag rewrites a Record of the form "name:N", where N carries a file
// index from Sources and the origin of the record in the file, into
// "file:line", and names the field as that file does (fields, by file
// index; nil keeps the store's names).
func untag(e *store.Error, inputs []Input, name string, fields []*fileFields) *store.Error {
	rest, ok := strings.CutPrefix(e.Record, name+":")
	if !ok {
		return e
	}
	digits := rest
	if i := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		digits = rest[:i]
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return e
	}
	idx := int(n >> lineBits)
	if idx >= len(inputs) {
		return e
	}
	c := *e
	line := n & lineMask
	if idx < len(fields) {
		o := origin(n >> originShift & (1<<originBits - 1))
		c = *fields[idx].rename(e, o)
		if l, path, ok := fields[idx].element(o, line); ok {
			line = l
			if c.Field != "" {
				path += "." + c.Field
			}
			c.Field = path
		}
	}
	c.Record = fmt.Sprintf("%s:%d%s", inputs[idx].Name, line, rest[len(digits):])
	return &c
}

// utf8Reader fails at the first invalid UTF-8 sequence, which a JSON
// decoder would silently turn into U+FFFD.
type utf8Reader struct {
	r    io.Reader
	off  int64
	nl   int64  // newlines passed on
	tail []byte // bytes of a rune split across reads, not yet passed on
	err  error
}

func (u *utf8Reader) Read(p []byte) (int, error) {
	if u.err != nil {
		return 0, u.err
	}
	if len(p) <= utf8.UTFMax {
		return 0, io.ErrShortBuffer
	}
	k := copy(p, u.tail)
	u.tail = u.tail[:0]
	n, err := u.r.Read(p[k:])
	n += k
	// Hold back an incomplete rune at the end until more bytes arrive.
	good := n
	if err == nil {
		for i := n - 1; i >= 0 && i >= n-utf8.UTFMax; i-- {
			if utf8.RuneStart(p[i]) {
				if !utf8.FullRune(p[i:n]) {
					good = i
				}
				break
			}
		}
	}
	if i := invalidUTF8At(p[:good]); i < good {
		u.nl += int64(bytes.Count(p[:i], []byte{'\n'}))
		u.err = &readError{line: u.nl + 1, err: errInvalidUTF8, e: store.Errorf(store.Invalid, "invalid UTF-8 at byte %d", u.off+int64(i)+1)}
		u.off += int64(i)
		return i, nil
	}
	u.tail = append(u.tail, p[good:n]...)
	u.off += int64(good)
	u.nl += int64(bytes.Count(p[:good], []byte{'\n'}))
	return good, err
}

var errInvalidUTF8 = errors.New("invalid UTF-8")
