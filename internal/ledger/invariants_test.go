package ledger_test

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/ledger"
)

// The invariant engine runs random sequences of every ledger operation against a model of
// the balances, and after every step checks: every balance is what the model says, no
// refused or replayed request wrote anything, and the audit (balances rebuilt from postings,
// the sum of all postings zero, every transaction balanced, no account below zero, reversals
// exact, mints matching their records) finds nothing.

// source gives the engine its choices: a seeded PRNG, or the bytes of a fuzz input.
type source interface {
	intn(n int) int
	more() bool
}

type randSource struct{ r *rand.Rand }

func (s randSource) intn(n int) int { return s.r.IntN(n) }
func (s randSource) more() bool     { return true }

type byteSource struct {
	b []byte
	i int
}

func (s *byteSource) intn(n int) int {
	var v uint16
	if s.i+2 <= len(s.b) {
		v = binary.LittleEndian.Uint16(s.b[s.i:])
	}
	s.i += 2
	return int(v) % n
}

func (s *byteSource) more() bool { return s.i < len(s.b) }

type engTx struct {
	id       string
	kind     string
	postings []ledger.Posting
	reversed bool
}

type replayable struct {
	id       string
	again    func() (*ledger.Transaction, error) // the same key and request
	conflict func() error                        // the same key, another request
}

type engine struct {
	e   *env
	src source
	run string
	seq int

	funding, issuer, outstanding, settlement, expired string
	wallets, merchants                                []string
	owner                                             map[string]string // wallet → person
	kind                                              map[string]string
	model                                             map[string]int64

	txs     []*engTx
	replays []replayable
	events  []string
	txCount int
	history []string
	// fullAuditEvery: run the full audit every so many steps (0 or 1: every step).
	fullAuditEvery int
}

func newEngine(e *env, src source) *engine {
	e.t.Helper()
	en := &engine{e: e, src: src, run: newID()[:8], owner: map[string]string{}, kind: map[string]string{}, model: map[string]int64{}}
	add := func(a ledger.Account) string {
		en.kind[a.ID] = a.Kind
		en.model[a.ID] = a.Balance
		return a.ID
	}
	f, err := e.svc.Funding(e.ctx)
	must(e.t, err)
	en.funding = add(f)
	is, err := e.svc.CityIssuer(e.ctx)
	must(e.t, err)
	en.issuer = add(is)
	en.outstanding = add(e.account(ledger.KindVouchersOutstanding, newID()))
	en.settlement = add(e.account(ledger.KindSettlement, ""))
	en.expired = add(e.account(ledger.KindExpired, ""))
	for i := 0; i < 4; i++ {
		p := newID()
		w := add(e.account(ledger.KindWallet, p))
		en.owner[w] = p
		en.wallets = append(en.wallets, w)
	}
	for i := 0; i < 2; i++ {
		en.merchants = append(en.merchants, add(e.account(ledger.KindMerchant, newID())))
	}
	en.txCount = e.count("ledger_transactions")
	return en
}

func (en *engine) key() string {
	en.seq++
	return fmt.Sprintf("inv:%s:%d", en.run, en.seq)
}

func (en *engine) pick(list []string) string { return list[en.src.intn(len(list))] }

func (en *engine) fail(format string, args ...any) {
	en.e.t.Helper()
	n := len(en.history)
	from := max(0, n-15)
	en.e.t.Fatalf("step %d: %s\nlast steps:\n  %s", n, fmt.Sprintf(format, args...), strings.Join(en.history[from:], "\n  "))
}

// expect says how ledger_post answers postings: "" (written) or the refusal's message key.
// Like the database, it checks accounts in id order and reports the first that fails.
func (en *engine) expect(postings []ledger.Posting) string {
	ps := slices.Clone(postings)
	slices.SortFunc(ps, func(a, b ledger.Posting) int { return strings.Compare(a.AccountID, b.AccountID) })
	for _, p := range ps {
		if en.kind[p.AccountID] != ledger.KindFunding && en.model[p.AccountID]+p.Amount < 0 {
			if en.kind[p.AccountID] == ledger.KindIssuer {
				return ledger.MsgBudgetExceeded
			}
			return ledger.MsgInsufficientBalance
		}
	}
	return ""
}

