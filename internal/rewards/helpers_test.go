package rewards_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/ledger"
	"github.com/helpende-handen/helpende-handen/internal/rewards"
	"github.com/helpende-handen/helpende-handen/internal/testutil"
)

type env struct {
	t   testing.TB
	ctx context.Context
	db  *sqlx.DB
	led *ledger.Service
	rw  *rewards.Service
}

func newEnv(t testing.TB) *env {
	t.Helper()
	db := testutil.NewDB(t)
	led := ledger.NewService(db, testutil.Logger(t))
	return &env{t: t, ctx: context.Background(), db: db, led: led, rw: rewards.NewService(db, led, testutil.Logger(t))}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func newID() string { return uuid.NewString() }

// person makes a person and returns a viewer for them.
func (e *env) person(lang string) *accounts.Viewer {
	e.t.Helper()
	var id string
	must(e.t, e.db.GetContext(e.ctx, &id, `INSERT INTO people (email, password_hash, display_name, preferred_language)
		VALUES ($1, 'x', 'Test Persoon', $2) RETURNING id`, newID()+"@example.org", lang))
	return &accounts.Viewer{PersonID: id, PreferredLanguage: lang}
}

// org makes an organisation of a kind and status with member as its admin.
func (e *env) org(kind, status string, member *accounts.Viewer) string {
	e.t.Helper()
	var id string
	must(e.t, e.db.GetContext(e.ctx, &id, `INSERT INTO organisations (kind, status, name, district_key, themes)
		VALUES ($1, $2, 'Bakkerij ' || $3, 'berchem', '{elderly}') RETURNING id`, kind, status, newID()[:6]))
	if member != nil {
		_, err := e.db.ExecContext(e.ctx, `INSERT INTO organisation_members (organisation_id, person_id, role) VALUES ($1, $2, 'ADMIN')`,
			id, member.PersonID)
		must(e.t, err)
	}
	return id
}

// merchant makes an approved merchant and a member of it.
func (e *env) merchant() (string, *accounts.Viewer) {
	e.t.Helper()
	m := e.person("nl")
	return e.org("MERCHANT", "APPROVED", m), m
}

func (e *env) setPolicy(gifts bool, expiryMonths *int, merchantCap *int) {
	e.t.Helper()
	_, err := e.led.SetPolicy(e.ctx, "", ledger.PolicyInput{CoinsPerHour: 25, EuroCentsPer10Coins: 100, GiftsAllowed: gifts,
		ExpiryMonths: expiryMonths, MerchantCap: merchantCap})
	must(e.t, err)
}

// issuer returns the city's issuer account funded with budget more coins.
func (e *env) issuer(budget int64) ledger.Account {
	e.t.Helper()
	is, err := e.led.CityIssuer(e.ctx)
	must(e.t, err)
	if budget > 0 {
		_, err = e.led.FundIssuer(e.ctx, ledger.FundRequest{IssuerAccountID: is.ID, Amount: budget, IdempotencyKey: "fund:" + newID()})
		must(e.t, err)
	}
	return is
}

// mint gives a person coins (issuer → wallet, as minting does).
func (e *env) mint(personID string, coins int64) *ledger.Transaction {
	e.t.Helper()
	is := e.issuer(coins)
	w, err := e.led.Wallet(e.ctx, personID)
	must(e.t, err)
	tx, err := e.led.Transfer(e.ctx, ledger.TransferRequest{IdempotencyKey: "mint:" + newID(), Kind: ledger.TxMint,
		From: is.ID, To: w.ID, Amount: coins})
	must(e.t, err)
	return tx
}

func (e *env) balance(kind, owner string) int64 {
	e.t.Helper()
	a, err := e.led.Account(e.ctx, kind, owner)
	must(e.t, err)
	return a.Balance
}

func (e *env) wallet(personID string) int64 {
	e.t.Helper()
	return e.balance(ledger.KindWallet, personID)
}

func (e *env) reward(merchantID string, by *accounts.Viewer, price, stock int, mutate ...func(*rewards.RewardInput)) *rewards.Reward {
	e.t.Helper()
	in := rewards.RewardInput{Title: ptr(fmt.Sprintf("Brood %d", price)), Price: ptr(price), Stock: ptr(stock),
		ValidFrom: ptr(e.rw.Now().Add(-time.Hour))}
	for _, m := range mutate {
		m(&in)
	}
	r, err := e.rw.CreateReward(e.ctx, by, merchantID, in)
	must(e.t, err)
	return r
}

func (e *env) count(q string, args ...any) int {
	e.t.Helper()
	var n int
	must(e.t, e.db.GetContext(e.ctx, &n, q, args...))
	return n
}

// audits fails the test when the ledger's or the rewards' audit finds anything.
func (e *env) audits() {
	e.t.Helper()
	r, err := e.led.Audit(e.ctx)
	must(e.t, err)
	if !r.OK() {
		e.t.Fatalf("ledger audit: %v", r.Problems())
	}
	a, err := e.rw.Audit(e.ctx)
	must(e.t, err)
	if !a.OK() {
		e.t.Fatalf("rewards audit: %v", a.Problems())
	}
}

func ptr[T any](v T) *T { return &v }

// userError asserts that err is exactly one user error with this message key.
func userError(t testing.TB, err error, msg string) {
	t.Helper()
	u, ok := errs.AsUserErrors(err)
	if !ok || len(u) != 1 || u[0].Message != msg {
		t.Fatalf("want user error %q, got %v (%+v)", msg, err, u)
	}
}

// message returns the message key of a single user error, or "" when err is none.
func message(err error) string {
	if u, ok := errs.AsUserErrors(err); ok && len(u) == 1 {
		return u[0].Message
	}
	if err != nil {
		return "error: " + err.Error()
	}
	return ""
}
