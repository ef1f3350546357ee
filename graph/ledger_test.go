package graph_test

import (
	"strings"
	"testing"
	"time"

	"github.com/helpende-handen/helpende-handen/internal/relay"
	"github.com/helpende-handen/helpende-handen/internal/testutil"
)

const (
	walletQuery = `{ wallet { id balance entries(first: 10) { edges { node { kind amount balanceAfter description
		memo need { id title } minutes transactionId reversed at } } pageInfo { hasNextPage } totalCount }
		yearStatement { opening earned spent received given expired corrections closing } } }`
	fundMutation = `mutation($in: FundIssuerInput!) { fundIssuer(input: $in) { issuer { id balance }
		transaction { id amount } userErrors { field code message } } }`
)

type walletEntry struct {
	Kind, Description, TransactionID string
	Amount, BalanceAfter             int
	Memo                             *string
	Need                             *struct{ ID, Title string }
	Minutes                          *int
	Reversed                         bool
	At                               time.Time
}

type walletData struct {
	Wallet struct {
		ID      string
		Balance int
		Entries struct {
			Edges      []struct{ Node walletEntry }
			TotalCount int
		}
		YearStatement struct {
			Opening, Earned, Spent, Received, Given, Expired, Corrections, Closing int
		}
	}
}

func readWallet(t *testing.T, c *testutil.Client) walletData {
	t.Helper()
	var w walletData
	c.MustData(t, walletQuery, nil, &w)
	return w
}

type fundPayload struct {
	FundIssuer struct {
		Issuer *struct {
			ID      string
			Balance int
		}
		Transaction *struct {
			ID     string
			Amount int
		}
		UserErrors []volUserError
	}
}

func fund(t *testing.T, admin *testutil.Client, amount int, key string) fundPayload {
	t.Helper()
	var out fundPayload
	admin.MustData(t, fundMutation, map[string]any{"in": map[string]any{"amount": amount, "idempotencyKey": key}}, &out)
	return out
}

// attendedShift has a volunteer sign up for a 2-hour shift that then takes place, and the
// coordinator confirm it; it returns the need's id and title.
func attendedShift(t *testing.T, p *testutil.Platform, coord, vol *testutil.Client, orgID, title string) string {
	t.Helper()
	needID, shiftID := volPublishedNeed(t, coord, orgID, title, 3, true)
	app := volApply(t, vol, needID, shiftID, "")
	if app.Application == nil {
		t.Fatalf("apply: %+v", app.UserErrors)
	}
	shiftUUID, _ := relay.FromID("Shift", shiftID)
	if _, err := p.DB.Exec(`UPDATE shifts SET starts_at = now() - interval '3 hours', ends_at = now() - interval '1 hour'
		WHERE id = $1`, shiftUUID); err != nil {
		t.Fatal(err)
	}
	var out struct {
		ConfirmAttendance struct{ UserErrors []volUserError }
	}
	coord.MustData(t, `mutation($in: ConfirmAttendanceInput!) { confirmAttendance(input: $in) { userErrors { field code message } } }`,
		map[string]any{"in": map[string]any{"applicationIds": []string{app.Application.ID}}}, &out)
	if len(out.ConfirmAttendance.UserErrors) > 0 {
		t.Fatalf("confirm: %+v", out.ConfirmAttendance.UserErrors)
	}
	return needID
}

