// Package privacy gives people control over their data: an export of everything the
// platform holds about them (machine-readable JSON and a printable portfolio of verified
// talents and hours) and the deletion of their account. Personal data is erased; what
// must stay for the books (applications for the anonymous impact figures, coin postings)
// stays under a pseudonym. Both requests are recorded (without personal data).
package privacy

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/database"
	"github.com/helpende-handen/helpende-handen/internal/errs"
)

// Service exports and deletes personal data.
type Service struct {
	db       *sqlx.DB
	accounts *accounts.Service
	// Closers end what the person still has running elsewhere (applications for shifts to
	// come, vouchers not yet used), in the deletion's transaction.
	Closers []AccountCloser
}

// An AccountCloser ends, inside tx, what a person who deletes their account still has
// running in one part of the platform; after runs once tx has committed.
type AccountCloser interface {
	CloseAccount(ctx context.Context, tx *sqlx.Tx, personID string) (after func(context.Context), err error)
}

// NewService returns a privacy service.
func NewService(db *sqlx.DB, acc *accounts.Service) *Service {
	return &Service{db: db, accounts: acc}
}

// exportQueries are the person's rows, table by table. Every table with personal data is
// listed here (and in Delete); a test checks that none is forgotten.
var exportQueries = []struct{ name, query string }{
	{"person", `SELECT id, email, display_name, preferred_language, district_key, birth_date, phone, is_admin, is_matchmaker,
		created_at, updated_at, password_changed_at FROM people WHERE id = $1`},
	{"sessions", `SELECT created_at, expires_at, revoked_at, last_seen_at, user_agent, ip FROM sessions WHERE person_id = $1 ORDER BY created_at`},
	{"organisationMemberships", `SELECT m.organisation_id, o.name AS organisation, m.role, m.created_at FROM organisation_members m
		JOIN organisations o ON o.id = m.organisation_id WHERE m.person_id = $1`},
	{"talentProfile", `SELECT visibility, home_lat, home_lon, radius_km, districts, themes, looking_for, availability, about, updated_at
		FROM talent_profiles WHERE person_id = $1`},
	{"talents", `SELECT talent_key, level, learned FROM profile_talents WHERE person_id = $1 ORDER BY talent_key`},
	{"languages", `SELECT code, level FROM profile_languages WHERE person_id = $1 ORDER BY code`},
	{"consentHistory", `SELECT kind, value, actor_id, at FROM consent_log WHERE person_id = $1 ORDER BY id`},
	{"applications", `SELECT a.id, n.title AS need, o.name AS organisation, s.starts_at, s.ends_at, a.status, a.message, a.minutes,
		a.worked_on, a.confirmed_at, a.created_at FROM applications a JOIN needs n ON n.id = a.need_id
		JOIN organisations o ON o.id = n.organisation_id LEFT JOIN shifts s ON s.id = a.shift_id
		WHERE a.person_id = $1 ORDER BY a.created_at`},
	{"applicationHistory", `SELECT e.application_id, e.status, e.note, e.at FROM application_events e
		JOIN applications a ON a.id = e.application_id WHERE a.person_id = $1 ORDER BY e.id`},
	{"endorsements", `SELECT e.talent_key, o.name AS organisation, n.title AS need, e.hidden, e.created_at FROM endorsements e
		JOIN organisations o ON o.id = e.organisation_id JOIN needs n ON n.id = e.need_id WHERE e.person_id = $1 ORDER BY e.created_at`},
	{"thanks", `SELECT t.message, o.name AS organisation, t.created_at FROM thanks t JOIN organisations o ON o.id = t.organisation_id
		WHERE t.person_id = $1 ORDER BY t.created_at`},
	{"notifications", `SELECT kind, message, created_at, read_at FROM notifications WHERE person_id = $1 ORDER BY created_at`},
	{"calendarFeed", `SELECT created_at FROM calendar_feeds WHERE person_id = $1`},
	{"privacyRequests", `SELECT kind, at FROM privacy_requests WHERE person_id = $1 ORDER BY id`},
	{"proposals", `SELECT p.id, n.title AS need, p.message, p.status, p.created_at, p.decided_at FROM proposals p
		JOIN needs n ON n.id = p.need_id WHERE p.person_id = $1 ORDER BY p.created_at`},
	{"onBehalfConsents", `SELECT c.matchmaker_id, m.display_name AS matchmaker, c.granted_at, c.ends_at, c.withdrawn_at, c.note
		FROM on_behalf_consents c JOIN people m ON m.id = c.matchmaker_id WHERE c.person_id = $1 ORDER BY c.granted_at`},
	{"onBehalfLog", `SELECT action, matchmaker_id, at FROM on_behalf_log WHERE person_id = $1 ORDER BY id`},
	// The coin ledger stays for the books after deletion (under the pseudonym); it is exported all the same.
	{"ledgerAccounts", `SELECT id, kind, balance, created_at FROM ledger_accounts WHERE owner_id = $1 ORDER BY created_at`},
	{"walletEntries", `SELECT t.created_at, t.kind, t.memo, p.amount, p.balance_after FROM ledger_accounts a
		JOIN ledger_postings p ON p.account_id = a.id JOIN ledger_transactions t ON t.id = p.transaction_id
		WHERE a.owner_id = $1 AND a.kind = 'WALLET' ORDER BY p.id`},
	{"coinsMinted", `SELECT application_id, worked_year, minutes, coins_per_hour, coins_due, coins_minted, reason, created_at
		FROM mint_records WHERE person_id = $1 ORDER BY created_at`},
	// Vouchers stay for the books too (the merchant's settlement), under the pseudonym.
	{"vouchers", `SELECT v.id, v.code, r.title AS reward, o.name AS merchant, v.price, v.state, v.issued_at, v.valid_until,
		v.closed_at FROM vouchers v JOIN rewards r ON r.id = v.reward_id JOIN organisations o ON o.id = v.merchant_id
		WHERE v.person_id = $1 ORDER BY v.issued_at`},
}

