package graph

import (
	"context"
	"time"

	"github.com/helpende-handen/helpende-handen/graph/model"
	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/organisations"
	"github.com/helpende-handen/helpende-handen/internal/relay"
	"github.com/helpende-handen/helpende-handen/internal/volunteering"
)

// Kinds of global ID (volunteering).
const (
	typeNeed         = "Need"
	typeShift        = "Shift"
	typeApplication  = "Application"
	typeNotification = "Notification"
	typeEndorsement  = "Endorsement"
)

var weekdays = []model.Weekday{model.WeekdayMonday, model.WeekdayTuesday, model.WeekdayWednesday, model.WeekdayThursday,
	model.WeekdayFriday, model.WeekdaySaturday, model.WeekdaySunday}

func weekdayNumber(w model.Weekday) int {
	for i, d := range weekdays {
		if d == w {
			return i + 1
		}
	}
	return 0
}

func patternInput(p *model.WeeklyPatternInput) *volunteering.Pattern {
	if p == nil {
		return nil
	}
	out := &volunteering.Pattern{Start: p.StartTime, Minutes: p.DurationMinutes, Places: p.Places,
		From: p.From.Format(time.DateOnly)}
	if p.WeeksAhead != nil {
		out.WeeksAhead = *p.WeeksAhead
	}
	if p.Until != nil {
		out.Until = p.Until.Format(time.DateOnly)
	}
	for _, w := range p.Weekdays {
		out.Weekdays = append(out.Weekdays, weekdayNumber(w))
	}
	return out
}

func shiftSpecs(in []model.ShiftInput) []volunteering.ShiftSpec {
	out := make([]volunteering.ShiftSpec, 0, len(in))
	for _, s := range in {
		out = append(out, volunteering.ShiftSpec{StartsAt: s.StartsAt, EndsAt: s.EndsAt, Places: s.Places})
	}
	return out
}

// needFields is the common part of the create and update inputs.
type needFields struct {
	Title, Description *string
	ThemeIDs           []string
	Talents            []model.NeedTalentInput
	Languages          []string
	Remote             *bool
	Address            *model.AddressInput
	DistrictID         *string
	Location           *model.GeoPointInput
	Accessibility      []model.AccessibilityFact
	MinimumAge         *int
	Pattern            *model.WeeklyPatternInput
	FlexiblePlaces     *int
	AutoAccept         *bool
}

func needInput(f needFields) (volunteering.NeedInput, *idErr) {
	ids := &idErr{}
	in := volunteering.NeedInput{Title: f.Title, Description: f.Description, Remote: f.Remote, MinAge: f.MinimumAge,
		FlexiblePlaces: f.FlexiblePlaces, AutoAccept: f.AutoAccept, Pattern: patternInput(f.Pattern)}
	if f.ThemeIDs != nil {
		in.Themes, in.SetThemes = ids.decodeAll(typeTheme, "themeIds", f.ThemeIDs), true
	}
	if f.Talents != nil {
		in.SetTalents = true
		for i, t := range f.Talents {
			key := ids.decode(typeTalent, "talents."+itoa(i)+".talentId", t.TalentID)
			ask := volunteering.TalentAsk{TalentKey: key, MinLevel: 1}
			if t.Required != nil {
				ask.Required = *t.Required
			}
			if t.MinLevel != nil {
				ask.MinLevel = *t.MinLevel
			}
			in.Talents = append(in.Talents, ask)
		}
	}
	if f.Languages != nil {
		in.Languages, in.SetLanguages = f.Languages, true
	}
	if f.Accessibility != nil {
		in.SetAccessibility = true
		for _, a := range f.Accessibility {
			in.Accessibility = append(in.Accessibility, string(a))
		}
	}
	if f.Address != nil {
		in.Street, in.Postcode, in.City = f.Address.Street, f.Address.Postcode, f.Address.City
	}
	if f.DistrictID != nil {
		k := ""
		if *f.DistrictID != "" {
			k = ids.decode(typeDistrict, "districtId", *f.DistrictID)
		}
		in.DistrictKey = &k
	}
	if f.Location != nil {
		in.Location = &organisations.Point{Lat: f.Location.Latitude, Lon: f.Location.Longitude}
	}
	return in, ids
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

func statusStrings[T ~string](in []T) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		out = append(out, string(s))
	}
	return out
}