func TestWalletShowsCoinsForConfirmedHoursOnceWithWhatTheyWereFor(t *testing.T) {
	t.Parallel()
	p, admin, coord, orgID := volSetup(t)
	vol := p.Register(t, "vol@example.org", "Vera Vrijwilliger")
	vol.Language = "en"
	if out := fund(t, admin, 10_000, "fund-1"); out.FundIssuer.Issuer == nil || out.FundIssuer.Issuer.Balance != 10_000 {
		t.Fatalf("fund: %+v", out.FundIssuer)
	}

	sub := subscribeQuery(t, p, vol.Token, `subscription { walletChanged { balance } }`, nil)
	needID := attendedShift(t, p, coord, vol, orgID, "Soup bar")

	// 2 hours at the default 25 coins an hour.
	if m := sub.next(t); m["type"] != "next" || !strings.Contains(mustJSON(m), `"balance":50`) {
		t.Fatalf("walletChanged: %v", m)
	}
	w := readWallet(t, vol)
	if w.Wallet.Balance != 50 || len(w.Wallet.Entries.Edges) != 1 {
		t.Fatalf("wallet: %+v", w.Wallet)
	}
	e := w.Wallet.Entries.Edges[0].Node
	if e.Kind != "EARNED" || e.Amount != 50 || e.BalanceAfter != 50 || e.Need == nil || e.Need.ID != needID ||
		e.Minutes == nil || *e.Minutes != 120 || e.Reversed {
		t.Fatalf("entry: %+v", e)
	}
	if want := "Earned at “Soup bar” (2 h)"; e.Description != want {
		t.Fatalf("description %q, want %q", e.Description, want)
	}
	if s := w.Wallet.YearStatement; s.Earned != 50 || s.Closing != 50 || s.Opening != 0 || s.Spent != 0 {
		t.Fatalf("year statement: %+v", s)
	}
	// The periodic job finds nothing more to mint: exactly once.
	if n, err := p.Ledger.MintPending(t.Context()); err != nil || n != 0 {
		t.Fatalf("mint again: %d, %v", n, err)
	}
	var me struct {
		Me struct{ Wallet *struct{ Balance int } }
	}
	vol.MustData(t, `{ me { wallet { balance } } }`, nil, &me)
	if me.Me.Wallet == nil || me.Me.Wallet.Balance != 50 {
		t.Fatalf("me.wallet: %+v", me.Me.Wallet)
	}
	// In Dutch, the same entry speaks Dutch.
	vol.Language = "nl"
	if d := readWallet(t, vol).Wallet.Entries.Edges[0].Node.Description; d != "Verdiend bij “Soup bar” (2 u)" {
		t.Fatalf("Dutch description %q", d)
	}
	// Nobody else sees the wallet.
	if r := p.Client().Do(t, walletQuery, nil); r.ErrorCode() != "UNAUTHENTICATED" {
		t.Fatalf("anonymous wallet: %+v", r.Errors)
	}
}

func TestCoinAdministrationIsForAdministratorsOnly(t *testing.T) {
	t.Parallel()
	p, _, coord, _ := volSetup(t)
	_ = p
	for name, q := range map[string]string{
		"fundIssuer":         `mutation { fundIssuer(input: { amount: 5, idempotencyKey: "k" }) { userErrors { code } } }`,
		"setCoinPolicy":      `mutation { setCoinPolicy(input: { coinsPerHour: 99, giftsAllowed: true, euroCentsPer10Coins: 100 }) { userErrors { code } } }`,
		"reverseTransaction": `mutation { reverseTransaction(input: { transactionId: "x", memo: "m", idempotencyKey: "k" }) { userErrors { code } } }`,
		"ledgerAudit":        `{ ledgerAudit { ok } }`,
		"coinIssuer":         `{ coinIssuer { balance } }`,
		"coinPolicyHistory":  `{ coinPolicyHistory { coinsPerHour } }`,
	} {
		if r := coord.Do(t, q, nil); r.ErrorCode() != "FORBIDDEN" {
			t.Errorf("%s by a coordinator: %+v", name, r.Errors)
		}
	}
	// The rules themselves are public.
	var pol struct {
		CoinPolicy struct{ CoinsPerHour, EuroCentsPer10Coins int }
	}
	p.Client().MustData(t, `{ coinPolicy { coinsPerHour euroCentsPer10Coins } }`, nil, &pol)
	if pol.CoinPolicy.CoinsPerHour != 25 || pol.CoinPolicy.EuroCentsPer10Coins != 100 {
		t.Fatalf("default policy: %+v", pol)
	}
}

func TestFundIssuerIsIdempotentAndRefusesAReusedKeyForAnotherAmount(t *testing.T) {
	t.Parallel()
	_, admin, _, _ := volSetup(t)
	admin.Language = "en"
	first := fund(t, admin, 700, "budget-2026")
	again := fund(t, admin, 700, "budget-2026")
	if first.FundIssuer.Transaction == nil || again.FundIssuer.Transaction == nil ||
		first.FundIssuer.Transaction.ID != again.FundIssuer.Transaction.ID || again.FundIssuer.Issuer.Balance != 700 {
		t.Fatalf("replay: %+v / %+v", first.FundIssuer, again.FundIssuer)
	}
	other := fund(t, admin, 701, "budget-2026")
	volWantUserError(t, other.FundIssuer.UserErrors, []string{"input", "idempotencyKey"}, "INVALID_STATE",
		"This key was already used for another request. Please try again.")
	bad := fund(t, admin, 0, "budget-zero")
	volWantUserError(t, bad.FundIssuer.UserErrors, []string{"input", "amount"}, "OUT_OF_RANGE", "")
	var iss struct {
		CoinIssuer  struct{ Balance int }
		CoinIssuers []struct {
			Balance      int
			Organisation *struct{ ID string }
		}
	}
	admin.MustData(t, `{ coinIssuer { balance } coinIssuers { balance organisation { id } } }`, nil, &iss)
	if iss.CoinIssuer.Balance != 700 || len(iss.CoinIssuers) != 1 || iss.CoinIssuers[0].Balance != 700 ||
		iss.CoinIssuers[0].Organisation != nil {
		t.Fatalf("issuers: %+v", iss)
	}
}

