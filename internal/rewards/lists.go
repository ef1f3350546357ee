package rewards

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/errs"
)

// RewardOfVoucher returns the reward a voucher was redeemed for, whatever its state now (the
// holder and the merchant keep seeing what the voucher is for when the offer has ended).
func (s *Service) RewardOfVoucher(ctx context.Context, v *Voucher) (*Reward, error) {
	return s.rewardByID(ctx, v.RewardID)
}

// RewardTitle is a reward's title, whatever its state (for wallet entries that paid for it).
func (s *Service) RewardTitle(ctx context.Context, id string) (string, error) {
	r, err := s.rewardByID(ctx, id)
	if err != nil {
		return "", err
	}
	return r.Title, nil
}

func (s *Service) rewardByID(ctx context.Context, id string) (*Reward, error) {
	if !validID(id) {
		return nil, errs.ErrNotFound
	}
	var r Reward
	err := s.db.GetContext(ctx, &r, `SELECT `+rewardColumns+` FROM rewards WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load reward: %w", err)
	}
	return &r, nil
}

// MerchantRewards lists every reward of a merchant, active or not, newest first, for the
// merchant's members and administrators (to manage the catalogue).
func (s *Service) MerchantRewards(ctx context.Context, viewer *accounts.Viewer, merchantID string) ([]Reward, error) {
	if err := checkMemberOrAdmin(ctx, s.db, viewer, merchantID); err != nil {
		return nil, err
	}
	out := []Reward{}
	if err := s.db.SelectContext(ctx, &out, `SELECT `+rewardColumns+` FROM rewards WHERE merchant_id = $1
		ORDER BY created_at DESC, id DESC LIMIT 500`, merchantID); err != nil {
		return nil, fmt.Errorf("list merchant rewards: %w", err)
	}
	return out, nil
}
