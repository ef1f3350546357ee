package reference

// The ESCO import: aligning the curated talents with ESCO, the EU's multilingual
// classification of skills, from the CSV files an operator downloads from the ESCO
// portal (skills_<lang>.csv, one file per language). See ImportESCO.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// ESCOLanguages are the language codes of the ESCO CSV downloads.
var ESCOLanguages = []string{
	"ar", "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu",
	"is", "it", "lt", "lv", "mt", "nl", "no", "pl", "pt", "ro", "sk", "sl", "sv", "uk",
}

const (
	escoURIPrefix       = "http://data.europa.eu/esco/"
	escoSkillConcept    = "KnowledgeSkillCompetence"
	escoReleased        = "released"
	defaultESCOCategory = "esco"
)

// defaultESCOCategoryLabels label the category that concepts are added to by default.
var defaultESCOCategoryLabels = Labels{
	"nl": "ESCO-vaardigheden", "fr": "Compétences ESCO", "en": "ESCO skills", "ar": "مهارات ESCO",
}

// ESCOTalentKey is the key of the talent an import adds for the ESCO concept uri: "esco_"
// and a short hash of the URI, the same on every run.
func ESCOTalentKey(uri string) string {
	sum := sha256.Sum256([]byte(uri))
	return "esco_" + hex.EncodeToString(sum[:6])
}

// ESCOConcept is one row of an ESCO skills_<lang>.csv file.
type ESCOConcept struct {
	URI            string
	PreferredLabel string
	AltLabels      []string // from the altLabels column, one label per line
}

// ReadESCOSkills streams an ESCO skills CSV file (name is used in error messages) and
// calls fn for every released knowledge/skill/competence concept in it. Columns are
// found by their header name; rows with another conceptType, or a status other than
// "released" (when the file has a status column), are skipped and counted.
func ReadESCOSkills(r io.Reader, name string, fn func(ESCOConcept) error) (read, skipped int, err error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return 0, 0, fmt.Errorf("%s: the file is empty", name)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if _, dup := col[strings.ToLower(h)]; !dup {
			col[strings.ToLower(h)] = i
		}
	}
	index := func(name string) int {
		if i, ok := col[strings.ToLower(name)]; ok {
			return i
		}
		return -1
	}
	iURI, iPref, iAlt, iStatus, iType := index("conceptUri"), index("preferredLabel"), index("altLabels"), index("status"), index("conceptType")
	var missing []string
	if iURI < 0 {
		missing = append(missing, "conceptUri")
	}
	if iPref < 0 {
		missing = append(missing, "preferredLabel")
	}
	if len(missing) > 0 {
		return 0, 0, fmt.Errorf("%s: not an ESCO skills file: no %s column in the header", name, strings.Join(missing, " or "))
	}
	field := func(rec []string, i int) string {
		if i < 0 || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	seen := map[string]bool{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return read, skipped, nil
		}
		if err != nil {
			return read, skipped, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) <= iURI || len(rec) <= iPref {
			return read, skipped, fmt.Errorf("%s line %d: %d fields, too few for the header", name, line, len(rec))
		}
		if (iType >= 0 && field(rec, iType) != escoSkillConcept) || (iStatus >= 0 && field(rec, iStatus) != escoReleased) {
			skipped++
			continue
		}
		c := ESCOConcept{URI: field(rec, iURI), PreferredLabel: cleanLabel(field(rec, iPref))}
		if !strings.HasPrefix(c.URI, escoURIPrefix) {
			return read, skipped, fmt.Errorf("%s line %d: conceptUri %q is not an ESCO URI (%s...)", name, line, c.URI, escoURIPrefix)
		}
		if seen[c.URI] {
			return read, skipped, fmt.Errorf("%s line %d: concept %s appears twice", name, line, c.URI)
		}
		seen[c.URI] = true
		seenAlt := newFoldSet()
		for _, l := range strings.Split(field(rec, iAlt), "\n") {
			if l = cleanLabel(l); l != "" && seenAlt.add(l) {
				c.AltLabels = append(c.AltLabels, l)
			}
		}
		for _, l := range append([]string{c.URI, c.PreferredLabel}, c.AltLabels...) {
			if !utf8.ValidString(l) || strings.ContainsRune(l, 0) {
				return read, skipped, fmt.Errorf("%s line %d: the text is not valid UTF-8", name, line)
			}
		}
		read++
		if err := fn(c); err != nil {
			return read, skipped, err
		}
	}
}

