package rewards

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/ledger"
)

// Statement is what the city pays a merchant for a period: the coins of the vouchers it
// accepted (before the period's end, and not settled by an earlier statement) and their value
// in euros at the policy's rate.
type Statement struct {
	ID          string    `db:"id"`
	MerchantID  string    `db:"merchant_id"`
	Period      string    `db:"period"` // YYYY-MM, a calendar month in Europe/Brussels
	PeriodStart time.Time `db:"period_start"`
	PeriodEnd   time.Time `db:"period_end"`
	Vouchers    int       `db:"vouchers"`
	Coins       int64     `db:"coins"`
	// EuroCentsPer10Coins is the rate the statement was made at.
	EuroCentsPer10Coins int `db:"euro_cents_per_10_coins"`
	// EuroCents = Coins × EuroCentsPer10Coins / 10, rounded half up to a whole cent (once per
	// statement, not per voucher).
	EuroCents     int64     `db:"euro_cents"`
	TransactionID *string   `db:"transaction_id"` // the SETTLE transaction (nil when no coins)
	CreatedAt     time.Time `db:"created_at"`
	// Replayed: the statement existed already; nothing was written now.
	Replayed bool `db:"-"`
}

const statementColumns = `id, merchant_id, period, period_start, period_end, vouchers, coins, euro_cents_per_10_coins,
	euro_cents, transaction_id, created_at`

// EuroCents is the value of coins at a rate in euro cents per 10 coins, rounded half up to a
// whole cent: ⌊(coins × rate + 5) / 10⌋.
func EuroCents(coins int64, centsPer10Coins int) int64 {
	return (coins*int64(centsPer10Coins) + 5) / 10
}

// ParsePeriod returns the start and end of a period "YYYY-MM" (a calendar month in Europe/Brussels).
func ParsePeriod(period string) (start, end time.Time, ok bool) {
	t, err := time.ParseInLocation("2006-01", period, Zone)
	if err != nil || t.Format("2006-01") != period {
		return start, end, false
	}
	return t, t.AddDate(0, 1, 0), true
}

// PeriodOf returns the period (month) t falls in.
func PeriodOf(t time.Time) string { return t.In(Zone).Format("2006-01") }

// SettleKey is the ledger idempotency key of a merchant's settlement for a period.
func SettleKey(merchantID, period string) string { return "settle:" + merchantID + ":" + period }

