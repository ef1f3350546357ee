package ledger_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/ledger"
)

// Concurrent writes of one process are committed together, and one request the database
// refuses fails alone: its batch is posted again one by one.
func TestGroupCommit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	is := e.issuer(10000)
	wallets := make([]ledger.Account, 10)
	for i := range wallets {
		wallets[i] = e.wallet()
	}
	var ok, failed atomic.Int64
	run(200, func(i int) {
		var err error
		if i%50 == 7 { // unbalanced: Go would refuse it, the database raises, failing its batch
			_, err = e.svc.PostUnchecked(e.ctx, fmt.Sprintf("bad-%d", i), ledger.TxMint, []ledger.Posting{
				{AccountID: is.ID, Amount: -5}, {AccountID: wallets[i%10].ID, Amount: 6}})
			if err == nil {
				t.Errorf("unbalanced request %d accepted", i)
			} else if _, user := errs.AsUserErrors(err); user {
				t.Errorf("unbalanced request %d: %v", i, err)
			}
			failed.Add(1)
			return
		}
		_, err = e.svc.Transfer(e.ctx, ledger.TransferRequest{IdempotencyKey: fmt.Sprintf("gc-%d", i), Kind: ledger.TxMint,
			From: is.ID, To: wallets[i%10].ID, Amount: 3})
		if err != nil {
			t.Errorf("transfer %d: %v", i, err)
			return
		}
		ok.Add(1)
	})
	if ok.Load() != 196 || failed.Load() != 4 || e.balance(is.ID) != 10000-3*196 {
		t.Fatalf("ok %d, failed %d, budget %d", ok.Load(), failed.Load(), e.balance(is.ID))
	}
	// Transactions committed together share their database transaction id (xmin).
	var rows, commits int
	must(t, e.db.GetContext(e.ctx, &rows, `SELECT count(*) FROM ledger_transactions WHERE idempotency_key LIKE 'gc-%'`))
	must(t, e.db.GetContext(e.ctx, &commits, `SELECT count(DISTINCT xmin::text) FROM ledger_transactions WHERE idempotency_key LIKE 'gc-%'`))
	if rows != 196 || commits >= rows {
		t.Fatalf("%d transactions in %d commits: no group commit", rows, commits)
	}
	t.Logf("%d transactions in %d commits", rows, commits)
	e.audit()
}
