package ledger_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/ledger"
)

func TestAccountsAreGetOrCreate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	person := newID()
	a := e.account(ledger.KindWallet, person)
	b := e.account(ledger.KindWallet, person)
	if a.ID != b.ID || a.Balance != 0 || a.AllowNegative {
		t.Fatalf("wallet not stable: %+v %+v", a, b)
	}
	f1, f2 := e.account(ledger.KindFunding, ""), e.account(ledger.KindFunding, "")
	if f1.ID != f2.ID || !f1.AllowNegative {
		t.Fatalf("one funding account that may go negative: %+v %+v", f1, f2)
	}
	c1, c2 := e.account(ledger.KindIssuer, ""), e.account(ledger.KindIssuer, "")
	if c1.ID != c2.ID || c1.AllowNegative {
		t.Fatalf("one city issuer: %+v %+v", c1, c2)
	}
	owners := []string{newID(), person, newID()}
	many, err := e.svc.Accounts(e.ctx, ledger.KindWallet, owners)
	must(t, err)
	if len(many) != 3 || many[1].ID != a.ID || *many[0].OwnerID != owners[0] || *many[2].OwnerID != owners[2] {
		t.Fatalf("bulk accounts: %+v", many)
	}
	if _, err := e.svc.Account(e.ctx, ledger.KindWallet, ""); err == nil {
		t.Fatal("a wallet needs an owner")
	}
	if _, err := e.svc.Account(e.ctx, ledger.KindWallet, "not-a-uuid"); !isUserError(err, "invalid_id") {
		t.Fatalf("bad owner: %v", err)
	}
	if _, err := e.svc.AccountByID(e.ctx, newID()); !errors.Is(err, errs.ErrNotFound) {
		t.Fatalf("unknown account: %v", err)
	}
}

func TestTransferAndStatement(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	is := e.issuer(1000)
	w1, w2 := e.wallet(), e.wallet()
	who := newID()
	tx, err := e.svc.Transfer(e.ctx, ledger.TransferRequest{IdempotencyKey: "k1", Kind: ledger.TxMint, From: is.ID, To: w1.ID,
		Amount: 300, Memo: "3 uur soep", Metadata: map[string]any{"applicationId": "x"}, CreatedBy: who})
	must(t, err)
	if tx.Replayed || tx.Amount() != 300 || tx.Posting(w1.ID).BalanceAfter != 300 || tx.Posting(is.ID).BalanceAfter != 700 ||
		*tx.CreatedBy != who || tx.Metadata()["applicationId"] != "x" {
		t.Fatalf("transfer result: %+v", tx)
	}
	e.transfer(ledger.TxGift, w1.ID, w2.ID, 120)
	e.transfer(ledger.TxGift, w2.ID, w1.ID, 20)
	if e.balance(w1.ID) != 200 || e.balance(w2.ID) != 100 || e.balance(is.ID) != 700 {
		t.Fatal("balances")
	}
	page, err := e.svc.Entries(e.ctx, w1.ID, 2, nil)
	must(t, err)
	if len(page.Entries) != 2 || !page.HasNextPage || page.Entries[0].Amount != 20 || page.Entries[0].BalanceAfter != 200 ||
		page.Entries[1].Amount != -120 || page.Entries[0].Counterparties[0] != w2.ID {
		t.Fatalf("first page: %+v", page)
	}
	cur := page.Entries[1].Cursor()
	page, err = e.svc.Entries(e.ctx, w1.ID, 2, &cur)
	must(t, err)
	if len(page.Entries) != 1 || page.HasNextPage || page.Entries[0].Kind != ledger.TxMint || page.Entries[0].Memo != "3 uur soep" {
		t.Fatalf("second page: %+v", page)
	}
	got, err := e.svc.Transaction(e.ctx, tx.ID)
	must(t, err)
	if got.IdempotencyKey != "k1" || len(got.Postings) != 2 || got.Amount() != 300 {
		t.Fatalf("load transaction: %+v", got)
	}
	e.audit()
}

