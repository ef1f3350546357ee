package rewards_test

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/ledger"
	"github.com/helpende-handen/helpende-handen/internal/rewards"
	"github.com/helpende-handen/helpende-handen/internal/testutil"
)

// The invariant engine runs random sequences of every operation of the currency (mint, redeem,
// accept, cancel, expire vouchers, expire coins, gift, reverse, settle, change stock, and
// retries with the same idempotency key) against a model, predicts each answer (done, or which
// refusal), and after every step checks:
//
//   - every balance is what the model says, and refused or replayed requests wrote nothing;
//   - the ledger audit is clean (balances = sums of postings, all postings sum to zero, ...);
//   - no wallet below zero, the issuer within its budget;
//   - no stock below zero, and stock + issued + accepted vouchers of a reward is what the
//     merchant put in (conserved);
//   - the issued vouchers' prices = the vouchers-outstanding balances, the accepted vouchers'
//     prices = the merchant balances + the settled coins (and the rewards audit is clean).

// source gives the engine its choices: a seeded PRNG, or the bytes of a fuzz input.
type source interface{ intn(n int) int }

type randSource struct{ r *rand.Rand }

func (s randSource) intn(n int) int { return s.r.IntN(n) }

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

type engPerson struct {
	v      *accounts.Viewer
	wallet string
}

type engMerchant struct {
	id, outstanding, account string
	member                   *accounts.Viewer
}

type engReward struct {
	id       string
	merchant int
	price    int
	stock    int
	total    int // stock + issued + accepted
	until    *time.Time
}

type engVoucher struct {
	v       rewards.Voucher
	reward  int
	holder  int
	settled bool
}

type engRedeem struct {
	person, reward int
	key            string
	voucherID      string
}

type engTx struct {
	id       string
	kind     string
	from, to string // accounts
	amount   int64
	reversed bool
	again    func() (*ledger.Transaction, error) // the same key and request
	conflict func() error                        // the same key, another request
}

type engine struct {
	e      *env
	src    source
	clock  time.Time
	start  time.Time // the wall clock when the engine started
	born   time.Time // the first transaction in the database: every coin is received after it
	seq    int
	prefix string // of this run's keys

	issuer, settlement, expired string
	budget                      int64
	people                      []engPerson
	merchants                   []engMerchant
	rewards                     []*engReward
	vouchers                    []*engVoucher
	redeems                     []engRedeem
	txs                         []*engTx
	model                       map[string]int64
	history                     []string
	// auditEvery: the ledger's full audit every so many steps (1: every step).
	auditEvery int
}

func newEngine(e *env, src source) *engine {
	e.t.Helper()
	en := &engine{e: e, src: src, clock: time.Now().Truncate(time.Microsecond), model: map[string]int64{}, auditEvery: 1}
	en.start, en.prefix = en.clock, newID()[:8]
	en.quiesce()
	e.rw.Now = func() time.Time { return en.clock }
	e.setPolicy(true, ptr(12), nil)
	is := e.issuer(3000)
	en.issuer, en.budget = is.ID, is.Balance+3000
	en.model[is.ID] = en.budget
	st, err := e.led.Account(e.ctx, ledger.KindSettlement, "")
	must(e.t, err)
	ex, err := e.led.Account(e.ctx, ledger.KindExpired, "")
	must(e.t, err)
	en.settlement, en.expired = st.ID, ex.ID
	en.model[st.ID], en.model[ex.ID] = st.Balance, ex.Balance
	must(e.t, e.db.GetContext(e.ctx, &en.born, `SELECT coalesce(min(created_at), now()) FROM ledger_transactions`))
	for i := 0; i < 4; i++ {
		v := e.person([]string{"nl", "fr", "en", "ar"}[i])
		w, err := e.led.Wallet(e.ctx, v.PersonID)
		must(e.t, err)
		en.people = append(en.people, engPerson{v: v, wallet: w.ID})
	}
	for i := 0; i < 2; i++ {
		id, member := e.merchant()
		o, err := e.led.Account(e.ctx, ledger.KindVouchersOutstanding, id)
		must(e.t, err)
		m, err := e.led.Account(e.ctx, ledger.KindMerchant, id)
		must(e.t, err)
		en.merchants = append(en.merchants, engMerchant{id: id, outstanding: o.ID, account: m.ID, member: member})
	}
	for i, p := range []int{5, 12, 30, 7} {
		mi := i % 2
		var until *time.Time
		if i == 1 {
			until = ptr(en.clock.Add(60 * 24 * time.Hour))
		}
		stock := 3 + 2*i
		r := e.reward(en.merchants[mi].id, en.merchants[mi].member, p, stock, func(in *rewards.RewardInput) { in.ValidUntil = until })
		en.rewards = append(en.rewards, &engReward{id: r.ID, merchant: mi, price: p, stock: stock, total: stock, until: r.ValidUntil})
	}
	return en
}

