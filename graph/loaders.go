package graph

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/graph-gophers/dataloader/v7"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/matching"
	"github.com/helpende-handen/helpende-handen/internal/organisations"
	"github.com/helpende-handen/helpende-handen/internal/talent"
	"github.com/helpende-handen/helpende-handen/internal/volunteering"
)

// Loaders batch the lookups that list items make one by one (each need's organisation,
// each application's person) into one query per kind, so a page of 20 needs costs one
// query for their organisations instead of 20. They batch only: nothing is cached across
// requests, and a subscription, whose context lives long, reads fresh data every time.
type loaders struct {
	orgs   *dataloader.Loader[string, *organisations.Organisation]
	people *dataloader.Loader[string, *accounts.Person]
	// contacts answers "may viewer see person's contact details?"; key: viewer id + "|" + person id.
	contacts *dataloader.Loader[string, bool]
	// applicants explains how applicants fit their need; key: need id + "|" + person id.
	applicants *dataloader.Loader[string, *matching.Match]
	// profileTalents and profileLanguages: a page of talent profiles' lists, by person id.
	profileTalents   *dataloader.Loader[string, []talent.Talent]
	profileLanguages *dataloader.Loader[string, []talent.Language]
}

type loadersKey struct{}

// batchWait is how long a loader gathers keys: long enough for the resolvers of a list's
// items (run concurrently by gqlgen) to ask, short enough not to be noticed.
const batchWait = 500 * time.Microsecond

// WithLoaders returns ctx with fresh loaders for one GraphQL operation.
func (r *Resolver) WithLoaders(ctx context.Context) context.Context {
	opts := func() []dataloader.Option[string, *organisations.Organisation] {
		return []dataloader.Option[string, *organisations.Organisation]{dataloader.WithWait[string, *organisations.Organisation](batchWait),
			dataloader.WithCache[string, *organisations.Organisation](&dataloader.NoCache[string, *organisations.Organisation]{})}
	}
	l := &loaders{
		orgs: dataloader.NewBatchedLoader(func(ctx context.Context, ids []string) []*dataloader.Result[*organisations.Organisation] {
			os, err := r.Orgs.GetMany(ctx, &accounts.Viewer{IsAdmin: true}, ids)
			return results(len(ids), os, err)
		}, opts()...),
		people: dataloader.NewBatchedLoader(func(ctx context.Context, ids []string) []*dataloader.Result[*accounts.Person] {
			ps, err := r.Accounts.People(ctx, ids)
			return results(len(ids), ps, err)
		}, dataloader.WithWait[string, *accounts.Person](batchWait),
			dataloader.WithCache[string, *accounts.Person](&dataloader.NoCache[string, *accounts.Person]{})),
		contacts: dataloader.NewBatchedLoader(r.contactsBatch, dataloader.WithWait[string, bool](batchWait),
			dataloader.WithCache[string, bool](&dataloader.NoCache[string, bool]{})),
		applicants: dataloader.NewBatchedLoader(r.applicantsBatch, dataloader.WithWait[string, *matching.Match](batchWait),
			dataloader.WithCache[string, *matching.Match](&dataloader.NoCache[string, *matching.Match]{})),
		profileTalents: dataloader.NewBatchedLoader(func(ctx context.Context, ids []string) []*dataloader.Result[[]talent.Talent] {
			m, err := r.TalentBank.TalentsOf(ctx, ids)
			return byKey(ids, m, err, []talent.Talent{})
		}, dataloader.WithWait[string, []talent.Talent](batchWait),
			dataloader.WithCache[string, []talent.Talent](&dataloader.NoCache[string, []talent.Talent]{})),
		profileLanguages: dataloader.NewBatchedLoader(func(ctx context.Context, ids []string) []*dataloader.Result[[]talent.Language] {
			m, err := r.TalentBank.LanguagesOf(ctx, ids)
			return byKey(ids, m, err, []talent.Language{})
		}, dataloader.WithWait[string, []talent.Language](batchWait),
			dataloader.WithCache[string, []talent.Language](&dataloader.NoCache[string, []talent.Language]{})),
	}
	return context.WithValue(ctx, loadersKey{}, l)
}

// contactsBatch answers a batch of "viewer|person" keys with one query per viewer.
func (r *Resolver) contactsBatch(ctx context.Context, keys []string) []*dataloader.Result[bool] {
	byViewer := map[string][]string{}
	for _, k := range keys {
		v, p, _ := strings.Cut(k, "|")
		byViewer[v] = append(byViewer[v], p)
	}
	visible := map[string]bool{}
	var err error
	for v, ps := range byViewer {
		var m map[string]bool
		if m, err = r.Volunteering.ContactsVisible(ctx, v, ps); err != nil {
			break
		}
		for p, ok := range m {
			visible[v+"|"+p] = ok
		}
	}
	out := make([]*dataloader.Result[bool], len(keys))
	for i, k := range keys {
		out[i] = &dataloader.Result[bool]{Data: visible[k], Error: err}
	}
	return out
}

