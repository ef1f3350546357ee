package ledger_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/ledger"
	"github.com/helpende-handen/helpende-handen/internal/volunteering"
)

// confirm writes the outbox event volunteering writes when attendance is confirmed.
func (e *env) confirm(person string, minutes int, workedOn string) string {
	e.t.Helper()
	app := newID()
	ev := volunteering.AttendanceConfirmed{ApplicationID: app, PersonID: person, NeedID: newID(), OrganisationID: newID(),
		Minutes: minutes, WorkedOn: workedOn, ConfirmedAt: time.Now(), ConfirmedBy: newID()}
	payload, _ := json.Marshal(ev)
	if _, err := e.db.ExecContext(e.ctx, `INSERT INTO outbox (topic, key, payload) VALUES ($1, $2, $3)`,
		volunteering.TopicAttendanceConfirmed, app, payload); err != nil {
		e.t.Fatalf("outbox: %v", err)
	}
	return app
}

func (e *env) mintPending() int {
	e.t.Helper()
	n, err := e.svc.MintPending(e.ctx)
	if err != nil {
		e.t.Fatalf("mint pending: %v", err)
	}
	return n
}

func (e *env) record(app string) *ledger.MintRecord {
	e.t.Helper()
	m, err := e.svc.MintRecord(e.ctx, app)
	if err != nil {
		e.t.Fatalf("mint record %s: %v", app, err)
	}
	return m
}

func (e *env) cityIssuer(budget int64) ledger.Account {
	e.t.Helper()
	is, err := e.svc.CityIssuer(e.ctx)
	must(e.t, err)
	if budget > 0 {
		e.fund(is.ID, budget)
	}
	return is
}

func TestMintExactlyOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if ledger.TopicAttendanceConfirmed != volunteering.TopicAttendanceConfirmed {
		t.Fatal("topic differs from volunteering's")
	}
	is := e.cityIssuer(100000)
	people := []string{newID(), newID(), newID(), newID(), newID()}
	want := map[string]int64{}
	apps := []string{}
	for i := 0; i < 40; i++ {
		p := people[i%len(people)]
		minutes := []int{1, 2, 45, 60, 90, 150, 240, 1440}[i%8]
		apps = append(apps, e.confirm(p, minutes, "2026-03-14"))
		want[p] += ledger.CoinsFor(minutes, 25)
	}
	// Several workers at once, twice over: every event once.
	for round := 0; round < 2; round++ {
		run(6, func(int) {
			if _, err := e.svc.MintPending(e.ctx); err != nil {
				t.Errorf("mint pending: %v", err)
			}
		})
	}
	check := func() {
		t.Helper()
		var total int64
		for _, p := range people {
			w, err := e.svc.Wallet(e.ctx, p)
			must(t, err)
			if w.Balance != want[p] {
				t.Fatalf("wallet of %s: %d, want %d", p, w.Balance, want[p])
			}
			total += want[p]
		}
		if e.balance(is.ID) != 100000-total {
			t.Fatalf("issuer: %d", e.balance(is.ID))
		}
		if n := e.count("mint_records"); n != 40 {
			t.Fatalf("mint records: %d", n)
		}
		var pending int
		must(t, e.db.GetContext(e.ctx, &pending, `SELECT count(*) FROM outbox WHERE processed_at IS NULL`))
		if pending != 0 {
			t.Fatalf("pending: %d", pending)
		}
		e.audit()
	}
	check()
	mints := e.count("ledger_transactions")
	r := e.record(apps[4]) // 90 minutes → 38
	if r.CoinsDue != 38 || r.CoinsMinted != 38 || r.Reason != nil || r.TransactionID == nil || r.CoinsPerHour != 25 {
		t.Fatalf("record: %+v", r)
	}
	tx, err := e.svc.TransactionByKey(e.ctx, ledger.MintKey(apps[4]))
	must(t, err)
	if tx.ID != *r.TransactionID || tx.Kind != ledger.TxMint || tx.Metadata()["applicationId"] != apps[4] {
		t.Fatalf("mint transaction: %+v", tx)
	}
	if r := e.record(apps[0]); r.CoinsDue != 0 || r.TransactionID != nil { // 1 minute → 0 coins
		t.Fatalf("1 minute: %+v", r)
	}
	// Redelivery: the events come again (processed mark lost); nothing is minted twice.
	if _, err := e.db.ExecContext(e.ctx, `UPDATE outbox SET processed_at = NULL`); err != nil {
		t.Fatal(err)
	}
	run(4, func(int) {
		if _, err := e.svc.MintPending(e.ctx); err != nil {
			t.Errorf("mint pending: %v", err)
		}
	})
	check()
	if e.count("ledger_transactions") != mints {
		t.Fatal("redelivery minted")
	}
}

