package organisations

import (
	"context"
	"math"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/errs"
)

// Input holds an organisation's editable fields; nil leaves a field as it is.
type Input struct {
	Kind          *string
	Name          *string
	Description   *string
	Street        *string
	Postcode      *string
	City          *string
	DistrictKey   *string // "" clears
	Location      *Point  // a zero-size pointer target is not allowed; use ClearLocation
	ClearLocation bool
	ContactEmail  *string
	ContactPhone  *string
	Website       *string
	Themes        []string
	SetThemes     bool
	Languages     []string
	SetLanguages  bool
	Accessibility []string
	SetAccess     bool
	OpeningHours  *string
	LogoURL       *string
}

// Point is a WGS84 coordinate.
type Point struct {
	Lat, Lon float64
}

// Limits on fields.
const (
	MaxName         = 120
	MaxDescription  = 5000
	MaxStreet       = 200
	MaxCity         = 80
	MaxOpeningHours = 500
	MaxURL          = 500
	MaxThemes       = 10
	MaxLanguages    = 25
)

func text(v *errs.UserErrors, field string, p *string, max int, required, multiline bool) (string, bool) {
	if p == nil {
		return "", false
	}
	s, ok := accounts.CleanText(*p, multiline)
	switch {
	case required && s == "":
		v.Add(field, errs.Required, "required", nil)
	case !ok:
		v.Add(field, errs.Invalid, "invalid", nil)
	case utf8.RuneCountInString(s) > max:
		v.Add(field, errs.TooLong, "too_long", map[string]any{"Max": max})
	}
	return s, true
}

func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && !strings.ContainsAny(s, " \t\n")
}

// apply validates in and copies it onto o. It returns user errors for every bad field at once.
func (s *Service) apply(ctx context.Context, o *Organisation, in Input) error {
	snap, err := s.ref.Snapshot(ctx)
	if err != nil {
		return err
	}
	var v errs.UserErrors
	if in.Kind != nil {
		if !slices.Contains(Kinds, *in.Kind) {
			v.Add("kind", errs.Invalid, "invalid", nil)
		}
		o.Kind = *in.Kind
	}
	if t, set := text(&v, "name", in.Name, MaxName, true, false); set {
		if t != "" && utf8.RuneCountInString(t) < 2 {
			v.Add("name", errs.TooShort, "too_short", map[string]any{"Min": 2})
		}
		o.Name = t
	}
	if t, set := text(&v, "description", in.Description, MaxDescription, false, true); set {
		o.Description = t
	}
	if t, set := text(&v, "address.street", in.Street, MaxStreet, false, false); set {
		o.Street = t
	}
	if t, set := text(&v, "address.postcode", in.Postcode, 10, false, false); set {
		o.Postcode = t
	}
	if t, set := text(&v, "address.city", in.City, MaxCity, false, false); set {
		if t == "" {
			t = "Antwerpen"
		}
		o.City = t
	}
	if in.DistrictKey != nil {
		switch k := *in.DistrictKey; {
		case k == "":
			o.DistrictKey = nil
		case snap.District(k) == nil:
			v.Add("districtId", errs.UnknownReference, "unknown_district", nil)
		default:
			o.DistrictKey = &k
		}
	} else if (in.Postcode != nil || o.DistrictKey == nil) && o.Postcode != "" {
		// A new postcode (or none known yet) gives the district, unless one was chosen.
		if d := snap.DistrictForPostcode(o.Postcode); d != nil {
			k := d.Key
			o.DistrictKey = &k
		}
	}
	if in.ClearLocation {
		o.Lat, o.Lon = nil, nil
	} else if in.Location != nil {
		p := *in.Location
		if math.IsNaN(p.Lat) || math.IsNaN(p.Lon) || p.Lat < -90 || p.Lat > 90 || p.Lon < -180 || p.Lon > 180 {
			v.Add("location", errs.OutOfRange, "invalid_coordinates", nil)
		} else {
			o.Lat, o.Lon = &p.Lat, &p.Lon
		}
	}
	if t, set := text(&v, "contactEmail", in.ContactEmail, accounts.MaxEmailLen, false, false); set {
		if a, err := mail.ParseAddress(t); t != "" && (err != nil || a.Address != t) {
			v.Add("contactEmail", errs.InvalidEmail, "invalid_email", nil)
		}
		o.ContactEmail = t
	}
	if t, set := text(&v, "contactPhone", in.ContactPhone, accounts.MaxPhoneLen, false, false); set {
		o.ContactPhone = t
	}
	if t, set := text(&v, "website", in.Website, MaxURL, false, false); set {
		if t != "" && !validURL(t) {
			v.Add("website", errs.Invalid, "invalid_url", nil)
		}
		o.Website = t
	}
	if t, set := text(&v, "logoUrl", in.LogoURL, MaxURL, false, false); set {
		if t != "" && !validURL(t) {
			v.Add("logoUrl", errs.Invalid, "invalid_url", nil)
		}
		o.LogoURL = t
	}
	if t, set := text(&v, "openingHours", in.OpeningHours, MaxOpeningHours, false, true); set {
		o.OpeningHours = t
	}
	if in.SetThemes {
		o.Themes = dedupe(in.Themes)
		if len(o.Themes) > MaxThemes {
			v.Add("themeIds", errs.OutOfRange, "too_many", map[string]any{"Max": MaxThemes})
		}
		for _, t := range o.Themes {
			if snap.Theme(t) == nil {
				v.Add("themeIds", errs.UnknownReference, "unknown_theme", nil)
				break
			}
		}
	}
	if in.SetLanguages {
		o.Languages = dedupe(in.Languages)
		if len(o.Languages) > MaxLanguages {
			v.Add("languages", errs.OutOfRange, "too_many", map[string]any{"Max": MaxLanguages})
		}
		for _, l := range o.Languages {
			if snap.Language(l) == nil {
				v.Add("languages", errs.UnknownReference, "unknown_language", nil)
				break
			}
		}
	}
	if in.SetAccess {
		o.Accessibility = dedupe(in.Accessibility)
		for _, a := range o.Accessibility {
			if !slices.Contains(AccessibilityFacts, a) {
				v.Add("accessibility", errs.Invalid, "invalid", nil)
				break
			}
		}
	}
	if o.Themes == nil {
		o.Themes = []string{}
	}
	if o.Languages == nil {
		o.Languages = []string{}
	}
	if o.Accessibility == nil {
		o.Accessibility = []string{}
	}
	return v.Err()
}

func dedupe(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