func TestSetCoinPolicyValidatesAndAppliesToLaterMints(t *testing.T) {
	t.Parallel()
	p, admin, coord, orgID := volSetup(t)
	admin.Language = "nl"
	type payload struct {
		SetCoinPolicy struct {
			Policy *struct {
				CoinsPerHour int
				GiftsAllowed bool
				ExpiryMonths *int
			}
			UserErrors []volUserError
		}
	}
	const m = `mutation($in: CoinPolicyInput!) { setCoinPolicy(input: $in) { policy { coinsPerHour giftsAllowed expiryMonths }
		userErrors { field code message } } }`
	var bad payload
	admin.MustData(t, m, map[string]any{"in": map[string]any{"coinsPerHour": 0, "giftsAllowed": false, "euroCentsPer10Coins": 100,
		"expiryMonths": 500}}, &bad)
	if bad.SetCoinPolicy.Policy != nil || len(bad.SetCoinPolicy.UserErrors) != 2 {
		t.Fatalf("bad policy: %+v", bad.SetCoinPolicy)
	}
	volWantUserError(t, bad.SetCoinPolicy.UserErrors, []string{"input", "coinsPerHour"}, "OUT_OF_RANGE", "")
	var good payload
	admin.MustData(t, m, map[string]any{"in": map[string]any{"coinsPerHour": 30, "giftsAllowed": true, "euroCentsPer10Coins": 100,
		"expiryMonths": 24}}, &good)
	if good.SetCoinPolicy.Policy == nil || good.SetCoinPolicy.Policy.CoinsPerHour != 30 || !good.SetCoinPolicy.Policy.GiftsAllowed {
		t.Fatalf("policy: %+v", good.SetCoinPolicy)
	}
	fund(t, admin, 1000, "f")
	vol := p.Register(t, "vol@example.org", "Vera")
	attendedShift(t, p, coord, vol, orgID, "Repair café")
	if w := readWallet(t, vol); w.Wallet.Balance != 60 {
		t.Fatalf("2 hours at 30 an hour: %d", w.Wallet.Balance)
	}
	var hist struct{ CoinPolicyHistory []struct{ CoinsPerHour int } }
	admin.MustData(t, `{ coinPolicyHistory { coinsPerHour } }`, nil, &hist)
	if len(hist.CoinPolicyHistory) != 2 || hist.CoinPolicyHistory[0].CoinsPerHour != 30 || hist.CoinPolicyHistory[1].CoinsPerHour != 25 {
		t.Fatalf("history: %+v", hist)
	}
}

