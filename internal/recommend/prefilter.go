package recommend

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/matching"
	"github.com/helpende-handen/helpende-handen/internal/talent"
	"github.com/helpende-handen/helpende-handen/internal/volunteering"
)

// The SQL prefilters pick the pool that matching scores. They run in a read-only
// transaction without JIT compilation and without parallel workers: both cost more than
// these small, index-driven queries gain from them (measured on 100,000 needs and 200,000
// profiles, see "Matching at scale" in BENCHMARKS.md).

// earthRadiusM is the radius of the earthdistance module's sphere (earth()), in metres.
const earthRadiusM = 6378168.0

// distanceSQL is the great-circle distance in metres between (:lat, :lon) and (<lat>, <lon>),
// with the haversine formula on the sphere of the earthdistance module: the same as
// earth_distance(ll_to_earth(...), ll_to_earth(...)) without ll_to_earth's domain checks.
func distanceSQL(lat, lon string) string {
	return fmt.Sprintf(`(2 * earth() * asin(least(1, sqrt(power(sin(radians(%[1]s - :lat) / 2), 2) +
		cos(radians(:lat)) * cos(radians(%[1]s)) * power(sin(radians(%[2]s - :lon) / 2), 2)))))`, lat, lon)
}

// reachSlack widens the prefilters' distance limits by 1%: matching makes the exact cut
// with its own distance (a 6,371 km sphere, internal/matching), the SQL measures on
// earth() (6,378 km), and the pool must never lose a need or a person matching keeps.
const reachSlack = 1.01

// boxAround returns the latitude and longitude bounds of a circle of radius metres (a
// little larger, so no point of the circle is left out).
func boxAround(lat, lon, radiusM float64) (lat0, lat1, lon0, lon1 float64) {
	dLat := radiusM / earthRadiusM * 180 / math.Pi * 1.02
	c := math.Cos(math.Min(math.Abs(lat)+dLat, 89.9) * math.Pi / 180)
	dLon := math.Min(180, dLat/c)
	return lat - dLat, lat + dLat, lon - dLon, lon + dLon
}

// selectIDs runs one prefilter query (named parameters) in a read-only transaction.
func (s *Service) selectIDs(ctx context.Context, query string, args map[string]any) ([]string, error) {
	q, qa, err := sqlx.Named(query, args)
	if err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, `SELECT set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true)`); err != nil {
		return nil, fmt.Errorf("settings: %w", err)
	}
	var ids []string
	if err := tx.SelectContext(ctx, &ids, tx.Rebind(q), qa...); err != nil {
		return nil, err
	}
	return ids, tx.Commit()
}

// needCandidates picks up to needPool open needs for a person: open, with places left,
// not applied to yet, within the person's reach (a radius around the rounded home, or the
// districts; remote needs always), those asking for one of the person's talents first,
// then the soonest. The two parts are two queries, the second only when the first leaves
// room: the needs of the person's talents (need_talents_talent, then needs_open_match, both
// index-only), and the soonest other open needs (needs_open_next, walked until the pool
// is full).
func (s *Service) needCandidates(ctx context.Context, personID string, p matching.Person, prof *talent.Profile) ([]string, error) {
	base := `n.status = 'OPEN' AND n.places_left > 0
		AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.need_id = n.id AND a.person_id = :pid
			AND a.status IN ('PENDING', 'ACCEPTED', 'WAITING'))`
	args := map[string]any{"pid": personID, "limit": needPool}
	// Matching's hard filter on place: within the radius, or in one of the districts.
	var reach []string
	if prof.HomeLat != nil && prof.RadiusKm != nil {
		r := *prof.RadiusKm * 1000
		args["lat"], args["lon"], args["r"] = *prof.HomeLat, *prof.HomeLon, r*reachSlack
		args["lat0"], args["lat1"], args["lon0"], args["lon1"] = boxAround(*prof.HomeLat, *prof.HomeLon, r)
		reach = append(reach, `(n.lat BETWEEN :lat0 AND :lat1 AND n.lon BETWEEN :lon0 AND :lon1
			AND `+distanceSQL("n.lat", "n.lon")+` <= :r)`)
	}
	if len(prof.Districts) > 0 {
		reach = append(reach, `n.district_key = ANY(:districts)`)
		args["districts"] = pq.StringArray(prof.Districts)
	}
	if len(reach) > 0 {
		base += ` AND (n.remote OR ` + strings.Join(reach, " OR ") + `)`
	}
	talents := slices.Sorted(maps.Keys(p.Talents))
	soonest := ` ORDER BY n.next_start NULLS LAST, n.id LIMIT :limit`
	var ids []string
	if len(talents) > 0 {
		// First the needs asking for one of the person's talents.
		args["talents"] = pq.StringArray(talents)
		fit, err := s.selectIDs(ctx, `SELECT n.id FROM needs n
			JOIN (SELECT DISTINCT nt.need_id FROM need_talents nt WHERE nt.talent_key = ANY(:talents)) m ON m.need_id = n.id
			WHERE `+base+soonest, args)
		if err != nil {
			return nil, fmt.Errorf("recommend: candidate needs: %w", err)
		}
		if len(fit) == needPool {
			return fit, nil
		}
		ids = fit
		base += ` AND NOT EXISTS (SELECT 1 FROM need_talents nt WHERE nt.need_id = n.id AND nt.talent_key = ANY(:talents))`
		args["limit"] = needPool - len(fit)
	}
	// Then the soonest others.
	rest, err := s.selectIDs(ctx, `SELECT n.id FROM needs n WHERE `+base+soonest, args)
	if err != nil {
		return nil, fmt.Errorf("recommend: candidate needs: %w", err)
	}
	return append(ids, rest...), nil
}

