package demo_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/helpende-handen/helpende-handen/internal/demo"
	"github.com/helpende-handen/helpende-handen/internal/ledger"
)

func TestSeedCoinsMintsTheDemoHoursFillsCataloguesAndCanRunAgain(t *testing.T) {
	t.Parallel()
	db, needs := seedAll(t, time.Now())
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	res, err := demo.SeedCoins(ctx, db, log)
	if err != nil {
		t.Fatal(err)
	}
	if res.Minted == 0 || res.Rewards != 8 || res.Vouchers != 1 {
		t.Fatalf("seed coins: %+v (needs %+v)", res, needs)
	}
	again, err := demo.SeedCoins(ctx, db, log)
	if err != nil {
		t.Fatal(err)
	}
	if again.Minted != 0 || again.Rewards != 0 || again.Vouchers != 0 {
		t.Fatalf("second run added %+v", again)
	}
	var minted, vouchers int
	if err := db.Get(&minted, `SELECT count(*) FROM mint_records`); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&vouchers, `SELECT count(*) FROM vouchers`); err != nil {
		t.Fatal(err)
	}
	if minted != res.Minted || vouchers != 1 {
		t.Fatalf("mint records %d (minted %d), vouchers %d", minted, res.Minted, vouchers)
	}
	rep, err := ledger.NewService(db, log).Audit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("audit: %v", rep.Problems())
	}
}
