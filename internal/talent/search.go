package talent

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/errs"
)

// TalentNeed asks for a talent at a minimum level.
type TalentNeed struct {
	Key      string
	MinLevel int
}

// Filter narrows a talent bank search. All given parts must match.
type Filter struct {
	Talents       []TalentNeed // all of them
	Languages     []string     // any of them
	DistrictKeys  []string     // the person goes to any of them
	Near          *[3]float64  // lat, lon, radius km: the person's rounded area is within the radius
	Themes        []string     // any of them
	Weekdays      []int        // available on any of these days (1 Monday … 7 Sunday)
	LookingForJob bool
	VerifiedOnly  bool // at least one of the asked talents (or any talent) endorsed after confirmed work
}

// Cursor is a position in the search order (most recently updated first).
type Cursor struct {
	At time.Time `json:"t"`
	ID string    `json:"i"`
}

// Result is a profile found in the talent bank, with what the viewer may see of its owner.
type Result struct {
	Profile
	DisplayName string `db:"display_name"`
}

// Page is one page of results.
type Page struct {
	Results     []Result
	HasNextPage bool
	TotalCount  int
}

// VisibleTo returns the visibilities the viewer may search, or errs.ErrForbidden:
// matchmakers see profiles open to matchmakers or organisations; members of an approved
// volunteering organisation (not a merchant) see profiles open to organisations.
// Private profiles are never found.
func (s *Service) VisibleTo(ctx context.Context, viewer *accounts.Viewer) ([]string, error) {
	if viewer == nil {
		return nil, errs.ErrUnauthenticated
	}
	if viewer.IsMatchmaker {
		return []string{Matchmakers, Organisations}, nil
	}
	var member bool
	// Profiles open to organisations are open to volunteering organisations, not to shops.
	if err := s.db.GetContext(ctx, &member, `SELECT EXISTS (SELECT 1 FROM organisation_members m JOIN organisations o
		ON o.id = m.organisation_id WHERE m.person_id = $1 AND o.status = 'APPROVED' AND o.kind <> 'MERCHANT')`, viewer.PersonID); err != nil {
		return nil, fmt.Errorf("check membership: %w", err)
	}
	if member {
		return []string{Organisations}, nil
	}
	return nil, errs.ErrForbidden
}

// Search finds profiles in the talent bank that the viewer may see.
func (s *Service) Search(ctx context.Context, viewer *accounts.Viewer, f Filter, first int, after *Cursor) (Page, error) {
	var page Page
	vis, err := s.VisibleTo(ctx, viewer)
	if err != nil {
		return page, err
	}
	where := []string{"tp.visibility = ANY(:vis)"}
	args := map[string]any{"vis": pq.StringArray(vis)}
	for i, t := range f.Talents {
		k, l := fmt.Sprintf("tk%d", i), fmt.Sprintf("tl%d", i)
		where = append(where, fmt.Sprintf(`EXISTS (SELECT 1 FROM profile_talents pt WHERE pt.person_id = tp.person_id
			AND pt.talent_key = :%s AND pt.level >= :%s)`, k, l))
		args[k], args[l] = t.Key, max(t.MinLevel, 1)
	}
	if len(f.Languages) > 0 {
		where = append(where, `EXISTS (SELECT 1 FROM profile_languages pl WHERE pl.person_id = tp.person_id AND pl.code = ANY(:langs))`)
		args["langs"] = pq.StringArray(f.Languages)
	}
	if len(f.DistrictKeys) > 0 {
		where = append(where, "tp.districts && :districts")
		args["districts"] = pq.StringArray(f.DistrictKeys)
	}
	if f.Near != nil {
		where = append(where, `tp.home_lat IS NOT NULL AND earth_box(ll_to_earth(:nlat, :nlon), :nr) @> ll_to_earth(tp.home_lat, tp.home_lon)
			AND earth_distance(ll_to_earth(:nlat, :nlon), ll_to_earth(tp.home_lat, tp.home_lon)) <= :nr`)
		args["nlat"], args["nlon"], args["nr"] = f.Near[0], f.Near[1], f.Near[2]*1000
	}
	if len(f.Themes) > 0 {
		where = append(where, "tp.themes && :themes")
		args["themes"] = pq.StringArray(f.Themes)
	}
	if len(f.Weekdays) > 0 {
		where = append(where, `EXISTS (SELECT 1 FROM jsonb_array_elements(tp.availability) a WHERE CAST(a->>'weekday' AS int) = ANY(:days))`)
		args["days"] = pq.Int64Array(toInt64(f.Weekdays))
	}
	if f.LookingForJob {
		where = append(where, "'JOB' = ANY(tp.looking_for)")
	}
	if f.VerifiedOnly {
		cond := `EXISTS (SELECT 1 FROM endorsements e WHERE e.person_id = tp.person_id AND NOT e.hidden`
		if len(f.Talents) > 0 {
			keys := make([]string, 0, len(f.Talents))
			for _, t := range f.Talents {
				keys = append(keys, t.Key)
			}
			cond += ` AND e.talent_key = ANY(:vkeys)`
			args["vkeys"] = pq.StringArray(keys)
		}
		where = append(where, cond+")")
	}
	cond := strings.Join(where, " AND ")
	if err := namedGet(ctx, s.db, &page.TotalCount, `SELECT count(*) FROM talent_profiles tp WHERE `+cond, args); err != nil {
		return page, fmt.Errorf("count profiles: %w", err)
	}
	if after != nil {
		cond += " AND (tp.updated_at, tp.person_id) < (:aat, :aid)"
		args["aat"], args["aid"] = after.At, after.ID
	}
	args["limit"] = first + 1
	q, qa, err := sqlx.Named(`SELECT `+prefixed("tp.", profileColumns)+`, p.display_name FROM talent_profiles tp
		JOIN people p ON p.id = tp.person_id WHERE `+cond+` ORDER BY tp.updated_at DESC, tp.person_id DESC LIMIT :limit`, args)
	if err != nil {
		return page, fmt.Errorf("search profiles: %w", err)
	}
	if err := s.db.SelectContext(ctx, &page.Results, s.db.Rebind(q), qa...); err != nil {
		return page, fmt.Errorf("search profiles: %w", err)
	}
	if len(page.Results) > first {
		page.HasNextPage, page.Results = true, page.Results[:first]
	}
	return page, nil
}

func namedGet(ctx context.Context, db *sqlx.DB, dest any, query string, args map[string]any) error {
	q, qa, err := sqlx.Named(query, args)
	if err != nil {
		return err
	}
	return db.GetContext(ctx, dest, db.Rebind(q), qa...)
}

func prefixed(prefix, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = prefix + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

func toInt64(in []int) []int64 {
	out := make([]int64, len(in))
	for i, v := range in {
		out[i] = int64(v)
	}
	return out
}
