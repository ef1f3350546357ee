package demo

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jmoiron/sqlx"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/ledger"
	"github.com/helpende-handen/helpende-handen/internal/rewards"
)

// CoinsResult says what SeedCoins added.
type CoinsResult struct {
	Budget   int64 // coins in the city's budget before minting
	Minted   int   // confirmed attendances minted
	Rewards  int
	Vouchers int
}

// demoRewards are the demo merchants' catalogues (by organisation key).
var demoRewards = map[string][]struct {
	Title, Description string
	Price, Stock       int
	Themes             []string
}{
	"hetgoudenkorstje": {
		{"Een brood naar keuze", "Kies een vers brood uit de toonbank.", 40, 20, nil},
		{"Koffiekoek en koffie", "Een koffiekoek met een tas koffie of thee, aan de tafel bij het raam.", 25, 30, nil},
	},
	"dendraaiboom": {
		{"Koffie of thee", "Een tas koffie of thee aan de toog of op het terras.", 10, 100, nil},
		{"Soep van de dag", "Een kom soep met brood. Vraag ook naar de vegetarische soep.", 30, 25, nil},
	},
	"delichtbak": {
		{"Cinematicket", "Een ticket voor een film naar keuze, ook de films met ondertitels.", 80, 15, nil},
		{"Popcorn en drankje", "Een zak popcorn en een frisdrank of water.", 35, 20, nil},
	},
	"trappers": {
		{"Onderhoudsbeurt fiets", "Remmen, versnellingen en banden nagekeken en afgesteld.", 150, 10, nil},
		{"Fietslichten (voor en achter)", "Een set ledlampjes, op je fiets gezet.", 60, 12, nil},
	},
}

// SeedCoins funds the city's budget, mints the coins of the demo's confirmed attendance, fills
// the demo merchants' catalogues and gives the demo volunteer a voucher. It goes through the
// ledger and rewards services, like the platform does, and can run again (every write has its
// idempotency key, and rewards are added only to empty catalogues).
func SeedCoins(ctx context.Context, db *sqlx.DB, log *slog.Logger) (CoinsResult, error) {
	var res CoinsResult
	led := ledger.NewService(db, log)
	rw := rewards.NewService(db, led, log)
	issuer, err := led.CityIssuer(ctx)
	if err != nil {
		return res, err
	}
	if _, err := led.FundIssuer(ctx, ledger.FundRequest{IssuerAccountID: issuer.ID, Amount: 250_000,
		IdempotencyKey: "demo:fund:2026", Memo: "Budget 2026 (demo)"}); err != nil {
		return res, fmt.Errorf("fund the demo budget: %w", err)
	}
	res.Budget = 250_000
	if res.Minted, err = led.MintPending(ctx); err != nil {
		return res, fmt.Errorf("mint demo coins: %w", err)
	}
	var merchants []struct {
		OrgID    string `db:"organisation_id"`
		PersonID string `db:"person_id"`
		Rewards  int    `db:"rewards"`
	}
	if err := db.SelectContext(ctx, &merchants, `SELECT DISTINCT ON (o.id) o.id AS organisation_id, m.person_id,
			(SELECT count(*) FROM rewards r WHERE r.merchant_id = o.id) AS rewards
		FROM organisations o JOIN organisation_members m ON m.organisation_id = o.id
		WHERE o.kind = 'MERCHANT' AND o.status = 'APPROVED' ORDER BY o.id, m.created_at`); err != nil {
		return res, fmt.Errorf("demo merchants: %w", err)
	}
	byOrg := map[string]string{}
	for key := range demoRewards {
		byOrg[ID("organisation", key)] = key
	}
	var coffee string
	for _, m := range merchants {
		key, ok := byOrg[m.OrgID]
		if !ok || m.Rewards > 0 {
			continue
		}
		viewer := &accounts.Viewer{PersonID: m.PersonID}
		for _, r := range demoRewards[key] {
			lang := "nl"
			created, err := rw.CreateReward(ctx, viewer, m.OrgID, rewards.RewardInput{Title: &r.Title,
				Description: &r.Description, Language: &lang, Price: &r.Price, Stock: &r.Stock})
			if err != nil {
				return res, fmt.Errorf("demo reward %q: %w", r.Title, err)
			}
			res.Rewards++
			if r.Title == "Koffie of thee" {
				coffee = created.ID
			}
		}
	}
	// The demo volunteer has a voucher to show at the café (when they earned enough).
	if coffee != "" {
		vol := &accounts.Viewer{PersonID: ID("person", "volunteer")}
		if w, err := led.Wallet(ctx, vol.PersonID); err == nil && w.Balance >= 10 {
			if _, err := rw.Redeem(ctx, vol, coffee, "demo:voucher:coffee"); err != nil {
				return res, fmt.Errorf("demo voucher: %w", err)
			}
			res.Vouchers++
		}
	}
	return res, nil
}
