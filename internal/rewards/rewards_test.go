package rewards_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/ledger"
	"github.com/helpende-handen/helpende-handen/internal/rewards"
)

func TestCreateRewardRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	merchantID, member := e.merchant()
	stranger := e.person("nl")
	pendingMember := e.person("nl")
	pending := e.org("MERCHANT", "PENDING", pendingMember)
	clubMember := e.person("nl")
	club := e.org("SPORTS_CLUB", "APPROVED", clubMember)
	ok := func(in *rewards.RewardInput) {}
	cases := []struct {
		name     string
		by       *accounts.Viewer
		merchant string
		mutate   func(*rewards.RewardInput)
		want     string // message key, "forbidden", or "" for success
	}{
		{"member of an approved merchant", member, merchantID, ok, ""},
		{"not a member", stranger, merchantID, ok, "forbidden"},
		{"anonymous", nil, merchantID, ok, "unauthenticated"},
		{"merchant not approved", pendingMember, pending, ok, rewards.MsgOrgNotApproved},
		{"not a merchant", clubMember, club, ok, rewards.MsgNotAMerchant},
		{"price zero", member, merchantID, func(in *rewards.RewardInput) { in.Price = ptr(0) }, "out_of_range"},
		{"price negative", member, merchantID, func(in *rewards.RewardInput) { in.Price = ptr(-5) }, "out_of_range"},
		{"stock negative", member, merchantID, func(in *rewards.RewardInput) { in.Stock = ptr(-1) }, "out_of_range"},
		{"no title", member, merchantID, func(in *rewards.RewardInput) { in.Title = ptr("  ") }, "required"},
		{"http photo", member, merchantID, func(in *rewards.RewardInput) { in.PhotoURL = ptr("http://example.org/a.jpg") }, rewards.MsgInvalidURL},
		{"javascript photo", member, merchantID, func(in *rewards.RewardInput) { in.PhotoURL = ptr("javascript:alert(1)") }, rewards.MsgInvalidURL},
		{"photo with credentials", member, merchantID, func(in *rewards.RewardInput) { in.PhotoURL = ptr("https://a:b@example.org/x.jpg") }, rewards.MsgInvalidURL},
		{"https photo", member, merchantID, func(in *rewards.RewardInput) { in.PhotoURL = ptr("https://example.org/brood.jpg") }, ""},
		{"ends before it starts", member, merchantID, func(in *rewards.RewardInput) { in.ValidUntil = ptr(in.ValidFrom.Add(-time.Minute)) }, rewards.MsgEndBeforeStart},
		{"unknown district", member, merchantID, func(in *rewards.RewardInput) { in.DistrictKey = ptr("atlantis") }, rewards.MsgUnknownDistrict},
		{"unknown theme", member, merchantID, func(in *rewards.RewardInput) { in.SetThemes, in.Themes = true, []string{"nope"} }, rewards.MsgUnknownTheme},
		{"unknown language", member, merchantID, func(in *rewards.RewardInput) { in.Language = ptr("de") }, rewards.MsgUnknownLanguage},
	}
	for _, c := range cases {
		in := rewards.RewardInput{Title: ptr("Brood"), Price: ptr(10), Stock: ptr(3), ValidFrom: ptr(time.Now())}
		c.mutate(&in)
		_, err := e.rw.CreateReward(e.ctx, c.by, c.merchant, in)
		got := message(err)
		switch {
		case errors.Is(err, errs.ErrForbidden):
			got = "forbidden"
		case errors.Is(err, errs.ErrUnauthenticated):
			got = "unauthenticated"
		}
		if got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
	// District and themes come from the merchant unless set.
	r := e.reward(merchantID, member, 10, 1)
	if r.DistrictKey == nil || *r.DistrictKey != "berchem" || len(r.Themes) != 1 || r.Themes[0] != "elderly" {
		t.Errorf("defaults from the merchant: district %v, themes %v", r.DistrictKey, r.Themes)
	}
	r2 := e.reward(merchantID, member, 10, 1, func(in *rewards.RewardInput) {
		in.DistrictKey, in.SetThemes, in.Themes = ptr("deurne"), true, []string{"youth", "youth"}
	})
	if *r2.DistrictKey != "deurne" || len(r2.Themes) != 1 {
		t.Errorf("set district and themes: %v %v", *r2.DistrictKey, r2.Themes)
	}
	// Update: only the merchant's members.
	if _, err := e.rw.UpdateReward(e.ctx, stranger, r.ID, rewards.RewardInput{Stock: ptr(9)}); !errors.Is(err, errs.ErrForbidden) {
		t.Errorf("update by a stranger: %v", err)
	}
	u, err := e.rw.UpdateReward(e.ctx, member, r.ID, rewards.RewardInput{Stock: ptr(9), Price: ptr(12), Active: ptr(false)})
	must(t, err)
	if u.Stock != 9 || u.Price != 12 || u.Active || u.Title != r.Title {
		t.Errorf("updated: %+v", u)
	}
	// An inactive reward is found only by the merchant's members.
	if _, err := e.rw.Reward(e.ctx, stranger, r.ID); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("inactive reward for a stranger: %v", err)
	}
	if _, err := e.rw.Reward(e.ctx, member, r.ID); err != nil {
		t.Errorf("inactive reward for a member: %v", err)
	}
}