func TestReverseTransactionCorrectsAMintOnceAndTheAuditStaysClean(t *testing.T) {
	t.Parallel()
	p, admin, coord, orgID := volSetup(t)
	admin.Language = "en"
	fund(t, admin, 1000, "f")
	vol := p.Register(t, "vol@example.org", "Vera")
	vol.Language = "en"
	attendedShift(t, p, coord, vol, orgID, "Soup bar")
	mint := readWallet(t, vol).Wallet.Entries.Edges[0].Node
	type payload struct {
		ReverseTransaction struct {
			Transaction *struct {
				ID, Kind, Reverses string
				Amount             int
			}
			UserErrors []volUserError
		}
	}
	const m = `mutation($in: ReverseTransactionInput!) { reverseTransaction(input: $in) {
		transaction { id kind reverses amount } userErrors { field code message } } }`
	var rev payload
	admin.MustData(t, m, map[string]any{"in": map[string]any{"transactionId": mint.TransactionID, "memo": "Wrong shift",
		"idempotencyKey": "rev-1"}}, &rev)
	if rev.ReverseTransaction.Transaction == nil || rev.ReverseTransaction.Transaction.Kind != "REVERSAL" ||
		rev.ReverseTransaction.Transaction.Reverses != mint.TransactionID || rev.ReverseTransaction.Transaction.Amount != 50 {
		t.Fatalf("reverse: %+v", rev.ReverseTransaction)
	}
	w := readWallet(t, vol)
	if w.Wallet.Balance != 0 || len(w.Wallet.Entries.Edges) != 2 || w.Wallet.Entries.TotalCount != 2 {
		t.Fatalf("after reversal: %+v", w.Wallet)
	}
	if c := w.Wallet.Entries.Edges[0].Node; c.Kind != "CORRECTION" || c.Amount != -50 || c.Memo == nil || *c.Memo != "Wrong shift" {
		t.Fatalf("correction entry: %+v", c)
	}
	if !w.Wallet.Entries.Edges[1].Node.Reversed {
		t.Fatal("the mint is not marked reversed")
	}
	var again payload
	admin.MustData(t, m, map[string]any{"in": map[string]any{"transactionId": mint.TransactionID, "memo": "again",
		"idempotencyKey": "rev-2"}}, &again)
	volWantUserError(t, again.ReverseTransaction.UserErrors, []string{"input", "transactionId"}, "INVALID_STATE",
		"This transaction has already been reversed.")
	var audit struct {
		LedgerAudit struct {
			Ok                      bool
			SumOfPostings, Postings int
			Problems                []string
		}
	}
	admin.MustData(t, `{ ledgerAudit { ok sumOfPostings postings problems } }`, nil, &audit)
	if !audit.LedgerAudit.Ok || audit.LedgerAudit.SumOfPostings != 0 || len(audit.LedgerAudit.Problems) != 0 ||
		audit.LedgerAudit.Postings != 6 {
		t.Fatalf("audit: %+v", audit.LedgerAudit)
	}
}

// Before reversing, an administrator can look a transaction up and see where its coins went
// (whose wallet, which budget) and whether it can still be reversed; afterwards it points to
// its reversal, and neither can be reversed again. Nobody else can look transactions up.
func TestAdministratorsLookUpATransactionBeforeReversingIt(t *testing.T) {
	t.Parallel()
	p, admin, coord, orgID := volSetup(t)
	fund(t, admin, 1000, "f")
	vol := p.Register(t, "vol@example.org", "Vera")
	attendedShift(t, p, coord, vol, orgID, "Soup bar")
	mint := readWallet(t, vol).Wallet.Entries.Edges[0].Node

	const q = `query($id: ID!) { ledgerTransaction(id: $id) { id kind amount reverses reversedBy reversible
		postings { amount accountKind person { displayName } organisation { name } } } }`
	type posting struct {
		Amount       int
		AccountKind  string
		Person       *struct{ DisplayName string }
		Organisation *struct{ Name string }
	}
	type lookup struct {
		LedgerTransaction *struct {
			ID, Kind             string
			Amount               int
			Reverses, ReversedBy *string
			Reversible           bool
			Postings             []posting
		}
	}
	var before lookup
	admin.MustData(t, q, map[string]any{"id": mint.TransactionID}, &before)
	tx := before.LedgerTransaction
	if tx == nil || tx.Kind != "MINT" || tx.Amount != 50 || !tx.Reversible || tx.ReversedBy != nil || len(tx.Postings) != 2 {
		t.Fatalf("the mint: %+v", tx)
	}
	sum := 0
	kinds := map[string]posting{}
	for _, ps := range tx.Postings {
		sum += ps.Amount
		kinds[ps.AccountKind] = ps
	}
	if w := kinds["WALLET"]; sum != 0 || w.Amount != 50 || w.Person == nil || w.Person.DisplayName != "Vera" || w.Organisation != nil {
		t.Fatalf("postings: %+v", tx.Postings)
	}
	if i := kinds["ISSUER"]; i.Amount != -50 || i.Person != nil || i.Organisation != nil {
		t.Fatalf("the city's budget posting: %+v", i)
	}

	var rev struct {
		ReverseTransaction struct {
			Transaction *struct{ ID string }
			UserErrors  []volUserError
		}
	}
	admin.MustData(t, `mutation($in: ReverseTransactionInput!) { reverseTransaction(input: $in) { transaction { id } userErrors { code } } }`,
		map[string]any{"in": map[string]any{"transactionId": mint.TransactionID, "memo": "Wrong shift", "idempotencyKey": "rev"}}, &rev)
	if rev.ReverseTransaction.Transaction == nil {
		t.Fatalf("reverse: %+v", rev.ReverseTransaction.UserErrors)
	}
	var after, reversal lookup
	admin.MustData(t, q, map[string]any{"id": mint.TransactionID}, &after)
	if a := after.LedgerTransaction; a.Reversible || a.ReversedBy == nil || *a.ReversedBy != rev.ReverseTransaction.Transaction.ID {
		t.Fatalf("the mint after its reversal: %+v", a)
	}
	admin.MustData(t, q, map[string]any{"id": rev.ReverseTransaction.Transaction.ID}, &reversal)
	if r := reversal.LedgerTransaction; r.Kind != "REVERSAL" || r.Reversible || r.Reverses == nil || *r.Reverses != mint.TransactionID {
		t.Fatalf("the reversal: %+v", r)
	}

	var none lookup
	admin.MustData(t, q, map[string]any{"id": "not-an-id"}, &none)
	if none.LedgerTransaction != nil {
		t.Fatalf("a made-up id: %+v", none.LedgerTransaction)
	}
	if r := vol.Do(t, q, map[string]any{"id": mint.TransactionID}); r.ErrorCode() != "FORBIDDEN" {
		t.Fatalf("a volunteer looking a transaction up: %s", r.ErrorCode())
	}
}