func TestPostSeveralPostings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	w := e.walletWith(100)
	a, b := e.wallet(), e.account(ledger.KindMerchant, newID())
	tx, err := e.svc.Post(e.ctx, ledger.PostRequest{IdempotencyKey: newID(), Kind: ledger.TxTransfer, Postings: []ledger.Posting{
		{AccountID: w.ID, Amount: -70}, {AccountID: a.ID, Amount: 30}, {AccountID: b.ID, Amount: 40}}})
	must(t, err)
	if len(tx.Postings) != 3 || tx.Postings[0].BalanceAfter != 30 || tx.Postings[2].BalanceAfter != 40 {
		t.Fatalf("post: %+v", tx)
	}
	_, err = e.svc.Post(e.ctx, ledger.PostRequest{IdempotencyKey: newID(), Kind: ledger.TxTransfer, Postings: []ledger.Posting{
		{AccountID: w.ID, Amount: -10}, {AccountID: a.ID, Amount: 11}}})
	userError(t, err, errs.Invalid, ledger.MsgUnbalanced)
	_, err = e.svc.Post(e.ctx, ledger.PostRequest{IdempotencyKey: newID(), Kind: ledger.TxTransfer, Postings: []ledger.Posting{
		{AccountID: w.ID, Amount: -10}, {AccountID: w.ID, Amount: 10}}})
	userError(t, err, errs.Invalid, ledger.MsgSameAccount)
	_, err = e.svc.Post(e.ctx, ledger.PostRequest{IdempotencyKey: newID(), Kind: ledger.TxTransfer, Postings: []ledger.Posting{
		{AccountID: w.ID, Amount: -31}, {AccountID: a.ID, Amount: 31}}})
	if f := userError(t, err, errs.InvalidState, ledger.MsgInsufficientBalance); f != "input.postings.0.amount" {
		t.Fatalf("field %s", f)
	}
	e.audit()
}

func TestReverse(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	is := e.issuer(100)
	w := e.wallet()
	m := e.account(ledger.KindMerchant, newID())
	mint := e.transfer(ledger.TxMint, is.ID, w.ID, 60)
	rev, err := e.svc.Reverse(e.ctx, ledger.ReverseRequest{TransactionID: mint.ID, IdempotencyKey: "rev1", Memo: "wrong person"})
	must(t, err)
	if rev.Kind != ledger.TxReversal || *rev.Reverses != mint.ID || e.balance(w.ID) != 0 || e.balance(is.ID) != 100 {
		t.Fatalf("reversal: %+v", rev)
	}
	// Once only, also with another key.
	_, err = e.svc.Reverse(e.ctx, ledger.ReverseRequest{TransactionID: mint.ID, IdempotencyKey: "rev2"})
	userError(t, err, errs.InvalidState, ledger.MsgAlreadyReversed)
	// The same key replays.
	again, err := e.svc.Reverse(e.ctx, ledger.ReverseRequest{TransactionID: mint.ID, IdempotencyKey: "rev1", Memo: "wrong person"})
	must(t, err)
	if !again.Replayed || again.ID != rev.ID {
		t.Fatalf("replay reversal: %+v", again)
	}
	// A reversal is not reversible.
	_, err = e.svc.Reverse(e.ctx, ledger.ReverseRequest{TransactionID: rev.ID, IdempotencyKey: "rev3"})
	userError(t, err, errs.InvalidState, ledger.MsgNotReversible)
	// Spent coins cannot be reversed away.
	mint2 := e.transfer(ledger.TxMint, is.ID, w.ID, 50)
	e.transfer(ledger.TxRedeem, w.ID, m.ID, 40)
	_, err = e.svc.Reverse(e.ctx, ledger.ReverseRequest{TransactionID: mint2.ID, IdempotencyKey: "rev4"})
	userError(t, err, errs.InvalidState, ledger.MsgInsufficientBalance)
	// Unknown transaction.
	_, err = e.svc.Reverse(e.ctx, ledger.ReverseRequest{TransactionID: newID(), IdempotencyKey: "rev5"})
	userError(t, err, errs.NotFoundCode, ledger.MsgTransactionNotFound)
	page, err := e.svc.Entries(e.ctx, w.ID, 10, nil)
	must(t, err)
	last := page.Entries[len(page.Entries)-1]
	if last.TransactionID != mint.ID || last.ReversedBy == nil || *last.ReversedBy != rev.ID {
		t.Fatalf("statement shows the reversal: %+v", last)
	}
	e.audit()
}

