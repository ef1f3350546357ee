// Package invalidate names the tags that cached answers depend on, and the small
// interface through which the domain services bump them after a write. The domain
// packages depend only on this package, never on Redis; the platform wires in the
// Redis-backed implementation (internal/cache.Tags). The default is Nop.
//
// A bump must happen after the write is committed and before the mutation returns: an
// answer computed from data read before the commit is then stored under the old tag
// versions, which no reader asks for any more.
package invalidate

import "context"

// Invalidator makes cached answers that depend on any of tags unreachable.
type Invalidator interface {
	Bump(ctx context.Context, tags ...string)
}

// Nop does nothing (no cache).
type Nop struct{}

// Bump implements Invalidator.
func (Nop) Bump(context.Context, ...string) {}

// Or returns inv, or Nop when inv is nil.
func Or(inv Invalidator) Invalidator {
	if inv == nil {
		return Nop{}
	}
	return inv
}

// Tags. Lists are coarse (any change to any need bumps Needs); entities are fine-grained.
const (
	// Needs: the public search and listing of needs, and anything built on it (recommendations).
	Needs = "needs"
	// Orgs: the organisation directory, and every answer that embeds an organisation.
	Orgs = "orgs"
	// Reference: districts, themes, talents, languages (labels).
	Reference = "ref"
	// Stats: the public impact figures.
	Stats = "stats"
	// Rewards: the rewards catalogue (for the rewards service).
	Rewards = "rewards"
)

// Need is the tag of one need (its fields, shifts and places).
func Need(id string) string { return "need:" + id }

// Org is the tag of one organisation.
func Org(id string) string { return "org:" + id }

// Person is the tag of what is cached for one viewer (their roles, memberships, profile).
func Person(id string) string { return "person:" + id }

// Reward is the tag of one reward.
func Reward(id string) string { return "reward:" + id }
