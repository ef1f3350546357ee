package graph

import (
	"context"
	"errors"
	"strings"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/helpende-handen/helpende-handen/graph/model"
	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/i18n"
	"github.com/helpende-handen/helpende-handen/internal/matching"
	"github.com/helpende-handen/helpende-handen/internal/organisations"
	"github.com/helpende-handen/helpende-handen/internal/reference"
	"github.com/helpende-handen/helpende-handen/internal/talent"
)

// errBadCursor is returned for an `after` cursor that this server did not make.
var errBadCursor = &gqlerror.Error{Message: "invalid cursor", Extensions: map[string]any{"code": "BAD_USER_INPUT"}}

func emptyTalents() *model.TalentConnection {
	return &model.TalentConnection{Edges: []model.TalentEdge{}, PageInfo: &model.PageInfo{}}
}

func emptyOrganisations() *model.OrganisationConnection {
	return &model.OrganisationConnection{Edges: []model.OrganisationEdge{}, PageInfo: &model.PageInfo{}}
}

// setPageBounds fills startCursor and endCursor.
func setPageBounds(pi *model.PageInfo, n int, cursor func(i int) string) {
	if n == 0 {
		return
	}
	s, e := cursor(0), cursor(n-1)
	pi.StartCursor, pi.EndCursor = &s, &e
}

// notFoundAsUserError turns errs.ErrNotFound into a NOT_FOUND user error on field.
func notFoundAsUserError(err error, field, messageKey string) error {
	if errors.Is(err, errs.ErrNotFound) {
		return errs.One(field, errs.NotFoundCode, messageKey, nil)
	}
	return err
}

func (r *Resolver) district(ctx context.Context, key *string) (*reference.District, error) {
	if key == nil {
		return nil, nil
	}
	snap, err := r.Reference.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	return snap.District(*key), nil
}

// orgFields is the common part of the create and update inputs.
type orgFields struct {
	Kind, Name, Description             *string
	Address                             *model.AddressInput
	DistrictID                          *string
	Location                            *model.GeoPointInput
	ContactEmail, ContactPhone, Website *string
	ThemeIDs, Languages                 []string
	Accessibility                       []model.AccessibilityFact
	OpeningHours, LogoURL               *string
}

// orgInput translates GraphQL input into the domain's input, decoding IDs.
func orgInput(f orgFields) (organisations.Input, *idErr) {
	ids := &idErr{}
	in := organisations.Input{
		Kind: f.Kind, Name: f.Name, Description: f.Description, ContactEmail: f.ContactEmail, ContactPhone: f.ContactPhone,
		Website: f.Website, OpeningHours: f.OpeningHours, LogoURL: f.LogoURL,
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
	if f.ThemeIDs != nil {
		in.Themes, in.SetThemes = ids.decodeAll(typeTheme, "themeIds", f.ThemeIDs), true
	}
	if f.Languages != nil {
		in.Languages, in.SetLanguages = f.Languages, true
	}
	if f.Accessibility != nil {
		in.SetAccess = true
		for _, a := range f.Accessibility {
			in.Accessibility = append(in.Accessibility, string(a))
		}
	}
	return in, ids
}

func (r *Resolver) talent(ctx context.Context, key string) (*reference.Talent, error) {
	snap, err := r.Reference.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	if t := snap.Talent(key); t != nil {
		return t, nil
	}
	return &reference.Talent{Key: key, Labels: reference.Labels{}}, nil
}

func (r *Resolver) themes(ctx context.Context, keys []string) ([]reference.Theme, error) {
	snap, err := r.Reference.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]reference.Theme, 0, len(keys))
	for _, k := range keys {
		if t := snap.Theme(k); t != nil {
			out = append(out, *t)
		}
	}
	return out, nil
}

func (r *Resolver) languages(ctx context.Context, codes []string) ([]reference.Language, error) {
	snap, err := r.Reference.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]reference.Language, 0, len(codes))
	for _, c := range codes {
		if l := snap.Language(c); l != nil {
			out = append(out, *l)
		}
	}
	return out, nil
}

func accessibilityFacts(in []string) []model.AccessibilityFact {
	out := make([]model.AccessibilityFact, 0, len(in))
	for _, a := range in {
		out = append(out, model.AccessibilityFact(a))
	}
	return out
}

// reasons renders matching reasons in the request's language, with the names of talents,
// languages, districts, themes and weekdays in that language too.
func (r *Resolver) reasons(ctx context.Context, in []matching.Reason) ([]model.MatchReason, error) {
	lang := i18n.FromContext(ctx)
	snap, err := r.Reference.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]model.MatchReason, 0, len(in))
	for _, reason := range in {
		args := make(map[string]any, len(reason.Args))
		for k, v := range reason.Args {
			s, _ := v.(string)
			switch k {
			case "Talent":
				if t := snap.Talent(s); t != nil {
					v = i18n.Pick(t.Labels, lang)
				}
			case "Language":
				if l := snap.Language(s); l != nil {
					v = i18n.Pick(l.Labels, lang)
				}
			case "District":
				if d := snap.District(s); d != nil {
					v = i18n.Pick(d.Labels, lang)
				}
			case "Theme":
				if t := snap.Theme(s); t != nil {
					v = i18n.Pick(t.Labels, lang)
				}
			case "Weekday":
				v = i18n.T(lang, "weekday_"+strings.ToLower(s), nil)
			case "PartOfDay":
				v = i18n.T(lang, "part_"+strings.ToLower(s), nil)
			}
			if reason.Code == matching.ReasonLanguageLevelTooLow && (k == "Need" || k == "Have") {
				if n, ok := v.(int); ok && n >= 1 && n <= len(talent.LanguageLevels) {
					v = talent.LanguageLevels[n-1]
				}
			}
			args[k] = v
		}
		out = append(out, model.MatchReason{Code: reason.Code, Text: i18n.T(lang, "reason_"+strings.ToLower(reason.Code), args)})
	}
	return out, nil
}