// Export returns everything the platform holds about the person as JSON (one key per
// kind of data), and records the request.
func (s *Service) Export(ctx context.Context, viewer *accounts.Viewer) ([]byte, error) {
	if viewer == nil {
		return nil, errs.ErrUnauthenticated
	}
	out := map[string]any{"exportedAt": time.Now().UTC().Format(time.RFC3339), "format": "helpende-handen-export/1"}
	err := database.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO privacy_requests (person_id, kind) VALUES ($1, 'EXPORT')`, viewer.PersonID); err != nil {
			return fmt.Errorf("record export: %w", err)
		}
		for _, q := range exportQueries {
			rows, err := tx.QueryxContext(ctx, q.query, viewer.PersonID)
			if err != nil {
				return fmt.Errorf("export %s: %w", q.name, err)
			}
			var list []map[string]any
			for rows.Next() {
				m := map[string]any{}
				if err := rows.MapScan(m); err != nil {
					rows.Close()
					return fmt.Errorf("export %s: %w", q.name, err)
				}
				for k, v := range m {
					if b, ok := v.([]byte); ok { // arrays and JSON come as bytes
						m[k] = decodeColumn(b)
					}
				}
				list = append(list, m)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("export %s: %w", q.name, err)
			}
			if q.name == "person" || q.name == "talentProfile" || q.name == "calendarFeed" {
				if len(list) > 0 {
					out[q.name] = list[0]
				} else {
					out[q.name] = nil
				}
				continue
			}
			if list == nil {
				list = []map[string]any{}
			}
			out[q.name] = list
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(out, "", "  ")
}

// Portfolio is a printable page of a person's verified talents and confirmed hours, to
// use when applying for a job.
func (s *Service) Portfolio(ctx context.Context, viewer *accounts.Viewer) (string, error) {
	if viewer == nil {
		return "", errs.ErrUnauthenticated
	}
	var data struct {
		Name         string
		Generated    string
		Hours        float64
		Organisation []struct {
			Name    string  `db:"name"`
			Hours   float64 `db:"hours"`
			FromDay string  `db:"from_day"`
			ToDay   string  `db:"to_day"`
		}
		Endorsed []struct {
			Talent       string `db:"talent"`
			Organisation string `db:"organisation"`
			Day          string `db:"day"`
		}
	}
	if err := s.db.GetContext(ctx, &data.Name, `SELECT display_name FROM people WHERE id = $1`, viewer.PersonID); err != nil {
		return "", fmt.Errorf("portfolio: %w", err)
	}
	if err := s.db.SelectContext(ctx, &data.Organisation, `SELECT o.name, round(sum(a.minutes) / 60.0, 1)::float8 AS hours,
		to_char(min(a.worked_on), 'DD/MM/YYYY') AS from_day, to_char(max(a.worked_on), 'DD/MM/YYYY') AS to_day
		FROM applications a JOIN needs n ON n.id = a.need_id JOIN organisations o ON o.id = n.organisation_id
		WHERE a.person_id = $1 AND a.status = 'ATTENDED' GROUP BY o.name ORDER BY hours DESC`, viewer.PersonID); err != nil {
		return "", fmt.Errorf("portfolio: %w", err)
	}
	if err := s.db.SelectContext(ctx, &data.Endorsed, `SELECT coalesce(t.labels->>'nl', e.talent_key) AS talent, o.name AS organisation,
		to_char(e.created_at, 'DD/MM/YYYY') AS day FROM endorsements e JOIN talents t ON t.key = e.talent_key
		JOIN organisations o ON o.id = e.organisation_id WHERE e.person_id = $1 AND NOT e.hidden ORDER BY e.created_at`,
		viewer.PersonID); err != nil {
		return "", fmt.Errorf("portfolio: %w", err)
	}
	for _, o := range data.Organisation {
		data.Hours += o.Hours
	}
	data.Generated = time.Now().Format("02/01/2006")
	var b strings.Builder
	if err := portfolioPage.Execute(&b, data); err != nil {
		return "", fmt.Errorf("portfolio: %w", err)
	}
	return b.String(), nil
}

var portfolioPage = template.Must(template.New("portfolio").Parse(`<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Portfolio {{.Name}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;line-height:1.5}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #999;padding:.3rem;text-align:left}@media print{a{color:inherit}}</style></head>
<body><h1>{{.Name}}</h1><p>Vrijwilligerswerk via Helpende Handen (Antwerpen) — {{printf "%.1f" .Hours}} uur bevestigd. Opgemaakt op {{.Generated}}.</p>
<h2>Bevestigde talenten</h2>{{if .Endorsed}}<table><tr><th>Talent</th><th>Bevestigd door</th><th>Datum</th></tr>
{{range .Endorsed}}<tr><td>{{.Talent}}</td><td>{{.Organisation}}</td><td>{{.Day}}</td></tr>{{end}}</table>{{else}}<p>Nog geen.</p>{{end}}
<h2>Uren per organisatie</h2>{{if .Organisation}}<table><tr><th>Organisatie</th><th>Uren</th><th>Periode</th></tr>
{{range .Organisation}}<tr><td>{{.Name}}</td><td>{{printf "%.1f" .Hours}}</td><td>{{.FromDay}} – {{.ToDay}}</td></tr>{{end}}</table>{{else}}<p>Nog geen.</p>{{end}}
</body></html>`))

// Delete erases the person's personal data after checking the password. Applications stay
// (for the organisations' records and the anonymous figures) under a pseudonym.
func (s *Service) Delete(ctx context.Context, viewer *accounts.Viewer, password string) error {
	if viewer == nil {
		return errs.ErrUnauthenticated
	}
	p, err := s.accounts.Person(ctx, viewer.PersonID)
	if err != nil {
		return err
	}
	ok, err := accounts.VerifyPassword(password, p.PasswordHash)
	if err != nil {
		return err
	}
	if !ok {
		return errs.One("password", errs.InvalidCredentials, "wrong_current_password", nil)
	}
	random := make([]byte, 32)
	_, _ = rand.Read(random)
	unusable, err := accounts.HashPassword(base64.RawURLEncoding.EncodeToString(random))
	if err != nil {
		return err
	}
	var after []func(context.Context)
	err = database.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		after = after[:0]
		for _, c := range s.Closers {
			f, err := c.CloseAccount(ctx, tx, viewer.PersonID)
			if err != nil {
				return fmt.Errorf("delete account: %w", err)
			}
			after = append(after, f)
		}
		for _, q := range deleteStatements {
			if _, err := tx.ExecContext(ctx, q, viewer.PersonID); err != nil {
				return fmt.Errorf("delete account: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE people SET email = 'deleted-' || id || '@deleted.invalid',
			display_name = 'Verwijderd account', password_hash = $2, preferred_language = 'nl', district_key = NULL,
			birth_date = NULL, phone = NULL, is_admin = false, is_matchmaker = false, updated_at = now(), deleted_at = now()
			WHERE id = $1`, viewer.PersonID, unusable); err != nil {
			return fmt.Errorf("pseudonymise person: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO privacy_requests (person_id, kind) VALUES ($1, 'DELETE')`, viewer.PersonID); err != nil {
			return fmt.Errorf("record deletion: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, f := range after {
		f(ctx)
	}
	return nil
}

// deleteStatements erase the person's personal data, table by table.
var deleteStatements = []string{
	`DELETE FROM sessions WHERE person_id = $1`,
	`DELETE FROM calendar_feeds WHERE person_id = $1`,
	`DELETE FROM organisation_members WHERE person_id = $1`,
	`DELETE FROM profile_talents WHERE person_id = $1`,
	`DELETE FROM profile_languages WHERE person_id = $1`,
	`DELETE FROM talent_profiles WHERE person_id = $1`,
	`DELETE FROM consent_log WHERE person_id = $1`,
	`DELETE FROM notifications WHERE person_id = $1`,
	`DELETE FROM thanks WHERE person_id = $1`,
	`DELETE FROM endorsements WHERE person_id = $1`,
	`DELETE FROM proposals WHERE person_id = $1`,
	`DELETE FROM on_behalf_consents WHERE person_id = $1`,
	`DELETE FROM on_behalf_log WHERE person_id = $1`,
	`UPDATE applications SET message = '' WHERE person_id = $1`,
	`UPDATE application_events SET note = '' WHERE application_id IN (SELECT id FROM applications WHERE person_id = $1)`,
}

// decodeColumn turns a PostgreSQL array ({a,b}) into a list and JSON into its value;
// anything else stays text.
func decodeColumn(b []byte) any {
	if len(b) > 0 && b[0] == '{' {
		var arr pq.StringArray
		if err := arr.Scan(b); err == nil {
			return []string(arr)
		}
	}
	var j any
	if json.Unmarshal(b, &j) == nil {
		return j
	}
	return string(b)
}
