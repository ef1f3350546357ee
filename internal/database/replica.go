package database

import "context"

type primaryKey struct{}

// WithPrimary marks ctx so that services read from the primary even when a replica
// (DATABASE_READ_URL) is configured: the hot-query cache does this when it rebuilds an
// entry, so that an answer stored under the newest tag versions never lags behind them.
func WithPrimary(ctx context.Context) context.Context {
	return context.WithValue(ctx, primaryKey{}, true)
}

// PrimaryOnly reports whether ctx asks for the primary.
func PrimaryOnly(ctx context.Context) bool {
	b, _ := ctx.Value(primaryKey{}).(bool)
	return b
}
