package volunteering

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/helpende-handen/helpende-handen/internal/errs"
	"github.com/helpende-handen/helpende-handen/internal/organisations"
)

// Search orders.
const (
	OrderRelevance = "RELEVANCE"
	OrderSoonest   = "SOONEST"
	OrderDistance  = "DISTANCE"
	OrderNewest    = "NEWEST"
)

// Search limits.
const (
	// MaxSearchText is the longest free text a search uses (longer text is cut).
	MaxSearchText = 200
	// MaxRadiusKm is the largest radius of a search near a point.
	MaxRadiusKm = 200.0
	// FuzzyThreshold is the trigram word similarity a need's text must reach when a search
	// falls back to typo tolerance (see Search).
	FuzzyThreshold = 0.5
)

// Near is a point and a radius.
type Near struct {
	Lat, Lon float64
	RadiusKm float64
}

// SearchFilter narrows a search of needs. Every field is optional; they combine with AND.
type SearchFilter struct {
	// Text is free text in Dutch, French or English; accents are ignored and, when
	// nothing matches exactly, small typos are forgiven.
	Text         string
	DistrictKeys []string
	Near         *Near
	// From and To: only needs with a scheduled shift starting in [From, To). Flexible
	// needs match any range.
	From, To      *time.Time
	ThemeKeys     []string // any of them
	TalentKeys    []string // any of them
	Languages     []string // any of them
	Accessibility []string // all of them
	// HasPlacesLeft true keeps needs with places left; false does not filter.
	HasPlacesLeft  bool
	OrganisationID string
	Schedules      []string
	Remote         *bool
	// Statuses, together with OrganisationID, lists that organisation's needs in these
	// statuses instead of the open ones. The caller checks that the viewer may see them.
	Statuses []string
}

// SearchCursor is a position in a search's order. Encode it with relay.Cursor; it is only
// valid for the same filter and order.
type SearchCursor struct {
	// Order is the effective order: R(elevance), S(oonest), N(ewest) or D(istance).
	Order string `json:"o"`
	// Fuzzy says the search fell back to typo tolerance on its first page.
	Fuzzy bool       `json:"f,omitempty"`
	Num   *float64   `json:"n,omitempty"`
	Time  *time.Time `json:"t,omitempty"`
	ID    string     `json:"i"`
}

// SearchPage is one page of a search.
type SearchPage struct {
	Needs []Need
	// Cursors holds the cursor of each need, in the same order.
	Cursors     []SearchCursor
	HasNextPage bool
	TotalCount  int
	// Fuzzy is true when no need matched the text exactly and the page holds needs that
	// match it approximately (a typo).
	Fuzzy bool
}

// EndCursor returns the cursor of the page's last need, or nil.
func (p *SearchPage) EndCursor() *SearchCursor {
	if len(p.Cursors) == 0 {
		return nil
	}
	return &p.Cursors[len(p.Cursors)-1]
}

var validStatuses = map[string]bool{NeedDraft: true, NeedOpen: true, NeedFilled: true, NeedClosed: true, NeedCancelled: true}
var validSchedules = map[string]bool{ScheduleOneOff: true, ScheduleWeekly: true, ScheduleFlexible: true}

// distanceExpr is the great-circle distance in metres from the search point to the need, on
// the sphere of the earthdistance module (radius earth()): the haversine formula gives
// earth_distance(ll_to_earth(:lat, :lon), ll_to_earth(n.lat, n.lon)) to a nanometre, about
// six times faster (ll_to_earth checks the earth domain's constraints on every call). The
// earth_box condition before it uses the GiST index on ll_to_earth(lat, lon).
const distanceExpr = `(2 * earth() * asin(least(1, sqrt(power(sin(radians(n.lat - :lat) / 2), 2) +
	cos(radians(:lat)) * cos(radians(n.lat)) * power(sin(radians(n.lon - :lon) / 2), 2)))))`

// searchTextExpr is the text query: Dutch, French, English and language-neutral parsing of
// the folded text (OR), plus Dutch verb forms (see dutchVariants) when there are any.
func searchTextExpr(withVariants bool) string {
	e := `(websearch_to_tsquery('dutch', hh_fold(:q)) || websearch_to_tsquery('french', hh_fold(:q)) || ` +
		`websearch_to_tsquery('english', hh_fold(:q)) || websearch_to_tsquery('simple', hh_fold(:q))`
	if withVariants {
		e += ` || to_tsquery('simple', :qv)`
	}
	return e + `)`
}

