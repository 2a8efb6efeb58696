package pgkv

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"

	"github.com/ties-graph/ties/store/kv"
)

// backupMagic starts every backup of this backend.
var backupMagic = []byte("ties-pgkv-backup 1\n")

// Backup streams every version of every key, as of the newest commit when
// it begins, to w: backupMagic, then per version the key's length and
// bytes, the commit timestamp, and the value's length plus one (0: a
// delete) and bytes, all lengths as uvarints, in key and timestamp order;
// then a zero length and the newest commit timestamp, which tells a whole
// backup from a cut one. It reads in one REPEATABLE READ transaction, so
// writers carry on meanwhile and are not in it.
func (db *DB) Backup(ctx context.Context, w io.Writer) error {
	if err := db.enter(); err != nil {
		return err
	}
	defer db.leave()
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return mapErr("backup", err)
	}
	defer tx.Rollback(context.Background())
	var last int64
	if err := tx.QueryRow(ctx, `SELECT last_ts FROM ties_clock`).Scan(&last); err != nil {
		return mapErr("backup", err)
	}
	rows, err := tx.Query(ctx, `SELECT key, ts, value FROM ties_kv_history
		UNION ALL SELECT key, ts, value FROM ties_kv ORDER BY 1, 2`)
	if err != nil {
		return mapErr("backup", err)
	}
	defer rows.Close()
	bw := bufio.NewWriterSize(w, 1<<20)
	bw.Write(backupMagic)
	var num [binary.MaxVarintLen64]byte
	uv := func(x uint64) { bw.Write(binary.AppendUvarint(num[:0], x)) }
	for rows.Next() {
		var (
			key, value []byte
			ts         int64
		)
		if err := rows.Scan(&key, &ts, &value); err != nil {
			return mapErr("backup", err)
		}
		uv(uint64(len(key)))
		bw.Write(key)
		uv(uint64(ts))
		if value == nil {
			uv(0)
			continue
		}
		uv(uint64(len(value)) + 1)
		if _, err := bw.Write(value); err != nil {
			return fmt.Errorf("backup: %w", err)
		}
	}
	if err := rowsErr(rows); err != nil {
		return mapErr("backup", err)
	}
	uv(0)
	uv(uint64(last))
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// Restore loads a backup written by Backup into an empty database, in one
// transaction: a restore that fails leaves nothing. It returns an error
// wrapping kv.ErrNotBackup for anything else, and refuses a database that
// holds data.
func (db *DB) Restore(ctx context.Context, r io.Reader) error {
	br := bufio.NewReaderSize(r, 1<<20)
	head := make([]byte, len(backupMagic))
	if _, err := io.ReadFull(br, head); err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		// The reader's own failure (a file framed with digests that do
		// not match) says more than "not a backup".
		return fmt.Errorf("restore: %w", err)
	} else if err != nil || !bytes.Equal(head, backupMagic) {
		return fmt.Errorf("restore: %w: it does not start as a backup of the postgres backend", kv.ErrNotBackup)
	}
	w, err := db.beginWriter(ctx)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer db.releaseWriter()
	defer w.rollback()
	var any bool
	if err := w.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM ties_kv) OR EXISTS (SELECT 1 FROM ties_kv_history)`).Scan(&any); err != nil {
		return mapErr("restore", err)
	}
	if any {
		return errors.New("restore: the database already holds data; restore into an empty one")
	}
	cut := func(err error) error {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("restore: %w: the backup is cut short or damaged: %w", kv.ErrNotBackup, err)
	}
	var (
		cur, hist rowsOf
		maxTs     uint64
		prevKey   []byte
		havePrev  bool
		prevTs    uint64
		prevValue []byte
		send      = func(force bool) error {
			for _, rs := range []struct {
				table string
				rows  *rowsOf
			}{{"ties_kv", &cur}, {"ties_kv_history", &hist}} {
				if len(rs.rows.keys) == 0 || (!force && len(rs.rows.keys) < batchChunk) {
					continue
				}
				_, err := w.tx.Exec(ctx, `INSERT INTO `+rs.table+` (key, ts, value)
					SELECT * FROM unnest($1::bytea[], $2::bigint[], $3::bytea[])`, rs.rows.keys, rs.rows.ts, rs.rows.values)
				if err != nil {
					return mapErr("restore", err)
				}
				*rs.rows = rowsOf{}
			}
			return nil
		}
	)
	for {
		n, err := binary.ReadUvarint(br)
		if err != nil {
			return cut(err)
		}
		if n == 0 {
			break
		}
		if n > maxKey {
			return cut(fmt.Errorf("a key of %d bytes", n))
		}
		key := make([]byte, n)
		if _, err := io.ReadFull(br, key); err != nil {
			return cut(err)
		}
		ts, err := binary.ReadUvarint(br)
		if err != nil {
			return cut(err)
		}
		vn, err := binary.ReadUvarint(br)
		if err != nil {
			return cut(err)
		}
		var value []byte
		if vn > 0 {
			if vn-1 > 1<<30 {
				return cut(fmt.Errorf("a value of %d bytes", vn-1))
			}
			value = make([]byte, vn-1)
			if _, err := io.ReadFull(br, value); err != nil {
				return cut(err)
			}
		}
		// Versions come in key and timestamp order: the previous one is
		// history when this one has the same key, else the newest.
		if havePrev {
			if bytes.Equal(prevKey, key) {
				hist.add(prevKey, prevTs, prevValue)
			} else {
				cur.add(prevKey, prevTs, prevValue)
			}
		}
		prevKey, prevTs, prevValue, havePrev = key, ts, value, true
		maxTs = max(maxTs, ts)
		if err := send(false); err != nil {
			return err
		}
	}
	last, err := binary.ReadUvarint(br)
	if err != nil {
		return cut(err)
	}
	// Read to the end, so that a reader that checks what follows the
	// data (a manifest) fails the restore before it commits.
	if _, err := io.Copy(io.Discard, br); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if havePrev {
		cur.add(prevKey, prevTs, prevValue)
	}
	if err := send(true); err != nil {
		return err
	}
	ts := max(last, maxTs, w.readTs)
	if _, err := w.tx.Exec(ctx, `UPDATE ties_clock SET last_ts = $1`, int64(ts)); err != nil {
		return mapErr("restore", err)
	}
	if err := w.tx.Commit(ctx); err != nil {
		return mapErr("restore: commit", err)
	}
	db.observe(ts)
	return nil
}

// rowsOf collects rows for one INSERT ... unnest.
type rowsOf struct {
	keys   [][]byte
	ts     []int64
	values [][]byte
}

func (r *rowsOf) add(key []byte, ts uint64, value []byte) {
	r.keys = append(r.keys, key)
	r.ts = append(r.ts, int64(ts))
	r.values = append(r.values, value)
}