func TestRewardsFilterAndPaginate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m1, a := e.merchant()
	m2, b := e.merchant()
	var ids []string
	for i, p := range []int{30, 10, 20, 10, 50} {
		r := e.reward(m1, a, p, i%2, func(in *rewards.RewardInput) {
			if p == 50 {
				in.DistrictKey = ptr("deurne")
			}
		})
		ids = append(ids, r.ID)
	}
	e.reward(m2, b, 5, 1, func(in *rewards.RewardInput) { in.SetThemes, in.Themes = true, []string{"youth"} })
	e.reward(m2, b, 7, 1, func(in *rewards.RewardInput) { in.ValidUntil = ptr(in.ValidFrom.Add(time.Minute)) }) // ended
	e.reward(m2, b, 8, 1, func(in *rewards.RewardInput) { in.Active = ptr(false) })                             // withdrawn

	list := func(f rewards.RewardFilter, first int) []rewards.Reward {
		t.Helper()
		var out []rewards.Reward
		var after *rewards.RewardCursor
		for {
			p, err := e.rw.Rewards(e.ctx, f, first, after)
			must(t, err)
			out = append(out, p.Rewards...)
			if !p.HasNextPage {
				return out
			}
			c := rewards.CursorOf(&p.Rewards[len(p.Rewards)-1], f.Order)
			after = &c
		}
	}
	prices := func(rs []rewards.Reward) []int {
		var out []int
		for _, r := range rs {
			out = append(out, r.Price)
		}
		return out
	}
	eq := func(name string, got, want []int) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s: %v, want %v", name, got, want)
			return
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: %v, want %v", name, got, want)
				return
			}
		}
	}
	eq("newest first, pages of 2", prices(list(rewards.RewardFilter{}, 2)), []int{5, 50, 10, 20, 10, 30})
	eq("cheapest first, pages of 2", prices(list(rewards.RewardFilter{Order: rewards.OrderCheapest}, 2)), []int{5, 10, 10, 20, 30, 50})
	eq("merchant", prices(list(rewards.RewardFilter{MerchantID: m2}, 10)), []int{5})
	eq("district", prices(list(rewards.RewardFilter{DistrictKey: "deurne"}, 10)), []int{50})
	eq("theme", prices(list(rewards.RewardFilter{Theme: "youth"}, 10)), []int{5})
	eq("max price", prices(list(rewards.RewardFilter{MaxPrice: 10, Order: rewards.OrderCheapest}, 10)), []int{5, 10, 10})
	eq("available only", prices(list(rewards.RewardFilter{AvailableOnly: true, Order: rewards.OrderCheapest}, 1)), []int{5, 10, 10})
}

