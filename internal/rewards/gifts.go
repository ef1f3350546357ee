package rewards

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/ledger"
)

// GiftInput is a gift of coins from the viewer to another resident.
type GiftInput struct {
	ToPersonID     string
	Amount         int64
	Memo           string
	IdempotencyKey string
}

// GiftKey is the ledger idempotency key of a gift.
func GiftKey(fromPersonID, key string) string { return "gift:" + fromPersonID + ":" + key }

// TransferCoins gives coins from the viewer's wallet to another resident's, when the coin
// policy allows gifts. Not to oneself, and not to a member of a merchant: coins reach shops
// only through vouchers (so that the merchant cap and settlement see them). The same key with
// the same gift returns the first transaction (Replayed); with another gift it is refused.
func (s *Service) TransferCoins(ctx context.Context, viewer *accounts.Viewer, in GiftInput) (*ledger.Transaction, error) {
	by, err := viewerID(viewer)
	if err != nil {
		return nil, err
	}
	var v errs.UserErrors
	checkKey(&v, in.IdempotencyKey)
	if in.Amount < 1 || in.Amount > ledger.MaxAmount {
		v.Add("amount", errs.OutOfRange, "out_of_range", map[string]any{"Min": 1, "Max": ledger.MaxAmount})
	}
	memo, _ := cleanText(&v, "memo", &in.Memo, ledger.MaxMemoLength, false, true)
	if err := v.Err(); err != nil {
		return nil, err
	}
	policy, err := s.ledger.Policy(ctx)
	if err != nil {
		return nil, err
	}
	if !policy.GiftsAllowed {
		return nil, errs.One("", errs.InvalidState, MsgGiftsNotAllowed, nil)
	}
	if in.ToPersonID == by {
		return nil, errs.One("toPersonId", errs.Invalid, MsgGiftToSelf, nil)
	}
	if !validID(in.ToPersonID) {
		return nil, errs.One("toPersonId", errs.UnknownReference, MsgRecipientNotFound, nil)
	}
	var to struct {
		Deleted  bool `db:"deleted"`
		Merchant bool `db:"merchant"`
	}
	err = s.db.GetContext(ctx, &to, `SELECT p.deleted_at IS NOT NULL AS deleted,
		EXISTS (SELECT 1 FROM organisation_members m JOIN organisations o ON o.id = m.organisation_id
			WHERE m.person_id = p.id AND o.kind = 'MERCHANT') AS merchant
		FROM people p WHERE p.id = $1`, in.ToPersonID)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && to.Deleted) {
		return nil, errs.One("toPersonId", errs.UnknownReference, MsgRecipientNotFound, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("load recipient: %w", err)
	}
	if to.Merchant {
		return nil, errs.One("toPersonId", errs.Invalid, MsgRecipientIsMerchant, nil)
	}
	ws, err := s.ledger.Accounts(ctx, ledger.KindWallet, []string{by, in.ToPersonID})
	if err != nil {
		return nil, err
	}
	t, err := s.ledger.Transfer(ctx, ledger.TransferRequest{IdempotencyKey: GiftKey(by, in.IdempotencyKey), Kind: ledger.TxGift,
		From: ws[0].ID, To: ws[1].ID, Amount: in.Amount, Memo: memo,
		Metadata: map[string]any{"fromPersonId": by, "toPersonId": in.ToPersonID}, CreatedBy: by})
	if err != nil {
		return nil, err
	}
	if !t.Replayed {
		s.log.InfoContext(ctx, "coins given", "transaction", t.ID, "amount", in.Amount)
	}
	return t, nil
}
