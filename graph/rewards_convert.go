package graph

import (
	"context"

	"github.com/helpende-handen/helpende-handen/graph/model"
	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/relay"
	"github.com/helpende-handen/helpende-handen/internal/rewards"
)

// Kinds of global ID of rewards and vouchers.
const (
	typeReward     = "Reward"
	typeVoucher    = "Voucher"
	typeSettlement = "SettlementStatement"
)

func init() {
	uuidTypes[typeReward] = true
	uuidTypes[typeVoucher] = true
	uuidTypes[typeSettlement] = true
}

// rewardRefs decodes a reward input's district and themes into in.
func rewardRefs(ids *idErr, in *rewards.RewardInput, districtID *string, themeIDs []string) {
	if districtID != nil {
		key := ""
		if *districtID != "" {
			key = ids.decode(typeDistrict, "districtId", *districtID)
		}
		in.DistrictKey = &key
	}
	if themeIDs != nil {
		in.Themes, in.SetThemes = ids.decodeAll(typeTheme, "themeIds", themeIDs), true
	}
}

// announceWallet tells the people's walletChanged subscribers, on every instance, to look again.
func (r *Resolver) announceWallet(ctx context.Context, personIDs ...string) {
	if r.Topics == nil {
		return
	}
	for _, id := range personIDs {
		r.Topics.Publish(ctx, WalletTopic(id), nil)
	}
}

// vouchers lists the viewer's vouchers (merchantID "") or a merchant's.
func (r *Resolver) vouchers(ctx context.Context, v *accounts.Viewer, merchantID string, states []model.VoucherState,
	first *int, after *string) (*model.VoucherConnection, error) {
	var cur *rewards.VoucherCursor
	if after != nil && *after != "" {
		var c rewards.VoucherCursor
		if err := relay.FromCursor(*after, &c); err != nil {
			return nil, errs.One("after", errs.Invalid, "invalid", nil)
		}
		cur = &c
	}
	f := rewards.VoucherFilter{MerchantID: merchantID}
	for _, s := range states {
		f.States = append(f.States, string(s))
	}
	page, err := r.RewardService.Vouchers(ctx, v, f, relay.PageSize(first, 20), cur)
	if err != nil {
		return nil, err
	}
	conn := &model.VoucherConnection{Edges: make([]model.VoucherEdge, len(page.Vouchers)), PageInfo: &model.PageInfo{HasNextPage: page.HasNextPage}}
	for i := range page.Vouchers {
		vo := &page.Vouchers[i]
		conn.Edges[i] = model.VoucherEdge{Cursor: relay.Cursor(rewards.VoucherCursor{At: vo.IssuedAt, ID: vo.ID}), Node: vo}
	}
	setPageBounds(conn.PageInfo, len(conn.Edges), func(i int) string { return conn.Edges[i].Cursor })
	return conn, nil
}
