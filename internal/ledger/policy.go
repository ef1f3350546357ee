package ledger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/helpende-handen/helpende-handen/internal/errs"
)

// Policy is the coin policy in force (the latest version applies).
type Policy struct {
	ID int64 `db:"id"`
	// CoinsPerHour is the minting rate (default 25).
	CoinsPerHour int `db:"coins_per_hour"`
	// YearlyCapPerPerson is the most coins one person is minted per calendar year of the work
	// (nil: no cap). Coins of reversed mints do not count.
	YearlyCapPerPerson *int `db:"yearly_cap_per_person"`
	// GiftsAllowed: residents may give coins to each other.
	GiftsAllowed bool `db:"gifts_allowed"`
	// ExpiryMonths: unused coins expire after this many months (nil: never).
	ExpiryMonths *int `db:"expiry_months"`
	// MerchantCap: the most coins a merchant may accept (nil: no cap).
	MerchantCap *int `db:"merchant_cap"`
	// EuroCentsPer10Coins is what the city pays a merchant for 10 coins at settlement (default 100: 10 coins = €1).
	EuroCentsPer10Coins int `db:"euro_cents_per_10_coins"`
	// IssuerAccountID is the account minting draws from (nil: the city's issuer account).
	IssuerAccountID *string   `db:"issuer_account_id"`
	CreatedBy       *string   `db:"created_by"`
	CreatedAt       time.Time `db:"created_at"`
}

const policyColumns = `id, coins_per_hour, yearly_cap_per_person, gifts_allowed, expiry_months, merchant_cap,
	euro_cents_per_10_coins, issuer_account_id, created_by, created_at`

// Policy limits.
const (
	DefaultCoinsPerHour        = 25
	DefaultEuroCentsPer10Coins = 100
	MaxCoinsPerHour            = 1000
	MaxYearlyCap               = 1_000_000
	MaxExpiryMonths            = 120
	MaxMerchantCap             = 1_000_000_000
	MaxEuroCentsPer10Coins     = 100_000
)

// PolicyInput is a whole new version of the policy (nil optional fields: none).
type PolicyInput struct {
	CoinsPerHour        int
	YearlyCapPerPerson  *int
	GiftsAllowed        bool
	ExpiryMonths        *int
	MerchantCap         *int
	EuroCentsPer10Coins int
	IssuerAccountID     *string // nil: the city's issuer
}

// CoinsFor is what a confirmed application earns: minutes × rate / 60, rounded half up to
// whole coins (per application, not per day or year): coins = ⌊(minutes × rate + 30) / 60⌋.
// With 25 coins an hour: 1 minute → 0, 2 minutes → 1, 90 minutes → 38 (37.5 rounds up).
func CoinsFor(minutes, coinsPerHour int) int64 {
	if minutes <= 0 || coinsPerHour <= 0 {
		return 0
	}
	return (int64(minutes)*int64(coinsPerHour) + 30) / 60
}

// Policy returns the policy in force.
func (s *Service) Policy(ctx context.Context) (*Policy, error) {
	return currentPolicy(ctx, s.db)
}

func currentPolicy(ctx context.Context, q sqlx.QueryerContext) (*Policy, error) {
	var ps []Policy
	if err := sqlx.SelectContext(ctx, q, &ps, `SELECT `+policyColumns+` FROM coin_policies ORDER BY id DESC LIMIT 1`); err != nil {
		return nil, fmt.Errorf("load coin policy: %w", err)
	}
	if len(ps) == 0 { // the migration writes the first version; this is a fallback
		return &Policy{CoinsPerHour: DefaultCoinsPerHour, EuroCentsPer10Coins: DefaultEuroCentsPer10Coins}, nil
	}
	return &ps[0], nil
}

// PolicyHistory lists every version of the policy, newest first.
func (s *Service) PolicyHistory(ctx context.Context) ([]Policy, error) {
	var ps []Policy
	if err := s.db.SelectContext(ctx, &ps, `SELECT `+policyColumns+` FROM coin_policies ORDER BY id DESC`); err != nil {
		return nil, fmt.Errorf("load coin policies: %w", err)
	}
	return ps, nil
}