func TestMintYearlyCap(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.cityIssuer(10000)
	cap := 60
	_, err := e.svc.SetPolicy(e.ctx, newID(), ledger.PolicyInput{CoinsPerHour: 25, YearlyCapPerPerson: &cap, EuroCentsPer10Coins: 100})
	must(t, err)
	p := newID()
	a1 := e.confirm(p, 120, "2026-02-01") // 50
	a2 := e.confirm(p, 120, "2026-03-01") // 50, 10 left under the cap
	a3 := e.confirm(p, 60, "2026-04-01")  // 25, cap reached
	a4 := e.confirm(p, 120, "2025-12-31") // another year: 50
	if n := e.mintPending(); n != 4 {
		t.Fatalf("processed %d", n)
	}
	for _, c := range []struct {
		app          string
		due, minted  int64
		reason       string
		year         int
		hasTransacti bool
	}{
		{a1, 50, 50, "", 2026, true}, {a2, 50, 10, ledger.ReasonYearlyCap, 2026, true},
		{a3, 25, 0, ledger.ReasonYearlyCap, 2026, false}, {a4, 50, 50, "", 2025, true},
	} {
		r := e.record(c.app)
		reason := ""
		if r.Reason != nil {
			reason = *r.Reason
		}
		if r.CoinsDue != c.due || r.CoinsMinted != c.minted || reason != c.reason || r.WorkedYear != c.year ||
			(r.TransactionID != nil) != c.hasTransacti {
			t.Fatalf("record %+v, want %+v", r, c)
		}
	}
	w, err := e.svc.Wallet(e.ctx, p)
	must(t, err)
	if w.Balance != 110 {
		t.Fatalf("wallet %d", w.Balance)
	}
	// A reversed mint no longer counts against the cap.
	if _, err := e.svc.Reverse(e.ctx, ledger.ReverseRequest{TransactionID: *e.record(a1).TransactionID, IdempotencyKey: "undo-a1"}); err != nil {
		t.Fatal(err)
	}
	a5 := e.confirm(p, 180, "2026-05-01") // 75, 50 left under the cap
	e.mintPending()
	if r := e.record(a5); r.CoinsMinted != 50 || *r.Reason != ledger.ReasonYearlyCap {
		t.Fatalf("after reversal: %+v", r)
	}
	recs, err := e.svc.MintRecords(e.ctx, p, 2026)
	must(t, err)
	if len(recs) != 4 {
		t.Fatalf("records of 2026: %d", len(recs))
	}
	e.audit()
}

func TestMintBudgetExhausted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	is := e.cityIssuer(30)
	p := newID()
	a1 := e.confirm(p, 120, "2026-01-10")
	a2 := e.confirm(p, 60, "2026-01-11")
	e.mintPending()
	if r := e.record(a1); r.CoinsDue != 50 || r.CoinsMinted != 30 || *r.Reason != ledger.ReasonBudgetExhausted {
		t.Fatalf("a1: %+v", r)
	}
	if r := e.record(a2); r.CoinsMinted != 0 || *r.Reason != ledger.ReasonBudgetExhausted || r.TransactionID != nil {
		t.Fatalf("a2: %+v", r)
	}
	if e.balance(is.ID) != 0 {
		t.Fatal("budget")
	}
	// Minting from another issuer when the policy says so.
	org := e.issuer(1000)
	_, err := e.svc.SetPolicy(e.ctx, newID(), ledger.PolicyInput{CoinsPerHour: 10, EuroCentsPer10Coins: 100, IssuerAccountID: &org.ID})
	must(t, err)
	a3 := e.confirm(p, 60, "2026-01-12")
	e.mintPending()
	if r := e.record(a3); r.CoinsMinted != 10 || r.Reason != nil || e.balance(org.ID) != 990 {
		t.Fatalf("a3: %+v", r)
	}
	e.audit()
}

func TestMintLeavesUnreadableEventsPending(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.cityIssuer(1000)
	if _, err := e.db.ExecContext(e.ctx, `INSERT INTO outbox (topic, key, payload) VALUES ($1, 'bad', '{"minutes": "x"}')`,
		ledger.TopicAttendanceConfirmed); err != nil {
		t.Fatal(err)
	}
	good := e.confirm(newID(), 60, "2026-06-01")
	if n := e.mintPending(); n != 1 {
		t.Fatalf("processed %d", n)
	}
	if r := e.record(good); r.CoinsMinted != 25 {
		t.Fatalf("good event: %+v", r)
	}
	var pending int
	must(t, e.db.GetContext(e.ctx, &pending, `SELECT count(*) FROM outbox WHERE processed_at IS NULL`))
	if pending != 1 {
		t.Fatalf("the unreadable event stays pending: %d", pending)
	}
	if _, err := e.svc.MintRecord(e.ctx, newID()); !errors.Is(err, errs.ErrNotFound) {
		t.Fatalf("no record: %v", err)
	}
	e.audit()
}

// 200 confirmed attendances of 24 minutes (10 coins each) against a budget for 150, minted by
// several workers at once: exactly 150 get their coins, 50 are recorded as budget_exhausted.
func TestMintPendingNeverExceedsBudget(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	is := e.cityIssuer(1500)
	people := make([]string, 20)
	for i := range people {
		people[i] = newID()
	}
	for i := 0; i < 200; i++ {
		e.confirm(people[i%len(people)], 24, "2026-09-01")
	}
	run(8, func(int) {
		if _, err := e.svc.MintPending(e.ctx); err != nil {
			t.Errorf("mint pending: %v", err)
		}
	})
	var full, exhausted, minted int
	must(t, e.db.GetContext(e.ctx, &full, `SELECT count(*) FROM mint_records WHERE coins_minted = 10 AND reason IS NULL`))
	must(t, e.db.GetContext(e.ctx, &exhausted, `SELECT count(*) FROM mint_records WHERE coins_minted = 0 AND reason = 'budget_exhausted'`))
	must(t, e.db.GetContext(e.ctx, &minted, `SELECT coalesce(sum(coins_minted), 0) FROM mint_records`))
	if full != 150 || exhausted != 50 || minted != 1500 || e.balance(is.ID) != 0 {
		t.Fatalf("full %d, exhausted %d, minted %d, budget left %d", full, exhausted, minted, e.balance(is.ID))
	}
	e.audit()
}