// personCandidates picks up to peoplePool people for a need: profiles the viewer's role
// may see, of people not already on the need, who can reach the need as
// matching's hard filter says (a need within the person's radius or in one of the
// person's districts; anyone who set neither; remote needs: anyone), and who have one of
// the need's talents (at the level a required talent asks), themes or languages. People
// with one of the talents come first, the highest levels first; then, when that leaves
// room, the others, the most recently updated profiles first.
func (s *Service) personCandidates(ctx context.Context, need *volunteering.Need, mn matching.Need, vis []string) ([]string, error) {
	args := map[string]any{"vis": pq.StringArray(vis), "need": need.ID, "limit": peoplePool}
	// (A deleted account has no profile: privacy erases it in the same transaction.)
	base := `tp.visibility = ANY(:vis)
		AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.need_id = :need AND a.person_id = tp.person_id
			AND a.status IN ('PENDING', 'ACCEPTED', 'WAITING'))`
	if !need.Remote {
		// Matching's hard filter on place (internal/matching, "distance"), as SQL.
		var reach []string
		noRadius := `(tp.home_lat IS NULL OR tp.radius_km IS NULL)`
		if need.Lat != nil {
			args["lat"], args["lon"], args["slack"] = *need.Lat, *need.Lon, 1000*reachSlack
			reach = append(reach, `(tp.home_lat IS NOT NULL AND tp.radius_km IS NOT NULL
				AND `+distanceSQL("tp.home_lat", "tp.home_lon")+` <= tp.radius_km * :slack)`)
		} else {
			noRadius = "true"
		}
		if need.DistrictKey != nil {
			args["district"] = *need.DistrictKey
			reach = append(reach, `(`+noRadius+` AND cardinality(tp.districts) = 0)`, `:district = ANY(tp.districts)`)
		} else {
			reach = append(reach, noRadius)
		}
		base += ` AND (` + strings.Join(reach, " OR ") + `)`
	}
	// Talents: a required one only counts at its minimum level (matching's hard filter).
	var ids []string
	if len(mn.Talents) > 0 {
		var keys []string
		levels := make([]int64, 0, len(mn.Talents))
		for _, t := range mn.Talents {
			keys = append(keys, t.Key)
			lvl := int64(1)
			if t.Required {
				lvl = int64(max(t.MinLevel, 1))
			}
			levels = append(levels, lvl)
		}
		args["talents"], args["levels"] = pq.StringArray(keys), pq.Int64Array(levels)
		// First the holders of one of the need's talents, the highest levels first: for each
		// talent, profile_talents_talent is walked backwards until the pool is full.
		fit, err := s.selectIDs(ctx, `SELECT x.person_id FROM unnest(CAST(:talents AS text[]), CAST(:levels AS int[])) AS w(key, lvl)
			CROSS JOIN LATERAL (SELECT pt.person_id, pt.level FROM profile_talents pt JOIN talent_profiles tp ON tp.person_id = pt.person_id
				WHERE pt.talent_key = w.key AND pt.level >= w.lvl AND `+base+`
				ORDER BY pt.level DESC, pt.person_id DESC LIMIT :limit) x
			GROUP BY x.person_id ORDER BY max(x.level) DESC, x.person_id DESC LIMIT :limit`, args)
		if err != nil {
			return nil, fmt.Errorf("candidates: %w", err)
		}
		if len(fit) == peoplePool {
			return fit, nil
		}
		ids = fit
		base += ` AND NOT EXISTS (SELECT 1 FROM profile_talents pt JOIN unnest(CAST(:talents AS text[]), CAST(:levels AS int[])) AS w(key, lvl)
			ON pt.talent_key = w.key AND pt.level >= w.lvl WHERE pt.person_id = tp.person_id)`
		args["limit"] = peoplePool - len(fit)
	}
	// Then the others who share one of the need's themes or languages (anyone, when the need
	// asks for none), the most recently updated profiles first: talent_profiles_updated
	// holds what the walk checks, so only the rows that pass are read from the table.
	var others []string
	if len(need.Themes) > 0 {
		others = append(others, `tp.themes && :themes`)
		args["themes"] = pq.StringArray(need.Themes)
	}
	if len(need.Languages) > 0 {
		// A scalar subquery, not EXISTS: PostgreSQL would hash every speaker of the languages
		// (nearly everyone speaks Dutch) instead of probing the few profiles walked.
		others = append(others, `coalesce((SELECT true FROM profile_languages pl WHERE pl.person_id = tp.person_id
			AND pl.code = ANY(:langs) LIMIT 1), false)`)
		args["langs"] = pq.StringArray(need.Languages)
	}
	switch {
	case len(others) > 0:
		base += ` AND (` + strings.Join(others, " OR ") + `)`
	case len(mn.Talents) > 0:
		return ids, nil // the need asks for talents only
	}
	rest, err := s.selectIDs(ctx, `SELECT tp.person_id FROM talent_profiles tp WHERE `+base+`
		ORDER BY tp.updated_at DESC, tp.person_id LIMIT :limit`, args)
	if err != nil {
		return nil, fmt.Errorf("candidates: %w", err)
	}
	return append(ids, rest...), nil
}