// results turns a batch's answer (in key order, nil where missing) into loader results.
func results[T any](n int, vs []*T, err error) []*dataloader.Result[*T] {
	out := make([]*dataloader.Result[*T], n)
	for i := range out {
		switch {
		case err != nil:
			out[i] = &dataloader.Result[*T]{Error: err}
		case i >= len(vs) || vs[i] == nil:
			out[i] = &dataloader.Result[*T]{Error: errs.ErrNotFound}
		default:
			out[i] = &dataloader.Result[*T]{Data: vs[i]}
		}
	}
	return out
}

func loadersFrom(ctx context.Context) *loaders {
	l, _ := ctx.Value(loadersKey{}).(*loaders)
	return l
}

// publicOrganisation returns an organisation's public card (a need's or a reward's
// organisation); errs.ErrNotFound when there is none.
func (r *Resolver) publicOrganisation(ctx context.Context, id string) (*organisations.Organisation, error) {
	if l := loadersFrom(ctx); l != nil {
		return l.orgs.Load(ctx, id)()
	}
	os, err := r.Orgs.GetMany(ctx, &accounts.Viewer{IsAdmin: true}, []string{id})
	if err != nil {
		return nil, err
	}
	if len(os) == 0 || os[0] == nil {
		return nil, errs.ErrNotFound
	}
	return os[0], nil
}

// person returns a person by id; errs.ErrNotFound when there is none.
func (r *Resolver) person(ctx context.Context, id string) (*accounts.Person, error) {
	if l := loadersFrom(ctx); l != nil {
		return l.people.Load(ctx, id)()
	}
	return r.Accounts.Person(ctx, id)
}

// applicantsBatch explains a batch of "need|person" keys, one scoring run per need. Needs
// the viewer may not manage give no explanation (nil), not an error.
func (r *Resolver) applicantsBatch(ctx context.Context, keys []string) []*dataloader.Result[*matching.Match] {
	byNeed := map[string][]string{}
	for _, k := range keys {
		n, p, _ := strings.Cut(k, "|")
		byNeed[n] = append(byNeed[n], p)
	}
	found := map[string]*matching.Match{}
	var err error
	v := viewer(ctx)
	for needID, people := range byNeed {
		n, nerr := r.Volunteering.Need(ctx, v, needID)
		if errors.Is(nerr, errs.ErrNotFound) {
			continue
		}
		if nerr != nil {
			err = nerr
			break
		}
		ms, aerr := r.Recommend.Applicants(ctx, v, n, people)
		if errors.Is(aerr, errs.ErrForbidden) || errors.Is(aerr, errs.ErrUnauthenticated) {
			continue
		}
		if aerr != nil {
			err = aerr
			break
		}
		for p, m := range ms {
			found[needID+"|"+p] = &m
		}
	}
	out := make([]*dataloader.Result[*matching.Match], len(keys))
	for i, k := range keys {
		out[i] = &dataloader.Result[*matching.Match]{Data: found[k], Error: err}
	}
	return out
}

// applicantMatch explains how an application's person fits its need (for the organisation).
func (r *Resolver) applicantMatch(ctx context.Context, a *volunteering.Application) (*matching.Match, error) {
	key := a.NeedID + "|" + a.PersonID
	if l := loadersFrom(ctx); l != nil {
		return l.applicants.Load(ctx, key)()
	}
	res := r.applicantsBatch(ctx, []string{key})
	return res[0].Data, res[0].Error
}

// byKey turns a batch's answer by key into loader results (empty where a key has nothing).
func byKey[T any](keys []string, m map[string]T, err error, empty T) []*dataloader.Result[T] {
	out := make([]*dataloader.Result[T], len(keys))
	for i, k := range keys {
		v, ok := m[k]
		if !ok {
			v = empty
		}
		out[i] = &dataloader.Result[T]{Data: v, Error: err}
	}
	return out
}

// profileTalents lists a profile's talents, batched over a page of profiles.
func (r *Resolver) profileTalents(ctx context.Context, personID string) ([]talent.Talent, error) {
	if l := loadersFrom(ctx); l != nil {
		return l.profileTalents.Load(ctx, personID)()
	}
	return r.TalentBank.Talents(ctx, personID)
}

// profileLanguages lists a profile's languages, batched over a page of profiles.
func (r *Resolver) profileLanguages(ctx context.Context, personID string) ([]talent.Language, error) {
	if l := loadersFrom(ctx); l != nil {
		return l.profileLanguages.Load(ctx, personID)()
	}
	return r.TalentBank.Languages(ctx, personID)
}