// outcome checks a write's result against the expectation and applies it to the model.
func (en *engine) outcome(what string, t *ledger.Transaction, err error, want string, postings []ledger.Posting, again func() (*ledger.Transaction, error), conflict func() error) {
	en.e.t.Helper()
	en.history = append(en.history, fmt.Sprintf("%s → want %q, err %v", what, want, err))
	if want != "" {
		if !isUserError(err, want) {
			en.fail("%s: want refusal %s, got %v", what, want, err)
		}
		return
	}
	if err != nil {
		en.fail("%s: %v", what, err)
	}
	if t.Replayed || len(t.Postings) != len(postings) {
		en.fail("%s: result %+v", what, t)
	}
	for i, p := range postings {
		en.model[p.AccountID] += p.Amount
		if t.Postings[i].AccountID != p.AccountID || t.Postings[i].Amount != p.Amount || t.Postings[i].BalanceAfter != en.model[p.AccountID] {
			en.fail("%s: posting %d is %+v, want %+v with balance %d", what, i, t.Postings[i], p, en.model[p.AccountID])
		}
	}
	en.txCount++
	en.txs = append(en.txs, &engTx{id: t.ID, kind: t.Kind, postings: slices.Clone(postings)})
	if again != nil {
		en.replays = append(en.replays, replayable{id: t.ID, again: again, conflict: conflict})
	}
}

func (en *engine) transfer(kind, from, to string, amount int64) {
	e := en.e
	req := ledger.TransferRequest{IdempotencyKey: en.key(), Kind: kind, From: from, To: to, Amount: amount, Memo: "m" + fmt.Sprint(en.seq)}
	postings := []ledger.Posting{{AccountID: from, Amount: -amount}, {AccountID: to, Amount: amount}}
	want := en.expect(postings)
	t, err := e.svc.Transfer(e.ctx, req)
	en.outcome(fmt.Sprintf("%s %s→%s %d", kind, en.kind[from], en.kind[to], amount), t, err, want, postings,
		func() (*ledger.Transaction, error) { return e.svc.Transfer(e.ctx, req) },
		func() error { r := req; r.Amount++; _, err := e.svc.Transfer(e.ctx, r); return err })
}

