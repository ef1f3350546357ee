package graph_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/helpende-handen/helpende-handen/internal/testutil"
)

// mmSetup gives a platform with a coordinator's open need, a matchmaker and a volunteer
// whose profile is open to matchmakers.
func mmSetup(t *testing.T) (p *testutil.Platform, mm, vol *testutil.Client, volID, needID, shiftID string) {
	t.Helper()
	p, _, coord, orgID := volSetup(t)
	needID, shiftID = volPublishedNeed(t, coord, orgID, "Boodschappen voor buren", 3, false)
	mm = p.Register(t, "sam@example.org", "Samira Matchmaker")
	if _, err := p.DB.Exec(`UPDATE people SET is_matchmaker = true WHERE email = 'sam@example.org'`); err != nil {
		t.Fatal(err)
	}
	vol = p.Register(t, "omar@example.org", "Omar")
	var me struct{ Me struct{ ID string } }
	vol.MustData(t, `{ me { id } }`, nil, &me)
	vol.MustData(t, `mutation { setProfileVisibility(input: {visibility: MATCHMAKERS}) { userErrors { code } } }`, nil, nil)
	return p, mm, vol, me.Me.ID, needID, shiftID
}

func TestMatchmakerProposesAndThePersonDecides(t *testing.T) {
	t.Parallel()
	p, mm, vol, volID, needID, shiftID := mmSetup(t)
	// The talent bank gives the person's ID to propose them with.
	var bank struct {
		TalentProfiles struct {
			Edges []struct{ Node struct{ PersonID string } }
		}
	}
	mm.MustData(t, `{ talentProfiles(first: 100) { edges { node { personId } } } }`, nil, &bank)
	inBank := false
	for _, e := range bank.TalentProfiles.Edges {
		inBank = inBank || e.Node.PersonID == volID
	}
	if !inBank {
		t.Fatalf("the volunteer's personId is not in the talent bank: %+v", bank)
	}
	var out struct {
		ProposeCandidate struct {
			Proposal   *struct{ ID, Status string }
			UserErrors []volUserError
		}
	}
	mm.MustData(t, `mutation($in: ProposeCandidateInput!) { proposeCandidate(input: $in) { proposal { id status } userErrors { field code message } } }`,
		map[string]any{"in": map[string]any{"needId": needID, "personId": volID, "message": "Dit past bij jou!"}}, &out)
	if out.ProposeCandidate.Proposal == nil || out.ProposeCandidate.Proposal.Status != "PENDING" {
		t.Fatalf("propose: %+v", out.ProposeCandidate)
	}
	// Proposing twice is refused.
	out.ProposeCandidate.Proposal = nil
	mm.MustData(t, `mutation($in: ProposeCandidateInput!) { proposeCandidate(input: $in) { proposal { id status } userErrors { field code message } } }`,
		map[string]any{"in": map[string]any{"needId": needID, "personId": volID}}, &out)
	if out.ProposeCandidate.Proposal != nil || len(out.ProposeCandidate.UserErrors) != 1 || out.ProposeCandidate.UserErrors[0].Code != "INVALID_STATE" {
		t.Errorf("second proposal: %+v", out.ProposeCandidate)
	}
	// The person is told, sees the proposal and accepts it for a shift: that is an application.
	var me struct {
		Me struct {
			Proposals []struct {
				ID, Status, Message string
				Matchmaker          *struct {
					DisplayName string
					Email       *string
				}
			}
		}
	}
	vol.MustData(t, `{ me { proposals { id status message matchmaker { displayName email } } } }`, nil, &me)
	if len(me.Me.Proposals) != 1 || me.Me.Proposals[0].Message != "Dit past bij jou!" ||
		me.Me.Proposals[0].Matchmaker == nil || me.Me.Proposals[0].Matchmaker.Email != nil {
		t.Fatalf("proposals seen by the person: %+v", me.Me.Proposals)
	}
	found := false
	for _, n := range volNotifications(t, vol) {
		found = found || n.Kind == "PROPOSAL_RECEIVED"
	}
	if !found {
		t.Error("no PROPOSAL_RECEIVED notification")
	}
	var resp struct {
		RespondToProposal struct {
			Proposal *struct {
				Status      string
				Application *struct{ Status string }
			}
			UserErrors []volUserError
		}
	}
	vol.MustData(t, `mutation($in: RespondToProposalInput!) { respondToProposal(input: $in) {
		proposal { status application { status } } userErrors { field code message } } }`,
		map[string]any{"in": map[string]any{"proposalId": me.Me.Proposals[0].ID, "accept": true, "shiftId": shiftID}}, &resp)
	if resp.RespondToProposal.Proposal == nil || resp.RespondToProposal.Proposal.Status != "ACCEPTED" ||
		resp.RespondToProposal.Proposal.Application == nil || resp.RespondToProposal.Proposal.Application.Status != "PENDING" {
		t.Fatalf("respond: %+v", resp.RespondToProposal)
	}
	if n := volCount(t, p, `SELECT count(*) FROM applications`); n != 1 {
		t.Errorf("%d applications, want 1", n)
	}
}

