package recommend_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/helpende-handen/helpende-handen/internal/demo"
	"github.com/helpende-handen/helpende-handen/internal/organisations"
	"github.com/helpende-handen/helpende-handen/internal/recommend"
	"github.com/helpende-handen/helpende-handen/internal/reference"
	"github.com/helpende-handen/helpende-handen/internal/talent"
	"github.com/helpende-handen/helpende-handen/internal/testutil"
	"github.com/helpende-handen/helpende-handen/internal/volunteering"
)

// scaleCity is a database of its own with a generated city (needs with their shifts, and
// talent profiles), and the recommendation service on it with the volunteering service it
// reads whole needs from.
func scaleCity(t *testing.T, needs, shiftsPerNeed, profiles int, now time.Time) (*sqlx.DB, *recommend.Service, *volunteering.Service) {
	t.Helper()
	ctx := context.Background()
	db := testutil.NewDB(t)
	if err := demo.SeedScale(ctx, db, needs, shiftsPerNeed, now, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.SeedScaleProfiles(ctx, db, profiles, now, nil); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ref := reference.NewService(db)
	vol := volunteering.NewService(db, ref, organisations.NewService(db, ref, log), volunteering.NewBroker(), log)
	return db, recommend.NewService(db, talent.NewService(db, ref), vol), vol
}