// The rules of redeeming, accepting, cancelling and giving, one row each.
func TestVoucherRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.setPolicy(false, nil, nil)
	merchantID, member := e.merchant()
	otherMerchant, otherMember := e.merchant()
	_ = otherMerchant
	holder := e.person("nl")
	stranger := e.person("fr")
	e.mint(holder.PersonID, 1000)

	redeem := func(r *rewards.Reward) *rewards.Voucher {
		t.Helper()
		v, err := e.rw.Redeem(e.ctx, holder, r.ID, newID())
		must(t, err)
		return v
	}
	type step func() error
	cases := []struct {
		name string
		run  step
		want string
	}{
		{"wrong merchant cannot accept", func() error {
			v := redeem(e.reward(merchantID, member, 10, 5))
			_, err := e.rw.Accept(e.ctx, otherMember, v.Code)
			return err
		}, rewards.MsgVoucherWrongMerchant},
		{"a resident cannot accept", func() error {
			v := redeem(e.reward(merchantID, member, 10, 5))
			_, err := e.rw.Accept(e.ctx, holder, v.Code)
			return err
		}, rewards.MsgVoucherWrongMerchant},
		{"accept twice", func() error {
			v := redeem(e.reward(merchantID, member, 10, 5))
			_, err := e.rw.Accept(e.ctx, member, rewards.FormatCode(v.Code))
			must(t, err)
			_, err = e.rw.Accept(e.ctx, member, strings.ToLower(v.Code))
			return err
		}, rewards.MsgVoucherAccepted},
		{"cancel after accept", func() error {
			v := redeem(e.reward(merchantID, member, 10, 5))
			_, err := e.rw.Accept(e.ctx, member, v.Code)
			must(t, err)
			_, err = e.rw.Cancel(e.ctx, holder, v.ID)
			return err
		}, rewards.MsgVoucherAccepted},
		{"accept after cancel", func() error {
			v := redeem(e.reward(merchantID, member, 10, 5))
			_, err := e.rw.Cancel(e.ctx, holder, v.ID)
			must(t, err)
			_, err = e.rw.Accept(e.ctx, member, v.Code)
			return err
		}, rewards.MsgVoucherCancelled},
		{"accept after expiry", func() error {
			v := redeem(e.reward(merchantID, member, 10, 5))
			_, err := e.rw.ExpireVouchers(e.ctx, v.ValidUntil)
			must(t, err)
			_, err = e.rw.Accept(e.ctx, member, v.Code)
			return err
		}, rewards.MsgVoucherExpired},
		{"accept when the time is up, before the job ran", func() error {
			r := e.reward(merchantID, member, 10, 5, func(in *rewards.RewardInput) { in.ValidUntil = ptr(time.Now().Add(2 * time.Second)) })
			v := redeem(r)
			if !v.ValidUntil.Equal(*r.ValidUntil) {
				t.Errorf("voucher valid until %v, the reward until %v", v.ValidUntil, *r.ValidUntil)
			}
			e.rw.Now = func() time.Time { return v.ValidUntil.Add(time.Second) }
			defer func() { e.rw.Now = time.Now }()
			_, err := e.rw.Accept(e.ctx, member, v.Code)
			return err
		}, rewards.MsgVoucherExpired},
		{"a stranger cannot cancel", func() error {
			v := redeem(e.reward(merchantID, member, 10, 5))
			_, err := e.rw.Cancel(e.ctx, stranger, v.ID)
			return err
		}, rewards.MsgVoucherNotFound},
		{"unknown code", func() error {
			c, _ := rewards.NewCode()
			_, err := e.rw.Accept(e.ctx, member, c)
			return err
		}, rewards.MsgVoucherNotFound},
		{"mistyped code", func() error {
			v := redeem(e.reward(merchantID, member, 10, 5))
			typo := []byte(v.Code)
			typo[3], typo[4] = typo[4], typo[3]
			if typo[3] == typo[4] {
				typo[3] = map[bool]byte{true: 'A', false: 'B'}[typo[4] != 'A']
			}
			_, err := e.rw.Accept(e.ctx, member, string(typo))
			return err
		}, rewards.MsgVoucherCodeInvalid},
		{"out of stock", func() error {
			r := e.reward(merchantID, member, 10, 1)
			redeem(r)
			_, err := e.rw.Redeem(e.ctx, holder, r.ID, newID())
			return err
		}, rewards.MsgOutOfStock},
		{"expired reward", func() error {
			r := e.reward(merchantID, member, 10, 5, func(in *rewards.RewardInput) {
				in.ValidFrom, in.ValidUntil = ptr(time.Now().Add(-2*time.Hour)), ptr(time.Now().Add(-time.Hour))
			})
			_, err := e.rw.Redeem(e.ctx, holder, r.ID, newID())
			return err
		}, rewards.MsgRewardExpired},
		{"reward not valid yet", func() error {
			r := e.reward(merchantID, member, 10, 5, func(in *rewards.RewardInput) { in.ValidFrom = ptr(time.Now().Add(time.Hour)) })
			_, err := e.rw.Redeem(e.ctx, holder, r.ID, newID())
			return err
		}, rewards.MsgRewardNotYetValid},
		{"withdrawn reward", func() error {
			r := e.reward(merchantID, member, 10, 5, func(in *rewards.RewardInput) { in.Active = ptr(false) })
			_, err := e.rw.Redeem(e.ctx, holder, r.ID, newID())
			return err
		}, rewards.MsgRewardNotActive},
		{"unknown reward", func() error {
			_, err := e.rw.Redeem(e.ctx, holder, newID(), newID())
			return err
		}, rewards.MsgRewardNotFound},
		{"not enough coins", func() error {
			_, err := e.rw.Redeem(e.ctx, stranger, e.reward(merchantID, member, 10, 5).ID, newID())
			return err
		}, rewards.MsgInsufficientBalance},
		{"same key, other reward", func() error {
			key := newID()
			_, err := e.rw.Redeem(e.ctx, holder, e.reward(merchantID, member, 10, 5).ID, key)
			must(t, err)
			_, err = e.rw.Redeem(e.ctx, holder, e.reward(merchantID, member, 10, 5).ID, key)
			return err
		}, rewards.MsgIdempotencyConflict},
		{"gifts disabled", func() error {
			_, err := e.rw.TransferCoins(e.ctx, holder, rewards.GiftInput{ToPersonID: stranger.PersonID, Amount: 5, IdempotencyKey: newID()})
			return err
		}, rewards.MsgGiftsNotAllowed},
	}
	for _, c := range cases {
		before := e.snapshot()
		err := c.run()
		if got := message(err); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
		_ = before
		e.audits()
	}
}