func (r *Resolver) applicationConnection(page volunteering.AppPage, after *string) *model.ApplicationConnection {
	conn := &model.ApplicationConnection{TotalCount: page.TotalCount, Edges: make([]model.ApplicationEdge, 0, len(page.Applications)),
		PageInfo: &model.PageInfo{HasNextPage: page.HasNextPage, HasPreviousPage: after != nil}}
	for i := range page.Applications {
		a := &page.Applications[i]
		conn.Edges = append(conn.Edges, model.ApplicationEdge{Cursor: relay.Cursor(volunteering.AppCursor{At: a.CreatedAt, ID: a.ID}), Node: a})
	}
	setPageBounds(conn.PageInfo, len(conn.Edges), func(i int) string { return conn.Edges[i].Cursor })
	return conn
}

func decodeAppCursor(after *string) (*volunteering.AppCursor, error) {
	if after == nil {
		return nil, nil
	}
	c := &volunteering.AppCursor{}
	if err := relay.FromCursor(*after, c); err != nil || !organisations.IsUUID(c.ID) {
		return nil, errBadCursor
	}
	return c, nil
}

// applicationPayload translates the result of an application mutation.
func applicationPayload(ctx context.Context, a *volunteering.Application, err error) (*model.ApplicationPayload, error) {
	ue, err := userErrors(ctx, err)
	return &model.ApplicationPayload{Application: a, UserErrors: ue}, err
}

func needPayload(ctx context.Context, n *volunteering.Need, err error) (*model.NeedPayload, error) {
	ue, err := userErrors(ctx, err)
	return &model.NeedPayload{Need: n, UserErrors: ue}, err
}

// applicationChange decodes an application input and runs one change on it.
func (r *mutationResolver) applicationChange(ctx context.Context, input model.ApplicationInput,
	do func(v *accounts.Viewer, id, reason string) (*volunteering.Application, error)) (*model.ApplicationPayload, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nil, err
	}
	var ids idErr
	id := ids.decode(typeApplication, "applicationId", input.ApplicationID)
	if err := ids.Err(); err != nil {
		return applicationPayload(ctx, nil, err)
	}
	reason := ""
	if input.Reason != nil {
		reason = *input.Reason
	}
	a, err := do(v, id, reason)
	return applicationPayload(ctx, a, err)
}

// searchFilter translates the GraphQL filter. ok is false when the filter can match
// nothing (an ID that is not ours).
func (r *queryResolver) searchFilter(ctx context.Context, filter *model.NeedFilter) (volunteering.SearchFilter, bool, error) {
	var f volunteering.SearchFilter
	if filter == nil {
		return f, true, nil
	}
	var ids idErr
	if filter.Text != nil {
		f.Text = *filter.Text
	}
	f.DistrictKeys = ids.decodeAll(typeDistrict, "districtIds", filter.DistrictIds)
	f.ThemeKeys = ids.decodeAll(typeTheme, "themeIds", filter.ThemeIds)
	f.TalentKeys = ids.decodeAll(typeTalent, "talentIds", filter.TalentIds)
	if filter.OrganisationID != nil {
		f.OrganisationID = ids.decode(typeOrganisation, "organisationId", *filter.OrganisationID)
	}
	if ids.Err() != nil {
		return f, false, nil
	}
	if filter.Near != nil {
		f.Near = &volunteering.Near{Lat: filter.Near.Point.Latitude, Lon: filter.Near.Point.Longitude, RadiusKm: filter.Near.RadiusKm}
	}
	f.From, f.To = filter.From, filter.To
	f.Languages = filter.Languages
	f.Accessibility = statusStrings(filter.Accessibility)
	f.HasPlacesLeft = filter.HasPlacesLeft != nil && *filter.HasPlacesLeft
	f.Schedules = statusStrings(filter.Schedules)
	f.Remote = filter.Remote
	if len(filter.Statuses) > 0 {
		v := viewer(ctx)
		if f.OrganisationID == "" {
			return f, false, errs.ErrForbidden
		}
		if v == nil {
			return f, false, errs.ErrUnauthenticated
		}
		if !v.IsAdmin {
			role, err := r.Orgs.RoleOf(ctx, v.PersonID, f.OrganisationID)
			if err != nil {
				return f, false, err
			}
			if role == "" {
				return f, false, errs.ErrForbidden
			}
		}
		f.Statuses = statusStrings(filter.Statuses)
	}
	return f, true, nil
}