func TestIdempotency(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	is := e.issuer(0)
	w1, w2 := e.wallet(), e.wallet()
	fund := ledger.FundRequest{IssuerAccountID: is.ID, Amount: 500, IdempotencyKey: "fund-1"}
	f1, err := e.svc.FundIssuer(e.ctx, fund)
	must(t, err)
	mint := ledger.TransferRequest{IdempotencyKey: "mint-1", Kind: ledger.TxMint, From: is.ID, To: w1.ID, Amount: 100,
		Metadata: map[string]any{"b": 2, "a": []any{1, "x"}}}
	m1, err := e.svc.Transfer(e.ctx, mint)
	must(t, err)
	// Drain w1 so that a replay of the gift could not be done again.
	gift := ledger.TransferRequest{IdempotencyKey: "gift-1", Kind: ledger.TxGift, From: w1.ID, To: w2.ID, Amount: 100, Memo: "voor jou"}
	g1, err := e.svc.Transfer(e.ctx, gift)
	must(t, err)
	post := ledger.PostRequest{IdempotencyKey: "post-1", Kind: ledger.TxTransfer, Postings: []ledger.Posting{
		{AccountID: w2.ID, Amount: -10}, {AccountID: w1.ID, Amount: 10}}}
	p1, err := e.svc.Post(e.ctx, post)
	must(t, err)
	rev := ledger.ReverseRequest{TransactionID: p1.ID, IdempotencyKey: "rev-1"}
	r1, err := e.svc.Reverse(e.ctx, rev)
	must(t, err)

	before := map[string]int64{is.ID: e.balance(is.ID), w1.ID: e.balance(w1.ID), w2.ID: e.balance(w2.ID)}
	txs := e.count("ledger_transactions")
	for i := 0; i < 3; i++ {
		f2, err := e.svc.FundIssuer(e.ctx, fund)
		must(t, err)
		m2, err := e.svc.Transfer(e.ctx, mint)
		must(t, err)
		g2, err := e.svc.Transfer(e.ctx, gift)
		must(t, err)
		p2, err := e.svc.Post(e.ctx, post)
		must(t, err)
		r2, err := e.svc.Reverse(e.ctx, rev)
		must(t, err)
		for _, pair := range [][2]*ledger.Transaction{{f1, f2}, {m1, m2}, {g1, g2}, {p1, p2}, {r1, r2}} {
			if !pair[1].Replayed || pair[1].ID != pair[0].ID || pair[1].Amount() != pair[0].Amount() ||
				pair[1].CreatedAt != pair[0].CreatedAt {
				t.Fatalf("replay differs: %+v vs %+v", pair[0], pair[1])
			}
		}
		if g2.Postings[1].BalanceAfter != g1.Postings[1].BalanceAfter || g2.Memo != "voor jou" {
			t.Fatalf("replay returns the first result: %+v", g2)
		}
	}
	for id, b := range before {
		if e.balance(id) != b {
			t.Fatalf("replay changed a balance")
		}
	}
	if e.count("ledger_transactions") != txs {
		t.Fatal("replay wrote")
	}

	// The same key with another request is refused, whatever differs.
	other := func(m func(*ledger.TransferRequest)) error {
		r := mint
		m(&r)
		_, err := e.svc.Transfer(e.ctx, r)
		return err
	}
	for name, m := range map[string]func(*ledger.TransferRequest){
		"amount":    func(r *ledger.TransferRequest) { r.Amount = 99 },
		"to":        func(r *ledger.TransferRequest) { r.To = w2.ID },
		"kind":      func(r *ledger.TransferRequest) { r.Kind = ledger.TxTransfer },
		"memo":      func(r *ledger.TransferRequest) { r.Memo = "x" },
		"metadata":  func(r *ledger.TransferRequest) { r.Metadata = map[string]any{"b": 3} },
		"createdBy": func(r *ledger.TransferRequest) { r.CreatedBy = newID() },
	} {
		if f := userError(t, other(m), errs.InvalidState, ledger.MsgIdempotencyConflict); f != "input.idempotencyKey" {
			t.Fatalf("%s: field %s", name, f)
		}
	}
	_, err = e.svc.FundIssuer(e.ctx, ledger.FundRequest{IssuerAccountID: is.ID, Amount: 501, IdempotencyKey: "fund-1"})
	userError(t, err, errs.InvalidState, ledger.MsgIdempotencyConflict)
	_, err = e.svc.Reverse(e.ctx, ledger.ReverseRequest{TransactionID: m1.ID, IdempotencyKey: "rev-1"})
	userError(t, err, errs.InvalidState, ledger.MsgIdempotencyConflict)
	// A key used by a refused request (nothing written) may be used again.
	_, err = e.svc.Transfer(e.ctx, ledger.TransferRequest{IdempotencyKey: "late", Kind: ledger.TxGift, From: w1.ID, To: w2.ID, Amount: 1000})
	userError(t, err, errs.InvalidState, ledger.MsgInsufficientBalance)
	_, err = e.svc.Transfer(e.ctx, ledger.TransferRequest{IdempotencyKey: "late", Kind: ledger.TxGift, From: w2.ID, To: w1.ID, Amount: 1})
	must(t, err)
	e.audit()
}

func TestBadInputWritesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	is := e.issuer(100)
	w := e.walletWith(50)
	txs, postings := e.count("ledger_transactions"), e.count("ledger_postings")
	type tc struct {
		name  string
		req   ledger.TransferRequest
		code  errs.Code
		msg   string
		field string
	}
	ok := ledger.TransferRequest{IdempotencyKey: "k", Kind: ledger.TxGift, From: w.ID, To: is.ID, Amount: 1}
	with := func(m func(*ledger.TransferRequest)) ledger.TransferRequest { r := ok; m(&r); return r }
	for _, c := range []tc{
		{"zero", with(func(r *ledger.TransferRequest) { r.Amount = 0 }), errs.OutOfRange, "out_of_range", "amount"},
		{"negative", with(func(r *ledger.TransferRequest) { r.Amount = -10 }), errs.OutOfRange, "out_of_range", "amount"},
		{"2^31", with(func(r *ledger.TransferRequest) { r.Amount = 1 << 31 }), errs.OutOfRange, "out_of_range", "amount"},
		{"over 2^31", with(func(r *ledger.TransferRequest) { r.Amount = 1<<31 + 1 }), errs.OutOfRange, "out_of_range", "amount"},
		{"max int64", with(func(r *ledger.TransferRequest) { r.Amount = 1<<63 - 1 }), errs.OutOfRange, "out_of_range", "amount"},
		{"min int64", with(func(r *ledger.TransferRequest) { r.Amount = -1 << 63 }), errs.OutOfRange, "out_of_range", "amount"},
		{"max allowed but more than held", with(func(r *ledger.TransferRequest) { r.Amount = ledger.MaxAmount }),
			errs.InvalidState, ledger.MsgInsufficientBalance, "amount"},
		{"unknown from", with(func(r *ledger.TransferRequest) { r.From = newID() }), errs.UnknownReference, ledger.MsgUnknownAccount, "from"},
		{"unknown to", with(func(r *ledger.TransferRequest) { r.To = newID() }), errs.UnknownReference, ledger.MsgUnknownAccount, "to"},
		{"malformed to", with(func(r *ledger.TransferRequest) { r.To = "x'; DROP TABLE ledger_postings; --" }),
			errs.UnknownReference, ledger.MsgUnknownAccount, "to"},
		{"same account", with(func(r *ledger.TransferRequest) { r.To = w.ID }), errs.Invalid, ledger.MsgSameAccount, "to"},
		{"no key", with(func(r *ledger.TransferRequest) { r.IdempotencyKey = "" }), errs.Required, "required", "idempotencyKey"},
		{"long key", with(func(r *ledger.TransferRequest) { r.IdempotencyKey = strings.Repeat("k", 201) }), errs.TooLong, "too_long", "idempotencyKey"},
		{"kind", with(func(r *ledger.TransferRequest) { r.Kind = "STEAL" }), errs.Invalid, "invalid", "kind"},
		{"reversal kind", with(func(r *ledger.TransferRequest) { r.Kind = ledger.TxReversal }), errs.Invalid, "invalid", "kind"},
		{"long memo", with(func(r *ledger.TransferRequest) { r.Memo = strings.Repeat("é", 501) }), errs.TooLong, "too_long", "memo"},
		{"bad memo", with(func(r *ledger.TransferRequest) { r.Memo = "a\x00b" }), errs.Invalid, "invalid", "memo"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.svc.Transfer(e.ctx, c.req)
			if f := userError(t, err, c.code, c.msg); f != "input."+c.field {
				t.Fatalf("field %s, want %s", f, c.field)
			}
		})
	}
	_, err := e.svc.FundIssuer(e.ctx, ledger.FundRequest{IssuerAccountID: w.ID, Amount: 5, IdempotencyKey: "f"})
	userError(t, err, errs.Invalid, ledger.MsgNotAnIssuer)
	_, err = e.svc.FundIssuer(e.ctx, ledger.FundRequest{IssuerAccountID: newID(), Amount: 5, IdempotencyKey: "f"})
	userError(t, err, errs.UnknownReference, ledger.MsgUnknownAccount)
	_, err = e.svc.FundIssuer(e.ctx, ledger.FundRequest{IssuerAccountID: is.ID, Amount: 0, IdempotencyKey: "f"})
	userError(t, err, errs.OutOfRange, "out_of_range")
	_, err = e.svc.Post(e.ctx, ledger.PostRequest{IdempotencyKey: "p", Kind: ledger.TxTransfer, Postings: []ledger.Posting{{AccountID: w.ID, Amount: 0}}})
	if u, _ := errs.AsUserErrors(err); len(u) < 2 {
		t.Fatalf("one posting of zero: %v", err)
	}
	_, err = e.svc.Post(e.ctx, ledger.PostRequest{IdempotencyKey: "p", Kind: ledger.TxTransfer, Postings: []ledger.Posting{
		{AccountID: w.ID, Amount: -ledger.MaxAmount - 1}, {AccountID: is.ID, Amount: ledger.MaxAmount + 1}}})
	if u, _ := errs.AsUserErrors(err); len(u) != 2 || u[0].Code != errs.OutOfRange {
		t.Fatalf("postings over 2^31: %v", err)
	}
	if e.count("ledger_transactions") != txs || e.count("ledger_postings") != postings || e.balance(w.ID) != 50 {
		t.Fatal("bad input wrote something")
	}
	e.audit()
}