// Search finds needs: open ones (or, with f.OrganisationID and f.Statuses, that
// organisation's needs in those statuses), filtered by f, in the given order, first
// (1..100) after the cursor. Pages neither skip nor repeat needs when needs are added
// between them (keyset pagination over the sort value and the id).
//
// Free text is matched with full-text search in Dutch, French and English (stemmed,
// accents folded, plus common Dutch verb forms) and ranked with ts_rank_cd. When nothing
// matches exactly, the search falls back to typo tolerance: trigram word similarity of the
// text within the need's text (at least FuzzyThreshold), ranked by that similarity; the
// page says so (Fuzzy) and its cursors keep that mode.
func (s *Service) Search(ctx context.Context, f SearchFilter, first int, after *SearchCursor, order string) (SearchPage, error) {
	var page SearchPage
	if first < 1 {
		first = 1
	}
	if first > 100 {
		first = 100
	}
	if order == "" {
		order = OrderRelevance
	}
	q, err := s.buildSearch(f, order)
	if err != nil {
		return page, err
	}
	if after != nil {
		if after.Order != q.key || !organisations.IsUUID(after.ID) || (q.key != "S" && q.key != "N" && after.Num == nil) ||
			(after.Num != nil && (math.IsNaN(*after.Num) || math.IsInf(*after.Num, 0))) {
			return page, errs.One("after", errs.Invalid, "invalid", nil)
		}
		if after.Fuzzy && q.text == "" {
			return page, errs.One("after", errs.Invalid, "invalid", nil)
		}
	}
	if q.none {
		return page, nil
	}
	err = s.searchTx(ctx, func(tx *sqlx.Tx) error {
		if after != nil && after.Fuzzy {
			if err := setFuzzyThreshold(ctx, tx); err != nil {
				return err
			}
			return q.run(ctx, tx, first, after, true, &page)
		}
		if err := q.run(ctx, tx, first, after, false, &page); err != nil {
			return err
		}
		// Nothing matches the text exactly: forgive a typo.
		if q.text != "" && after == nil && page.TotalCount == 0 {
			if err := setFuzzyThreshold(ctx, tx); err != nil {
				return err
			}
			page = SearchPage{}
			return q.run(ctx, tx, first, nil, true, &page)
		}
		return nil
	})
	return page, err
}

// setFuzzyThreshold sets the trigram word similarity threshold (of the <% operator) for the
// rest of the transaction.
func setFuzzyThreshold(ctx context.Context, tx *sqlx.Tx) error {
	if _, err := tx.ExecContext(ctx, `SELECT set_config('pg_trgm.word_similarity_threshold', $1, true)`,
		fmt.Sprintf("%g", FuzzyThreshold)); err != nil {
		return fmt.Errorf("search: %w", err)
	}
	return nil
}