func rangeCheck(v *errs.UserErrors, field string, n, lo, hi int) {
	if n < lo || n > hi {
		v.Add(field, errs.OutOfRange, "out_of_range", map[string]any{"Min": lo, "Max": hi})
	}
}

// SetPolicy writes a new version of the coin policy (for administrators; by is the person).
// It applies to everything minted from now on; earlier versions are kept.
func (s *Service) SetPolicy(ctx context.Context, by string, in PolicyInput) (*Policy, error) {
	var v errs.UserErrors
	rangeCheck(&v, "coinsPerHour", in.CoinsPerHour, 1, MaxCoinsPerHour)
	rangeCheck(&v, "euroCentsPer10Coins", in.EuroCentsPer10Coins, 1, MaxEuroCentsPer10Coins)
	if in.YearlyCapPerPerson != nil {
		rangeCheck(&v, "yearlyCapPerPerson", *in.YearlyCapPerPerson, 1, MaxYearlyCap)
	}
	if in.ExpiryMonths != nil {
		rangeCheck(&v, "expiryMonths", *in.ExpiryMonths, 1, MaxExpiryMonths)
	}
	if in.MerchantCap != nil {
		rangeCheck(&v, "merchantCap", *in.MerchantCap, 1, MaxMerchantCap)
	}
	if in.IssuerAccountID != nil {
		a, err := s.AccountByID(ctx, *in.IssuerAccountID)
		switch {
		case errors.Is(err, errs.ErrNotFound):
			v.Add("issuerAccountId", errs.UnknownReference, MsgUnknownAccount, nil)
		case err != nil:
			return nil, err
		case a.Kind != KindIssuer:
			v.Add("issuerAccountId", errs.Invalid, MsgNotAnIssuer, nil)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := checkCreatedBy(by); err != nil {
		return nil, err
	}
	var p Policy
	if err := s.db.GetContext(ctx, &p, `INSERT INTO coin_policies (coins_per_hour, yearly_cap_per_person, gifts_allowed,
		expiry_months, merchant_cap, euro_cents_per_10_coins, issuer_account_id, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING `+policyColumns,
		in.CoinsPerHour, in.YearlyCapPerPerson, in.GiftsAllowed, in.ExpiryMonths, in.MerchantCap, in.EuroCentsPer10Coins,
		in.IssuerAccountID, nullable(by)); err != nil {
		return nil, fmt.Errorf("set coin policy: %w", err)
	}
	s.log.InfoContext(ctx, "coin policy set", "policy", p.ID, "by", by, "coinsPerHour", p.CoinsPerHour)
	return &p, nil
}

// FundRequest adds coins to an issuer's budget, from the city's funding source.
type FundRequest struct {
	IssuerAccountID string
	Amount          int64
	IdempotencyKey  string
	Memo            string
	CreatedBy       string
}

// FundIssuer adds coins to an issuer's budget (for administrators). To take budget back,
// reverse the funding transaction (refused when the coins were minted already).
func (s *Service) FundIssuer(ctx context.Context, in FundRequest) (*Transaction, error) {
	var v errs.UserErrors
	checkKey(&v, in.IdempotencyKey)
	checkAmount(&v, "amount", in.Amount)
	if err := v.Err(); err != nil {
		return nil, err
	}
	a, err := s.AccountByID(ctx, in.IssuerAccountID)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, errs.One("issuerAccountId", errs.UnknownReference, MsgUnknownAccount, nil)
	}
	if err != nil {
		return nil, err
	}
	if a.Kind != KindIssuer {
		return nil, errs.One("issuerAccountId", errs.Invalid, MsgNotAnIssuer, nil)
	}
	funding, err := s.Funding(ctx)
	if err != nil {
		return nil, err
	}
	return s.Transfer(ctx, TransferRequest{IdempotencyKey: in.IdempotencyKey, Kind: TxFund, From: funding.ID, To: a.ID,
		Amount: in.Amount, Memo: in.Memo, CreatedBy: in.CreatedBy})
}
