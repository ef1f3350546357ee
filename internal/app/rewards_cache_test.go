package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/helpende-handen/helpende-handen/internal/ledger"
	"github.com/helpende-handen/helpende-handen/internal/relay"
	"github.com/helpende-handen/helpende-handen/internal/testutil"
)

// The rewards catalogue and a reward are cached; a redemption (stock), a cancellation and an
// edit made on one instance show at once on both.
func TestCachedRewardsFollowStockAndEdits(t *testing.T) {
	ps := instances(t, 2)
	a, b := ps[0], ps[1]
	admin, coord, _ := org(t, a, "Buurthuis De Kroon")
	var out struct {
		CreateOrganisation struct{ Organisation *struct{ ID string } }
	}
	coord.MustData(t, `mutation { createOrganisation(input: { kind: MERCHANT, name: "Bakkerij Bart" }) { organisation { id } } }`, nil, &out)
	merchantID := out.CreateOrganisation.Organisation.ID
	approve(t, admin, merchantID)
	var rw struct {
		CreateReward struct{ Reward *struct{ ID string } }
	}
	coord.MustData(t, `mutation($m: ID!) { createReward(input: { merchantId: $m, title: "Brood", description: "Vers", price: 10, stock: 2 }) {
		reward { id } } }`, map[string]any{"m": merchantID}, &rw)
	rewardID := rw.CreateReward.Reward.ID

	// A resident with coins, on instance b.
	vol := b.Register(t, "vol@example.org", "Vera")
	var me struct{ Me struct{ ID string } }
	vol.MustData(t, `{ me { id } }`, nil, &me)
	personID, _ := relay.FromID("Person", me.Me.ID)
	ctx := context.Background()
	issuer, _ := a.Ledger.CityIssuer(ctx)
	if _, err := a.Ledger.FundIssuer(ctx, ledger.FundRequest{IssuerAccountID: issuer.ID, Amount: 100, IdempotencyKey: "f"}); err != nil {
		t.Fatal(err)
	}
	wallet, _ := a.Ledger.Wallet(ctx, personID)
	if _, err := a.Ledger.Transfer(ctx, ledger.TransferRequest{IdempotencyKey: "m", Kind: ledger.TxMint, From: issuer.ID,
		To: wallet.ID, Amount: 50}); err != nil {
		t.Fatal(err)
	}

	anon := [2]*testutil.Client{a.Client(), b.Client()}
	const list = `{ rewards { edges { node { id title stock available } } } }`
	const one = `query($id: ID!) { reward(id: $id) { title stock } }`
	check := func(step, want string) {
		t.Helper()
		for i, c := range anon {
			for _, q := range []string{list, one} {
				got, _ := read(t, c, q, map[string]any{"id": rewardID})
				if !strings.Contains(got, want) {
					t.Fatalf("%s: instance %d answers %s, want %s", step, i, got, want)
				}
			}
		}
	}
	check("created", `"stock":2`)
	if _, hdr := read(t, anon[1], list, nil); hdr != "hit" {
		t.Fatalf("the catalogue is not cached: X-Cache %q", hdr)
	}
	var red struct {
		RedeemReward struct{ Voucher *struct{ ID string } }
	}
	vol.MustData(t, `mutation($r: ID!) { redeemReward(input: { rewardId: $r, idempotencyKey: "k" }) { voucher { id } } }`,
		map[string]any{"r": rewardID}, &red)
	check("redeemed on b", `"stock":1`)
	volA := &testutil.Client{URL: a.URL, Token: vol.Token, HTTP: vol.HTTP, Header: http.Header{}}
	mustOK(t, volA, `mutation($v: String!) { cancelVoucher(input: { voucher: $v }) { userErrors { field code message } } }`,
		map[string]any{"v": red.RedeemReward.Voucher.ID})
	check("cancelled on a", `"stock":2`)
	coordB := &testutil.Client{URL: b.URL, Token: coord.Token, HTTP: coord.HTTP, Header: http.Header{}}
	mustOK(t, coordB, `mutation($r: ID!) { updateReward(input: { rewardId: $r, title: "Zuurdesembrood" }) { userErrors { field code message } } }`,
		map[string]any{"r": rewardID})
	check("edited on b", `"title":"Zuurdesembrood"`)
}
