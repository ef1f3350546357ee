// Package graph holds the GraphQL schema (*.graphqls) and thin resolvers that translate
// between GraphQL and the domain packages in internal/.
package graph

import (
	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/ledger"
	"github.com/helpende-handen/helpende-handen/internal/matchmaking"
	"github.com/helpende-handen/helpende-handen/internal/organisations"
	"github.com/helpende-handen/helpende-handen/internal/privacy"
	"github.com/helpende-handen/helpende-handen/internal/recommend"
	"github.com/helpende-handen/helpende-handen/internal/reference"
	"github.com/helpende-handen/helpende-handen/internal/rewards"
	"github.com/helpende-handen/helpende-handen/internal/talent"
	"github.com/helpende-handen/helpende-handen/internal/volunteering"
)

// Resolver holds the domain services the resolvers call.
type Resolver struct {
	Accounts      *accounts.Service
	Orgs          *organisations.Service
	Reference     *reference.Service
	Volunteering  *volunteering.Service
	Broker        *volunteering.Broker
	TalentBank    *talent.Service
	Privacy       *privacy.Service
	Recommend     *recommend.Service
	Matchmaking   *matchmaking.Service
	Ledger        *ledger.Service
	RewardService *rewards.Service
	// Topics carries live updates (walletChanged) to subscribers on every instance.
	Topics Topics
	// PublicURL is the platform's public address (for calendar feed links).
	PublicURL string
	// Sessions sets and clears the session cookie on the HTTP response.
	Sessions SessionCookies
}
