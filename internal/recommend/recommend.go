// Package recommend feeds the matching engine (package matching) with data: it picks a
// few hundred plausible candidates with SQL (by place, talents and themes, using the
// indexes), loads what matching needs about them in a handful of batch queries, and lets
// matching score, explain and rank them.
package recommend

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/matching"
	"github.com/helpende-handen/helpende-handen/internal/talent"
	"github.com/helpende-handen/helpende-handen/internal/volunteering"
)

// Pool sizes: how many candidates SQL hands to the scorer.
const (
	needPool   = 400
	peoplePool = 500
)

// Service recommends needs to volunteers and candidates to needs.
type Service struct {
	db     *sqlx.DB
	talent *talent.Service
	vol    *volunteering.Service
	// Now is the clock (tests may replace it).
	Now func() time.Time
}

// NewService returns a recommendation service.
func NewService(db *sqlx.DB, t *talent.Service, v *volunteering.Service) *Service {
	return &Service{db: db, talent: t, vol: v, Now: time.Now}
}

// NeedMatch is a recommended need with its explanation.
type NeedMatch struct {
	Need  *volunteering.Need
	Match matching.Match
}

// CandidateMatch is a recommended person with its explanation.
type CandidateMatch struct {
	Profile talent.Result
	Match   matching.Match
}

// Needs recommends open needs to the viewer, best first.
func (s *Service) Needs(ctx context.Context, viewer *accounts.Viewer, first int) ([]NeedMatch, error) {
	if viewer == nil {
		return nil, errs.ErrUnauthenticated
	}
	people, err := s.people(ctx, []string{viewer.PersonID})
	if err != nil {
		return nil, err
	}
	p := people[viewer.PersonID]
	prof, err := s.talent.Profile(ctx, viewer.PersonID)
	if err != nil {
		return nil, err
	}
	ids, err := s.needCandidates(ctx, viewer.PersonID, p, prof)
	if err != nil {
		return nil, err
	}
	needs, err := s.needs(ctx, ids)
	if err != nil {
		return nil, err
	}
	o := matching.DefaultOptions(s.Now())
	o.Limit = first
	ranked := matching.RecommendNeeds(p, needs, o)
	// Whole needs only for the ones shown.
	shown := make([]string, 0, len(ranked))
	for _, m := range ranked {
		shown = append(shown, m.NeedID)
	}
	byID, err := s.vol.Needs(ctx, shown)
	if err != nil {
		return nil, err
	}
	var out []NeedMatch
	for _, m := range ranked {
		if n := byID[m.NeedID]; n != nil {
			out = append(out, NeedMatch{Need: n, Match: m})
		}
	}
	return out, nil
}

// Candidates recommends people from the talent bank for a need: only profiles whose owner
// lets the viewer's role find them. Only the need's organisation and matchmakers may ask.
func (s *Service) Candidates(ctx context.Context, viewer *accounts.Viewer, need *volunteering.Need, first int) ([]CandidateMatch, error) {
	if viewer == nil {
		return nil, errs.ErrUnauthenticated
	}
	var vis []string
	switch {
	case viewer.IsMatchmaker:
		vis = []string{talent.Matchmakers, talent.Organisations}
	case s.vol.CanManageNeed(ctx, viewer, need):
		vis = []string{talent.Organisations}
	default:
		return nil, errs.ErrForbidden
	}
	mns, err := s.needs(ctx, []string{need.ID})
	if err != nil {
		return nil, err
	}
	if len(mns) == 0 {
		return nil, errs.ErrNotFound
	}
	mn := mns[0]
	ids, err := s.personCandidates(ctx, need, mn, vis)
	if err != nil {
		return nil, err
	}
	people, err := s.people(ctx, ids)
	if err != nil {
		return nil, err
	}
	list := make([]matching.Person, 0, len(ids))
	for _, id := range ids {
		if p, ok := people[id]; ok {
			list = append(list, p)
		}
	}
	o := matching.DefaultOptions(s.Now())
	o.Limit = first
	ranked := matching.Candidates(mn, list, o)
	// Profiles only for the people shown (a profile erased meanwhile drops its match).
	shown := make([]string, 0, len(ranked))
	for _, m := range ranked {
		shown = append(shown, m.PersonID)
	}
	profiles, err := s.profiles(ctx, shown)
	if err != nil {
		return nil, err
	}
	var out []CandidateMatch
	for _, m := range ranked {
		if prof, ok := profiles[m.PersonID]; ok {
			out = append(out, CandidateMatch{Profile: prof, Match: m})
		}
	}
	return out, nil
}

func talentKeys(n matching.Need) []string {
	out := make([]string, 0, len(n.Talents))
	for _, t := range n.Talents {
		out = append(out, t.Key)
	}
	return out
}

// Applicants explains how people who applied for a need fit it, for the need's organisation
// (and administrators): a score with reasons and what is missing, by person. Only people
// whose talent profile is open to organisations are explained (a person who keeps their
// profile private or for matchmakers only is not profiled to the organisation by applying).
func (s *Service) Applicants(ctx context.Context, viewer *accounts.Viewer, need *volunteering.Need, personIDs []string) (map[string]matching.Match, error) {
	if viewer == nil {
		return nil, errs.ErrUnauthenticated
	}
	if !viewer.IsAdmin && !s.vol.CanManageNeed(ctx, viewer, need) {
		return nil, errs.ErrForbidden
	}
	var open []string
	if err := s.db.SelectContext(ctx, &open, `SELECT person_id FROM talent_profiles
		WHERE person_id = ANY ($1::uuid[]) AND visibility = $2`, pq.StringArray(personIDs), talent.Organisations); err != nil {
		return nil, fmt.Errorf("applicants' visibility: %w", err)
	}
	out := make(map[string]matching.Match, len(open))
	if len(open) == 0 {
		return out, nil
	}
	mns, err := s.needs(ctx, []string{need.ID})
	if err != nil {
		return nil, err
	}
	if len(mns) == 0 {
		return out, nil
	}
	people, err := s.people(ctx, open)
	if err != nil {
		return nil, err
	}
	o := matching.DefaultOptions(s.Now())
	for id, p := range people {
		score, reasons, missing := matching.Score(p, mns[0], o)
		out[id] = matching.Match{NeedID: need.ID, PersonID: id, Score: score, Reasons: reasons, Missing: missing}
	}
	return out, nil
}
