package graph

import (
	"github.com/helpende-handen/helpende-handen/graph/generated"
	"github.com/helpende-handen/helpende-handen/graph/model"
	"github.com/helpende-handen/helpende-handen/internal/relay"
)

// Per-field costs for the complexity limit: a list costs its children times the number
// of items it can return, so a query cannot ask for a huge tree in one go.
const (
	// Lists without paging that are small (districts, themes, languages: tens of items).
	smallListItems = 50
	// A person's memberships or an organisation's members.
	membersItems = 20
)

// NewConfig returns the executable schema configuration with per-field costs.
func NewConfig(r *Resolver) generated.Config {
	c := generated.Config{Resolvers: r}
	page := func(first *int, def int) int { return relay.PageSize(first, def) }
	c.Complexity.Query.Organisations = func(child int, _ *model.OrganisationFilter, first *int, _ *string) int {
		return 1 + child*page(first, 20)
	}
	c.Complexity.Query.Talents = func(child int, _ *string, _ *string, first *int, _ *string) int {
		return 1 + child*page(first, 50)
	}
	c.Complexity.Query.Districts = func(child int) int { return 1 + child*smallListItems }
	c.Complexity.Query.Themes = func(child int) int { return 1 + child*smallListItems }
	c.Complexity.Query.TalentCategories = func(child int) int { return 1 + child*smallListItems }
	c.Complexity.Query.Languages = func(child int) int { return 1 + child*smallListItems }
	c.Complexity.Organisation.Members = func(child int) int { return 1 + child*membersItems }
	c.Complexity.Organisation.Themes = func(child int) int { return 1 + child*5 }
	c.Complexity.Organisation.Languages = func(child int) int { return 1 + child*5 }
	c.Complexity.Person.Memberships = func(child int) int { return 1 + child*membersItems }
	return c
}