func TestOnlyMatchmakersProposeAndOnlyOpenProfiles(t *testing.T) {
	t.Parallel()
	p, mm, vol, volID, needID, _ := mmSetup(t)
	q := `mutation($in: ProposeCandidateInput!) { proposeCandidate(input: $in) { proposal { id } userErrors { field code } } }`
	other := p.Register(t, "ann@example.org", "Ann")
	r := other.Do(t, q, map[string]any{"in": map[string]any{"needId": needID, "personId": volID}})
	if r.ErrorCode() != "FORBIDDEN" {
		t.Errorf("volunteer proposing: %+v, want FORBIDDEN", r.Errors)
	}
	vol.MustData(t, `mutation { setProfileVisibility(input: {visibility: PRIVATE}) { userErrors { code } } }`, nil, nil)
	var out struct {
		ProposeCandidate struct {
			Proposal   *struct{ ID string }
			UserErrors []volUserError
		}
	}
	mm.MustData(t, q, map[string]any{"in": map[string]any{"needId": needID, "personId": volID}}, &out)
	if out.ProposeCandidate.Proposal != nil || len(out.ProposeCandidate.UserErrors) != 1 || out.ProposeCandidate.UserErrors[0].Code != "NOT_FOUND" {
		t.Errorf("proposing a private profile: %+v, want NOT_FOUND", out.ProposeCandidate)
	}
}

func TestActingOnBehalfNeedsConsentIsLoggedAndCanBeWithdrawn(t *testing.T) {
	t.Parallel()
	p, mm, vol, volID, needID, shiftID := mmSetup(t)
	onBehalf := p.Client()
	onBehalf.Token = mm.Token
	onBehalf.Header.Set("Act-On-Behalf-Of", volID)

	// Without consent: refused.
	if r := onBehalf.Do(t, `{ me { displayName } }`, nil); r.Status != http.StatusForbidden || r.ErrorCode() != "FORBIDDEN" {
		t.Fatalf("without consent: status %d %+v, want 403 FORBIDDEN", r.Status, r.Errors)
	}
	// The matchmaker records the person's consent.
	var rec struct {
		ActOnBehalfConsent struct {
			Consent *struct {
				ID     string
				Active bool
			}
			UserErrors []volUserError
		}
	}
	until := time.Now().Add(30 * 24 * time.Hour).Format(time.RFC3339)
	mm.MustData(t, `mutation($in: ActOnBehalfConsentInput!) { actOnBehalfConsent(input: $in) { consent { id active } userErrors { field code } } }`,
		map[string]any{"in": map[string]any{"personId": volID, "until": until, "note": "Omar heeft geen computer."}}, &rec)
	if rec.ActOnBehalfConsent.Consent == nil || !rec.ActOnBehalfConsent.Consent.Active {
		t.Fatalf("record consent: %+v", rec.ActOnBehalfConsent)
	}
	// Now the matchmaker acts as Omar: applying works and is logged for Omar to see.
	var me struct{ Me struct{ DisplayName string } }
	onBehalf.MustData(t, `{ me { displayName } }`, nil, &me)
	if me.Me.DisplayName != "Omar" {
		t.Fatalf("on behalf, me = %+v", me.Me)
	}
	if res := volApply(t, onBehalf, needID, shiftID, ""); res.Application == nil {
		t.Fatalf("apply on behalf: %+v", res.UserErrors)
	}
	// What only the person may do is refused on their behalf.
	if r := onBehalf.Do(t, `mutation { deleteMyAccount(input: {password: "x"}) { deleted } }`, nil); r.ErrorCode() != "FORBIDDEN" {
		t.Errorf("delete on behalf: %+v, want FORBIDDEN", r.Errors)
	}
	var log struct {
		Me struct {
			OnBehalfLog []struct {
				Action     string
				Matchmaker *struct{ DisplayName string }
			}
			OnBehalfConsents []struct {
				ID     string
				Active bool
			}
		}
	}
	vol.MustData(t, `{ me { onBehalfLog { action matchmaker { displayName } } onBehalfConsents { id active } } }`, nil, &log)
	if len(log.Me.OnBehalfLog) != 1 || log.Me.OnBehalfLog[0].Action != "applyToNeed" || log.Me.OnBehalfLog[0].Matchmaker == nil ||
		log.Me.OnBehalfLog[0].Matchmaker.DisplayName != "Samira Matchmaker" {
		t.Errorf("on-behalf log seen by the person: %+v", log.Me.OnBehalfLog)
	}
	// The person withdraws the consent: acting on their behalf stops at once.
	if len(log.Me.OnBehalfConsents) != 1 {
		t.Fatalf("consents seen by the person: %+v", log.Me.OnBehalfConsents)
	}
	vol.MustData(t, `mutation($id: ID!) { withdrawOnBehalfConsent(input: {consentId: $id}) { consent { active } userErrors { code } } }`,
		map[string]any{"id": log.Me.OnBehalfConsents[0].ID}, nil)
	if r := onBehalf.Do(t, `{ me { displayName } }`, nil); r.Status != http.StatusForbidden {
		t.Errorf("after withdrawal: status %d, want 403", r.Status)
	}
	// A volunteer cannot act on someone's behalf at all.
	other := p.Register(t, "ann@example.org", "Ann")
	other.Header.Set("Act-On-Behalf-Of", volID)
	if r := other.Do(t, `{ me { displayName } }`, nil); r.Status != http.StatusForbidden {
		t.Errorf("volunteer on behalf: status %d, want 403", r.Status)
	}
}