// snapshot is everything a refused request must leave as it is (it may have made an empty
// ledger account, as reading one does).
func (e *env) snapshot() string {
	e.t.Helper()
	var s string
	must(e.t, e.db.GetContext(e.ctx, &s, `SELECT (SELECT count(*) FROM ledger_transactions) || '/' ||
		(SELECT coalesce(string_agg(id || '=' || balance, ',' ORDER BY id), '') FROM ledger_accounts WHERE balance <> 0) || '/' ||
		(SELECT coalesce(string_agg(id || '=' || state, ',' ORDER BY id), '') FROM vouchers) || '/' ||
		(SELECT coalesce(string_agg(id || '=' || stock, ',' ORDER BY id), '') FROM rewards)`))
	return s
}

// Refused requests write nothing; replays return the first result and write nothing.
func TestRefusedAndReplayedRequestsWriteNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.setPolicy(true, nil, nil)
	merchantID, member := e.merchant()
	holder, friend := e.person("nl"), e.person("ar")
	e.mint(holder.PersonID, 25)
	r := e.reward(merchantID, member, 20, 1)
	key := newID()
	v, err := e.rw.Redeem(e.ctx, holder, r.ID, key)
	must(t, err)
	gift, err := e.rw.TransferCoins(e.ctx, holder, rewards.GiftInput{ToPersonID: friend.PersonID, Amount: 5, Memo: "Voor de soep", IdempotencyKey: "g1"})
	must(t, err)
	before := e.snapshot()
	again, err := e.rw.Redeem(e.ctx, holder, r.ID, key)
	must(t, err)
	if !again.Replayed || again.ID != v.ID || again.Code != v.Code {
		t.Errorf("replayed redeem: %+v", again)
	}
	g2, err := e.rw.TransferCoins(e.ctx, holder, rewards.GiftInput{ToPersonID: friend.PersonID, Amount: 5, Memo: "Voor de soep", IdempotencyKey: "g1"})
	must(t, err)
	if !g2.Replayed || g2.ID != gift.ID {
		t.Errorf("replayed gift: %+v", g2)
	}
	refused := []struct {
		name string
		err  error
		want string
	}{}
	add := func(name string, err error, want string) {
		refused = append(refused, struct {
			name string
			err  error
			want string
		}{name, err, want})
	}
	_, err = e.rw.Redeem(e.ctx, holder, r.ID, newID())
	add("out of stock", err, rewards.MsgOutOfStock)
	_, err = e.rw.TransferCoins(e.ctx, holder, rewards.GiftInput{ToPersonID: friend.PersonID, Amount: 6, Memo: "Voor de soep", IdempotencyKey: "g1"})
	add("same key, other gift", err, rewards.MsgIdempotencyConflict)
	_, err = e.rw.TransferCoins(e.ctx, holder, rewards.GiftInput{ToPersonID: friend.PersonID, Amount: 1, IdempotencyKey: newID()})
	add("more than the wallet holds", err, rewards.MsgInsufficientBalance)
	_, err = e.rw.TransferCoins(e.ctx, holder, rewards.GiftInput{ToPersonID: holder.PersonID, Amount: 1, IdempotencyKey: newID()})
	add("to oneself", err, rewards.MsgGiftToSelf)
	_, err = e.rw.TransferCoins(e.ctx, holder, rewards.GiftInput{ToPersonID: newID(), Amount: 1, IdempotencyKey: newID()})
	add("to nobody", err, rewards.MsgRecipientNotFound)
	_, err = e.rw.TransferCoins(e.ctx, holder, rewards.GiftInput{ToPersonID: member.PersonID, Amount: 1, IdempotencyKey: newID()})
	add("to a merchant", err, rewards.MsgRecipientIsMerchant)
	_, err = e.rw.TransferCoins(e.ctx, friend, rewards.GiftInput{ToPersonID: holder.PersonID, Amount: 0, IdempotencyKey: newID()})
	add("zero coins", err, "out_of_range")
	_, err = e.rw.TransferCoins(e.ctx, friend, rewards.GiftInput{ToPersonID: holder.PersonID, Amount: 1 << 31, IdempotencyKey: newID()})
	add("2^31 coins", err, "out_of_range")
	_, err = e.rw.TransferCoins(e.ctx, friend, rewards.GiftInput{ToPersonID: holder.PersonID, Amount: 1, IdempotencyKey: strings.Repeat("k", 101)})
	add("key too long", err, "too_long")
	_, err = e.rw.Accept(e.ctx, holder, v.Code)
	add("holder accepts", err, rewards.MsgVoucherWrongMerchant)
	for _, c := range refused {
		if got := message(c.err); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
	if after := e.snapshot(); after != before {
		t.Errorf("refused or replayed requests wrote something:\n%s\n%s", before, after)
	}
	// Cancel twice: the second changes nothing.
	c1, err := e.rw.Cancel(e.ctx, holder, v.ID)
	must(t, err)
	mid := e.snapshot()
	c2, err := e.rw.Cancel(e.ctx, member, rewards.FormatCode(v.Code))
	must(t, err)
	if c1.State != rewards.StateCancelled || c2.State != rewards.StateCancelled || e.snapshot() != mid {
		t.Errorf("cancel twice: %s %s", c1.State, c2.State)
	}
	if e.wallet(holder.PersonID) != 20 || e.wallet(friend.PersonID) != 5 {
		t.Errorf("balances %d %d", e.wallet(holder.PersonID), e.wallet(friend.PersonID))
	}
	e.audits()
}