// cleanLabel trims a label and collapses its runs of white space.
func cleanLabel(s string) string { return strings.Join(strings.Fields(s), " ") }

var apostrophes = strings.NewReplacer("’", "'", "‘", "'", "ʼ", "'")

// foldLabel is the form in which labels are compared: trimmed, lower case, without
// accents, with typographic apostrophes made straight.
func foldLabel(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if !ascii {
		t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
		if f, _, err := transform.String(t, s); err == nil {
			s = f
		}
		s = apostrophes.Replace(s)
	}
	return strings.ToLower(cleanLabel(s))
}

// foldSet is a set of folded labels.
type foldSet map[string]bool

func newFoldSet(labels ...string) foldSet {
	fs := foldSet{}
	for _, l := range labels {
		fs[foldLabel(l)] = true
	}
	return fs
}

// add adds l and reports whether it was new.
func (fs foldSet) add(l string) bool {
	f := foldLabel(l)
	if fs[f] {
		return false
	}
	fs[f] = true
	return true
}

// ImportOptions configures ImportESCO.
type ImportOptions struct {
	Dir   string   // directory with the ESCO downloads skills_<lang>.csv
	Langs []string // languages to read; nl, fr, en and ar give labels, others only alternative labels
	// Links is an optional CSV file written by an operator, with lines talent_key,conceptUri
	// (a header line "talent_key,conceptUri" and lines starting with # are allowed).
	Links       string
	AddConcepts bool   // add every concept not linked to a curated talent as a talent of its own
	AddCategory string // category of the added talents; default "esco" (created when missing)
}

// ESCOLink is a curated talent linked to an ESCO concept.
type ESCOLink struct {
	TalentKey  string
	ConceptURI string
	Via        string   // "existing" (linked before), "links file" or "labels"
	Langs      []string // with Via "labels": the languages in which the labels are equal
	Replaces   string   // a talent an earlier --add made for this concept, now removed
}

// ESCOAmbiguity is a group of curated talents and concepts whose labels match in more
// than one way; none of them is linked automatically.
type ESCOAmbiguity struct {
	TalentKeys  []string
	ConceptURIs []string
}

// ESCOConflict is a link that was not made because it would change an existing one.
type ESCOConflict struct {
	TalentKey  string
	ConceptURI string
	Reason     string
}

// ImportReport is what ImportESCO did.
type ImportReport struct {
	Dir       string
	Langs     []string
	Read      map[string]int // released skill concepts read, per language
	Skipped   map[string]int // rows skipped (not released, or not a skill), per language
	Concepts  int            // distinct concepts read
	Linked    []ESCOLink     // curated talents linked to a concept read (new and existing links)
	Ambiguous []ESCOAmbiguity
	Conflicts []ESCOConflict
	Unlinked  int    // concepts not linked to a curated talent
	Category  string // with AddConcepts: the category of the added talents
	Added     int    // with AddConcepts: concepts written as talents of their own
	AddedNew  int    // of which were not there before
	Notes     []string
}

// LinkedCount returns how many links were made by this import, by the given means.
func (r ImportReport) LinkedCount(via string) int {
	n := 0
	for _, l := range r.Linked {
		if l.Via == via {
			n++
		}
	}
	return n
}