func TestDatabaseRefusesChanges(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	w := e.walletWith(10)
	is := e.issuer(5)
	for _, q := range []string{
		`UPDATE ledger_postings SET amount = amount * 2`,
		`UPDATE ledger_postings SET balance_after = 0`,
		`DELETE FROM ledger_postings`,
		`TRUNCATE ledger_postings`,
		`UPDATE ledger_transactions SET memo = 'changed'`,
		`DELETE FROM ledger_transactions`,
		`TRUNCATE ledger_transactions CASCADE`,
		`TRUNCATE ledger_accounts CASCADE`,
		`DELETE FROM ledger_accounts`,
		`UPDATE ledger_accounts SET balance = balance + 1`,
		`UPDATE ledger_accounts SET kind = 'FUNDING' WHERE kind = 'WALLET'`,
		`INSERT INTO ledger_accounts (kind, owner_id, balance) VALUES ('WALLET', gen_random_uuid(), 100)`,
		`INSERT INTO ledger_transactions (idempotency_key, request_hash, kind) VALUES ('x', '\x00', 'MINT')`,
		`INSERT INTO ledger_postings (transaction_id, account_id, amount, balance_after)
			SELECT transaction_id, account_id, amount, balance_after FROM ledger_postings`,
		`UPDATE coin_policies SET coins_per_hour = 1000`,
		`DELETE FROM coin_policies`,
		`TRUNCATE mint_records`,
	} {
		if _, err := e.db.ExecContext(e.ctx, q); err == nil {
			t.Fatalf("the database accepted: %s", q)
		}
	}
	// Not even with ledger_post's own setting, when the postings do not balance.
	tx, err := e.db.BeginTxx(e.ctx, nil)
	must(t, err)
	_, err = tx.ExecContext(e.ctx, `SET LOCAL hh.ledger_post = 'on'`)
	must(t, err)
	if _, err := tx.ExecContext(e.ctx, `INSERT INTO ledger_postings (transaction_id, account_id, amount, balance_after)
		SELECT transaction_id, account_id, 5, balance_after FROM ledger_postings LIMIT 1`); err == nil {
		t.Fatal("the database accepted an unbalanced posting")
	}
	_ = tx.Rollback()
	_, err = e.db.ExecContext(e.ctx, `SELECT ledger_post('x', '\x00', 'MINT', ARRAY[$1, $2]::uuid[], ARRAY[-5, 6]::bigint[],
		'', '{}', NULL, NULL)`, is.ID, w.ID)
	if err == nil {
		t.Fatal("ledger_post accepted unbalanced postings")
	}
	if e.balance(w.ID) != 10 || e.balance(is.ID) != 5 {
		t.Fatal("balances changed")
	}
	e.audit()
}