// searchTx runs fn in a read-only transaction with one snapshot (so the count and the page
// agree) and without JIT compilation, which costs more than these queries.
func (s *Service) searchTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.reader(ctx).BeginTxx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, `SELECT set_config('jit', 'off', true)`); err != nil {
		return fmt.Errorf("search: %w", err)
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// searchQuery is a search ready to run.
type searchQuery struct {
	where []string
	args  map[string]any
	text  string
	near  bool
	key   string // effective order: R, S, N, D
	none  bool   // the filter can match nothing (e.g. an organisation ID that is no UUID)
	// shiftsCond is the date range condition, kept apart so that it can be tuned per query.
	shiftsCond string
}

func (s *Service) buildSearch(f SearchFilter, order string) (*searchQuery, error) {
	q := &searchQuery{args: map[string]any{}}
	if len(f.Statuses) > 0 && f.OrganisationID != "" {
		for _, st := range f.Statuses {
			if !validStatuses[st] {
				return nil, errs.One("filter.statuses", errs.Invalid, "invalid", nil)
			}
		}
		q.where = append(q.where, "n.status = ANY(:statuses)")
		q.args["statuses"] = pq.StringArray(f.Statuses)
	} else {
		// Literal, so that the partial indexes (WHERE status = 'OPEN') apply.
		q.where = append(q.where, "n.status = 'OPEN'")
	}
	if t := strings.TrimSpace(f.Text); t != "" {
		if r := []rune(t); len(r) > MaxSearchText {
			t = string(r[:MaxSearchText])
		}
		q.text = t
		q.args["q"] = t
		// For ranking: the words only (letters and digits), so that every lexeme can be quoted.
		q.args["qr"] = strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return r
			}
			return ' '
		}, t)
		if v := dutchVariants(t); v != "" {
			q.args["qv"] = v
		}
	}
	if len(f.DistrictKeys) > 0 {
		q.where = append(q.where, "n.district_key = ANY(:districts)")
		q.args["districts"] = pq.StringArray(f.DistrictKeys)
	}
	if f.Near != nil {
		nr := f.Near
		if math.IsNaN(nr.Lat) || math.IsNaN(nr.Lon) || nr.Lat < -90 || nr.Lat > 90 || nr.Lon < -180 || nr.Lon > 180 {
			return nil, errs.One("filter.near.point", errs.Invalid, "invalid_coordinates", nil)
		}
		if !(nr.RadiusKm > 0 && nr.RadiusKm <= MaxRadiusKm) {
			return nil, errs.One("filter.near.radiusKm", errs.OutOfRange, "invalid", nil)
		}
		q.near = true
		q.where = append(q.where, "n.lat IS NOT NULL",
			"earth_box(ll_to_earth(:lat, :lon), :radius) @> ll_to_earth(n.lat, n.lon)",
			distanceExpr+" <= :radius")
		q.args["lat"], q.args["lon"], q.args["radius"] = nr.Lat, nr.Lon, nr.RadiusKm*1000
	}
	if f.From != nil || f.To != nil {
		cond := "s.need_id = n.id AND s.status = 'SCHEDULED'"
		if f.From != nil {
			cond += " AND s.starts_at >= :from"
			q.args["from"] = *f.From
		}
		if f.To != nil {
			cond += " AND s.starts_at < :to"
			q.args["to"] = *f.To
		}
		q.shiftsCond = cond
	}
	if len(f.ThemeKeys) > 0 {
		q.where = append(q.where, "n.themes && :themes")
		q.args["themes"] = pq.StringArray(f.ThemeKeys)
	}
	if len(f.TalentKeys) > 0 {
		q.where = append(q.where, "EXISTS (SELECT 1 FROM need_talents nt WHERE nt.need_id = n.id AND nt.talent_key = ANY(:talents))")
		q.args["talents"] = pq.StringArray(f.TalentKeys)
	}
	if len(f.Languages) > 0 {
		q.where = append(q.where, "n.languages && :languages")
		q.args["languages"] = pq.StringArray(f.Languages)
	}
	if len(f.Accessibility) > 0 {
		q.where = append(q.where, "n.accessibility @> :access")
		q.args["access"] = pq.StringArray(f.Accessibility)
	}
	if f.HasPlacesLeft {
		q.where = append(q.where, "n.places_left > 0")
	}
	if f.OrganisationID != "" {
		if !organisations.IsUUID(f.OrganisationID) {
			q.none = true
		}
		q.where = append(q.where, "n.organisation_id = :org")
		q.args["org"] = f.OrganisationID
	}
	if len(f.Schedules) > 0 {
		for _, sc := range f.Schedules {
			if !validSchedules[sc] {
				return nil, errs.One("filter.schedules", errs.Invalid, "invalid", nil)
			}
		}
		q.where = append(q.where, "n.schedule = ANY(:schedules)")
		q.args["schedules"] = pq.StringArray(f.Schedules)
	}
	if f.Remote != nil {
		q.where = append(q.where, "n.remote = :remote")
		q.args["remote"] = *f.Remote
	}
	switch order {
	case OrderRelevance:
		q.key = "R"
		if q.text == "" {
			q.key = "S" // without text: soonest first
		}
	case OrderSoonest:
		q.key = "S"
	case OrderNewest:
		q.key = "N"
	case OrderDistance:
		if f.Near == nil {
			return nil, errs.One("orderBy", errs.Invalid, "invalid", nil)
		}
		q.key = "D"
	default:
		return nil, errs.One("orderBy", errs.Invalid, "invalid", nil)
	}
	return q, nil
}

