package graph

import (
	"context"
	"time"

	"github.com/graph-gophers/dataloader/v7"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/organisations"
)

// Loaders batch the lookups that list items make one by one (each need's organisation,
// each application's person) into one query per kind, so a page of 20 needs costs one
// query for their organisations instead of 20. They batch only: nothing is cached across
// requests, and a subscription, whose context lives long, reads fresh data every time.
type loaders struct {
	orgs   *dataloader.Loader[string, *organisations.Organisation]
	people *dataloader.Loader[string, *accounts.Person]
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
	}
	return context.WithValue(ctx, loadersKey{}, l)
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
