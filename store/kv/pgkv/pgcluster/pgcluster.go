// Package pgcluster starts throwaway PostgreSQL clusters: initdb in a
// temporary directory, postgres on a free loopback port, removed again by
// Stop. The tests (through pgtest) and the benchmark command both use it,
// so a cluster is started, made a standby of another, killed and stopped
// the same way everywhere.
//
// When PostgreSQL is not installed, Start returns ErrNotInstalled. As root
// (which initdb refuses), the cluster runs as the "postgres" system user
// that Debian's package creates.
package pgcluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNotInstalled reports that no PostgreSQL binaries were found.
var ErrNotInstalled = errors.New("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)")

// Bin returns the directory holding initdb and postgres: dir when given
// (it must hold both), else $TIES_PG_BIN when set, else the newest
// /usr/lib/postgresql/*/bin.
func Bin(dir string) (string, error) {
	if dir == "" {
		dir = os.Getenv("TIES_PG_BIN")
	}
	if dir != "" {
		for _, b := range []string{"initdb", "postgres"} {
			if _, err := os.Stat(filepath.Join(dir, b)); err != nil {
				return "", fmt.Errorf("PostgreSQL binaries in %s: %w", dir, err)
			}
		}
		return dir, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	slices.SortFunc(matches, func(a, b string) int {
		va, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(a))))
		vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(b))))
		return va - vb
	})
	if len(matches) == 0 {
		return "", ErrNotInstalled
	}
	return filepath.Dir(matches[len(matches)-1]), nil
}

// Config configures a cluster.
type Config struct {
	// Bin is the directory of the PostgreSQL binaries; empty means Bin("").
	Bin string
	// Settings are extra "name=value" server settings, after the defaults
	// (loopback only, no fsync: the cluster is thrown away).
	Settings []string
	// Durable keeps fsync on, for tests that kill servers.
	Durable bool
	// HBA lines are appended to pg_hba.conf (replication, for standbys).
	HBA []string
	// Keep leaves the directory in place after Stop, for a look at the
	// data and the server's log.
	Keep bool
}

// Cluster is a running throwaway PostgreSQL server.
type Cluster struct {
	Bin  string
	Dir  string // the temporary directory: data/ and postgres.log
	Port int

	cred    *syscall.Credential
	cfg     Config
	cmd     *exec.Cmd
	exited  chan struct{}
	waitErr error
}