// The whole path: redeem, accept, settle; cancel and expire give coins and stock back.
func TestRedeemAcceptCancelExpireSettle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.setPolicy(false, nil, nil)
	merchantID, member := e.merchant()
	holder := e.person("nl")
	e.mint(holder.PersonID, 100)
	r := e.reward(merchantID, member, 15, 3)
	v1, err := e.rw.Redeem(e.ctx, holder, r.ID, "a")
	must(t, err)
	v2, err := e.rw.Redeem(e.ctx, holder, r.ID, "b")
	must(t, err)
	v3, err := e.rw.Redeem(e.ctx, holder, r.ID, "c")
	must(t, err)
	if got := e.wallet(holder.PersonID); got != 55 {
		t.Fatalf("wallet %d after three redeems, want 55", got)
	}
	if got := e.balance(ledger.KindVouchersOutstanding, merchantID); got != 45 {
		t.Fatalf("outstanding %d, want 45", got)
	}
	if v1.State != rewards.StateIssued || v1.ValidUntil.Sub(v1.IssuedAt) != rewards.VoucherValidity {
		t.Errorf("voucher %+v", v1)
	}
	acc, err := e.rw.Accept(e.ctx, member, rewards.FormatCode(v1.Code))
	must(t, err)
	if acc.State != rewards.StateAccepted || acc.ClosedBy == nil || *acc.ClosedBy != member.PersonID {
		t.Errorf("accepted: %+v", acc)
	}
	_, err = e.rw.Cancel(e.ctx, member, v2.Code) // the merchant may cancel too
	must(t, err)
	n, err := e.rw.ExpireVouchers(e.ctx, v3.ValidUntil.Add(-time.Second))
	must(t, err)
	if n != 0 {
		t.Errorf("expired %d before the time", n)
	}
	n, err = e.rw.ExpireVouchers(e.ctx, v3.ValidUntil)
	must(t, err)
	n2, err := e.rw.ExpireVouchers(e.ctx, v3.ValidUntil)
	must(t, err)
	if n != 1 || n2 != 0 {
		t.Errorf("expired %d then %d, want 1 then 0", n, n2)
	}
	got, err := e.rw.Voucher(e.ctx, holder, v3.ID)
	must(t, err)
	if got.State != rewards.StateExpired {
		t.Errorf("state %s", got.State)
	}
	rr, err := e.rw.Reward(e.ctx, nil, r.ID)
	must(t, err)
	if rr.Stock != 2 || e.wallet(holder.PersonID) != 85 || e.balance(ledger.KindMerchant, merchantID) != 15 ||
		e.balance(ledger.KindVouchersOutstanding, merchantID) != 0 {
		t.Errorf("stock %d, wallet %d, merchant %d", rr.Stock, e.wallet(holder.PersonID), e.balance(ledger.KindMerchant, merchantID))
	}
	// Lists: the holder's own, the merchant's for its members only.
	page, err := e.rw.Vouchers(e.ctx, holder, rewards.VoucherFilter{}, 2, nil)
	must(t, err)
	if len(page.Vouchers) != 2 || !page.HasNextPage {
		t.Errorf("first page: %d, next %v", len(page.Vouchers), page.HasNextPage)
	}
	page, err = e.rw.Vouchers(e.ctx, member, rewards.VoucherFilter{MerchantID: merchantID, States: []string{rewards.StateAccepted}}, 10, nil)
	must(t, err)
	if len(page.Vouchers) != 1 || page.Vouchers[0].ID != v1.ID {
		t.Errorf("merchant's accepted vouchers: %+v", page.Vouchers)
	}
	if _, err := e.rw.Vouchers(e.ctx, holder, rewards.VoucherFilter{MerchantID: merchantID}, 10, nil); !errors.Is(err, errs.ErrForbidden) {
		t.Errorf("a resident lists a merchant's vouchers: %v", err)
	}
	if _, err := e.rw.Voucher(e.ctx, e.person("nl"), v1.Code); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("a stranger reads a voucher: %v", err)
	}

	// Settlement: only a period that has ended; once per merchant and period.
	period := rewards.PeriodOf(acc.ClosedAt.Add(0))
	_, err = e.rw.Settle(e.ctx, merchantID, period)
	userError(t, err, rewards.MsgPeriodNotClosed)
	_, err = e.rw.Settle(e.ctx, merchantID, "2026-13")
	userError(t, err, rewards.MsgInvalidPeriod)
	_, end, _ := rewards.ParsePeriod(period)
	e.rw.Now = func() time.Time { return end.Add(time.Hour) }
	e.setPolicy(false, nil, nil)
	_, err = e.led.SetPolicy(e.ctx, "", ledger.PolicyInput{CoinsPerHour: 25, EuroCentsPer10Coins: 125})
	must(t, err)
	st, err := e.rw.Settle(e.ctx, merchantID, period)
	must(t, err)
	// 15 coins at €1.25 per 10 coins = 187.5 cents, rounded half up to 188.
	if st.Coins != 15 || st.Vouchers != 1 || st.EuroCents != 188 || st.TransactionID == nil || st.Replayed {
		t.Errorf("statement %+v", st)
	}
	again, err := e.rw.Settle(e.ctx, merchantID, period)
	must(t, err)
	all, err := e.rw.SettleAll(e.ctx, end.Add(time.Hour))
	must(t, err)
	if !again.Replayed || again.ID != st.ID || len(all) != 0 {
		t.Errorf("settled again: %+v, all %d", again, len(all))
	}
	if e.balance(ledger.KindMerchant, merchantID) != 0 || e.balance(ledger.KindSettlement, "") != 15 {
		t.Errorf("merchant %d, settlement %d", e.balance(ledger.KindMerchant, merchantID), e.balance(ledger.KindSettlement, ""))
	}
	list, err := e.rw.Statements(e.ctx, member, merchantID)
	must(t, err)
	if len(list) != 1 || list[0].ID != st.ID {
		t.Errorf("statements %+v", list)
	}
	if _, err := e.rw.Statements(e.ctx, holder, merchantID); !errors.Is(err, errs.ErrForbidden) {
		t.Errorf("a resident reads statements: %v", err)
	}
	e.audits()
}