// conditions returns the WHERE clause for a mode. perNeed makes the date range look up
// each candidate's shifts one by one (an index probe each) instead of letting the planner
// hash every shift in the range: the better way when the candidates are few (text, a
// point) or when a page stops after a few rows in index order.
func (q *searchQuery) conditions(fuzzy, perNeed bool) string {
	where := append([]string(nil), q.where...)
	if q.text != "" {
		_, variants := q.args["qv"]
		cond := "n.search_vector @@ " + searchTextExpr(variants)
		if fuzzy {
			// Typo tolerance: only when nothing matched the full-text query (on the first page),
			// so it is trigram word similarity alone (and cheaper without the text vector).
			cond = "hh_fold(:q) <% n.search_text"
		}
		where = append(where, cond)
	}
	if q.shiftsCond != "" {
		// FLEXIBLE needs have no shifts and match any date range. (OFFSET 0 keeps the
		// subquery from being turned into a hashed one.)
		sub := "SELECT 1 FROM shifts s WHERE " + q.shiftsCond
		if perNeed {
			sub += " OFFSET 0"
		}
		where = append(where, "(n.schedule = 'FLEXIBLE' OR EXISTS ("+sub+"))")
	}
	return strings.Join(where, " AND ")
}

// sortExpr returns the sort value of a need (over alias n).
func (q *searchQuery) sortExpr(fuzzy bool) string {
	switch q.key {
	case "R":
		// Ranked against the distinct stems of the text (the search query repeats the same
		// lexeme for every language, which makes ts_rank_cd twice as slow for the same score).
		// (No "::" casts: sqlx.Named reads "::" as an escaped colon.)
		e := `CAST(ts_rank_cd(n.search_vector, (SELECT CAST(coalesce(string_agg(quote_literal(l), ' | '), '') AS tsquery)
			FROM unnest(tsvector_to_array(to_tsvector('dutch', hh_fold(:qr)) || to_tsvector('french', hh_fold(:qr)) ||
				to_tsvector('english', hh_fold(:qr)))) AS l)) AS float8)`
		if fuzzy {
			e = "CAST(word_similarity(hh_fold(:q), n.search_text) AS float8)"
		}
		return e
	case "D":
		return distanceExpr
	case "N":
		return "n.published_at"
	default:
		return "n.next_start"
	}
}

// orderBy and keyset return the ORDER BY list and the "after the cursor" condition for a
// sort expression sk and an id expression id.
func (q *searchQuery) orderBy(sk, id string) string {
	switch q.key {
	case "R":
		return sk + " DESC, " + id
	case "D":
		return sk + " ASC, " + id
	case "N":
		return sk + " DESC NULLS FIRST, " + id
	default:
		return sk + " ASC NULLS LAST, " + id
	}
}

func (q *searchQuery) keyset(sk, id string, c *SearchCursor, args map[string]any) string {
	args["aid"] = c.ID
	switch q.key {
	case "R":
		args["anum"] = *c.Num
		return fmt.Sprintf("(%s < :anum OR (%s = :anum AND %s > :aid))", sk, sk, id)
	case "D":
		args["anum"] = *c.Num
		return fmt.Sprintf("(%s, %s) > (:anum, :aid)", sk, id)
	case "N":
		if c.Time == nil {
			return fmt.Sprintf("((%s IS NULL AND %s > :aid) OR %s IS NOT NULL)", sk, id, sk)
		}
		args["atime"] = *c.Time
		// (The "<=" lets an index on the sort value start at the cursor.)
		return fmt.Sprintf("(%s <= :atime AND (%s < :atime OR %s > :aid))", sk, sk, id)
	default:
		if c.Time == nil {
			return fmt.Sprintf("(%s IS NULL AND %s > :aid)", sk, id)
		}
		args["atime"] = *c.Time
		return fmt.Sprintf("((%s, %s) > (:atime, :aid) OR %s IS NULL)", sk, id, sk)
	}
}

// searchRow is a need with its sort value and the total count.
type searchRow struct {
	Need
	Total    int64      `db:"hh_total"`
	SortNum  *float64   `db:"hh_num"`
	SortTime *time.Time `db:"hh_time"`
	Distance *float64   `db:"hh_dist"`
}