// An organisation the city funds gets a budget of its own: the hours its volunteers confirm
// are minted from it while it holds enough, then from the city's; the issuer and the
// organisation must make sense (not a shop, approved, not both an issuer and an organisation).
func TestAnOrganisationsOwnBudgetMintsItsVolunteersHoursFirst(t *testing.T) {
	t.Parallel()
	p, admin, coord, orgID := volSetup(t)
	_, merchantID := merchantSetup(t, p, admin)
	fund(t, admin, 1000, "city")
	const m = `mutation($in: FundIssuerInput!) { fundIssuer(input: $in) { issuer { id balance organisation { id } }
		userErrors { field code message } } }`
	type payload struct {
		FundIssuer struct {
			Issuer *struct {
				ID           string
				Balance      int
				Organisation *struct{ ID string }
			}
			UserErrors []volUserError
		}
	}
	var own payload
	admin.MustData(t, m, map[string]any{"in": map[string]any{"organisationId": orgID, "amount": 60, "idempotencyKey": "org"}}, &own)
	if iss := own.FundIssuer.Issuer; iss == nil || iss.Balance != 60 || iss.Organisation == nil || iss.Organisation.ID != orgID {
		t.Fatalf("fund the organisation's budget: %+v", own.FundIssuer)
	}
	var pending struct {
		CreateOrganisation struct{ Organisation *struct{ ID string } }
	}
	coord.MustData(t, `mutation($in: CreateOrganisationInput!) { createOrganisation(input: $in) { organisation { id } } }`,
		map[string]any{"in": map[string]any{"kind": "NON_PROFIT", "name": "Nog niet goedgekeurd"}}, &pending)
	if pending.CreateOrganisation.Organisation == nil {
		t.Fatal("create a second organisation")
	}
	for _, c := range []struct {
		name  string
		in    map[string]any
		field []string
		code  string
	}{
		{"not approved", map[string]any{"organisationId": pending.CreateOrganisation.Organisation.ID, "amount": 10, "idempotencyKey": "pending"},
			[]string{"input", "organisationId"}, "INVALID_STATE"},
		{"a shop", map[string]any{"organisationId": merchantID, "amount": 10, "idempotencyKey": "shop"}, []string{"input", "organisationId"}, "INVALID"},
		{"both", map[string]any{"organisationId": orgID, "issuerId": own.FundIssuer.Issuer.ID, "amount": 10, "idempotencyKey": "both"},
			[]string{"input", "organisationId"}, "INVALID"},
		{"not an organisation", map[string]any{"organisationId": "nope", "amount": 10, "idempotencyKey": "nope"}, []string{"input", "organisationId"}, "INVALID"},
	} {
		var out payload
		admin.MustData(t, m, map[string]any{"in": c.in}, &out)
		if out.FundIssuer.Issuer != nil {
			t.Fatalf("%s: funded %+v", c.name, out.FundIssuer.Issuer)
		}
		volWantUserError(t, out.FundIssuer.UserErrors, c.field, c.code, "")
	}

	issuers := func() map[string]int {
		var out struct {
			CoinIssuers []struct {
				Balance      int
				Organisation *struct{ ID string }
			}
		}
		admin.MustData(t, `{ coinIssuers { balance organisation { id } } }`, nil, &out)
		got := map[string]int{}
		for _, i := range out.CoinIssuers {
			key := "city"
			if i.Organisation != nil {
				key = i.Organisation.ID
			}
			got[key] = i.Balance
		}
		return got
	}
	// Two hours (50 coins) come from the organisation's 60; the next two hours do not fit in
	// the 10 left, so they come from the city's budget.
	vol := p.Register(t, "vol@example.org", "Vera")
	attendedShift(t, p, coord, vol, orgID, "Soup bar")
	if got := issuers(); got[orgID] != 10 || got["city"] != 1000 {
		t.Fatalf("after the first shift: %v", got)
	}
	attendedShift(t, p, coord, vol, orgID, "Soup bar again")
	if got := issuers(); got[orgID] != 10 || got["city"] != 950 {
		t.Fatalf("after the second shift: %v", got)
	}
	if w := readWallet(t, vol); w.Wallet.Balance != 100 {
		t.Fatalf("wallet: %d, want 100", w.Wallet.Balance)
	}
	auditClean(t, admin)
}