func TestEuroCentsRounding(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		coins int64
		rate  int
		want  int64
	}{{10, 100, 100}, {15, 125, 188}, {1, 100, 10}, {1, 1, 0}, {5, 1, 1}, {1, 4, 0}, {3, 5, 2}, {0, 100, 0}} {
		if got := rewards.EuroCents(c.coins, c.rate); got != c.want {
			t.Errorf("EuroCents(%d, %d) = %d, want %d", c.coins, c.rate, got, c.want)
		}
	}
}

func TestSettleAllPicksUpLateAcceptances(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	merchantID, member := e.merchant()
	holder := e.person("nl")
	e.mint(holder.PersonID, 100)
	start := time.Date(2026, 3, 31, 23, 0, 0, 0, rewards.Zone)
	at := start
	e.rw.Now = func() time.Time { return at }
	r := e.reward(merchantID, member, 10, 10)
	redeemAccept := func() {
		v, err := e.rw.Redeem(e.ctx, holder, r.ID, newID())
		must(t, err)
		_, err = e.rw.Accept(e.ctx, member, v.Code)
		must(t, err)
	}
	redeemAccept()                 // March
	at = start.Add(2 * time.Hour)  // 1 April
	redeemAccept()                 // April
	at = start.Add(24 * time.Hour) // still April: March can be settled
	sts, err := e.rw.SettleAll(e.ctx, at)
	must(t, err)
	if len(sts) != 1 || sts[0].Period != "2026-03" || sts[0].Coins != 10 {
		t.Fatalf("March: %+v", sts)
	}
	// A voucher accepted in March but not settled by March's statement (say it committed
	// late) is in April's statement.
	_, err = e.db.ExecContext(e.ctx, `UPDATE vouchers SET closed_at = $1 WHERE state = 'ACCEPTED' AND statement_id IS NULL`,
		start.Add(-time.Hour))
	must(t, err)
	at = start.AddDate(0, 1, 2)
	sts, err = e.rw.SettleAll(e.ctx, at)
	must(t, err)
	if len(sts) != 1 || sts[0].Period != "2026-04" || sts[0].Coins != 10 {
		t.Fatalf("April: %+v", sts)
	}
	e.audits()
}