func searchColumns(prefix string) string {
	parts := strings.Split(needColumns, ",")
	for i, p := range parts {
		parts[i] = prefix + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// run fills page with one page in the given mode.
func (q *searchQuery) run(ctx context.Context, tx *sqlx.Tx, first int, after *SearchCursor, fuzzy bool, page *SearchPage) error {
	args := make(map[string]any, len(q.args)+4)
	for k, v := range q.args {
		args[k] = v
	}
	args["limit"] = first + 1
	cond := q.conditions(fuzzy, true)
	sk := q.sortExpr(fuzzy)
	sortCol := "hh_time"
	if q.key == "R" || q.key == "D" {
		sortCol = "hh_num"
	}
	dist := "CAST(NULL AS float8)"
	if q.near {
		dist = distanceExpr
	}
	var rows []searchRow
	// With text or a point, every match must be read anyway (to rank it, or to check its
	// distance): find them once, count them, and take the page from the same set. Else
	// the page comes in index order and the count is a query of its own.
	materialise := q.text != "" || q.near
	if materialise {
		mcond := ""
		if after != nil {
			mcond = "WHERE " + q.keyset("m.sk", "m.id", after, args)
		}
		query := `
			WITH m AS MATERIALIZED (
				SELECT n.id, ` + sk + ` AS sk, ` + dist + ` AS dist FROM needs n WHERE ` + cond + `
			)
			SELECT (SELECT count(*) FROM m) AS hh_total, p.sk AS ` + sortCol + `, p.dist AS hh_dist, ` + searchColumns("n.") + `
			FROM (SELECT m.id, m.sk, m.dist FROM m ` + mcond + ` ORDER BY ` + q.orderBy("m.sk", "m.id") + ` LIMIT :limit) p
			JOIN needs n ON n.id = p.id
			ORDER BY ` + q.orderBy("p.sk", "p.id")
		if err := namedSelect(ctx, tx, &rows, query, args); err != nil {
			return err
		}
		if len(rows) > 0 {
			page.TotalCount = int(rows[0].Total)
		} else if after != nil {
			if err := namedGet(ctx, tx, &page.TotalCount, `SELECT count(*) FROM needs n WHERE `+cond, args); err != nil {
				return err
			}
		}
	} else {
		// Count first (the planner picks how to apply the date range to all candidates);
		// then the page in index order, probing each candidate's shifts.
		if err := namedGet(ctx, tx, &page.TotalCount, `SELECT count(*) FROM needs n WHERE `+q.conditions(fuzzy, false), args); err != nil {
			return err
		}
		if page.TotalCount == 0 {
			rows = nil
		} else {
			pcond := cond
			if after != nil {
				pcond += " AND " + q.keyset(sk, "n.id", after, args)
			}
			query := `SELECT ` + sk + ` AS ` + sortCol + `, ` + dist + ` AS hh_dist, ` + searchColumns("n.") + `
				FROM needs n WHERE ` + pcond + `
				ORDER BY ` + q.orderBy(sk, "n.id") + `
				LIMIT :limit`
			if err := namedSelect(ctx, tx, &rows, query, args); err != nil {
				return err
			}
		}
	}
	if len(rows) > first {
		page.HasNextPage = true
		rows = rows[:first]
	}
	page.Fuzzy = fuzzy
	page.Needs = make([]Need, len(rows))
	page.Cursors = make([]SearchCursor, len(rows))
	for i := range rows {
		r := &rows[i]
		n := r.Need
		if r.Distance != nil {
			km := *r.Distance / 1000
			n.DistanceKm = &km
		}
		page.Needs[i] = n
		c := SearchCursor{Order: q.key, Fuzzy: fuzzy, ID: n.ID, Num: r.SortNum, Time: r.SortTime}
		page.Cursors[i] = c
	}
	return nil
}

func namedSelect(ctx context.Context, tx *sqlx.Tx, dest any, query string, args map[string]any) error {
	qs, qa, err := sqlx.Named(query, args)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	if err := tx.SelectContext(ctx, dest, tx.Rebind(qs), qa...); err != nil {
		return fmt.Errorf("search: %w", err)
	}
	return nil
}

func namedGet(ctx context.Context, tx *sqlx.Tx, dest any, query string, args map[string]any) error {
	qs, qa, err := sqlx.Named(query, args)
	if err != nil {
		return fmt.Errorf("search count: %w", err)
	}
	if err := tx.GetContext(ctx, dest, tx.Rebind(qs), qa...); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("search count: %w", err)
	}
	return nil
}

// foldText lowercases s and removes accents (as hh_fold does in the database).
func foldText(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// dutchVariants returns a tsquery (for the 'simple' configuration) that adds the Dutch verb
// forms the Dutch stemmer does not join: "koken" also finds "kookt"/"kookte", "kookt" also
// finds "koken", "lezen" finds "leest", "geeft" finds "geven". Every word of the query must
// match (one of its forms); words shorter than 4 letters are left out. It returns "" when
// there is nothing to add, or when the text uses web search syntax (quotes, "-", "or").
func dutchVariants(text string) string {
	if strings.ContainsAny(text, `"'`) {
		return ""
	}
	var groups []string
	added := false
	for _, w := range strings.Fields(foldText(text)) {
		if strings.HasPrefix(w, "-") || w == "or" {
			return ""
		}
		w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) })
		if len(w) < 4 || !isASCIILetters(w) {
			continue
		}
		alts := []string{w}
		for _, f := range dutchForms(w) {
			if f != w && len(strings.TrimSuffix(f, ":*")) >= 3 {
				alts = append(alts, f)
			}
		}
		if len(alts) > 1 {
			added = true
			groups = append(groups, "("+strings.Join(alts, " | ")+")")
		} else {
			groups = append(groups, w)
		}
	}
	if !added {
		return ""
	}
	return strings.Join(groups, " & ")
}