func (en *engine) step() {
	e := en.e
	amount := func(max int) int64 { return int64(1 + en.src.intn(max)) }
	switch op := en.src.intn(17); op {
	case 0: // fund the issuer
		amount := amount(400)
		req := ledger.FundRequest{IssuerAccountID: en.issuer, Amount: amount, IdempotencyKey: en.key()}
		t, err := e.svc.FundIssuer(e.ctx, req)
		en.outcome(fmt.Sprintf("fund %d", amount), t, err, "", []ledger.Posting{{AccountID: en.funding, Amount: -amount}, {AccountID: en.issuer, Amount: amount}},
			func() (*ledger.Transaction, error) { return e.svc.FundIssuer(e.ctx, req) },
			func() error { r := req; r.Amount++; _, err := e.svc.FundIssuer(e.ctx, r); return err })
	case 1, 2: // mint directly
		en.transfer(ledger.TxMint, en.issuer, en.pick(en.wallets), amount(150))
	case 3: // mint from a confirmed attendance
		w := en.pick(en.wallets)
		minutes := en.src.intn(400)
		app := e.confirm(en.owner[w], minutes, "2026-05-01")
		en.events = append(en.events, app)
		coins := min(ledger.CoinsFor(minutes, ledger.DefaultCoinsPerHour), en.model[en.issuer])
		n, err := e.svc.MintPending(e.ctx)
		en.history = append(en.history, fmt.Sprintf("mint event %d min → %d coins, processed %d, err %v", minutes, coins, n, err))
		if err != nil || n != 1 {
			en.fail("mint pending: %d, %v", n, err)
		}
		if coins > 0 {
			t, err := e.svc.TransactionByKey(e.ctx, ledger.MintKey(app))
			if err != nil {
				en.fail("mint transaction: %v", err)
			}
			en.model[en.issuer] -= coins
			en.model[w] += coins
			en.txCount++
			en.txs = append(en.txs, &engTx{id: t.ID, kind: t.Kind, postings: t.Postings})
		}
	case 4: // the same event delivered again
		if len(en.events) == 0 {
			return
		}
		app := en.pick(en.events)
		if _, err := e.db.ExecContext(e.ctx, `UPDATE outbox SET processed_at = NULL WHERE key = $1`, app); err != nil {
			en.fail("redeliver: %v", err)
		}
		n, err := e.svc.MintPending(e.ctx)
		en.history = append(en.history, fmt.Sprintf("redeliver %s → %d, %v", app, n, err))
		if err != nil || n != 1 {
			en.fail("redelivery: %d, %v", n, err)
		}
	case 5, 6: // gift between wallets
		from, to := en.pick(en.wallets), en.pick(en.wallets)
		if from == to {
			return
		}
		en.transfer(ledger.TxGift, from, to, amount(120))
	case 7: // redeem: wallet → vouchers outstanding
		en.transfer(ledger.TxRedeem, en.pick(en.wallets), en.outstanding, amount(80))
	case 8: // accept: outstanding → merchant
		en.transfer(ledger.TxAccept, en.outstanding, en.pick(en.merchants), amount(80))
	case 9: // cancel: outstanding → wallet
		en.transfer(ledger.TxCancel, en.outstanding, en.pick(en.wallets), amount(60))
	case 10: // settle or expire
		if en.src.intn(2) == 0 {
			en.transfer(ledger.TxSettle, en.pick(en.merchants), en.settlement, amount(100))
		} else {
			en.transfer(ledger.TxExpire, en.pick(en.wallets), en.expired, amount(30))
		}
	case 11: // a transaction of three postings
		from := en.pick(en.wallets)
		to1, to2 := en.pick(en.wallets), en.pick(en.merchants)
		if to1 == from {
			return
		}
		total := 2 + int64(en.src.intn(100))
		a := 1 + int64(en.src.intn(int(total-1)))
		postings := []ledger.Posting{{AccountID: from, Amount: -total}, {AccountID: to1, Amount: a}, {AccountID: to2, Amount: total - a}}
		req := ledger.PostRequest{IdempotencyKey: en.key(), Kind: ledger.TxTransfer, Postings: postings}
		want := en.expect(postings)
		t, err := e.svc.Post(e.ctx, req)
		en.outcome(fmt.Sprintf("post 3 %d", total), t, err, want, postings,
			func() (*ledger.Transaction, error) { return e.svc.Post(e.ctx, req) },
			func() error {
				r := req
				r.Postings = []ledger.Posting{{AccountID: from, Amount: -total}, {AccountID: to1, Amount: total}}
				_, err := e.svc.Post(e.ctx, r)
				return err
			})
	case 12: // reverse a past transaction
		if len(en.txs) == 0 {
			return
		}
		tx := en.txs[en.src.intn(len(en.txs))]
		postings := make([]ledger.Posting, len(tx.postings))
		for i, p := range tx.postings {
			postings[i] = ledger.Posting{AccountID: p.AccountID, Amount: -p.Amount}
		}
		want := ""
		switch {
		case tx.kind == ledger.TxReversal:
			want = ledger.MsgNotReversible
		case tx.reversed:
			want = ledger.MsgAlreadyReversed
		default:
			want = en.expect(postings)
		}
		req := ledger.ReverseRequest{TransactionID: tx.id, IdempotencyKey: en.key()}
		t, err := e.svc.Reverse(e.ctx, req)
		en.outcome("reverse "+tx.kind, t, err, want, postings,
			func() (*ledger.Transaction, error) { return e.svc.Reverse(e.ctx, req) }, nil)
		if want == "" {
			tx.reversed = true
		}
	case 13, 14: // retry an earlier write: the first result, nothing written
		if len(en.replays) == 0 {
			return
		}
		r := en.replays[en.src.intn(len(en.replays))]
		t, err := r.again()
		en.history = append(en.history, fmt.Sprintf("replay %s → %v", r.id, err))
		if err != nil || !t.Replayed || t.ID != r.id {
			en.fail("replay: %+v, %v", t, err)
		}
		if en.src.intn(2) == 0 && r.conflict != nil {
			err := r.conflict()
			en.history = append(en.history, fmt.Sprintf("conflict %s → %v", r.id, err))
			if !isUserError(err, ledger.MsgIdempotencyConflict) {
				en.fail("same key, other request: %v", err)
			}
		}
	case 15: // bad input
		w := en.pick(en.wallets)
		to := en.pick(en.merchants)
		cases := []struct {
			amount   int64
			from, to string
			code     errs.Code
		}{
			{0, w, to, errs.OutOfRange}, {-amount(100), w, to, errs.OutOfRange}, {ledger.MaxAmount + amount(1000), w, to, errs.OutOfRange},
			{1, newID(), to, errs.UnknownReference}, {1, w, newID(), errs.UnknownReference}, {1, w, w, errs.Invalid},
		}
		c := cases[en.src.intn(len(cases))]
		_, err := e.svc.Transfer(e.ctx, ledger.TransferRequest{IdempotencyKey: en.key(), Kind: ledger.TxTransfer, From: c.from, To: c.to, Amount: c.amount})
		en.history = append(en.history, fmt.Sprintf("bad input %d → %v", c.amount, err))
		if u, ok := errs.AsUserErrors(err); !ok || len(u) != 1 || u[0].Code != c.code {
			en.fail("bad input %+v: %v", c, err)
		}
	case 16: // more than the wallet holds
		w := en.pick(en.wallets)
		en.transfer(ledger.TxRedeem, w, en.outstanding, en.model[w]+amount(50))
	}
}