// Settle makes a merchant's statement for a period that has ended: every voucher the merchant
// accepted before the period's end and that no statement settled yet (so one accepted late on
// the last day is in the next statement, never lost) is settled, and its coins move from the
// merchant's account to the city's settlement account. Once per merchant and period: asked
// again, it returns the statement made the first time (Replayed).
func (s *Service) Settle(ctx context.Context, merchantID, period string) (*Statement, error) {
	start, end, ok := ParsePeriod(period)
	if !ok {
		return nil, errs.One("period", errs.Invalid, MsgInvalidPeriod, nil)
	}
	if end.After(s.Now()) {
		return nil, errs.One("period", errs.InvalidState, MsgPeriodNotClosed, nil)
	}
	if !validID(merchantID) {
		return nil, errs.One("merchantId", errs.UnknownReference, "organisation_not_found", nil)
	}
	var kind string
	err := s.db.GetContext(ctx, &kind, `SELECT kind FROM organisations WHERE id = $1`, merchantID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.One("merchantId", errs.UnknownReference, "organisation_not_found", nil)
	}
	if err != nil {
		return nil, fmt.Errorf("load merchant: %w", err)
	}
	if kind != "MERCHANT" {
		return nil, errs.One("merchantId", errs.Invalid, MsgNotAMerchant, nil)
	}
	policy, err := s.ledger.Policy(ctx)
	if err != nil {
		return nil, err
	}
	merchant, err := s.ledger.Account(ctx, ledger.KindMerchant, merchantID)
	if err != nil {
		return nil, err
	}
	settlement, err := s.ledger.Account(ctx, ledger.KindSettlement, "")
	if err != nil {
		return nil, err
	}
	var st Statement
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &st, `INSERT INTO settlement_statements (merchant_id, period, period_start, period_end,
			euro_cents_per_10_coins) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (merchant_id, period) DO NOTHING
			RETURNING `+statementColumns, merchantID, period, start, end, policy.EuroCentsPer10Coins)
		if errors.Is(err, sql.ErrNoRows) { // made before (or just now by a concurrent call, which we waited for)
			if err := tx.GetContext(ctx, &st, `SELECT `+statementColumns+` FROM settlement_statements
				WHERE merchant_id = $1 AND period = $2`, merchantID, period); err != nil {
				return fmt.Errorf("load statement: %w", err)
			}
			st.Replayed = true
			return nil
		}
		if err != nil {
			return fmt.Errorf("write statement: %w", err)
		}
		var prices []int64
		if err := tx.SelectContext(ctx, &prices, `UPDATE vouchers SET statement_id = $1
			WHERE merchant_id = $2 AND state = 'ACCEPTED' AND statement_id IS NULL AND closed_at < $3 RETURNING price`,
			st.ID, merchantID, end); err != nil {
			return fmt.Errorf("settle vouchers: %w", err)
		}
		var coins int64
		for _, p := range prices {
			coins += p
		}
		var txID *string
		if coins > 0 {
			t, err := s.ledger.TransferTx(ctx, tx, ledger.TransferRequest{IdempotencyKey: SettleKey(merchantID, period),
				Kind: ledger.TxSettle, From: merchant.ID, To: settlement.ID, Amount: coins,
				Metadata: map[string]any{"statementId": st.ID, "merchantId": merchantID, "period": period}})
			if err != nil {
				return err
			}
			txID = &t.ID
		}
		if err := tx.GetContext(ctx, &st, `UPDATE settlement_statements SET vouchers = $2, coins = $3, euro_cents = $4,
			transaction_id = $5 WHERE id = $1 RETURNING `+statementColumns,
			st.ID, len(prices), coins, EuroCents(coins, policy.EuroCentsPer10Coins), txID); err != nil {
			return fmt.Errorf("complete statement: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !st.Replayed {
		s.log.InfoContext(ctx, "merchant settled", "merchant", merchantID, "period", period, "coins", st.Coins,
			"euroCents", st.EuroCents)
	}
	return &st, nil
}

// SettleAll settles, for the last month that ended at or before until, every merchant with
// accepted vouchers not settled yet, and returns the statements (made now or before).
// Idempotent per merchant and period; run it monthly (or daily).
func (s *Service) SettleAll(ctx context.Context, until time.Time) ([]Statement, error) {
	thisMonth, _, _ := ParsePeriod(PeriodOf(until))
	period := PeriodOf(thisMonth.AddDate(0, -1, 0))
	var merchants []string
	if err := s.db.SelectContext(ctx, &merchants, `SELECT DISTINCT merchant_id FROM vouchers
		WHERE state = 'ACCEPTED' AND statement_id IS NULL AND closed_at < $1 ORDER BY merchant_id`, thisMonth); err != nil {
		return nil, fmt.Errorf("merchants to settle: %w", err)
	}
	out := make([]Statement, 0, len(merchants))
	for _, m := range merchants {
		st, err := s.Settle(ctx, m, period)
		if err != nil {
			return out, fmt.Errorf("settle %s %s: %w", m, period, err)
		}
		out = append(out, *st)
	}
	return out, nil
}

// Statements lists a merchant's statements, newest period first (for members of the merchant
// and administrators).
func (s *Service) Statements(ctx context.Context, viewer *accounts.Viewer, merchantID string) ([]Statement, error) {
	if err := checkMemberOrAdmin(ctx, s.db, viewer, merchantID); err != nil {
		return nil, err
	}
	out := []Statement{}
	if err := s.db.SelectContext(ctx, &out, `SELECT `+statementColumns+` FROM settlement_statements
		WHERE merchant_id = $1 ORDER BY period DESC`, merchantID); err != nil {
		return nil, fmt.Errorf("list statements: %w", err)
	}
	return out, nil
}
