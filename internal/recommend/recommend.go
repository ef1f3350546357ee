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
	// Candidate needs: open, with places left, not applied to yet, reachable for the person.
	where := `n.status = 'OPEN' AND n.places_left > 0
		AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.need_id = n.id AND a.person_id = :pid
			AND a.status IN ('PENDING', 'ACCEPTED', 'WAITING'))`
	args := map[string]any{"pid": viewer.PersonID, "limit": needPool}
	switch {
	case prof.HomeLat != nil && prof.RadiusKm != nil:
		where += ` AND (n.remote OR (n.lat IS NOT NULL AND earth_box(ll_to_earth(:lat, :lon), :r) @> ll_to_earth(n.lat, n.lon)))`
		args["lat"], args["lon"], args["r"] = *prof.HomeLat, *prof.HomeLon, *prof.RadiusKm*1000
	case len(prof.Districts) > 0:
		where += ` AND (n.remote OR n.district_key = ANY(:districts))`
		args["districts"] = prof.Districts
	}
	var ids []string
	q, qa, err := sqlx.Named(`SELECT n.id FROM needs n WHERE `+where+`
		ORDER BY (EXISTS (SELECT 1 FROM need_talents nt JOIN profile_talents pt ON pt.talent_key = nt.talent_key
			WHERE nt.need_id = n.id AND pt.person_id = :pid)) DESC, n.next_start NULLS LAST, n.id LIMIT :limit`, args)
	if err != nil {
		return nil, fmt.Errorf("recommend: %w", err)
	}
	if err := s.db.SelectContext(ctx, &ids, s.db.Rebind(q), qa...); err != nil {
		return nil, fmt.Errorf("recommend: %w", err)
	}
	needs, byID, err := s.needs(ctx, ids)
	if err != nil {
		return nil, err
	}
	o := matching.DefaultOptions(s.Now())
	o.Limit = first
	var out []NeedMatch
	for _, m := range matching.RecommendNeeds(p, needs, o) {
		out = append(out, NeedMatch{Need: byID[m.NeedID], Match: m})
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
	mns, _, err := s.needs(ctx, []string{need.ID})
	if err != nil {
		return nil, err
	}
	if len(mns) == 0 {
		return nil, errs.ErrNotFound
	}
	mn := mns[0]
	// Candidate people: visible, not already on the need, with one of its talents, themes or
	// languages (or anyone when the need asks for none), reachable.
	args := map[string]any{"vis": pq.StringArray(vis), "need": need.ID, "limit": peoplePool,
		"talents": pq.StringArray(talentKeys(mn)), "themes": pq.StringArray(need.Themes), "langs": pq.StringArray(need.Languages)}
	where := `tp.visibility = ANY(:vis) AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.need_id = :need
		AND a.person_id = tp.person_id AND a.status IN ('PENDING', 'ACCEPTED', 'WAITING'))`
	if len(mn.Talents) > 0 || len(need.Themes) > 0 || len(need.Languages) > 0 {
		where += ` AND (EXISTS (SELECT 1 FROM profile_talents pt WHERE pt.person_id = tp.person_id AND pt.talent_key = ANY(:talents))
			OR tp.themes && :themes
			OR EXISTS (SELECT 1 FROM profile_languages pl WHERE pl.person_id = tp.person_id AND pl.code = ANY(:langs)))`
	}
	if !need.Remote && need.Lat != nil {
		where += ` AND (tp.home_lat IS NULL OR tp.radius_km IS NULL OR earth_distance(ll_to_earth(tp.home_lat, tp.home_lon),
			ll_to_earth(:nlat, :nlon)) <= tp.radius_km * 1000)`
		args["nlat"], args["nlon"] = *need.Lat, *need.Lon
	}
	var ids []string
	q, qa, err := sqlx.Named(`SELECT tp.person_id FROM talent_profiles tp JOIN people p ON p.id = tp.person_id
		WHERE p.deleted_at IS NULL AND `+where+` ORDER BY tp.updated_at DESC, tp.person_id LIMIT :limit`, args)
	if err != nil {
		return nil, fmt.Errorf("candidates: %w", err)
	}
	if err := s.db.SelectContext(ctx, &ids, s.db.Rebind(q), qa...); err != nil {
		return nil, fmt.Errorf("candidates: %w", err)
	}
	people, err := s.people(ctx, ids)
	if err != nil {
		return nil, err
	}
	list := make([]matching.Person, 0, len(ids))
	for _, id := range ids {
		list = append(list, people[id])
	}
	profiles, err := s.profiles(ctx, ids)
	if err != nil {
		return nil, err
	}
	o := matching.DefaultOptions(s.Now())
	o.Limit = first
	var out []CandidateMatch
	for _, m := range matching.Candidates(mn, list, o) {
		out = append(out, CandidateMatch{Profile: profiles[m.PersonID], Match: m})
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