// Start creates a cluster with initdb and starts it. It returns
// ErrNotInstalled when PostgreSQL is absent.
func Start(ctx context.Context, cfg Config) (_ *Cluster, err error) {
	bin, err := Bin(cfg.Bin)
	if err != nil {
		return nil, err
	}
	c, err := newCluster(bin, cfg)
	if err != nil {
		return nil, err
	}
	defer stopOnError(c, &err)
	args := []string{"-D", c.DataDir(), "-U", "ties", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-instructions"}
	if !cfg.Durable {
		args = append(args, "--no-sync")
	}
	if err := c.run(ctx, "initdb", args...); err != nil {
		return nil, err
	}
	if len(cfg.HBA) > 0 {
		if err := c.appendHBA(cfg.HBA); err != nil {
			return nil, err
		}
	}
	if err := c.Boot(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// StartStandby makes a streaming standby of primary with pg_basebackup
// and starts it. application_name in its primary_conninfo is name, which
// synchronous_standby_names on the primary can refer to.
func StartStandby(ctx context.Context, primary *Cluster, name string, cfg Config) (_ *Cluster, err error) {
	c, err := newCluster(primary.Bin, cfg)
	if err != nil {
		return nil, err
	}
	defer stopOnError(c, &err)
	conninfo := fmt.Sprintf("host=127.0.0.1 port=%d user=ties application_name=%s", primary.Port, name)
	if err := c.run(ctx, "pg_basebackup", "-D", c.DataDir(), "-d", conninfo, "-X", "stream", "-R", "--no-sync"); err != nil {
		return nil, err
	}
	if err := c.Boot(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// stopOnError stops a cluster that did not come up, when *err is set on
// return, so that no server or directory is left behind.
func stopOnError(c *Cluster, err *error) {
	if *err != nil {
		c.Stop()
	}
}

func newCluster(bin string, cfg Config) (*Cluster, error) {
	dir, err := os.MkdirTemp("", "ties-pg-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{Bin: bin, Dir: dir, cfg: cfg}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root, and initdb refuses root: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	if c.Port, err = freePort(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return c, nil
}

// DataDir is the cluster's data directory.
func (c *Cluster) DataDir() string { return filepath.Join(c.Dir, "data") }

func (c *Cluster) run(ctx context.Context, prog string, args ...string) error {
	cmd := exec.CommandContext(ctx, filepath.Join(c.Bin, prog), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred, Setpgid: true}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w\n%s", prog, err, out)
	}
	return nil
}

func (c *Cluster) appendHBA(lines []string) error {
	f, err := os.OpenFile(filepath.Join(c.DataDir(), "pg_hba.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	for _, l := range lines {
		fmt.Fprintln(f, l)
	}
	return f.Close()
}

// Boot starts postgres on the cluster's data directory and waits until it
// accepts connections (a standby: until it accepts reads).
func (c *Cluster) Boot(ctx context.Context) error {
	args := []string{"-D", c.DataDir(), "-p", strconv.Itoa(c.Port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories=",
		"-c", "max_connections=200",
		"-c", "logging_collector=off",
		"-c", "jit=off",
		"-c", "wal_level=replica",
		"-c", "max_wal_senders=10",
		"-c", "hot_standby=on",
	}
	if !c.cfg.Durable {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	for _, s := range c.cfg.Settings {
		args = append(args, "-c", s)
	}
	logFile, err := os.OpenFile(filepath.Join(c.Dir, "postgres.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close()
	c.cmd = exec.Command(filepath.Join(c.Bin, "postgres"), args...)
	c.cmd.Stdout, c.cmd.Stderr = logFile, logFile
	// Its own process group keeps a terminal's ^C away; Pdeathsig stops
	// it when the test binary dies.
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred, Setpgid: true, Pdeathsig: syscall.SIGQUIT}
	if err := c.cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	exited := make(chan struct{})
	c.exited = exited
	cmd := c.cmd
	go func() {
		c.waitErr = cmd.Wait()
		close(exited)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		conn, err := pgx.Connect(ctx, c.DSN("postgres"))
		if err == nil {
			conn.Close(ctx)
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("postgres exited: %v\n%s", c.waitErr, c.LogTail())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres not ready after 60s: %v\n%s", err, c.LogTail())
		}
	}
}

// DSN returns a connection string to database db.
func (c *Cluster) DSN(db string) string {
	return fmt.Sprintf("postgres://ties@127.0.0.1:%d/%s?sslmode=disable", c.Port, db)
}

// LogTail returns the end of the server's log.
func (c *Cluster) LogTail() string {
	b, _ := os.ReadFile(filepath.Join(c.Dir, "postgres.log"))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// Pid returns the process id of the postmaster.
func (c *Cluster) Pid() int { return c.cmd.Process.Pid }

// Kill kills the server with SIGKILL, as a crash of its machine would:
// the postmaster and every process it started (each of which is a
// process group of its own, so a signal to the postmaster's group would
// leave them answering queries for a moment), and waits for the
// postmaster to exit.
func (c *Cluster) Kill() {
	if c.cmd == nil || c.cmd.Process == nil {
		return
	}
	pid := c.cmd.Process.Pid
	_ = syscall.Kill(pid, syscall.SIGSTOP) // no new children meanwhile
	for _, child := range children(pid) {
		_ = syscall.Kill(child, syscall.SIGKILL)
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	<-c.exited
}

// children returns the ids of the processes whose parent is pid, from
// /proc.
func children(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		id, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// The command name, in parentheses, may hold spaces: the fields
		// after it start at the last ')'.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			out = append(out, id)
		}
	}
	return out
}

// Promote promotes a standby to primary and waits until it accepts
// writes.
func (c *Cluster) Promote(ctx context.Context) error {
	if err := c.run(ctx, "pg_ctl", "promote", "-w", "-D", c.DataDir()); err != nil {
		return err
	}
	return nil
}

// Stop shuts the server down (fast shutdown; kill after 30 s) and removes
// its directory unless Config.Keep. It is safe to call on a partly started
// cluster and more than once.
func (c *Cluster) Stop() error {
	var err error
	if c.cmd != nil && c.cmd.Process != nil && c.exited != nil {
		select {
		case <-c.exited:
		default:
			_ = c.cmd.Process.Signal(syscall.SIGINT)
			select {
			case <-c.exited:
			case <-time.After(30 * time.Second):
				_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
				<-c.exited
				err = errors.New("postgres did not stop within 30s; killed")
			}
		}
	}
	if c.Dir != "" && !c.cfg.Keep {
		if rmErr := os.RemoveAll(c.Dir); rmErr != nil && err == nil {
			err = rmErr
		}
		c.Dir = ""
	}
	return err
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
