package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/helpende-handen/helpende-handen/graph/model"
	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/i18n"
	"github.com/helpende-handen/helpende-handen/internal/ledger"
	"github.com/helpende-handen/helpende-handen/internal/organisations"
)

// Kinds of global ID of the coin ledger.
const (
	typeWallet            = "Wallet"
	typeWalletEntry       = "WalletEntry"
	typeCoinIssuer        = "CoinIssuer"
	typeLedgerTransaction = "LedgerTransaction"
)

func init() {
	uuidTypes[typeWallet] = true
	uuidTypes[typeCoinIssuer] = true
	uuidTypes[typeLedgerTransaction] = true
}

// Topics delivers live updates by topic: in this process, or through Redis to every API instance.
type Topics interface {
	Publish(ctx context.Context, topic string, payload []byte)
	Subscribe(ctx context.Context, topic string) <-chan []byte
}

// WalletTopic is the topic on which a person's wallet changes are announced.
func WalletTopic(personID string) string { return "wallet:" + personID }

// requireAdmin returns the viewer when they are an administrator.
func requireAdmin(ctx context.Context) (*accounts.Viewer, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nil, err
	}
	if !v.IsAdmin {
		return nil, errs.ErrForbidden
	}
	return v, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// entryKind says, from the wallet's side, what a transaction was.
func entryKind(e *ledger.Entry) model.WalletEntryKind {
	switch e.Kind {
	case ledger.TxMint:
		return model.WalletEntryKindEarned
	case ledger.TxGift:
		if e.Amount < 0 {
			return model.WalletEntryKindGiftSent
		}
		return model.WalletEntryKindGiftReceived
	case ledger.TxRedeem:
		return model.WalletEntryKindRedeemed
	case ledger.TxCancel:
		return model.WalletEntryKindVoucherReturned
	case ledger.TxExpire:
		return model.WalletEntryKindExpired
	case ledger.TxReversal:
		return model.WalletEntryKindCorrection
	}
	return model.WalletEntryKindOther
}

// duration says minutes as hours and minutes in the language ("2 h 30 min").
func duration(lang string, minutes int) string {
	h, m := minutes/60, minutes%60
	switch {
	case h == 0:
		return i18n.T(lang, "duration_m", map[string]any{"M": m})
	case m == 0:
		return i18n.T(lang, "duration_h", map[string]any{"H": h})
	}
	return i18n.T(lang, "duration_hm", map[string]any{"H": h, "M": fmt.Sprintf("%02d", m)})
}

// entryDescription says in the viewer's language what an entry was for.
func (r *Resolver) entryDescription(ctx context.Context, e *ledger.Entry) (string, error) {
	lang := i18n.FromContext(ctx)
	meta := e.Meta()
	switch entryKind(e) {
	case model.WalletEntryKindEarned:
		minutes, _ := meta["minutes"].(float64)
		need, err := r.WalletEntry().Need(ctx, e)
		if err != nil {
			return "", err
		}
		if need == nil {
			return i18n.T(lang, "entry_earned", map[string]any{"Duration": duration(lang, int(minutes))}), nil
		}
		return i18n.T(lang, "entry_earned_for", map[string]any{"Duration": duration(lang, int(minutes)), "Need": need.Title}), nil
	case model.WalletEntryKindRedeemed, model.WalletEntryKindVoucherReturned:
		title, err := r.entryRewardTitle(ctx, e)
		if err != nil {
			return "", err
		}
		key := "entry_redeemed"
		if e.Kind == ledger.TxCancel {
			key = "entry_voucher_returned"
		}
		return i18n.T(lang, key, map[string]any{"Reward": deref(title)}), nil
	case model.WalletEntryKindGiftSent:
		return i18n.T(lang, "entry_gift_sent", nil), nil
	case model.WalletEntryKindGiftReceived:
		return i18n.T(lang, "entry_gift_received", nil), nil
	case model.WalletEntryKindExpired:
		return i18n.T(lang, "entry_expired", nil), nil
	case model.WalletEntryKindCorrection:
		return i18n.T(lang, "entry_correction", nil), nil
	}
	return i18n.T(lang, "entry_other", nil), nil
}

// entryRewardTitle is the title of the reward a redemption paid for, as recorded with it.
func (r *Resolver) entryRewardTitle(ctx context.Context, e *ledger.Entry) (*string, error) {
	id, _ := e.Meta()["rewardId"].(string)
	if id == "" || r.RewardService == nil {
		return nil, nil
	}
	t, err := r.RewardService.RewardTitle(ctx, id)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, nil
	}
	return &t, err
}

// statementCorrections is every change of the year that is not earned, spent, given,
// received or expired: reversals and other transfers (signed).
func statementCorrections(s *ledger.Statement) int64 {
	var n int64
	for k, v := range s.In {
		switch k {
		case ledger.TxMint, ledger.TxRedeem, ledger.TxCancel, ledger.TxGift, ledger.TxExpire:
		default:
			n += v
		}
	}
	for k, v := range s.Out {
		switch k {
		case ledger.TxMint, ledger.TxRedeem, ledger.TxCancel, ledger.TxGift, ledger.TxExpire:
		default:
			n -= v
		}
	}
	return n
}

