package graph_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/helpende-handen/helpende-handen/internal/testutil"
)

const (
	rewardFields   = `id title price stock available merchant { id name } district { id } themes { id }`
	voucherFields  = `id code qrCodeUrl price state reward { id title } merchant { id } holder { displayName } closedAt`
	redeemMutation = `mutation($in: RedeemRewardInput!) { redeemReward(input: $in) { voucher { ` + voucherFields + ` }
		userErrors { field code message } } }`
	acceptMutation = `mutation($code: String!) { acceptVoucher(input: { code: $code }) { voucher { ` + voucherFields + ` }
		userErrors { field code message } } }`
	cancelMutation = `mutation($v: String!) { cancelVoucher(input: { voucher: $v }) { voucher { ` + voucherFields + ` }
		userErrors { field code message } } }`
)

type testReward struct {
	ID, Title    string
	Price, Stock int
	Available    bool
	Merchant     struct{ ID, Name string }
}

type testVoucher struct {
	ID, Code, QRCodeURL, State string
	Price                      int
	Reward                     *struct{ ID, Title string }
	Merchant                   struct{ ID string }
	Holder                     *struct{ DisplayName string }
	ClosedAt                   *string
}

type voucherPayload struct {
	Voucher    *testVoucher
	UserErrors []volUserError
}

// merchantSetup adds an approved merchant (a bakery) with a shop keeper to a volSetup platform.
func merchantSetup(t *testing.T, p *testutil.Platform, admin *testutil.Client) (shop *testutil.Client, merchantID string) {
	t.Helper()
	shop = p.Register(t, "bakker@example.org", "Bakker Bart")
	var out struct {
		CreateOrganisation struct {
			Organisation *struct{ ID string }
			UserErrors   []volUserError
		}
	}
	shop.MustData(t, `mutation($in: CreateOrganisationInput!) { createOrganisation(input: $in) {
		organisation { id } userErrors { field code message } } }`,
		map[string]any{"in": map[string]any{"kind": "MERCHANT", "name": "Bakkerij Bart"}}, &out)
	if out.CreateOrganisation.Organisation == nil {
		t.Fatalf("create merchant: %+v", out.CreateOrganisation.UserErrors)
	}
	merchantID = out.CreateOrganisation.Organisation.ID
	admin.MustData(t, `mutation($in: ApproveOrganisationInput!) { approveOrganisation(input: $in) { userErrors { code } } }`,
		map[string]any{"in": map[string]any{"organisationId": merchantID, "approve": true}}, nil)
	return shop, merchantID
}

func createReward(t *testing.T, shop *testutil.Client, merchantID, title string, price, stock int) testReward {
	t.Helper()
	var out struct {
		CreateReward struct {
			Reward     *testReward
			UserErrors []volUserError
		}
	}
	shop.MustData(t, `mutation($in: CreateRewardInput!) { createReward(input: $in) { reward { `+rewardFields+` }
		userErrors { field code message } } }`, map[string]any{"in": map[string]any{"merchantId": merchantID, "title": title,
		"description": "Vers van de bakker", "price": price, "stock": stock}}, &out)
	if out.CreateReward.Reward == nil {
		t.Fatalf("create reward: %+v", out.CreateReward.UserErrors)
	}
	return *out.CreateReward.Reward
}

func redeem(t *testing.T, c *testutil.Client, rewardID, key string) voucherPayload {
	t.Helper()
	var out struct{ RedeemReward voucherPayload }
	c.MustData(t, redeemMutation, map[string]any{"in": map[string]any{"rewardId": rewardID, "idempotencyKey": key}}, &out)
	return out.RedeemReward
}