// Administrators page through the ledger newest first, narrowed by kind, with each
// transaction's postings: how they find the booking to correct. Bad input is refused.
func TestAdministratorsListLedgerTransactionsNewestFirst(t *testing.T) {
	t.Parallel()
	p, admin, coord, orgID := volSetup(t)
	fund(t, admin, 1000, "f1")
	fund(t, admin, 500, "f2")
	vol := p.Register(t, "vol@example.org", "Vera")
	attendedShift(t, p, coord, vol, orgID, "Soup bar")
	attendedShift(t, p, coord, vol, orgID, "Soup bar again")

	const q = `query($kinds: [String!], $first: Int, $after: String) { ledgerTransactions(kinds: $kinds, first: $first, after: $after) {
		edges { cursor node { id kind amount reversible postings { amount accountKind person { displayName } } } }
		pageInfo { hasNextPage endCursor } } }`
	type node struct {
		ID, Kind   string
		Amount     int
		Reversible bool
		Postings   []struct {
			Amount      int
			AccountKind string
			Person      *struct{ DisplayName string }
		}
	}
	type conn struct {
		LedgerTransactions struct {
			Edges    []struct{ Node node }
			PageInfo struct {
				HasNextPage bool
				EndCursor   *string
			}
		}
	}
	list := func(vars map[string]any) conn {
		var out conn
		admin.MustData(t, q, vars, &out)
		return out
	}
	all := list(map[string]any{"first": 100})
	var kinds []string
	for _, e := range all.LedgerTransactions.Edges {
		kinds = append(kinds, e.Node.Kind)
	}
	if strings.Join(kinds, ",") != "MINT,MINT,FUND,FUND" {
		t.Fatalf("kinds newest first: %v", kinds)
	}
	mints := list(map[string]any{"kinds": []string{"MINT"}, "first": 1})
	if e := mints.LedgerTransactions.Edges; len(e) != 1 || e[0].Node.ID != all.LedgerTransactions.Edges[0].Node.ID ||
		!mints.LedgerTransactions.PageInfo.HasNextPage || !e[0].Node.Reversible {
		t.Fatalf("first mint: %+v", mints)
	}
	sum, vera := 0, false
	for _, ps := range mints.LedgerTransactions.Edges[0].Node.Postings {
		sum += ps.Amount
		vera = vera || (ps.AccountKind == "WALLET" && ps.Person != nil && ps.Person.DisplayName == "Vera" && ps.Amount == 50)
	}
	if sum != 0 || !vera {
		t.Fatalf("postings of the mint: %+v", mints.LedgerTransactions.Edges[0].Node.Postings)
	}
	next := list(map[string]any{"kinds": []string{"MINT"}, "first": 1, "after": *mints.LedgerTransactions.PageInfo.EndCursor})
	if e := next.LedgerTransactions.Edges; len(e) != 1 || e[0].Node.ID != all.LedgerTransactions.Edges[1].Node.ID ||
		next.LedgerTransactions.PageInfo.HasNextPage {
		t.Fatalf("second page of mints: %+v", next)
	}
	if r := admin.Do(t, q, map[string]any{"kinds": []string{"PAYDAY"}}); r.ErrorCode() != "BAD_USER_INPUT" {
		t.Fatalf("an unknown kind: %s", r.ErrorCode())
	}
	if r := admin.Do(t, q, map[string]any{"after": "garbage"}); r.ErrorCode() != "BAD_USER_INPUT" {
		t.Fatalf("a bad cursor: %s", r.ErrorCode())
	}
	if r := vol.Do(t, q, nil); r.ErrorCode() != "FORBIDDEN" {
		t.Fatalf("a volunteer listing the ledger: %s", r.ErrorCode())
	}
}
