package database_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/helpende-handen/helpende-handen/internal/database"
	"github.com/helpende-handen/helpende-handen/internal/testutil"
)

func TestCheckCurrentRefusesADatabaseThatIsBehind(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testutil.NewDB(t) // migrated
	if err := database.CheckCurrent(ctx, db); err != nil {
		t.Fatalf("migrated database: %v", err)
	}
	// Pretend the last migration was never applied.
	if _, err := db.ExecContext(ctx, `DELETE FROM goose_db_version WHERE version_id = (SELECT max(version_id) FROM goose_db_version)`); err != nil {
		t.Fatal(err)
	}
	if err := database.CheckCurrent(ctx, db); !errors.Is(err, database.ErrBehind) {
		t.Fatalf("CheckCurrent = %v, want ErrBehind", err)
	}
	st, err := database.Status(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) == 0 || st[len(st)-1].Applied {
		t.Fatalf("status = %+v, want the last one pending", st)
	}
}

func TestInTxRollsBackEverythingOnError(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testutil.NewDB(t)
	boom := errors.New("boom")
	err := database.InTx(ctx, db, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO people (email, password_hash, display_name) VALUES ('a@b.be', 'x', 'A')`); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v", err)
	}
	var n int
	if err := db.GetContext(ctx, &n, `SELECT count(*) FROM people`); err != nil || n != 0 {
		t.Fatalf("people = %d (%v), want 0", n, err)
	}
}