// 50 people redeem the last 5 items at once: exactly 5 vouchers, and every balance is right.
func TestConcurrentRedeemsNeverOversell(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	merchantID, member := e.merchant()
	r := e.reward(merchantID, member, 10, 5)
	people := make([]*accounts.Viewer, 50)
	for i := range people {
		people[i] = e.person("nl")
		e.mint(people[i].PersonID, 10)
	}
	var wg sync.WaitGroup
	results := make([]error, len(people))
	start := make(chan struct{})
	for i, p := range people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, results[i] = e.rw.Redeem(e.ctx, p, r.ID, "k")
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for i, err := range results {
		switch message(err) {
		case "":
			ok++
			if e.wallet(people[i].PersonID) != 0 {
				t.Errorf("winner %d has %d coins", i, e.wallet(people[i].PersonID))
			}
		case rewards.MsgOutOfStock:
			if e.wallet(people[i].PersonID) != 10 {
				t.Errorf("refused %d has %d coins", i, e.wallet(people[i].PersonID))
			}
		default:
			t.Errorf("redeem %d: %v", i, err)
		}
	}
	rr, err := e.rw.Reward(e.ctx, nil, r.ID)
	must(t, err)
	if ok != 5 || rr.Stock != 0 || e.count(`SELECT count(*) FROM vouchers WHERE reward_id = $1`, r.ID) != 5 ||
		e.balance(ledger.KindVouchersOutstanding, merchantID) != 50 {
		t.Errorf("%d vouchers, stock %d", ok, rr.Stock)
	}
	e.audits()
}

// 100 redeems of a 10-coin reward from one wallet of 100 coins: exactly 10, then the wallet is empty.
func TestConcurrentRedeemsNeverOverdraw(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	merchantID, member := e.merchant()
	r := e.reward(merchantID, member, 10, 1000)
	holder := e.person("nl")
	e.mint(holder.PersonID, 100)
	var wg sync.WaitGroup
	var mu sync.Mutex
	counts := map[string]int{}
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.rw.Redeem(e.ctx, holder, r.ID, newID())
			mu.Lock()
			counts[message(err)]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if counts[""] != 10 || counts[rewards.MsgInsufficientBalance] != 90 || e.wallet(holder.PersonID) != 0 {
		t.Errorf("results %v, wallet %d", counts, e.wallet(holder.PersonID))
	}
	e.audits()
}

func TestMerchantCap(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.setPolicy(false, nil, ptr(25))
	merchantID, member := e.merchant()
	holder := e.person("nl")
	e.mint(holder.PersonID, 100)
	r := e.reward(merchantID, member, 10, 10)
	v, err := e.rw.Redeem(e.ctx, holder, r.ID, "1")
	must(t, err)
	_, err = e.rw.Accept(e.ctx, member, v.Code)
	must(t, err)
	_, err = e.rw.Redeem(e.ctx, holder, r.ID, "2")
	must(t, err)
	_, err = e.rw.Redeem(e.ctx, holder, r.ID, "3")
	userError(t, err, rewards.MsgMerchantCapReached)
}

