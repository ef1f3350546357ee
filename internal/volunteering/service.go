package volunteering

import (
	"context"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"

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
}

// NewService returns a volunteering service. pub may be nil.
func NewService(db *sqlx.DB, ref *reference.Service, orgs *organisations.Service, pub Publisher, log *slog.Logger) *Service {
	return &Service{db: db, ref: ref, orgs: orgs, pub: pub, log: log, Now: time.Now}
}