func TestRewardJourneyFromEarnedCoinsToAVoucherTheMerchantAcceptsOnce(t *testing.T) {
	t.Parallel()
	p, admin, coord, orgID := volSetup(t)
	shop, merchantID := merchantSetup(t, p, admin)
	fund(t, admin, 10_000, "budget")
	vol := p.Register(t, "vol@example.org", "Vera Vrijwilliger")
	vol.Language = "en"
	attendedShift(t, p, coord, vol, orgID, "Soup bar") // 50 coins

	bread := createReward(t, shop, merchantID, "Sourdough bread", 30, 1)
	if !bread.Available || bread.Merchant.ID != merchantID {
		t.Fatalf("reward: %+v", bread)
	}
	// The catalogue is public.
	var cat struct {
		Rewards struct{ Edges []struct{ Node testReward } }
	}
	p.Client().MustData(t, `{ rewards(filter: { maxPrice: 40 }, orderBy: CHEAPEST) { edges { node { `+rewardFields+` } } } }`, nil, &cat)
	if len(cat.Rewards.Edges) != 1 || cat.Rewards.Edges[0].Node.ID != bread.ID {
		t.Fatalf("catalogue: %+v", cat)
	}

	sub := subscribeQuery(t, p, vol.Token, `subscription { walletChanged { balance } }`, nil)
	first := redeem(t, vol, bread.ID, "tap-1")
	if first.Voucher == nil || first.Voucher.State != "ISSUED" || first.Voucher.Price != 30 {
		t.Fatalf("redeem: %+v", first)
	}
	if m := sub.next(t); !strings.Contains(mustJSON(m), `"balance":20`) {
		t.Fatalf("walletChanged after redeeming: %v", m)
	}
	// A retried tap returns the same voucher and pays nothing more.
	if again := redeem(t, vol, bread.ID, "tap-1"); again.Voucher == nil || again.Voucher.Code != first.Voucher.Code {
		t.Fatalf("retry: %+v", again)
	}
	w := readWallet(t, vol)
	if w.Wallet.Balance != 20 {
		t.Fatalf("balance after redeeming: %d", w.Wallet.Balance)
	}
	if e := w.Wallet.Entries.Edges[0].Node; e.Kind != "REDEEMED" || e.Amount != -30 || !strings.Contains(e.Description, "Sourdough bread") {
		t.Fatalf("redeem entry: %+v", e)
	}
	// Out of stock now: a clear error, nothing paid.
	other := p.Register(t, "omar@example.org", "Omar")
	if out := redeem(t, other, bread.ID, "k"); out.Voucher != nil || len(out.UserErrors) != 1 {
		t.Fatalf("redeem out of stock: %+v", out)
	}

	code := first.Voucher.Code
	// The QR image holds the code.
	qr, err := url.Parse(first.Voucher.QRCodeURL) // the public address; the test server listens elsewhere
	if err != nil || !strings.HasSuffix(qr.Path, ".png") {
		t.Fatalf("qr url %q", first.Voucher.QRCodeURL)
	}
	resp, err := http.Get(p.Server.URL + qr.Path)
	if err != nil {
		t.Fatal(err)
	}
	png, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("qr: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// The holder and the merchant see the voucher; another resident does not.
	for who, c := range map[string]*testutil.Client{"holder": vol, "merchant": shop} {
		var v struct{ Voucher *testVoucher }
		c.MustData(t, `query($c: String!) { voucher(code: $c) { `+voucherFields+` } }`, map[string]any{"c": code}, &v)
		if v.Voucher == nil || v.Voucher.Reward == nil || v.Voucher.Reward.Title != "Sourdough bread" {
			t.Fatalf("%s sees %+v", who, v.Voucher)
		}
	}
	var hidden struct{ Voucher *testVoucher }
	other.MustData(t, `query($c: String!) { voucher(code: $c) { id } }`, map[string]any{"c": code}, &hidden)
	if hidden.Voucher != nil {
		t.Fatal("another resident sees the voucher")
	}
	// Another merchant cannot accept it; the right one can, typed loosely, once.
	if out := acceptAs(t, coord, code); out.Voucher != nil || len(out.UserErrors) == 0 {
		t.Fatalf("someone who is not the merchant accepted: %+v", out)
	}
	typed := strings.ToLower(strings.ReplaceAll(code, "-", " "))
	if out := acceptAs(t, shop, typed); out.Voucher == nil || out.Voucher.State != "ACCEPTED" || out.Voucher.Holder == nil {
		t.Fatalf("accept: %+v", out)
	}
	if out := acceptAs(t, shop, code); out.Voucher != nil || len(out.UserErrors) != 1 || out.UserErrors[0].Code != "INVALID_STATE" {
		t.Fatalf("accept twice: %+v", out)
	}
	// Accepted vouchers cannot be cancelled.
	var cancel struct{ CancelVoucher voucherPayload }
	vol.MustData(t, cancelMutation, map[string]any{"v": code}, &cancel)
	if cancel.CancelVoucher.Voucher != nil || len(cancel.CancelVoucher.UserErrors) != 1 {
		t.Fatalf("cancel after accept: %+v", cancel.CancelVoucher)
	}
	// The merchant's list shows it accepted.
	var mv struct {
		MerchantVouchers struct{ Edges []struct{ Node testVoucher } }
	}
	shop.MustData(t, `query($m: ID!) { merchantVouchers(merchantId: $m, states: [ACCEPTED]) { edges { node { code state } } } }`,
		map[string]any{"m": merchantID}, &mv)
	if len(mv.MerchantVouchers.Edges) != 1 || mv.MerchantVouchers.Edges[0].Node.Code != code {
		t.Fatalf("merchant vouchers: %+v", mv)
	}
	if r := vol.Do(t, `query($m: ID!) { merchantVouchers(merchantId: $m) { edges { node { code } } } }`,
		map[string]any{"m": merchantID}); r.ErrorCode() != "FORBIDDEN" {
		t.Fatalf("a resident lists the merchant's vouchers: %+v", r.Errors)
	}
	auditClean(t, admin)
}

func acceptAs(t *testing.T, c *testutil.Client, code string) voucherPayload {
	t.Helper()
	var out struct{ AcceptVoucher voucherPayload }
	r := c.Do(t, acceptMutation, map[string]any{"code": code})
	if r.ErrorCode() == "FORBIDDEN" {
		return voucherPayload{UserErrors: []volUserError{{Code: "FORBIDDEN"}}}
	}
	if len(r.Errors) > 0 {
		t.Fatalf("accept: %+v", r.Errors)
	}
	mustUnmarshal(t, r.Data, &out)
	return out.AcceptVoucher
}

func TestCancelledVoucherGivesTheCoinsAndTheItemBack(t *testing.T) {
	t.Parallel()
	p, admin, coord, orgID := volSetup(t)
	shop, merchantID := merchantSetup(t, p, admin)
	fund(t, admin, 10_000, "budget")
	vol := p.Register(t, "vol@example.org", "Vera")
	attendedShift(t, p, coord, vol, orgID, "Soup bar")
	cinema := createReward(t, shop, merchantID, "Cinema ticket", 40, 3)
	v := redeem(t, vol, cinema.ID, "k1")
	if v.Voucher == nil {
		t.Fatalf("redeem: %+v", v)
	}
	var cancel struct{ CancelVoucher voucherPayload }
	vol.MustData(t, cancelMutation, map[string]any{"v": v.Voucher.ID}, &cancel)
	if cancel.CancelVoucher.Voucher == nil || cancel.CancelVoucher.Voucher.State != "CANCELLED" {
		t.Fatalf("cancel: %+v", cancel.CancelVoucher)
	}
	w := readWallet(t, vol)
	if w.Wallet.Balance != 50 || w.Wallet.Entries.Edges[0].Node.Kind != "VOUCHER_RETURNED" {
		t.Fatalf("after cancel: %+v", w.Wallet)
	}
	if s := w.Wallet.YearStatement; s.Earned != 50 || s.Spent != 0 || s.Closing != 50 {
		t.Fatalf("statement: %+v", s)
	}
	// A redemption belongs to its voucher: an administrator cannot reverse it in the ledger.
	var rev struct {
		ReverseTransaction struct{ UserErrors []volUserError }
	}
	admin.MustData(t, `mutation($in: ReverseTransactionInput!) { reverseTransaction(input: $in) { userErrors { field code message } } }`,
		map[string]any{"in": map[string]any{"transactionId": w.Wallet.Entries.Edges[1].Node.TransactionID, "memo": "no",
			"idempotencyKey": "r"}}, &rev)
	volWantUserError(t, rev.ReverseTransaction.UserErrors, []string{"input", "transactionId"}, "INVALID_STATE", "")
	var rw struct{ Reward testReward }
	p.Client().MustData(t, `query($id: ID!) { reward(id: $id) { `+rewardFields+` } }`, map[string]any{"id": cinema.ID}, &rw)
	if rw.Reward.Stock != 3 {
		t.Fatalf("stock after cancel: %d", rw.Reward.Stock)
	}
	var mine struct {
		MyVouchers struct{ Edges []struct{ Node testVoucher } }
	}
	vol.MustData(t, `{ myVouchers { edges { node { code state } } } }`, nil, &mine)
	if len(mine.MyVouchers.Edges) != 1 || mine.MyVouchers.Edges[0].Node.State != "CANCELLED" {
		t.Fatalf("my vouchers: %+v", mine)
	}
	auditClean(t, admin)
}

func TestGiftsFollowThePolicy(t *testing.T) {
	t.Parallel()
	p, admin, coord, orgID := volSetup(t)
	fund(t, admin, 10_000, "budget")
	vol := p.Register(t, "vol@example.org", "Vera")
	friend := p.Register(t, "friend@example.org", "Fatima")
	attendedShift(t, p, coord, vol, orgID, "Soup bar")
	const m = `mutation($in: TransferCoinsInput!) { transferCoins(input: $in) { wallet { balance } userErrors { field code message } } }`
	type payload struct {
		TransferCoins struct {
			Wallet     *struct{ Balance int }
			UserErrors []volUserError
		}
	}
	gift := map[string]any{"toEmail": "friend@example.org", "amount": 10, "memo": "Voor de soep", "idempotencyKey": "g1"}
	var refused payload
	vol.MustData(t, m, map[string]any{"in": gift}, &refused)
	if refused.TransferCoins.Wallet != nil || len(refused.TransferCoins.UserErrors) != 1 {
		t.Fatalf("gift while the policy forbids it: %+v", refused)
	}
	admin.MustData(t, `mutation { setCoinPolicy(input: { coinsPerHour: 25, giftsAllowed: true, euroCentsPer10Coins: 100 }) { userErrors { code } } }`, nil, nil)
	var ok payload
	vol.MustData(t, m, map[string]any{"in": gift}, &ok)
	if ok.TransferCoins.Wallet == nil || ok.TransferCoins.Wallet.Balance != 40 {
		t.Fatalf("gift: %+v", ok)
	}
	vol.MustData(t, m, map[string]any{"in": gift}, &ok) // a retry gives nothing twice
	fw := readWallet(t, friend)
	if fw.Wallet.Balance != 10 || fw.Wallet.Entries.Edges[0].Node.Kind != "GIFT_RECEIVED" ||
		fw.Wallet.Entries.Edges[0].Node.Memo == nil || *fw.Wallet.Entries.Edges[0].Node.Memo != "Voor de soep" {
		t.Fatalf("friend's wallet: %+v", fw.Wallet)
	}
	var unknown payload
	vol.MustData(t, m, map[string]any{"in": map[string]any{"toEmail": "nobody@example.org", "amount": 1, "idempotencyKey": "g2"}}, &unknown)
	volWantUserError(t, unknown.TransferCoins.UserErrors, []string{"input", "toEmail"}, "NOT_FOUND", "")
	var tooMuch payload
	vol.MustData(t, m, map[string]any{"in": map[string]any{"toEmail": "friend@example.org", "amount": 41, "idempotencyKey": "g3"}}, &tooMuch)
	if tooMuch.TransferCoins.Wallet != nil || len(tooMuch.TransferCoins.UserErrors) != 1 {
		t.Fatalf("gift above the balance: %+v", tooMuch)
	}
	auditClean(t, admin)
}

func auditClean(t *testing.T, admin *testutil.Client) {
	t.Helper()
	var audit struct {
		LedgerAudit struct {
			Ok       bool
			Problems []string
		}
	}
	admin.MustData(t, `{ ledgerAudit { ok problems } }`, nil, &audit)
	if !audit.LedgerAudit.Ok || len(audit.LedgerAudit.Problems) != 0 {
		t.Fatalf("audit: %+v", audit.LedgerAudit)
	}
}

func mustUnmarshal(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}