func isASCIILetters(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}

func isVowel(b byte) bool { return strings.IndexByte("aeiou", b) >= 0 }

// dutchForms returns other forms of a Dutch verb, with the spelling rules (vowel doubling
// in open syllables, v→f, z→s, double consonants undone); forms ending in ":*" are
// prefixes. The infinitive (-en) gives the stem (koken → kook:*, bakken → bak:*, helpen →
// help:*); a form in -t, -te or -de gives the stem and the infinitive (kookt → kook:*,
// koken; leest → lees:*, lezen). Short stems that are words of their own ("les", "kok")
// are only used when they are the one form.
func dutchForms(w string) []string {
	n := len(w)
	switch {
	case n >= 5 && strings.HasSuffix(w, "en"):
		stem := w[:n-2]
		m := len(stem)
		if m >= 3 && stem[m-1] == stem[m-2] && !isVowel(stem[m-1]) {
			return []string{stem[:m-1] + ":*"} // bakken → bak (bakt)
		}
		d := devoice(stem)
		if long := lengthen(d); long != d {
			if len(d) >= 5 {
				return []string{d + ":*", long + ":*"} // wandelen → wandel (wandelt); sorteren → sorteer (sorteert)
			}
			return []string{long + ":*"} // koken → kook (kookt); lezen → lees (leest)
		}
		if len(d) >= 3 {
			return []string{d + ":*"} // helpen → help (helpt); schrijven → schrijf (schrijft)
		}
	case n >= 5 && (strings.HasSuffix(w, "te") || strings.HasSuffix(w, "de")):
		return stemForms(w[:n-2])
	case n >= 4 && strings.HasSuffix(w, "t"):
		return stemForms(w[:n-1])
	}
	return nil
}

// stemForms: kook → kook:*, koken; geef → geef:*, geven; werk → werk:*, werken.
func stemForms(base string) []string {
	if len(base) < 3 {
		return nil
	}
	m := len(base)
	inf := base
	if m >= 3 && !isVowel(base[m-1]) && isVowel(base[m-2]) && base[m-2] == base[m-3] {
		inf = base[:m-2] + base[m-1:] // kook → kok
	}
	return []string{base + ":*", voice(inf) + "en"}
}

func devoice(s string) string {
	switch {
	case strings.HasSuffix(s, "v"):
		return s[:len(s)-1] + "f"
	case strings.HasSuffix(s, "z"):
		return s[:len(s)-1] + "s"
	}
	return s
}

func voice(s string) string {
	switch {
	case strings.HasSuffix(s, "f"):
		return s[:len(s)-1] + "v"
	case strings.HasSuffix(s, "s"):
		return s[:len(s)-1] + "z"
	}
	return s
}

// lengthen doubles a single vowel before the last consonant (kok → kook, les → lees).
func lengthen(s string) string {
	m := len(s)
	if m < 2 || isVowel(s[m-1]) || !strings.ContainsRune("aeou", rune(s[m-2])) {
		return s
	}
	if m >= 3 && isVowel(s[m-3]) {
		return s
	}
	return s[:m-1] + s[m-2:m-1] + s[m-1:]
}
