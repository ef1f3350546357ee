package volunteering

import (
	"context"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/helpende-handen/helpende-handen/internal/database"
	"github.com/helpende-handen/helpende-handen/internal/invalidate"
	"github.com/helpende-handen/helpende-handen/internal/organisations"
	"github.com/helpende-handen/helpende-handen/internal/reference"
)

// Zone is the platform's time zone: shifts are planned in Brussels local time.
var Zone = mustZone("Europe/Brussels")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// Publisher tells live subscribers that an application changed (see Broker).
type Publisher interface {
	PublishApplication(ctx context.Context, a *Application)
}

// Service manages needs, shifts, applications and attendance.
type Service struct {
	db   *sqlx.DB
	ref  *reference.Service
	orgs *organisations.Service
	log  *slog.Logger
	pub  Publisher
	// Now is the clock (tests may replace it).
	Now func() time.Time
	// Invalidator is told, after each committed write and before the write returns,
	// which cached answers it changed (default: none; the platform wires in Redis).
	Invalidator invalidate.Invalidator
	// ReadDB serves read-only queries that may lag a little (search, impact figures):
	// a replica when DATABASE_READ_URL is set, else the primary.
	ReadDB *sqlx.DB
}

// NewService returns a volunteering service. pub may be nil.
func NewService(db *sqlx.DB, ref *reference.Service, orgs *organisations.Service, pub Publisher, log *slog.Logger) *Service {
	return &Service{db: db, ref: ref, orgs: orgs, pub: pub, log: log, Now: time.Now, Invalidator: invalidate.Nop{}, ReadDB: db}
}

// changed bumps the cache tags of the public needs listing and of these needs.
func (s *Service) changed(ctx context.Context, needIDs ...string) {
	tags := make([]string, 0, len(needIDs)+1)
	tags = append(tags, invalidate.Needs)
	for _, id := range needIDs {
		tags = append(tags, invalidate.Need(id))
	}
	invalidate.Or(s.Invalidator).Bump(ctx, tags...)
}

// reader is the database for lagging reads: the replica, unless ctx asks for the primary
// (database.WithPrimary; the cache does, so that it never stores a lagging answer).
func (s *Service) reader(ctx context.Context) *sqlx.DB {
	if s.ReadDB == nil || database.PrimaryOnly(ctx) {
		return s.db
	}
	return s.ReadDB
}