// Print writes the report for an operator.
func (r ImportReport) Print(w io.Writer) {
	fmt.Fprintf(w, "ESCO import from %s\n", r.Dir)
	fmt.Fprintln(w, "concepts read (released skills; other rows skipped):")
	for _, l := range r.Langs {
		fmt.Fprintf(w, "  %-3s %6d read  %6d skipped\n", l, r.Read[l], r.Skipped[l])
	}
	fmt.Fprintf(w, "  distinct concepts: %d\n", r.Concepts)
	fmt.Fprintf(w, "linked talents: %d (%d new by links file, %d new by equal labels, %d already linked)\n",
		len(r.Linked), r.LinkedCount("links file"), r.LinkedCount("labels"), r.LinkedCount("existing"))
	for _, l := range r.Linked {
		how := l.Via
		if len(l.Langs) > 0 {
			how += " " + strings.Join(l.Langs, ",")
		}
		if l.Replaces != "" {
			how += ", replaces talent " + l.Replaces
		}
		fmt.Fprintf(w, "  %-36s %s (%s)\n", l.TalentKey, l.ConceptURI, how)
	}
	fmt.Fprintf(w, "ambiguous (not linked): %d\n", len(r.Ambiguous))
	for _, a := range r.Ambiguous {
		fmt.Fprintf(w, "  talents %s ~ concepts %s\n", strings.Join(a.TalentKeys, ", "), strings.Join(a.ConceptURIs, ", "))
	}
	fmt.Fprintf(w, "conflicts (nothing changed): %d\n", len(r.Conflicts))
	for _, c := range r.Conflicts {
		fmt.Fprintf(w, "  %-36s %s: %s\n", c.TalentKey, c.ConceptURI, c.Reason)
	}
	if r.Category != "" {
		fmt.Fprintf(w, "added: %d concepts as talents in category %s (%d new)\n", r.Added, r.Category, r.AddedNew)
	} else {
		fmt.Fprintf(w, "added: 0 (%d concepts are not linked to a talent; --add imports them as talents)\n", r.Unlinked)
	}
	for _, n := range r.Notes {
		fmt.Fprintln(w, "note:", n)
	}
}

// ParseImportESCOFlags parses the arguments of `helpende-handen taxonomy import-esco`.
func ParseImportESCOFlags(args []string) (ImportOptions, error) {
	fs := flag.NewFlagSet("taxonomy import-esco", flag.ContinueOnError)
	dir := fs.String("dir", "", "directory with the ESCO CSV downloads skills_<lang>.csv")
	langs := fs.String("lang", "nl,fr,en", "comma-separated languages to read, e.g. nl,fr,en")
	links := fs.String("links", "", "optional CSV file with lines talent_key,conceptUri")
	add := fs.Bool("add", false, "add the concepts not linked to a curated talent as talents")
	category := fs.String("category", "", `with --add: category of the added talents (default "esco", created if missing)`)
	if err := fs.Parse(args); err != nil {
		return ImportOptions{}, err
	}
	if fs.NArg() > 0 {
		return ImportOptions{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *dir == "" {
		return ImportOptions{}, errors.New("--dir is required")
	}
	if *category != "" && !*add {
		return ImportOptions{}, errors.New("--category is only used with --add")
	}
	return ImportOptions{Dir: *dir, Langs: strings.Split(*langs, ","), Links: *links, AddConcepts: *add, AddCategory: *category}, nil
}

var categoryKeyRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

func (o ImportOptions) normalized() (ImportOptions, error) {
	if strings.TrimSpace(o.Dir) == "" {
		return o, errors.New("ESCO import: no directory given")
	}
	var langs []string
	for _, l := range o.Langs {
		l = strings.ToLower(strings.TrimSpace(l))
		if l == "" || containsString(langs, l) {
			continue
		}
		if !containsString(ESCOLanguages, l) {
			return o, fmt.Errorf("ESCO import: unknown language code %q (ESCO languages: %s)", l, strings.Join(ESCOLanguages, ", "))
		}
		langs = append(langs, l)
	}
	if len(langs) == 0 {
		return o, errors.New("ESCO import: no language given")
	}
	o.Langs = langs
	if o.AddCategory == "" {
		o.AddCategory = defaultESCOCategory
	}
	if !categoryKeyRE.MatchString(o.AddCategory) {
		return o, fmt.Errorf("ESCO import: %q is not a category key", o.AddCategory)
	}
	return o, nil
}

func containsString(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

type escoConcept struct {
	uri  string
	pref map[string]string   // language -> preferredLabel
	alt  map[string][]string // language -> altLabels
}

type escoSet struct {
	concepts map[string]*escoConcept
	order    []string // URIs in the order first read
	read     map[string]int
	skipped  map[string]int
}

func readESCODir(dir string, langs []string) (*escoSet, error) {
	set := &escoSet{concepts: map[string]*escoConcept{}, read: map[string]int{}, skipped: map[string]int{}}
	for _, lang := range langs {
		path := filepath.Join(dir, "skills_"+lang+".csv")
		f, err := os.Open(path)
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("ESCO import: no file %s for language %q (download the ESCO skills CSV in that language, or leave %q out)", path, lang, lang)
		}
		if err != nil {
			return nil, fmt.Errorf("ESCO import: %w", err)
		}
		read, skipped, err := ReadESCOSkills(f, path, func(c ESCOConcept) error {
			ec := set.concepts[c.URI]
			if ec == nil {
				ec = &escoConcept{uri: c.URI, pref: map[string]string{}, alt: map[string][]string{}}
				set.concepts[c.URI] = ec
				set.order = append(set.order, c.URI)
			}
			if c.PreferredLabel != "" {
				ec.pref[lang] = c.PreferredLabel
			}
			if len(c.AltLabels) > 0 {
				ec.alt[lang] = c.AltLabels
			}
			return nil
		})
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("ESCO import: %w", err)
		}
		set.read[lang], set.skipped[lang] = read, skipped
	}
	return set, nil
}

type linkLine struct {
	line      int
	talentKey string
	uri       string
}

func readLinksFile(path string) ([]linkLine, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("ESCO import: links file: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.Comment = '#'
	var out []linkLine
	for first := true; ; first = false {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("ESCO import: links file %s: %w", path, err)
		}
		line, _ := r.FieldPos(0)
		if first && strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(rec[0], "\ufeff")), "talent_key") {
			continue
		}
		if len(rec) != 2 {
			return nil, fmt.Errorf("ESCO import: links file %s line %d: want 2 fields talent_key,conceptUri, got %d", path, line, len(rec))
		}
		out = append(out, linkLine{line: line, talentKey: strings.TrimSpace(rec[0]), uri: strings.TrimSpace(rec[1])})
	}
}

