package graph

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/helpende-handen/helpende-handen/graph/model"
	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/i18n"
	"github.com/helpende-handen/helpende-handen/internal/organisations"
	"github.com/helpende-handen/helpende-handen/internal/relay"
	"github.com/helpende-handen/helpende-handen/internal/talent"
	"github.com/helpende-handen/helpende-handen/internal/volunteering"
)

// SessionCookies sets and clears the session cookie on the current HTTP response.
type SessionCookies interface {
	Set(ctx context.Context, token string, expires time.Time)
	Clear(ctx context.Context)
}

// Kinds of global ID.
const (
	typePerson       = "Person"
	typeOrganisation = "Organisation"
	typeDistrict     = "District"
	typeTheme        = "Theme"
	typeTalent       = "Talent"
	typeCategory     = "TalentCategory"
	typeProposal     = "Proposal"
	typeConsent      = "OnBehalfConsent"
)

// uuidTypes are the kinds of object whose keys are UUIDs.
var uuidTypes = map[string]bool{typePerson: true, typeOrganisation: true, "Need": true, "Shift": true, "Application": true,
	"Notification": true, "Endorsement": true, typeProposal: true, typeConsent: true}

// userErrors turns domain user errors into payload errors in the request's language.
// Any other error is returned as is and becomes a top-level error.
func userErrors(ctx context.Context, err error) ([]model.UserError, error) {
	if err == nil {
		return []model.UserError{}, nil
	}
	ue, ok := errs.AsUserErrors(err)
	if !ok {
		return nil, err
	}
	lang := i18n.FromContext(ctx)
	out := make([]model.UserError, 0, len(ue))
	for _, e := range ue {
		out = append(out, model.UserError{Field: e.Field, Code: model.UserErrorCode(e.Code), Message: i18n.T(lang, e.Message, e.Args)})
	}
	return out, nil
}

// idErr collects problems decoding IDs in an input.
type idErr struct{ errs.UserErrors }

// decode decodes the opaque ID of a kind; a bad ID becomes a user error on field.
func (e *idErr) decode(typ, field, id string) string {
	key, err := relay.FromID(typ, id)
	if err == nil && uuidTypes[typ] && !organisations.IsUUID(key) {
		err = relay.ErrInvalidID
	}
	if err != nil {
		e.Add(field, errs.Invalid, "invalid_id", nil)
		return ""
	}
	return key
}

// decodeAll decodes a list of IDs.
func (e *idErr) decodeAll(typ, field string, ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if k := e.decode(typ, field, id); k != "" {
			out = append(out, k)
		} else {
			break
		}
	}
	return out
}

func viewer(ctx context.Context) *accounts.Viewer { return accounts.ViewerFrom(ctx) }

func requireViewer(ctx context.Context) (*accounts.Viewer, error) {
	v := accounts.ViewerFrom(ctx)
	if v == nil {
		return nil, errs.ErrUnauthenticated
	}
	return v, nil
}

// canSeePrivate reports whether the viewer may see a person's private fields.
func canSeePrivate(ctx context.Context, personID string) bool {
	v := accounts.ViewerFrom(ctx)
	return v != nil && (v.PersonID == personID || v.IsAdmin)
}

func langToModel(l string) model.Language { return model.Language(strings.ToUpper(l)) }

func langFromModel(l *model.Language) *string {
	if l == nil {
		return nil
	}
	s := strings.ToLower(string(*l))
	return &s
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// notFoundAsNil turns "not found" into a null result, as GraphQL lookups by ID do.
func notFoundAsNil[T any](v *T, err error) (*T, error) {
	if errors.Is(err, errs.ErrNotFound) {
		return nil, nil
	}
	return v, err
}

// canSeeContact reports whether the viewer may see a person's contact details: the
// person, administrators, and coordinators of an organisation that accepted the person.
func (r *Resolver) canSeeContact(ctx context.Context, personID string) (bool, error) {
	if canSeePrivate(ctx, personID) {
		return true, nil
	}
	v := accounts.ViewerFrom(ctx)
	if v == nil {
		return false, nil
	}
	if l := loadersFrom(ctx); l != nil {
		return l.contacts.Load(ctx, v.PersonID+"|"+personID)()
	}
	return r.Volunteering.CanSeeContact(ctx, v.PersonID, personID)
}

// ownResult wraps the viewer's own profile for the API.
func (r *Resolver) ownResult(ctx context.Context, p *talent.Profile) (*talent.Result, error) {
	person, err := r.Accounts.Person(ctx, p.PersonID)
	if err != nil {
		return nil, err
	}
	return &talent.Result{Profile: *p, DisplayName: person.DisplayName}, nil
}

// viewerAndNeed returns the signed-in viewer and the need with this global ID, if the viewer
// may see it (errs.ErrNotFound otherwise, also for an ID that is not a need's).
func (r *Resolver) viewerAndNeed(ctx context.Context, needID string) (*accounts.Viewer, *volunteering.Need, error) {
	v, err := requireViewer(ctx)
	if err != nil {
		return nil, nil, err
	}
	key, err := relay.FromID(typeNeed, needID)
	if err != nil {
		return nil, nil, errs.ErrNotFound
	}
	n, err := r.Volunteering.Need(ctx, v, key)
	if err != nil {
		return nil, nil, err
	}
	return v, n, nil
}
