package organisations

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/helpende-handen/helpende-handen/internal/accounts"
	"github.com/helpende-handen/helpende-handen/internal/errs"
)

// Filter narrows a directory listing.
type Filter struct {
	Search        string
	DistrictKeys  []string
	Kinds         []string
	ThemeKeys     []string
	Languages     []string
	Accessibility []string
	Status        string // administrators only; default APPROVED
	Mine          bool
}

// Cursor is a position in the listing order (name, then id).
type Cursor struct {
	Name string `json:"n"`
	ID   string `json:"i"`
}

// Page is one page of a listing.
type Page struct {
	Organisations []Organisation
	HasNextPage   bool
	TotalCount    int
}

// List returns organisations the viewer may see, ordered by name, after the cursor.
func (s *Service) List(ctx context.Context, viewer *accounts.Viewer, f Filter, first int, after *Cursor) (Page, error) {
	var page Page
	where := []string{}
	args := map[string]any{}
	switch {
	case f.Mine:
		if viewer == nil {
			return page, errs.ErrUnauthenticated
		}
		where = append(where, "id IN (SELECT organisation_id FROM organisation_members WHERE person_id = :viewer)")
		args["viewer"] = viewer.PersonID
		if f.Status != "" {
			where = append(where, "status = :status")
			args["status"] = f.Status
		}
	case f.Status != "" && f.Status != StatusApproved:
		if viewer == nil {
			return page, errs.ErrUnauthenticated
		}
		if !viewer.IsAdmin {
			return page, errs.ErrForbidden
		}
		where = append(where, "status = :status")
		args["status"] = f.Status
	default:
		where = append(where, "status = 'APPROVED'")
	}
	if q := strings.TrimSpace(f.Search); q != "" {
		if len([]rune(q)) > 200 {
			q = string([]rune(q)[:200])
		}
		// Every word must appear, allowing small typos (trigram word similarity).
		for i, w := range strings.Fields(q) {
			name := fmt.Sprintf("w%d", i)
			where = append(where, fmt.Sprintf("(search_text LIKE '%%' || hh_fold(:%s) || '%%' OR hh_fold(:%s) <%% search_text)", name+"l", name))
			args[name] = w
			args[name+"l"] = EscapeLike(w)
			if i == 7 {
				break
			}
		}
	}
	if len(f.DistrictKeys) > 0 {
		where = append(where, "district_key = ANY(:districts)")
		args["districts"] = pq.StringArray(f.DistrictKeys)
	}
	if len(f.Kinds) > 0 {
		where = append(where, "kind = ANY(:kinds)")
		args["kinds"] = pq.StringArray(f.Kinds)
	}
	if len(f.ThemeKeys) > 0 {
		where = append(where, "themes && :themes")
		args["themes"] = pq.StringArray(f.ThemeKeys)
	}
	if len(f.Languages) > 0 {
		where = append(where, "languages && :languages")
		args["languages"] = pq.StringArray(f.Languages)
	}
	if len(f.Accessibility) > 0 {
		where = append(where, "accessibility @> :access")
		args["access"] = pq.StringArray(f.Accessibility)
	}
	cond := strings.Join(where, " AND ")

	q, qa, err := sqlx.Named(`SELECT count(*) FROM organisations WHERE `+cond, args)
	if err != nil {
		return page, fmt.Errorf("count organisations: %w", err)
	}
	if err := s.reader(ctx).GetContext(ctx, &page.TotalCount, s.db.Rebind(q), qa...); err != nil {
		return page, fmt.Errorf("count organisations: %w", err)
	}
	if after != nil {
		cond += " AND (lower(name), id) > (:aname, :aid)"
		args["aname"], args["aid"] = after.Name, after.ID
	}
	args["limit"] = first + 1
	q, qa, err = sqlx.Named(`SELECT `+columns+` FROM organisations WHERE `+cond+` ORDER BY lower(name), id LIMIT :limit`, args)
	if err != nil {
		return page, fmt.Errorf("list organisations: %w", err)
	}
	if err := s.reader(ctx).SelectContext(ctx, &page.Organisations, s.db.Rebind(q), qa...); err != nil {
		return page, fmt.Errorf("list organisations: %w", err)
	}
	if len(page.Organisations) > first {
		page.HasNextPage = true
		page.Organisations = page.Organisations[:first]
	}
	return page, nil
}

// CursorOf returns the cursor position of o.
func CursorOf(o *Organisation) Cursor {
	return Cursor{Name: strings.ToLower(o.Name), ID: o.ID}
}

// EscapeLike escapes the LIKE wildcards % and _ (and the escape character) in s.
func EscapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}