// quiesce closes what earlier runs on the same database left open (a fuzz worker reuses its
// database), so that the jobs of this run (expiry, settlement) touch only this run's vouchers:
// issued vouchers are cancelled and accepted ones settled.
func (en *engine) quiesce() {
	e := en.e
	var open []struct {
		ID     string `db:"id"`
		Holder string `db:"person_id"`
	}
	must(e.t, e.db.SelectContext(e.ctx, &open, `SELECT id, person_id FROM vouchers WHERE state = 'ISSUED'`))
	for _, v := range open {
		_, err := e.rw.Cancel(e.ctx, &accounts.Viewer{PersonID: v.Holder}, v.ID)
		must(e.t, err)
	}
	far := time.Date(2400, 1, 1, 0, 0, 0, 0, time.UTC)
	e.rw.Now = func() time.Time { return far }
	_, err := e.rw.SettleAll(e.ctx, far)
	must(e.t, err)
	e.rw.Now = time.Now
}

func (en *engine) key() string {
	en.seq++
	return fmt.Sprintf("%s:%d", en.prefix, en.seq)
}

func (en *engine) fail(format string, args ...any) {
	en.e.t.Helper()
	n := len(en.history)
	en.e.t.Fatalf("step %d: %s\nlast steps:\n  %s", n, fmt.Sprintf(format, args...), strings.Join(en.history[max(0, n-15):], "\n  "))
}

func (en *engine) log(format string, args ...any) {
	en.history = append(en.history, fmt.Sprintf(format, args...))
}

// outcome compares an answer with the prediction ("" done, or the refusal's message key).
func (en *engine) outcome(what string, err error, want string) bool {
	en.e.t.Helper()
	got := message(err)
	en.log("%s → %q (want %q)", what, got, want)
	if got != want {
		en.fail("%s: got %q, want %q", what, got, want)
	}
	return got == ""
}

func (en *engine) move(from, to string, amount int64) {
	en.model[from] -= amount
	en.model[to] += amount
}

func (en *engine) findVoucher(id string) *engVoucher {
	for _, v := range en.vouchers {
		if v.v.ID == id {
			return v
		}
	}
	return nil
}

