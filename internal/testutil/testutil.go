// Package testutil gives integration tests real PostgreSQL and Redis, isolated per test:
// each test gets a fresh database cloned from a migrated template, and its own Redis key
// prefix. Tests can therefore run in parallel and in any order.
//
// Settings: TEST_DATABASE_URL (a URL to the server's maintenance database, default
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable) and TEST_REDIS_URL
// (default redis://127.0.0.1:6379/0).
package testutil

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/helpende-handen/helpende-handen/internal/cache"
	"github.com/helpende-handen/helpende-handen/internal/database"
	"github.com/helpende-handen/helpende-handen/internal/reference"
	"github.com/helpende-handen/helpende-handen/migrations"
)

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// AdminURL is the URL of the maintenance database used to create test databases.
func AdminURL() string {
	return env("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
}

// RedisURL is the Redis used by tests.
func RedisURL() string { return env("TEST_REDIS_URL", "redis://127.0.0.1:6379/0") }

// withDatabase returns url with its database name replaced.
func withDatabase(u, name string) string {
	p, err := url.Parse(u)
	if err != nil {
		panic(err)
	}
	p.Path = "/" + name
	return p.String()
}

// fingerprint hashes the migrations and reference data, so that a template built from
// other files is never reused.
func fingerprint() string {
	h := sha256.New()
	for _, fsys := range []fs.FS{migrations.FS, reference.DataFS()} {
		_ = fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(fsys, path)
			if err != nil {
				return err
			}
			_, _ = io.WriteString(h, path)
			_, _ = h.Write(b)
			return nil
		})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// template makes sure a migrated template database exists and returns its name.
// Test binaries of several packages run at once, so it is built under an advisory lock.
func template(ctx context.Context, admin *sqlx.DB) (string, error) {
	fp := fingerprint()
	name := "hh_tmpl_" + fp
	conn, err := admin.Connx(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	lockKey := int64(binary.BigEndian.Uint64([]byte(fp[:8])))
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, lockKey); err != nil {
		return "", fmt.Errorf("lock: %w", err)
	}
	defer func() { _, _ = conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, lockKey) }()
	var exists bool
	if err := conn.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_build"
	_, _ = conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+building+` WITH (FORCE)`)
	if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+building); err != nil {
		return "", fmt.Errorf("create template: %w", err)
	}
	db, err := database.Open(ctx, withDatabase(AdminURL(), building))
	if err != nil {
		return "", err
	}
	if _, err := database.Migrate(ctx, db); err != nil {
		db.Close()
		return "", err
	}
	if err := reference.Sync(ctx, db); err != nil {
		db.Close()
		return "", err
	}
	db.Close()
	if _, err := conn.ExecContext(ctx, `ALTER DATABASE `+building+` RENAME TO `+name); err != nil {
		return "", fmt.Errorf("publish template: %w", err)
	}
	return name, nil
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// NewDatabase creates a fresh, migrated database with reference data for this test and
// returns its URL. It is dropped when the test ends.
func NewDatabase(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	admin, err := database.Open(ctx, AdminURL())
	if err != nil {
		t.Fatalf("testutil: PostgreSQL is needed for this test (TEST_DATABASE_URL=%s): %v", AdminURL(), err)
	}
	defer admin.Close()
	tmpl, err := template(ctx, admin)
	if err != nil {
		t.Fatalf("testutil: template database: %v", err)
	}
	name := randomName("hh_test_")
	for attempt := 0; ; attempt++ {
		_, err = admin.ExecContext(ctx, `CREATE DATABASE `+name+` TEMPLATE `+tmpl)
		if err == nil || attempt == 20 || !strings.Contains(err.Error(), "being accessed by other users") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("testutil: create test database: %v", err)
	}
	t.Cleanup(func() {
		a, err := database.Open(context.Background(), AdminURL())
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
	})
	return withDatabase(AdminURL(), name)
}

// NewDB returns an open connection to a fresh test database.
func NewDB(t testing.TB) *sqlx.DB {
	t.Helper()
	db, err := database.Open(context.Background(), NewDatabase(t))
	if err != nil {
		t.Fatalf("testutil: open test database: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// NewRedis returns a Redis client with a key prefix of this test's own; its keys are
// deleted when the test ends.
func NewRedis(t testing.TB) *cache.Client {
	t.Helper()
	prefix := randomName("hhtest:") + ":"
	c, err := cache.Open(RedisURL(), prefix)
	if err != nil {
		t.Fatalf("testutil: redis: %v", err)
	}
	if err := c.Ping(context.Background()); err != nil {
		t.Fatalf("testutil: Redis is needed for this test (TEST_REDIS_URL=%s): %v", RedisURL(), err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
		_ = c.Close()
	})
	return c
}

// Logger returns a logger that writes to the test log.
func Logger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