// auditResult is what the ledger audit adds from the rest of the platform.
type auditResult struct {
	outstanding int64
	problems    []string
}

// auditExtra checks what lives beside the ledger: every merchant's vouchers outstanding, its
// balance and the city's settlement account against the vouchers and statements. The three
// fields of LedgerAudit that use it each run it (an administrator's occasional query).
func (r *Resolver) auditExtra(ctx context.Context, _ *ledger.AuditReport) auditResult {
	var res auditResult
	n, err := r.Ledger.KindBalance(ctx, ledger.KindVouchersOutstanding)
	if err != nil {
		res.problems = append(res.problems, "vouchers outstanding: "+err.Error())
	}
	res.outstanding = n
	if r.RewardService != nil {
		rep, err := r.RewardService.Audit(ctx)
		if err != nil {
			res.problems = append(res.problems, "vouchers and statements: "+err.Error())
		} else {
			res.problems = append(res.problems, rep.Problems()...)
		}
	}
	return res
}

// mintNow mints the coins of attendance just confirmed, so that the volunteer sees them at
// once. Minting is exactly once per application whoever runs it; when this fails, the
// periodic job mints them a little later.
func (r *Resolver) mintNow(ctx context.Context) {
	if r.Ledger == nil {
		return
	}
	if _, err := r.Ledger.MintPending(context.WithoutCancel(ctx)); err != nil {
		slog.WarnContext(ctx, "minting after confirmed attendance failed; the periodic job retries", "err", err)
	}
}

// reversibleByAdmin says whether an administrator may reverse a transaction of this kind.
// Redemptions, acceptances, returns and settlements belong to a voucher or a statement, whose
// state must keep matching the ledger: cancel the voucher instead.
func reversibleByAdmin(kind string) bool {
	switch kind {
	case ledger.TxRedeem, ledger.TxAccept, ledger.TxCancel, ledger.TxSettle:
		return false
	}
	return true
}

// ledgerPostings describes a transaction's postings: each account's kind and whose it is.
func (r *Resolver) ledgerPostings(ctx context.Context, t *ledger.Transaction) ([]model.LedgerPosting, error) {
	postings := t.Postings
	if len(postings) == 0 {
		full, err := r.Ledger.Transaction(ctx, t.ID)
		if err != nil {
			return nil, err
		}
		postings = full.Postings
	}
	out := make([]model.LedgerPosting, 0, len(postings))
	for _, p := range postings {
		acc, err := r.Ledger.AccountByID(ctx, p.AccountID)
		if err != nil {
			return nil, err
		}
		lp := model.LedgerPosting{Amount: int(p.Amount), AccountKind: model.LedgerAccountKind(acc.Kind)}
		if acc.OwnerID != nil {
			switch acc.Kind {
			case ledger.KindWallet:
				if lp.Person, err = notFoundAsNil(r.person(ctx, *acc.OwnerID)); err != nil {
					return nil, err
				}
			case ledger.KindIssuer, ledger.KindMerchant, ledger.KindVouchersOutstanding:
				if lp.Organisation, err = notFoundAsNil(r.publicOrganisation(ctx, *acc.OwnerID)); err != nil {
					return nil, err
				}
			}
		}
		out = append(out, lp)
	}
	return out, nil
}

// issuerToFund returns the budget account a fundIssuer input names: an issuer by id, an
// organisation's own budget (created on its first funding), or "" for the city's.
func (r *Resolver) issuerToFund(ctx context.Context, input model.FundIssuerInput) (string, error) {
	var ids idErr
	switch {
	case input.IssuerID != nil && input.OrganisationID != nil:
		return "", errs.One("organisationId", errs.Invalid, "issuer_or_organisation", nil)
	case input.IssuerID != nil:
		id := ids.decode(typeCoinIssuer, "issuerId", *input.IssuerID)
		return id, ids.Err()
	case input.OrganisationID != nil:
		orgID := ids.decode(typeOrganisation, "organisationId", *input.OrganisationID)
		if err := ids.Err(); err != nil {
			return "", err
		}
		os, err := r.Orgs.GetMany(ctx, &accounts.Viewer{IsAdmin: true}, []string{orgID})
		if err != nil {
			return "", err
		}
		switch {
		case len(os) == 0 || os[0] == nil:
			return "", errs.One("organisationId", errs.NotFoundCode, "organisation_not_found", nil)
		case os[0].Kind == organisations.KindMerchant:
			return "", errs.One("organisationId", errs.Invalid, "issuer_is_merchant", nil)
		case os[0].Status != organisations.StatusApproved:
			return "", errs.One("organisationId", errs.InvalidState, "issuer_org_not_approved", nil)
		}
		acc, err := r.Ledger.Account(ctx, ledger.KindIssuer, orgID)
		if err != nil {
			return "", err
		}
		return acc.ID, nil
	}
	return "", nil
}
