package graph_test

import (
	"testing"
)

// Deleting an account ends what the person still had running, in the same transaction: a
// place held on a shift to come goes to the first person waiting, and an unused voucher is
// cancelled (the coins go back to the pseudonymous wallet, the item back to stock), so no
// organisation waits for, and no merchant keeps an item aside for, somebody who is gone.
func TestDeletingAnAccountFreesItsPlacesAndGivesBackItsVouchers(t *testing.T) {
	t.Parallel()
	p, admin, coord, orgID := volSetup(t)
	shop, merchantID := merchantSetup(t, p, admin)
	fund(t, admin, 10_000, "budget")
	vol := p.Register(t, "leaving@example.org", "Lena Leaving")
	other := p.Register(t, "waiting@example.org", "Wim Waiting")
	attendedShift(t, p, coord, vol, orgID, "Soup bar")
	cinema := createReward(t, shop, merchantID, "Cinema ticket", 40, 3)
	v := redeem(t, vol, cinema.ID, "k1")
	if v.Voucher == nil {
		t.Fatalf("redeem: %+v", v)
	}

	needID, shiftID := volPublishedNeed(t, coord, orgID, "Park clean-up", 1, true)
	mine := volApply(t, vol, needID, shiftID, "")
	waiting := volApply(t, other, needID, shiftID, "")
	if mine.Application == nil || mine.Application.Status != "ACCEPTED" || waiting.Application == nil || waiting.Application.Status != "WAITING" {
		t.Fatalf("apply: %+v / %+v", mine, waiting)
	}

	var del struct {
		DeleteMyAccount struct {
			Deleted    bool
			UserErrors []volUserError
		}
	}
	vol.MustData(t, talDeleteMutation, map[string]any{"pw": talPassword}, &del)
	if !del.DeleteMyAccount.Deleted {
		t.Fatalf("delete: %+v", del)
	}

	var need struct {
		Need struct {
			Applications struct {
				Edges []struct{ Node volApplication }
			}
		}
	}
	coord.MustData(t, `query($id: ID!) { need(id: $id) { applications(first: 10) { edges { node { id status person { displayName } } } } } }`,
		map[string]any{"id": needID}, &need)
	status := map[string]string{}
	for _, e := range need.Need.Applications.Edges {
		status[e.Node.ID] = e.Node.Status
	}
	if status[mine.Application.ID] != "WITHDRAWN" || status[waiting.Application.ID] != "ACCEPTED" {
		t.Fatalf("after deletion: the leaver's application %s, the waiting one's %s; want WITHDRAWN and ACCEPTED",
			status[mine.Application.ID], status[waiting.Application.ID])
	}

	var rw struct{ Reward testReward }
	p.Client().MustData(t, `query($id: ID!) { reward(id: $id) { `+rewardFields+` } }`, map[string]any{"id": cinema.ID}, &rw)
	if rw.Reward.Stock != 3 {
		t.Fatalf("stock after deletion: %d, want 3 (the voucher's item back)", rw.Reward.Stock)
	}
	var vs struct {
		MerchantVouchers struct{ Edges []struct{ Node testVoucher } }
	}
	shop.MustData(t, `query($m: ID!) { merchantVouchers(merchantId: $m) { edges { node { id code state } } } }`,
		map[string]any{"m": merchantID}, &vs)
	if len(vs.MerchantVouchers.Edges) != 1 || vs.MerchantVouchers.Edges[0].Node.State != "CANCELLED" {
		t.Fatalf("the merchant's vouchers after deletion: %+v", vs.MerchantVouchers.Edges)
	}
	accepted := acceptAs(t, shop, v.Voucher.Code)
	if accepted.Voucher != nil || len(accepted.UserErrors) != 1 {
		t.Fatalf("accepting the voucher of a deleted account: %+v", accepted)
	}
	auditClean(t, admin)
}