// Coins older than the policy's period expire once per day; people are told beforehand, once, in their language.
func TestCoinExpiryAndNotice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	now := time.Now()
	nl, ar := e.person("nl"), e.person("ar")
	e.mint(nl.PersonID, 40)
	e.mint(ar.PersonID, 30)
	// No expiry in the policy: nothing happens.
	res, err := e.rw.ExpireCoins(e.ctx, now.AddDate(5, 0, 0))
	must(t, err)
	if res.Coins != 0 {
		t.Fatalf("expired %d without an expiry policy", res.Coins)
	}
	e.setPolicy(true, ptr(12), nil)
	// Today nothing is old enough.
	res, err = e.rw.ExpireCoins(e.ctx, now)
	must(t, err)
	sent, err := e.rw.NoticeExpiringCoins(e.ctx, now)
	must(t, err)
	if res.Coins != 0 || sent != 0 {
		t.Fatalf("expired %d, told %d today", res.Coins, sent)
	}
	// Spent coins are the oldest: after giving 10 away, nl has 30 old coins.
	_, err = e.rw.TransferCoins(e.ctx, nl, rewards.GiftInput{ToPersonID: ar.PersonID, Amount: 10, IdempotencyKey: "g"})
	must(t, err)
	// 20 days before a year has passed: both are told, once, in their language.
	soon := now.AddDate(1, 0, -20)
	sent, err = e.rw.NoticeExpiringCoins(e.ctx, soon)
	must(t, err)
	again, err := e.rw.NoticeExpiringCoins(e.ctx, soon.Add(24*time.Hour))
	must(t, err)
	if sent != 2 || again != 0 {
		t.Fatalf("told %d then %d, want 2 then 0", sent, again)
	}
	var msgs []struct {
		Kind    string `db:"kind"`
		Message string `db:"message"`
	}
	must(t, e.db.SelectContext(e.ctx, &msgs, `SELECT kind, message FROM notifications WHERE person_id = $1`, ar.PersonID))
	if len(msgs) != 1 || msgs[0].Kind != rewards.NotificationCoinsExpires || !strings.Contains(msgs[0].Message, "40") ||
		!strings.ContainsRune(msgs[0].Message, 'ع') {
		t.Errorf("Arabic notice: %+v", msgs)
	}
	arabic := msgs[0].Message
	must(t, e.db.SelectContext(e.ctx, &msgs, `SELECT kind, message FROM notifications WHERE person_id = $1`, nl.PersonID))
	if len(msgs) != 1 || !strings.Contains(msgs[0].Message, "30") || strings.ContainsRune(msgs[0].Message, 'ع') ||
		strings.Contains(msgs[0].Message, "{{") || strings.Contains(arabic, "{{") || strings.Contains(msgs[0].Message, "coins_expiring") {
		t.Errorf("Dutch notice: %+v", msgs)
	}
	// A day before the year is over, nothing expires yet.
	res, err = e.rw.ExpireCoins(e.ctx, now.AddDate(1, 0, -1))
	must(t, err)
	if res.Coins != 0 {
		t.Fatalf("expired %d a day early", res.Coins)
	}
	// A year and a day later: nl's 30 coins left (the 10 given away were the oldest) and ar's 40.
	later := now.AddDate(1, 0, 1)
	res, err = e.rw.ExpireCoins(e.ctx, later)
	must(t, err)
	e.mint(ar.PersonID, 5) // (an old coin by then, as it is minted before the cutoff)
	res2, err := e.rw.ExpireCoins(e.ctx, later.Add(time.Hour))
	must(t, err)
	if res.Coins != 70 || res.Wallets != 2 || res2.Coins != 0 {
		t.Errorf("expired %+v then %+v", res, res2)
	}
	if e.wallet(nl.PersonID) != 0 || e.wallet(ar.PersonID) != 5 || e.balance(ledger.KindExpired, "") != 70 {
		t.Errorf("wallets %d %d, expired %d", e.wallet(nl.PersonID), e.wallet(ar.PersonID), e.balance(ledger.KindExpired, ""))
	}
	// Once a day per person: the 5 coins wait for the next day.
	res, err = e.rw.ExpireCoins(e.ctx, later.AddDate(0, 0, 1))
	must(t, err)
	if res.Coins != 5 {
		t.Errorf("next day: %+v", res)
	}
	left, err := e.rw.ExpiringCoins(e.ctx, ar.PersonID, later)
	must(t, err)
	if left != 0 {
		t.Errorf("%d still due", left)
	}
	tx, err := e.led.TransactionByKey(e.ctx, rewards.ExpireCoinsKey(nl.PersonID, later))
	must(t, err)
	if tx.Kind != ledger.TxExpire || tx.Amount() != 30 {
		t.Errorf("expiry transaction %+v", tx)
	}
	e.audits()
}
