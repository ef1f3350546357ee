package recommend

import (
	"context"

	"github.com/helpende-handen/helpende-handen/internal/matching"
)

// Hooks for the tests of package recommend_test (which may import testutil).

var BoxAround = boxAround

const NeedPool = needPool

// NeedPool returns the prefilter's pool of needs for a person.
func (s *Service) NeedPool(ctx context.Context, personID string) ([]string, matching.Person, error) {
	people, err := s.people(ctx, []string{personID})
	if err != nil {
		return nil, matching.Person{}, err
	}
	prof, err := s.talent.Profile(ctx, personID)
	if err != nil {
		return nil, matching.Person{}, err
	}
	ids, err := s.needCandidates(ctx, personID, people[personID], prof)
	return ids, people[personID], err
}

// MatchingNeeds loads needs as matching sees them.
func (s *Service) MatchingNeeds(ctx context.Context, ids []string) ([]matching.Need, error) {
	return s.needs(ctx, ids)
}