// altLabelMap is talents.alt_labels: language -> alternative labels.
type altLabelMap map[string][]string

func (m *altLabelMap) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return fmt.Errorf("alt_labels: unexpected %T", src)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("alt_labels: %w", err)
	}
	*m = altLabelMap{}
	for lang, v := range raw {
		switch v := v.(type) {
		case string:
			(*m)[lang] = []string{v}
		case []any:
			for _, s := range v {
				if s, ok := s.(string); ok {
					(*m)[lang] = append((*m)[lang], s)
				}
			}
		}
	}
	return nil
}

type escoTalent struct {
	Key       string         `db:"key"`
	Category  string         `db:"category_key"`
	Position  int            `db:"position"`
	Labels    jsonbLabels    `db:"labels"`
	AltLabels altLabelMap    `db:"alt_labels"`
	EscoURI   sql.NullString `db:"esco_uri"`
}

// added reports whether the talent was added by an ESCO import (rather than curated).
func (t *escoTalent) added() bool {
	return t.EscoURI.Valid && t.Key == ESCOTalentKey(t.EscoURI.String)
}

// ImportESCO reads the ESCO skills files of opts.Langs from opts.Dir and, in one
// transaction:
//   - links curated talents to concepts: those of the links file, and otherwise only where
//     a talent's label equals the concept's preferred label (ignoring case and accents)
//     in at least two of the languages read and nothing else matches either of them;
//     an existing link is never changed (a conflict is reported instead);
//   - merges the alternative labels of the linked concepts into the talents' alt_labels,
//     so that searches find synonyms;
//   - with AddConcepts, writes every concept not linked to a curated talent as a talent
//     of its own (key ESCOTalentKey(uri), after the curated talents).
//
// Running it again with the same files changes nothing. On error nothing is written.
func ImportESCO(ctx context.Context, db *sqlx.DB, opts ImportOptions) (ImportReport, error) {
	opts, err := opts.normalized()
	if err != nil {
		return ImportReport{}, err
	}
	set, err := readESCODir(opts.Dir, opts.Langs)
	if err != nil {
		return ImportReport{}, err
	}
	links, err := readLinksFile(opts.Links)
	if err != nil {
		return ImportReport{}, err
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return ImportReport{}, fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	// One import (or sync) at a time; readers are not blocked.
	if _, err := tx.ExecContext(ctx, `LOCK TABLE talents IN SHARE ROW EXCLUSIVE MODE`); err != nil {
		return ImportReport{}, fmt.Errorf("lock talents: %w", err)
	}
	var talents []*escoTalent
	if err := tx.SelectContext(ctx, &talents, `
		SELECT key, category_key, position, labels, alt_labels, esco_uri FROM talents ORDER BY position, key`); err != nil {
		return ImportReport{}, fmt.Errorf("load talents: %w", err)
	}
	im := &escoImport{ctx: ctx, tx: tx, opts: opts, set: set, byKey: map[string]*escoTalent{}, byURI: map[string]*escoTalent{}, via: map[string]ESCOLink{}}
	for _, t := range talents {
		im.byKey[t.Key] = t
		if t.EscoURI.Valid {
			im.byURI[t.EscoURI.String] = t
		}
		if !t.added() {
			im.curated = append(im.curated, t)
		}
	}
	rep := ImportReport{Dir: opts.Dir, Langs: opts.Langs, Read: set.read, Skipped: set.skipped, Concepts: len(set.order)}
	if err := im.linkFromFile(links, &rep); err != nil {
		return ImportReport{}, err
	}
	if err := im.linkByLabels(&rep); err != nil {
		return ImportReport{}, err
	}
	if err := im.writeLinks(&rep); err != nil {
		return ImportReport{}, err
	}
	if opts.AddConcepts {
		if err := im.addConcepts(&rep); err != nil {
			return ImportReport{}, err
		}
	}
	if im.wrote {
		if err := RefreshTalentSearch(ctx, tx); err != nil {
			return ImportReport{}, err
		}
	}
	if err := tx.Commit(); err != nil {
		return ImportReport{}, fmt.Errorf("commit ESCO import: %w", err)
	}
	return rep, nil
}

type escoImport struct {
	ctx     context.Context
	tx      *sqlx.Tx
	opts    ImportOptions
	set     *escoSet
	curated []*escoTalent
	byKey   map[string]*escoTalent
	byURI   map[string]*escoTalent // every talent with an ESCO URI
	via     map[string]ESCOLink    // talent key -> link made by this import
	fixed   map[string]bool        // talents of the links file: not linked by labels
	wrote   bool                   // whether talents were changed
}

// link links the curated talent t to uri, unless that would change an existing link;
// it returns whether t is now linked to uri.
func (im *escoImport) link(t *escoTalent, uri string, l ESCOLink, rep *ImportReport) (bool, error) {
	if t.EscoURI.Valid {
		if t.EscoURI.String != uri {
			rep.Conflicts = append(rep.Conflicts, ESCOConflict{t.Key, uri, "the talent is already linked to " + t.EscoURI.String})
		}
		return t.EscoURI.String == uri, nil
	}
	if other := im.byURI[uri]; other != nil {
		if !other.added() {
			rep.Conflicts = append(rep.Conflicts, ESCOConflict{t.Key, uri, "the concept is already linked to talent " + other.Key})
			return false, nil
		}
		// An earlier --add made a talent of this concept: replace it by the curated
		// talent, unless it is in use.
		why, err := im.retire(other)
		if err != nil {
			return false, err
		}
		if why != "" {
			rep.Conflicts = append(rep.Conflicts, ESCOConflict{t.Key, uri, "the concept was added as talent " + other.Key + ", which " + why})
			return false, nil
		}
		l.Replaces = other.Key
	}
	t.EscoURI = sql.NullString{String: uri, Valid: true}
	im.byURI[uri] = t
	im.via[t.Key] = l
	return true, nil
}

// retire deletes a talent added by an earlier import, if nothing refers to it; if it
// cannot, it says why.
func (im *escoImport) retire(t *escoTalent) (string, error) {
	// Only where references restrict deletion: a cascade would delete people's data.
	var cascading int
	if err := im.tx.GetContext(im.ctx, &cascading, `
		SELECT count(*) FROM pg_constraint
		WHERE contype = 'f' AND confrelid = 'talents'::regclass AND confdeltype NOT IN ('a', 'r')`); err != nil {
		return "", fmt.Errorf("check references to talents: %w", err)
	}
	if cascading > 0 {
		return "cannot be removed safely (a table refers to talents with ON DELETE CASCADE or SET NULL)", nil
	}
	if _, err := im.tx.ExecContext(im.ctx, `SAVEPOINT esco_retire`); err != nil {
		return "", err
	}
	_, err := im.tx.ExecContext(im.ctx, `DELETE FROM talents WHERE key = $1`, t.Key)
	im.wrote = im.wrote || err == nil
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "23503" { // foreign_key_violation: in use
		if _, err := im.tx.ExecContext(im.ctx, `ROLLBACK TO SAVEPOINT esco_retire`); err != nil {
			return "", err
		}
		return "is in use", nil
	}
	if err != nil {
		return "", fmt.Errorf("remove talent %s: %w", t.Key, err)
	}
	if _, err := im.tx.ExecContext(im.ctx, `RELEASE SAVEPOINT esco_retire`); err != nil {
		return "", err
	}
	delete(im.byKey, t.Key)
	delete(im.byURI, t.EscoURI.String)
	return "", nil
}

func (im *escoImport) linkFromFile(links []linkLine, rep *ImportReport) error {
	im.fixed = map[string]bool{}
	var problems []string
	uriOf, keyOf := map[string]string{}, map[string]string{}
	for _, l := range links {
		t := im.byKey[l.talentKey]
		switch {
		case t == nil:
			problems = append(problems, fmt.Sprintf("line %d: unknown talent %q", l.line, l.talentKey))
		case t.added():
			problems = append(problems, fmt.Sprintf("line %d: talent %q was added by an ESCO import; links are for curated talents", l.line, l.talentKey))
		case im.set.concepts[l.uri] == nil:
			problems = append(problems, fmt.Sprintf("line %d: concept %q is not a released skill in the files read (%s)", l.line, l.uri, strings.Join(im.opts.Langs, ", ")))
		case uriOf[l.talentKey] != "" && uriOf[l.talentKey] != l.uri:
			problems = append(problems, fmt.Sprintf("line %d: talent %q is given two concepts", l.line, l.talentKey))
		case keyOf[l.uri] != "" && keyOf[l.uri] != l.talentKey:
			problems = append(problems, fmt.Sprintf("line %d: concept %q is given to two talents (%s and %s)", l.line, l.uri, keyOf[l.uri], l.talentKey))
		default:
			uriOf[l.talentKey], keyOf[l.uri] = l.uri, l.talentKey
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("ESCO import: links file %s:\n  %s", im.opts.Links, strings.Join(problems, "\n  "))
	}
	for _, l := range links {
		if im.fixed[l.talentKey] {
			continue
		}
		im.fixed[l.talentKey] = true
		if _, err := im.link(im.byKey[l.talentKey], l.uri, ESCOLink{TalentKey: l.talentKey, ConceptURI: l.uri, Via: "links file"}, rep); err != nil {
			return err
		}
	}
	return nil
}

// linkByLabels links a curated talent to a concept when their labels are equal in at least
// two languages and neither of them matches anything else that way.
func (im *escoImport) linkByLabels(rep *ImportReport) error {
	var langs []string
	for _, l := range im.opts.Langs {
		if containsString(labelLangs, l) {
			langs = append(langs, l)
		}
	}
	if len(langs) < 2 {
		rep.Notes = append(rep.Notes, "talents are linked by their labels only when these are equal in at least two of nl, fr, en, ar: read at least two of them (or give a links file)")
		return nil
	}
	index := map[string]map[string][]string{} // language -> folded label -> concept URIs
	for _, lang := range langs {
		index[lang] = map[string][]string{}
		for _, uri := range im.set.order {
			if p := im.set.concepts[uri].pref[lang]; p != "" {
				f := foldLabel(p)
				index[lang][f] = append(index[lang][f], uri)
			}
		}
	}
	// Candidate pairs, and the languages in which they match.
	match := map[string]map[string][]string{} // talent key -> concept URI -> languages
	talentsOf := map[string][]string{}        // concept URI -> talent keys
	for _, t := range im.curated {
		if im.fixed[t.Key] {
			continue
		}
		m := map[string][]string{}
		for _, lang := range langs {
			if label := t.Labels[lang]; label != "" {
				for _, uri := range index[lang][foldLabel(label)] {
					m[uri] = append(m[uri], lang)
				}
			}
		}
		for uri, ls := range m {
			if len(ls) < 2 {
				continue
			}
			if match[t.Key] == nil {
				match[t.Key] = map[string][]string{}
			}
			match[t.Key][uri] = ls
			talentsOf[uri] = append(talentsOf[uri], t.Key)
		}
	}
	// Connected groups of candidates: a group of one talent and one concept is linked,
	// any other is ambiguous.
	done := map[string]bool{}
	for _, t := range im.curated {
		if match[t.Key] == nil || done[t.Key] {
			continue
		}
		keys, uris := []string{}, []string{}
		seenURI := map[string]bool{}
		queue := []string{t.Key}
		done[t.Key] = true
		for len(queue) > 0 {
			k := queue[0]
			queue = queue[1:]
			keys = append(keys, k)
			for uri := range match[k] {
				if seenURI[uri] {
					continue
				}
				seenURI[uri] = true
				uris = append(uris, uri)
				for _, k2 := range talentsOf[uri] {
					if !done[k2] {
						done[k2] = true
						queue = append(queue, k2)
					}
				}
			}
		}
		sort.Strings(keys)
		sort.Strings(uris)
		if len(keys) == 1 && len(uris) == 1 {
			tal, uri := im.byKey[keys[0]], uris[0]
			l := ESCOLink{TalentKey: tal.Key, ConceptURI: uri, Via: "labels", Langs: match[tal.Key][uri]}
			if _, err := im.link(tal, uri, l, rep); err != nil {
				return err
			}
			continue
		}
		// Talents already linked to one of the group's concepts are settled.
		var open []string
		for _, k := range keys {
			if tal := im.byKey[k]; !tal.EscoURI.Valid || !seenURI[tal.EscoURI.String] {
				open = append(open, k)
			}
		}
		if len(open) > 0 {
			rep.Ambiguous = append(rep.Ambiguous, ESCOAmbiguity{TalentKeys: open, ConceptURIs: uris})
		}
	}
	return nil
}

// writeLinks stores the new links and merges the linked concepts' alternative labels into
// the curated talents.
func (im *escoImport) writeLinks(rep *ImportReport) error {
	for _, t := range im.curated {
		if _, ok := im.byKey[t.Key]; !ok || !t.EscoURI.Valid {
			continue
		}
		c := im.set.concepts[t.EscoURI.String]
		if c == nil {
			continue
		}
		l, isNew := im.via[t.Key]
		if !isNew {
			l = ESCOLink{TalentKey: t.Key, ConceptURI: c.uri, Via: "existing"}
		}
		rep.Linked = append(rep.Linked, l)
		alt, changed := im.mergeAltLabels(t.AltLabels, Labels(t.Labels), c)
		if !isNew && !changed {
			continue
		}
		b, err := json.Marshal(alt)
		if err != nil {
			return err
		}
		if _, err := im.tx.ExecContext(im.ctx, `UPDATE talents SET esco_uri = $2, alt_labels = $3 WHERE key = $1`, t.Key, c.uri, b); err != nil {
			return fmt.Errorf("link talent %s to %s: %w", t.Key, c.uri, err)
		}
		im.wrote = true
	}
	sort.Slice(rep.Linked, func(i, j int) bool { return rep.Linked[i].TalentKey < rep.Linked[j].TalentKey })
	linked := map[string]bool{}
	for _, l := range rep.Linked {
		linked[l.ConceptURI] = true
	}
	rep.Unlinked = len(im.set.order) - len(linked)
	return nil
}

// mergeAltLabels adds the concept's labels that are not the talent's own labels to the
// talent's alternative labels: its alternative labels, its preferred labels where they
// differ from the talent's, and its preferred labels in languages without labels.
func (im *escoImport) mergeAltLabels(existing altLabelMap, own Labels, c *escoConcept) (altLabelMap, bool) {
	out := altLabelMap{}
	for lang, ls := range existing {
		out[lang] = append([]string(nil), ls...)
	}
	changed := false
	for _, lang := range im.opts.Langs {
		seen := newFoldSet(out[lang]...)
		if own[lang] != "" {
			seen.add(own[lang])
		}
		for _, l := range append([]string{c.pref[lang]}, c.alt[lang]...) {
			if l != "" && seen.add(l) {
				out[lang] = append(out[lang], l)
				changed = true
			}
		}
	}
	return out, changed
}

// addConcepts writes every concept not linked to a curated talent as a talent of its own.
func (im *escoImport) addConcepts(rep *ImportReport) error {
	cat := im.opts.AddCategory
	rep.Category = cat
	var exists bool
	if err := im.tx.GetContext(im.ctx, &exists, `SELECT EXISTS (SELECT 1 FROM talent_categories WHERE key = $1)`, cat); err != nil {
		return fmt.Errorf("find category %s: %w", cat, err)
	}
	if !exists {
		if cat != defaultESCOCategory {
			return fmt.Errorf("ESCO import: category %q does not exist (give an existing category, or leave --category out to use %q)", cat, defaultESCOCategory)
		}
		labels, _ := json.Marshal(defaultESCOCategoryLabels)
		if _, err := im.tx.ExecContext(im.ctx, `
			INSERT INTO talent_categories (key, position, labels)
			SELECT $1, coalesce(max(position), -1) + 1, $2 FROM talent_categories`, cat, labels); err != nil {
			return fmt.Errorf("create category %s: %w", cat, err)
		}
		rep.Notes = append(rep.Notes, "created category "+cat)
	}
	// Added talents come after the curated ones, in the order of their Dutch labels.
	base := -1
	for _, t := range im.curated {
		if _, ok := im.byKey[t.Key]; ok && t.Position > base {
			base = t.Position
		}
	}
	type row struct {
		Key       string      `json:"key"`
		Category  string      `json:"category_key"`
		Position  int         `json:"position"`
		Labels    Labels      `json:"labels"`
		AltLabels altLabelMap `json:"alt_labels"`
		URI       string      `json:"esco_uri"`
		sortKey   string
		existing  *escoTalent
	}
	var rows []row
	keys := map[string]string{}
	for _, uri := range im.set.order {
		if t := im.byURI[uri]; t != nil && !t.added() {
			continue // linked to a curated talent
		}
		c := im.set.concepts[uri]
		key := ESCOTalentKey(uri)
		if other, ok := keys[key]; ok {
			return fmt.Errorf("ESCO import: concepts %s and %s have the same talent key %s", other, uri, key)
		}
		keys[key] = uri
		if t := im.byKey[key]; t != nil && (!t.EscoURI.Valid || t.EscoURI.String != uri) {
			return fmt.Errorf("ESCO import: talent %s exists but is not the talent of concept %s", key, uri)
		}
		labels := Labels{}
		for _, lang := range labelLangs {
			if p := c.pref[lang]; p != "" && containsString(im.opts.Langs, lang) {
				labels[lang] = p
			}
		}
		if labels["nl"] == "" {
			for _, lang := range im.opts.Langs {
				if c.pref[lang] != "" {
					labels["nl"] = c.pref[lang]
					break
				}
			}
		}
		if labels["nl"] == "" {
			rep.Notes = append(rep.Notes, "concept "+uri+" has no label in the languages read: not added")
			continue
		}
		t := im.byKey[key]
		var existing altLabelMap
		if t != nil {
			existing = t.AltLabels
		} else {
			rep.AddedNew++
		}
		alt, _ := im.mergeAltLabels(existing, labels, c)
		rows = append(rows, row{Key: key, Category: cat, Labels: labels, AltLabels: alt, URI: uri, sortKey: foldLabel(labels["nl"]), existing: t})
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].sortKey != rows[j].sortKey {
			return rows[i].sortKey < rows[j].sortKey
		}
		return rows[i].URI < rows[j].URI
	})
	rep.Added = len(rows)
	var changed []row // only these are written
	for i, r := range rows {
		r.Position = base + 1 + i
		if t := r.existing; t == nil || t.Category != r.Category || t.Position != r.Position ||
			!reflect.DeepEqual(Labels(t.Labels), r.Labels) || !reflect.DeepEqual(t.AltLabels, r.AltLabels) {
			changed = append(changed, r)
		}
	}
	const batch = 500
	for start := 0; start < len(changed); start += batch {
		im.wrote = true
		part := changed[start:min(start+batch, len(changed))]
		b, err := json.Marshal(part)
		if err != nil {
			return err
		}
		res, err := im.tx.ExecContext(im.ctx, `
			INSERT INTO talents (key, category_key, position, labels, alt_labels, esco_uri)
			SELECT r.key, r.category_key, r.position, r.labels, r.alt_labels, r.esco_uri
			FROM jsonb_to_recordset($1::jsonb)
				AS r(key text, category_key text, position int, labels jsonb, alt_labels jsonb, esco_uri text)
			ON CONFLICT (key) DO UPDATE SET category_key = EXCLUDED.category_key, position = EXCLUDED.position,
				labels = EXCLUDED.labels, alt_labels = EXCLUDED.alt_labels
			WHERE talents.esco_uri = EXCLUDED.esco_uri`, b)
		if err != nil {
			return fmt.Errorf("add ESCO concepts as talents: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != int64(len(part)) {
			return fmt.Errorf("add ESCO concepts as talents: %d of %d written (%v)", n, len(part), err)
		}
	}
	return nil
}
