package ledger_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/ledger"
)

// run starts n goroutines at once and waits for them.
func run(n int, fn func(i int)) {
	var start, done sync.WaitGroup
	start.Add(1)
	done.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			defer done.Done()
			start.Wait()
			fn(i)
		}()
	}
	start.Done()
	done.Wait()
}

func TestConcurrentSpendNeverOverdraws(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	svcs := e.services(4)
	w := e.walletWith(100)
	m := e.account(ledger.KindMerchant, newID())
	var ok, refused, other atomic.Int64
	run(100, func(i int) {
		_, err := svcs[i%len(svcs)].Transfer(e.ctx, ledger.TransferRequest{IdempotencyKey: fmt.Sprintf("spend-%d", i), Kind: ledger.TxRedeem,
			From: w.ID, To: m.ID, Amount: 10})
		switch {
		case err == nil:
			ok.Add(1)
		case isUserError(err, ledger.MsgInsufficientBalance):
			if u, _ := errs.AsUserErrors(err); u[0].Code != errs.InvalidState {
				other.Add(1)
			}
			refused.Add(1)
		default:
			t.Errorf("unexpected error: %v", err)
			other.Add(1)
		}
	})
	if ok.Load() != 10 || refused.Load() != 90 || other.Load() != 0 {
		t.Fatalf("ok %d, refused %d, other %d", ok.Load(), refused.Load(), other.Load())
	}
	if e.balance(w.ID) != 0 || e.balance(m.ID) != 100 {
		t.Fatalf("balances %d %d", e.balance(w.ID), e.balance(m.ID))
	}
	e.audit()
}

func TestConcurrentMintsNeverExceedBudget(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	svcs := e.services(4)
	is := e.issuer(1500) // budget for exactly 150 mints of 10
	wallets := make([]ledger.Account, 20)
	for i := range wallets {
		wallets[i] = e.wallet()
	}
	var ok, refused atomic.Int64
	run(200, func(i int) {
		_, err := svcs[i%len(svcs)].Transfer(e.ctx, ledger.TransferRequest{IdempotencyKey: fmt.Sprintf("mint-%d", i), Kind: ledger.TxMint,
			From: is.ID, To: wallets[i%len(wallets)].ID, Amount: 10})
		switch {
		case err == nil:
			ok.Add(1)
		case isUserError(err, ledger.MsgBudgetExceeded):
			refused.Add(1)
		default:
			t.Errorf("unexpected error: %v", err)
		}
	})
	if ok.Load() != 150 || refused.Load() != 50 || e.balance(is.ID) != 0 {
		t.Fatalf("ok %d, refused %d, budget left %d", ok.Load(), refused.Load(), e.balance(is.ID))
	}
	var total int64
	for _, w := range wallets {
		total += e.balance(w.ID)
	}
	if total != 1500 {
		t.Fatalf("minted %d", total)
	}
	e.audit()
}

// Transfers in every direction between a few wallets: no deadlock, no error but refusals.
func TestConcurrentTransfersNoDeadlock(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	svcs := e.services(4)
	const n = 6
	ws := make([]ledger.Account, n)
	for i := range ws {
		ws[i] = e.walletWith(50)
	}
	out := e.account(ledger.KindVouchersOutstanding, newID())
	accounts := append([]ledger.Account{out}, ws...)
	var ok atomic.Int64
	run(32, func(g int) {
		r := rand.New(rand.NewPCG(uint64(g), 7))
		for i := 0; i < 25; i++ {
			from := accounts[r.IntN(len(accounts))]
			to := accounts[r.IntN(len(accounts))]
			if from.ID == to.ID {
				continue
			}
			var err error
			if r.IntN(4) == 0 { // a three-way transaction too
				third := ws[r.IntN(n)]
				if third.ID == from.ID || third.ID == to.ID {
					continue
				}
				_, err = svcs[g%len(svcs)].Post(e.ctx, ledger.PostRequest{IdempotencyKey: fmt.Sprintf("p-%d-%d", g, i), Kind: ledger.TxTransfer,
					Postings: []ledger.Posting{{AccountID: from.ID, Amount: -3}, {AccountID: to.ID, Amount: 2}, {AccountID: third.ID, Amount: 1}}})
			} else {
				_, err = svcs[g%len(svcs)].Transfer(e.ctx, ledger.TransferRequest{IdempotencyKey: fmt.Sprintf("t-%d-%d", g, i), Kind: ledger.TxTransfer,
					From: from.ID, To: to.ID, Amount: int64(1 + r.IntN(20))})
			}
			if err == nil {
				ok.Add(1)
			} else if !isUserError(err, ledger.MsgInsufficientBalance) {
				t.Errorf("unexpected error: %v", err)
			}
		}
	})
	var total int64
	for _, a := range accounts {
		total += e.balance(a.ID)
	}
	if total != n*50 || ok.Load() == 0 {
		t.Fatalf("total %d, ok %d", total, ok.Load())
	}
	e.audit()
}

// Many clients sending the same request with the same key at once: written once.
func TestConcurrentSameKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	svcs := e.services(4)
	is := e.issuer(100)
	w := e.wallet()
	ids := make([]string, 30)
	var created atomic.Int64
	run(30, func(i int) {
		tx, err := svcs[i%len(svcs)].Transfer(e.ctx, ledger.TransferRequest{IdempotencyKey: "once", Kind: ledger.TxMint, From: is.ID, To: w.ID, Amount: 60})
		if err != nil {
			t.Errorf("same key: %v", err)
			return
		}
		if !tx.Replayed {
			created.Add(1)
		}
		ids[i] = tx.ID
	})
	for _, id := range ids {
		if id != ids[0] {
			t.Fatal("different results for one key")
		}
	}
	if created.Load() != 1 || e.balance(w.ID) != 60 {
		t.Fatalf("created %d, balance %d", created.Load(), e.balance(w.ID))
	}
	// The same key on other accounts at once: one wins, the others get a conflict.
	others := make([]ledger.Account, 10)
	for i := range others {
		others[i] = e.wallet()
	}
	var won, conflicts atomic.Int64
	run(10, func(i int) {
		_, err := svcs[i%len(svcs)].Transfer(e.ctx, ledger.TransferRequest{IdempotencyKey: "race", Kind: ledger.TxMint, From: is.ID, To: others[i].ID, Amount: 1})
		switch {
		case err == nil:
			won.Add(1)
		case isUserError(err, ledger.MsgIdempotencyConflict):
			conflicts.Add(1)
		default:
			t.Errorf("race: %v", err)
		}
	})
	if won.Load() != 1 || conflicts.Load() != 9 {
		t.Fatalf("won %d, conflicts %d", won.Load(), conflicts.Load())
	}
	e.audit()
}

// Two clients reversing the same transaction at once: one reversal.
func TestConcurrentReversal(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	svcs := e.services(4)
	is := e.issuer(100)
	w := e.wallet()
	mint := e.transfer(ledger.TxMint, is.ID, w.ID, 40)
	var ok, already atomic.Int64
	run(20, func(i int) {
		_, err := svcs[i%len(svcs)].Reverse(e.ctx, ledger.ReverseRequest{TransactionID: mint.ID, IdempotencyKey: fmt.Sprintf("r%d", i)})
		switch {
		case err == nil:
			ok.Add(1)
		case isUserError(err, ledger.MsgAlreadyReversed):
			already.Add(1)
		default:
			t.Errorf("reverse: %v", err)
		}
	})
	if ok.Load() != 1 || already.Load() != 19 || e.balance(w.ID) != 0 {
		t.Fatalf("ok %d, already %d", ok.Load(), already.Load())
	}
	e.audit()
}