func TestPolicy(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p, err := e.svc.Policy(e.ctx)
	must(t, err)
	if p.CoinsPerHour != 25 || p.EuroCentsPer10Coins != 100 || p.YearlyCapPerPerson != nil || p.GiftsAllowed {
		t.Fatalf("default policy: %+v", p)
	}
	admin := newID()
	cap := 500
	is := e.issuer(0)
	p2, err := e.svc.SetPolicy(e.ctx, admin, ledger.PolicyInput{CoinsPerHour: 30, YearlyCapPerPerson: &cap, GiftsAllowed: true,
		EuroCentsPer10Coins: 120, IssuerAccountID: &is.ID})
	must(t, err)
	cur, err := e.svc.Policy(e.ctx)
	must(t, err)
	if cur.ID != p2.ID || cur.CoinsPerHour != 30 || *cur.YearlyCapPerPerson != 500 || *cur.IssuerAccountID != is.ID || *cur.CreatedBy != admin {
		t.Fatalf("policy: %+v", cur)
	}
	zero, big := 0, ledger.MaxYearlyCap+1
	w := e.wallet()
	_, err = e.svc.SetPolicy(e.ctx, admin, ledger.PolicyInput{CoinsPerHour: 0, YearlyCapPerPerson: &zero, ExpiryMonths: &big,
		EuroCentsPer10Coins: 100, IssuerAccountID: &w.ID})
	u, _ := errs.AsUserErrors(err)
	if len(u) != 4 {
		t.Fatalf("bad policy: %v", err)
	}
	hist, err := e.svc.PolicyHistory(e.ctx)
	must(t, err)
	if len(hist) != 2 {
		t.Fatalf("history: %d", len(hist))
	}
}

func TestCoinsForRounding(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		minutes, rate int
		want          int64
	}{
		{0, 25, 0}, {1, 25, 0}, {2, 25, 1}, // 0.42 → 0, 0.83 → 1
		{6, 25, 3},                // 2.5 → 3 (half up)
		{12, 25, 5}, {30, 25, 13}, // 12.5 → 13
		{60, 25, 25}, {90, 25, 38}, {150, 25, 63}, // 37.5 → 38, 62.5 → 63
		{179, 25, 75}, // 74.58 → 75
		{1440, 25, 600}, {45, 10, 8}, {59, 1, 1}, {29, 1, 0}, {30, 1, 1},
		{1440, 1000, 24000}, {-5, 25, 0},
	} {
		if got := ledger.CoinsFor(c.minutes, c.rate); got != c.want {
			t.Errorf("CoinsFor(%d, %d) = %d, want %d", c.minutes, c.rate, got, c.want)
		}
	}
}