// check verifies every invariant.
func (en *engine) check() {
	e := en.e
	ids := make([]string, 0, len(en.model))
	for id := range en.model {
		ids = append(ids, id)
	}
	var rows []struct {
		ID      string `db:"id"`
		Balance int64  `db:"balance"`
	}
	if err := e.db.SelectContext(e.ctx, &rows, `SELECT id, balance FROM ledger_accounts WHERE id = ANY ($1::uuid[])`, pq.StringArray(ids)); err != nil {
		en.fail("balances: %v", err)
	}
	for _, r := range rows {
		if r.Balance != en.model[r.ID] {
			en.fail("%s account %s: balance %d, model %d", en.kind[r.ID], r.ID, r.Balance, en.model[r.ID])
		}
		if r.Balance < 0 && en.kind[r.ID] != ledger.KindFunding {
			en.fail("account %s below zero", r.ID)
		}
	}
	if n := e.count("ledger_transactions"); n != en.txCount {
		en.fail("%d transactions, model %d", n, en.txCount)
	}
	// The accounts of this run, rebuilt from their postings.
	var sums []struct {
		ID    string `db:"account_id"`
		Total int64  `db:"total"`
	}
	if err := e.db.SelectContext(e.ctx, &sums, `SELECT account_id, sum(amount) AS total FROM ledger_postings
		WHERE account_id = ANY ($1::uuid[]) GROUP BY account_id`, pq.StringArray(ids)); err != nil {
		en.fail("sums: %v", err)
	}
	for _, s := range sums {
		if s.Total != en.model[s.ID] {
			en.fail("account %s: postings sum to %d, model %d", s.ID, s.Total, en.model[s.ID])
		}
	}
	if en.fullAuditEvery > 1 && len(en.history)%en.fullAuditEvery != 0 {
		return
	}
	en.audit()
}

// audit runs the full audit of the whole ledger.
func (en *engine) audit() {
	e := en.e
	r, err := e.svc.Audit(e.ctx)
	if err != nil {
		en.fail("audit: %v", err)
	}
	if !r.OK() {
		en.fail("audit: %v", r.Problems())
	}
}

func (en *engine) runSteps(max int) {
	for i := 0; i < max && en.src.more(); i++ {
		en.step()
		en.check()
	}
	en.audit()
}

func TestInvariantsRandomSequences(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	steps := 400
	if testing.Short() {
		steps = 100
	}
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprintf("seed-%d", seed), func(t *testing.T) {
			en := newEngine(e.with(t), randSource{rand.New(rand.NewPCG(seed, 2026))})
			en.runSteps(steps)
			var written int
			for _, tx := range en.txs {
				if tx.reversed {
					written++
				}
			}
			t.Logf("%d steps, %d transactions, %d reversed, %d replayable", steps, len(en.txs), written, len(en.replays))
		})
	}
}

// FuzzLedger drives the same engine from fuzz input: go test ./internal/ledger -run '^$' -fuzz FuzzLedger -fuzztime 60s
func FuzzLedger(f *testing.F) {
	e := newEnv(f)
	f.Add([]byte{0, 0, 100, 0, 1, 0, 50, 0, 5, 0, 1, 2, 3, 0, 12, 0, 0, 0, 13, 0, 0, 0, 1, 0})
	f.Add([]byte("fund mint gift redeem accept cancel settle expire reverse replay bad input overdraw"))
	f.Add([]byte{3, 0, 200, 0, 4, 0, 0, 0, 12, 0, 0, 0, 12, 0, 0, 0, 14, 0, 1, 0, 16, 0, 9, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 512 {
			return
		}
		en := newEngine(e.with(t), &byteSource{b: data})
		en.fullAuditEvery = 10 // the worker's database grows with every input
		en.runSteps(60)
	})
}