func (en *engine) step() {
	e := en.e
	snap := e.snapshot()
	unchanged := true // a refused or replayed request writes nothing
	switch op := en.src.intn(16); op {
	case 0, 1: // mint: issuer → wallet
		p := en.src.intn(len(en.people))
		amount := int64(1 + en.src.intn(80))
		key := "mint:" + en.key()
		req := ledger.TransferRequest{IdempotencyKey: key, Kind: ledger.TxMint, From: en.issuer, To: en.people[p].wallet, Amount: amount}
		want := ""
		if en.model[en.issuer] < amount {
			want = ledger.MsgBudgetExceeded
		}
		t, err := e.led.Transfer(e.ctx, req)
		if en.outcome(fmt.Sprintf("mint %d to %d", amount, p), err, want) {
			unchanged = false
			en.move(en.issuer, en.people[p].wallet, amount)
			other := req
			other.Amount++
			en.txs = append(en.txs, &engTx{id: t.ID, kind: ledger.TxMint, from: en.issuer, to: en.people[p].wallet, amount: amount,
				again:    func() (*ledger.Transaction, error) { return e.led.Transfer(e.ctx, req) },
				conflict: func() error { _, err := e.led.Transfer(e.ctx, other); return err }})
		}
	case 2, 3, 4: // redeem
		p, ri := en.src.intn(len(en.people)), en.src.intn(len(en.rewards))
		r := en.rewards[ri]
		want := ""
		switch {
		case r.until != nil && !en.clock.Before(*r.until):
			want = rewards.MsgRewardExpired
		case r.stock == 0:
			want = rewards.MsgOutOfStock
		case en.model[en.people[p].wallet] < int64(r.price):
			want = rewards.MsgInsufficientBalance
		}
		key := en.key()
		v, err := e.rw.Redeem(e.ctx, en.people[p].v, r.id, key)
		if en.outcome(fmt.Sprintf("redeem %d by %d", ri, p), err, want) {
			unchanged = false
			m := en.merchants[r.merchant]
			en.move(en.people[p].wallet, m.outstanding, int64(r.price))
			r.stock--
			want := en.clock.Add(rewards.VoucherValidity)
			if r.until != nil && r.until.Before(want) {
				want = *r.until
			}
			if v.Replayed || v.Price != r.price || v.State != rewards.StateIssued || !v.ValidUntil.Equal(want) {
				en.fail("voucher %+v, want valid until %v", v, want)
			}
			en.vouchers = append(en.vouchers, &engVoucher{v: *v, reward: ri, holder: p})
			en.redeems = append(en.redeems, engRedeem{person: p, reward: ri, key: key, voucherID: v.ID})
		}
	case 5, 6: // accept, sometimes by the wrong merchant
		if len(en.vouchers) == 0 {
			return
		}
		v := en.vouchers[en.src.intn(len(en.vouchers))]
		r := en.rewards[v.reward]
		by := r.merchant
		if en.src.intn(5) == 0 {
			by = 1 - by
		}
		want := ""
		switch {
		case by != r.merchant:
			want = rewards.MsgVoucherWrongMerchant
		case v.v.State == rewards.StateAccepted:
			want = rewards.MsgVoucherAccepted
		case v.v.State == rewards.StateCancelled:
			want = rewards.MsgVoucherCancelled
		case v.v.State == rewards.StateExpired || !en.clock.Before(v.v.ValidUntil):
			want = rewards.MsgVoucherExpired
		}
		got, err := e.rw.Accept(e.ctx, en.merchants[by].member, strings.ToLower(rewards.FormatCode(v.v.Code)))
		if en.outcome(fmt.Sprintf("accept %s by merchant %d", v.v.Code, by), err, want) {
			unchanged = false
			m := en.merchants[r.merchant]
			en.move(m.outstanding, m.account, int64(v.v.Price))
			v.v = *got
		}
	case 7: // cancel, by the holder or the merchant
		if len(en.vouchers) == 0 {
			return
		}
		v := en.vouchers[en.src.intn(len(en.vouchers))]
		by := en.people[v.holder].v
		if en.src.intn(3) == 0 {
			by = en.merchants[en.rewards[v.reward].merchant].member
		}
		want := ""
		switch v.v.State {
		case rewards.StateAccepted:
			want = rewards.MsgVoucherAccepted
		case rewards.StateExpired:
			want = rewards.MsgVoucherExpired
		}
		wasIssued := v.v.State == rewards.StateIssued
		got, err := e.rw.Cancel(e.ctx, by, v.v.ID)
		if en.outcome(fmt.Sprintf("cancel %s (%s)", v.v.Code, v.v.State), err, want) && wasIssued {
			unchanged = false
			en.move(en.merchants[en.rewards[v.reward].merchant].outstanding, en.people[v.holder].wallet, int64(v.v.Price))
			en.rewards[v.reward].stock++
			v.v = *got
		}
	case 8: // time passes; expire vouchers
		en.clock = en.clock.Add(time.Duration(en.src.intn(40*24)) * time.Hour)
		want := 0
		for _, v := range en.vouchers {
			if v.v.State == rewards.StateIssued && !v.v.ValidUntil.After(en.clock) {
				want++
				en.move(en.merchants[en.rewards[v.reward].merchant].outstanding, en.people[v.holder].wallet, int64(v.v.Price))
				en.rewards[v.reward].stock++
				v.v.State = rewards.StateExpired
			}
		}
		n, err := e.rw.ExpireVouchers(e.ctx, en.clock)
		en.log("expire vouchers at +%s → %d (want %d)", en.clock.Sub(en.start).Round(time.Hour), n, want)
		must(e.t, err)
		if n != want {
			en.fail("expired %d vouchers, want %d", n, want)
		}
		unchanged = n == 0
	case 9: // expire coins: today (nothing is old) or more than a year on (everything is)
		at := en.clock
		if en.src.intn(4) == 0 {
			at = at.AddDate(1, 0, 1+en.src.intn(30))
		}
		allWallets := func() int64 {
			var n int64
			must(e.t, e.db.GetContext(e.ctx, &n, `SELECT coalesce(sum(balance), 0) FROM ledger_accounts WHERE kind = 'WALLET'`))
			return n
		}
		wallets := allWallets()
		res, err := e.rw.ExpireCoins(e.ctx, at)
		must(e.t, err)
		en.log("expire coins at +%s → %+v", at.Sub(en.start).Round(time.Hour), res)
		// Every coin was received after born and before now: all are old or all are new.
		cutoff := rewards.ExpiryCutoff(at, 12)
		allOld, allNew := cutoff.After(time.Now()), !cutoff.After(en.born)
		for _, p := range en.people {
			b := en.balance(p.wallet)
			if b > en.model[p.wallet] {
				en.fail("wallet %s: %d after expiry, had %d", p.wallet, b, en.model[p.wallet])
			}
			if allOld && b != 0 { // only when the person's key for that day was used before
				if _, err := e.led.TransactionByKey(e.ctx, rewards.ExpireCoinsKey(p.v.PersonID, at)); err != nil {
					en.fail("wallet %s kept %d old coins", p.wallet, b)
				}
			}
			en.model[p.wallet] = b
		}
		after := allWallets()
		if allNew && res.Coins != 0 {
			en.fail("expired %d new coins", res.Coins)
		}
		if wallets-after != res.Coins {
			en.fail("wallets lost %d, expiry says %d", wallets-after, res.Coins)
		}
		en.model[en.expired] += res.Coins
		again, err := e.rw.ExpireCoins(e.ctx, at)
		must(e.t, err)
		if again.Coins != 0 {
			en.fail("expired again the same day: %+v", again)
		}
		unchanged = res.Coins == 0
	case 10, 11: // gift
		from, to := en.src.intn(len(en.people)), en.src.intn(len(en.people)-1)
		if to >= from {
			to++
		}
		amount := int64(1 + en.src.intn(40))
		in := rewards.GiftInput{ToPersonID: en.people[to].v.PersonID, Amount: amount, Memo: "bedankt", IdempotencyKey: en.key()}
		want := ""
		if en.model[en.people[from].wallet] < amount {
			want = ledger.MsgInsufficientBalance
		}
		t, err := e.rw.TransferCoins(e.ctx, en.people[from].v, in)
		if en.outcome(fmt.Sprintf("gift %d from %d to %d", amount, from, to), err, want) {
			unchanged = false
			en.move(en.people[from].wallet, en.people[to].wallet, amount)
			other := in
			other.Memo = "anders"
			viewer := en.people[from].v
			en.txs = append(en.txs, &engTx{id: t.ID, kind: ledger.TxGift, from: en.people[from].wallet, to: en.people[to].wallet,
				amount: amount,
				again:  func() (*ledger.Transaction, error) { return e.rw.TransferCoins(e.ctx, viewer, in) },
				conflict: func() error {
					_, err := e.rw.TransferCoins(e.ctx, viewer, other)
					return err
				}})
		}
	case 12: // reverse a mint or a gift through the ledger
		if len(en.txs) == 0 {
			return
		}
		tx := en.txs[en.src.intn(len(en.txs))]
		want := ""
		switch {
		case tx.reversed:
			want = ledger.MsgAlreadyReversed
		case en.model[tx.to] < tx.amount:
			want = ledger.MsgInsufficientBalance
		}
		_, err := e.led.Reverse(e.ctx, ledger.ReverseRequest{TransactionID: tx.id, IdempotencyKey: "rev:" + en.key()})
		if en.outcome(fmt.Sprintf("reverse %s %d", tx.kind, tx.amount), err, want) {
			unchanged = false
			tx.reversed = true
			en.move(tx.to, tx.from, tx.amount)
		}
	case 13: // retry: a redeem, mint or gift with the same key replays; with another request it is refused
		if en.src.intn(2) == 0 && len(en.redeems) > 0 {
			rd := en.redeems[en.src.intn(len(en.redeems))]
			v, err := e.rw.Redeem(e.ctx, en.people[rd.person].v, en.rewards[rd.reward].id, rd.key)
			en.log("retry redeem %s → %v", rd.key, err)
			if err != nil || !v.Replayed || v.ID != rd.voucherID {
				en.fail("replayed redeem: %+v, %v", v, err)
			}
			other := (rd.reward + 1) % len(en.rewards)
			_, err = e.rw.Redeem(e.ctx, en.people[rd.person].v, en.rewards[other].id, rd.key)
			en.outcome("redeem with a used key", err, ledger.MsgIdempotencyConflict)
		} else if len(en.txs) > 0 {
			tx := en.txs[en.src.intn(len(en.txs))]
			t, err := tx.again()
			en.log("retry %s %s → %v", tx.kind, tx.id, err)
			if err != nil || !t.Replayed || t.ID != tx.id {
				en.fail("replay of %s: %+v, %v", tx.id, t, err)
			}
			en.outcome("another request with a used key", tx.conflict(), ledger.MsgIdempotencyConflict)
		}
	case 14: // settle the months that ended
		en.clock = en.clock.Add(time.Duration(en.src.intn(20*24)) * time.Hour)
		thisMonth, _, _ := rewards.ParsePeriod(rewards.PeriodOf(en.clock))
		want := map[string]int64{}
		for _, v := range en.vouchers {
			if v.v.State == rewards.StateAccepted && !v.settled && v.v.ClosedAt.Before(thisMonth) {
				v.settled = true
				want[en.merchants[en.rewards[v.reward].merchant].id] += int64(v.v.Price)
			}
		}
		sts, err := e.rw.SettleAll(e.ctx, en.clock)
		must(e.t, err)
		en.log("settle at +%s → %d statements (want %d)", en.clock.Sub(en.start).Round(time.Hour), len(sts), len(want))
		got := map[string]int64{}
		for _, st := range sts {
			if !st.Replayed {
				got[st.MerchantID] = st.Coins
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			en.fail("settled %v, want %v", got, want)
		}
		for _, m := range en.merchants {
			if c := want[m.id]; c > 0 {
				en.move(m.account, en.settlement, c)
				unchanged = false
			}
		}
	case 15: // the merchant sets the stock
		ri := en.src.intn(len(en.rewards))
		r := en.rewards[ri]
		n := en.src.intn(8)
		_, err := e.rw.UpdateReward(e.ctx, en.merchants[r.merchant].member, r.id, rewards.RewardInput{Stock: ptr(n)})
		en.outcome(fmt.Sprintf("stock of %d = %d", ri, n), err, "")
		r.total += n - r.stock
		r.stock = n
		unchanged = false
	}
	if unchanged && e.snapshot() != snap {
		en.fail("a refused or replayed request wrote something")
	}
	en.check()
}

func (en *engine) balance(id string) int64 {
	en.e.t.Helper()
	b, err := en.e.led.Balance(en.e.ctx, id)
	must(en.e.t, err)
	return b
}

// check verifies every invariant.
func (en *engine) check() {
	e := en.e
	for id, want := range en.model {
		if got := en.balance(id); got != want {
			en.fail("account %s: balance %d, model %d", id, got, want)
		}
	}
	if en.model[en.issuer] < 0 || en.model[en.issuer] > en.budget {
		en.fail("issuer at %d of a budget of %d", en.model[en.issuer], en.budget)
	}
	if n := e.count(`SELECT count(*) FROM ledger_accounts WHERE kind = 'WALLET' AND balance < 0`); n != 0 {
		en.fail("%d wallets below zero", n)
	}
	for i, r := range en.rewards {
		var row struct {
			Stock int `db:"stock"`
			Held  int `db:"held"`
		}
		must(e.t, e.db.GetContext(e.ctx, &row, `SELECT r.stock, (SELECT count(*) FROM vouchers v WHERE v.reward_id = r.id
			AND v.state IN ('ISSUED', 'ACCEPTED')) AS held FROM rewards r WHERE r.id = $1`, r.id))
		if row.Stock < 0 || row.Stock != r.stock || row.Stock+row.Held != r.total {
			en.fail("reward %d: stock %d (model %d) + %d vouchers ≠ %d", i, row.Stock, r.stock, row.Held, r.total)
		}
	}
	var sums struct {
		Issued      int64 `db:"issued"`
		Outstanding int64 `db:"outstanding"`
		Accepted    int64 `db:"accepted"`
		Merchants   int64 `db:"merchants"`
		Settled     int64 `db:"settled"`
	}
	must(e.t, e.db.GetContext(e.ctx, &sums, `SELECT
		(SELECT coalesce(sum(price), 0) FROM vouchers WHERE state = 'ISSUED') AS issued,
		(SELECT coalesce(sum(balance), 0) FROM ledger_accounts WHERE kind = 'VOUCHERS_OUTSTANDING') AS outstanding,
		(SELECT coalesce(sum(price), 0) FROM vouchers WHERE state = 'ACCEPTED') AS accepted,
		(SELECT coalesce(sum(balance), 0) FROM ledger_accounts WHERE kind = 'MERCHANT') AS merchants,
		(SELECT coalesce(sum(balance), 0) FROM ledger_accounts WHERE kind = 'SETTLEMENT') AS settled`))
	if sums.Issued != sums.Outstanding || sums.Accepted != sums.Merchants+sums.Settled {
		en.fail("vouchers and accounts differ: %+v", sums)
	}
	a, err := e.rw.Audit(e.ctx)
	must(e.t, err)
	if !a.OK() {
		en.fail("rewards audit: %v", a.Problems())
	}
	if len(en.history)%en.auditEvery == 0 {
		r, err := e.led.Audit(e.ctx)
		must(e.t, err)
		if !r.OK() {
			en.fail("ledger audit: %v", r.Problems())
		}
	}
}

func (en *engine) run(steps int) {
	for i := 0; i < steps; i++ {
		en.step()
	}
	en.check()
	r, err := en.e.led.Audit(en.e.ctx)
	must(en.e.t, err)
	if !r.OK() {
		en.fail("ledger audit: %v", r.Problems())
	}
}

func TestRewardsInvariants(t *testing.T) {
	t.Parallel()
	steps := 250
	if testing.Short() {
		steps = 80
	}
	for seed := uint64(1); seed <= 2; seed++ {
		t.Run(fmt.Sprintf("seed-%d", seed), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			stats := func(en *engine, steps int) {
				states := map[string]int{}
				for _, v := range en.vouchers {
					states[v.v.State]++
				}
				t.Logf("%d steps: vouchers %v, mints and gifts %d", steps, states, len(en.txs))
			}
			en := newEngine(e, randSource{rand.New(rand.NewPCG(seed, 2026))})
			en.run(steps)
			stats(en, steps)
			// A second run on the same database (as a fuzz worker does) starts from what the first left.
			en = newEngine(e, randSource{rand.New(rand.NewPCG(seed, 7))})
			en.run(steps / 5)
			stats(en, steps/5)
		})
	}
}

// FuzzRewardsInvariants drives the same engine from fuzz input (one database per worker):
//
//	go test ./internal/rewards -run '^$' -fuzz FuzzRewardsInvariants -fuzztime 60s
func FuzzRewardsInvariants(f *testing.F) {
	f.Add([]byte{0, 0, 50, 0, 2, 0, 0, 0, 1, 0, 5, 0, 0, 0, 14, 0, 200, 0, 7, 0, 0, 0})
	f.Add([]byte("mint redeem accept cancel expire gift reverse retry settle stock"))
	f.Add([]byte{1, 0, 3, 0, 59, 0, 3, 0, 1, 0, 2, 0, 8, 0, 255, 3, 9, 0, 0, 0, 12, 0, 0, 0, 13, 0, 1, 0, 0, 0})
	e := newEnv(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 400 {
			return
		}
		c := *e // the same database, services that log to t
		c.t = t
		c.led = ledger.NewService(e.db, testutil.Logger(t))
		c.rw = rewards.NewService(e.db, c.led, testutil.Logger(t))
		en := newEngine(&c, &byteSource{b: data})
		en.auditEvery = 10 // the worker's database grows with every input
		en.run(len(data)/4 + 1)
	})
}
