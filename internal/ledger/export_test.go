package ledger

import "context"

// PostUnchecked posts without the Go checks, through the group commit (tests only): to reach
// the database's own checks, and a batch that fails as a whole.
func (s *Service) PostUnchecked(ctx context.Context, key, kind string, postings []Posting) (*Transaction, error) {
	field := func(int) string { return "postings" }
	return s.write(ctx, nil, &request{key: key, kind: kind, postings: postings, metadata: []byte("{}"),
		accountField: field, amountField: field})
}
