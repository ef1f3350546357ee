package graph

import (
	"context"
	"errors"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/helpende-handen/helpende-handen/graph/model"
	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/organisations"
	"github.com/helpende-handen/helpende-handen/internal/reference"
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
