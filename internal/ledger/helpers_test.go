package ledger_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/ledger"
	"github.com/helpende-handen/helpende-handen/internal/testutil"
)

type env struct {
	t   testing.TB
	ctx context.Context
	db  *sqlx.DB
	svc *ledger.Service
}

func newEnv(t testing.TB) *env {
	t.Helper()
	db := testutil.NewDB(t)
	return &env{t: t, ctx: context.Background(), db: db, svc: ledger.NewService(db, testutil.Logger(t))}
}

// services returns n services on the env's database, like n processes of the platform: each
// has its own in-process queue, so concurrent writes through them meet in the database.
func (e *env) services(n int) []*ledger.Service {
	out := make([]*ledger.Service, n)
	for i := range out {
		out[i] = ledger.NewService(e.db, testutil.Logger(e.t))
	}
	return out
}

// with returns the env failing another test (a subtest or a fuzz iteration).
func (e *env) with(t testing.TB) *env {
	c := *e
	c.t = t
	return &c
}

func newID() string { return uuid.NewString() }

func (e *env) account(kind, owner string) ledger.Account {
	e.t.Helper()
	a, err := e.svc.Account(e.ctx, kind, owner)
	if err != nil {
		e.t.Fatalf("account %s %s: %v", kind, owner, err)
	}
	return a
}

// wallet returns a new person's wallet.
func (e *env) wallet() ledger.Account { e.t.Helper(); return e.account(ledger.KindWallet, newID()) }

// issuer returns a new organisation's issuer account, funded with budget coins.
func (e *env) issuer(budget int64) ledger.Account {
	e.t.Helper()
	a := e.account(ledger.KindIssuer, newID())
	if budget > 0 {
		e.fund(a.ID, budget)
	}
	return a
}

func (e *env) fund(issuerID string, amount int64) *ledger.Transaction {
	e.t.Helper()
	t, err := e.svc.FundIssuer(e.ctx, ledger.FundRequest{IssuerAccountID: issuerID, Amount: amount, IdempotencyKey: "fund:" + newID()})
	if err != nil {
		e.t.Fatalf("fund issuer: %v", err)
	}
	return t
}

// walletWith returns a new wallet holding coins (minted from a fresh issuer).
func (e *env) walletWith(coins int64) ledger.Account {
	e.t.Helper()
	w := e.wallet()
	if coins > 0 {
		is := e.issuer(coins)
		e.transfer(ledger.TxMint, is.ID, w.ID, coins)
	}
	return w
}

func (e *env) transfer(kind, from, to string, amount int64) *ledger.Transaction {
	e.t.Helper()
	t, err := e.svc.Transfer(e.ctx, ledger.TransferRequest{IdempotencyKey: newID(), Kind: kind, From: from, To: to, Amount: amount})
	if err != nil {
		e.t.Fatalf("transfer %s %d: %v", kind, amount, err)
	}
	return t
}

func (e *env) balance(id string) int64 {
	e.t.Helper()
	b, err := e.svc.Balance(e.ctx, id)
	if err != nil {
		e.t.Fatalf("balance: %v", err)
	}
	return b
}

func (e *env) count(table string) int {
	e.t.Helper()
	var n int
	if err := e.db.GetContext(e.ctx, &n, `SELECT count(*) FROM `+table); err != nil {
		e.t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// audit fails the test when the audit finds anything.
func (e *env) audit() *ledger.AuditReport {
	e.t.Helper()
	r, err := e.svc.Audit(e.ctx)
	if err != nil {
		e.t.Fatalf("audit: %v", err)
	}
	if !r.OK() {
		e.t.Fatalf("audit found problems:\n%v", r.Problems())
	}
	return r
}

// userError asserts that err carries exactly one user error with this code and message key,
// and returns its field path.
func userError(t testing.TB, err error, code errs.Code, msg string) string {
	t.Helper()
	u, ok := errs.AsUserErrors(err)
	if !ok {
		t.Fatalf("want user error %s/%s, got %v", code, msg, err)
	}
	if len(u) != 1 || u[0].Code != code || u[0].Message != msg {
		t.Fatalf("want user error %s/%s, got %+v", code, msg, u)
	}
	return joinField(u[0].Field)
}

func joinField(f []string) string {
	s := ""
	for i, p := range f {
		if i > 0 {
			s += "."
		}
		s += p
	}
	return s
}

func isUserError(err error, msg string) bool {
	u, ok := errs.AsUserErrors(err)
	return ok && len(u) == 1 && u[0].Message == msg
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
