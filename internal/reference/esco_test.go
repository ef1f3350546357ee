package reference_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/helpende-handen/helpende-handen/internal/reference"
	"github.com/helpende-handen/helpende-handen/internal/testutil"
)

// The fixtures in testdata/esco are in the format of the ESCO downloads, with made-up
// concepts whose URIs say "test-": they are not ESCO concepts.
const (
	fixtureDir     = "testdata/esco"
	uriCooking     = "http://data.europa.eu/esco/skill/test-0001-cooking"
	uriFirstAid    = "http://data.europa.eu/esco/skill/test-0002-first-aid"
	uriGardening   = "http://data.europa.eu/esco/skill/test-0003-gardening"
	uriSewing      = "http://data.europa.eu/esco/skill/test-0004-sewing"
	uriSewingTex   = "http://data.europa.eu/esco/skill/test-0005-sewing-textiles"
	uriBicycle     = "http://data.europa.eu/esco/skill/test-0006-bicycle-repair"
	uriBirdhouses  = "http://data.europa.eu/esco/skill/test-0007-birdhouses"
	uriTraffic     = "http://data.europa.eu/esco/skill/test-0008-traffic-rules"
	uriWeldingObs  = "http://data.europa.eu/esco/skill/test-0009-welding-obsolete"
	uriSkillGroup  = "http://data.europa.eu/esco/skill/test-0010-cleaning-group"
	uriNotInFiles  = "http://data.europa.eu/esco/skill/test-9999-not-in-files"
	uriOldExisting = "http://data.europa.eu/esco/skill/test-only-existing"
)

var nlFrEn = []string{"nl", "fr", "en"}

func readFixture(t *testing.T, lang string) (map[string]reference.ESCOConcept, []string, int, int) {
	t.Helper()
	f, err := os.Open(filepath.Join(fixtureDir, "skills_"+lang+".csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := map[string]reference.ESCOConcept{}
	var order []string
	read, skipped, err := reference.ReadESCOSkills(f, "skills_"+lang+".csv", func(c reference.ESCOConcept) error {
		got[c.URI] = c
		order = append(order, c.URI)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got, order, read, skipped
}

func TestReadESCOSkillsParsesMultiLineAltLabelsAndSkipsRows(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"nl", "fr", "en"} {
		got, order, read, skipped := readFixture(t, lang)
		if read != 8 || skipped != 2 || len(order) != 8 {
			t.Errorf("%s: read %d, skipped %d, concepts %d; want 8, 2, 8", lang, read, skipped, len(order))
		}
		for _, uri := range []string{uriWeldingObs, uriSkillGroup} {
			if _, ok := got[uri]; ok {
				t.Errorf("%s: %s should have been skipped", lang, uri)
			}
		}
	}
	nl, _, _, _ := readFixture(t, "nl")
	want := map[string]reference.ESCOConcept{
		uriCooking:    {URI: uriCooking, PreferredLabel: "koken", AltLabels: []string{"eten klaarmaken", "maaltijden bereiden"}},
		uriBicycle:    {URI: uriBicycle, PreferredLabel: "fietsen herstellen", AltLabels: []string{"fietsen repareren"}},                              // trimmed, empty line dropped
		uriBirdhouses: {URI: uriBirdhouses, PreferredLabel: "vogelhuisjes bouwen", AltLabels: []string{"nestkastjes timmeren", "vogelhuisjes maken"}}, // duplicate dropped
		uriTraffic:    {URI: uriTraffic},                                                                                                              // no Dutch label
		uriSewing:     {URI: uriSewing, PreferredLabel: "naaien", AltLabels: []string{"kleding naaien"}},
	}
	for uri, w := range want {
		if !reflect.DeepEqual(nl[uri], w) {
			t.Errorf("nl %s = %#v, want %#v", uri, nl[uri], w)
		}
	}

	// Columns are found by name, in any order, with or without a byte-order mark; a file
	// without a status column has only released concepts.
	in := "\ufeffpreferredLabel,altLabels,conceptUri\n" +
		"\"a, b\",\"x\ny\",http://data.europa.eu/esco/skill/test-a\n"
	var cs []reference.ESCOConcept
	read, skipped, err := reference.ReadESCOSkills(strings.NewReader(in), "in.csv", func(c reference.ESCOConcept) error {
		cs = append(cs, c)
		return nil
	})
	if err != nil || read != 1 || skipped != 0 || !reflect.DeepEqual(cs, []reference.ESCOConcept{
		{URI: "http://data.europa.eu/esco/skill/test-a", PreferredLabel: "a, b", AltLabels: []string{"x", "y"}},
	}) {
		t.Errorf("reordered columns: %v, %d, %d, %#v", err, read, skipped, cs)
	}

	bad := []struct{ name, in, want string }{
		{"unterminated quote", "conceptUri,preferredLabel\nhttp://data.europa.eu/esco/skill/test-a,\"abc\n", "in.csv"},
		{"bare quote", "conceptUri,preferredLabel\nhttp://data.europa.eu/esco/skill/test-a,ab\"c\n", "line 2"},
		{"no conceptUri column", "uri,preferredLabel\nx,y\n", "no conceptUri column"},
		{"not an ESCO URI", "conceptUri,preferredLabel\nhttp://example.org/a,y\n", "not an ESCO URI"},
		{"duplicate concept", "conceptUri,preferredLabel\nhttp://data.europa.eu/esco/skill/test-a,y\nhttp://data.europa.eu/esco/skill/test-a,z\n", "appears twice"},
		{"empty", "", "empty"},
	}
	for _, b := range bad {
		_, _, err := reference.ReadESCOSkills(strings.NewReader(b.in), "in.csv", func(reference.ESCOConcept) error { return nil })
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s: err = %v, want one mentioning %q", b.name, err, b.want)
		}
	}
}

func importESCO(t *testing.T, db *sqlx.DB, opts reference.ImportOptions) reference.ImportReport {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = fixtureDir
	}
	if opts.Langs == nil {
		opts.Langs = nlFrEn
	}
	rep, err := reference.ImportESCO(context.Background(), db, opts)
	if err != nil {
		t.Fatalf("ImportESCO: %v", err)
	}
	return rep
}

// links returns talent key -> esco_uri of the talents with one.
func links(t *testing.T, db *sqlx.DB) map[string]string {
	t.Helper()
	var rows []struct {
		Key string `db:"key"`
		URI string `db:"esco_uri"`
	}
	if err := db.Select(&rows, `SELECT key, esco_uri FROM talents WHERE esco_uri IS NOT NULL`); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows {
		out[r.Key] = r.URI
	}
	return out
}

func linkedVia(rep reference.ImportReport) map[string]string {
	out := map[string]string{}
	for _, l := range rep.Linked {
		out[l.TalentKey] = l.ConceptURI + " " + l.Via
	}
	return out
}

func TestImportESCOLinksOnlyByLabelsEqualInTwoLanguagesAndUnique(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t)
	rep := importESCO(t, db, reference.ImportOptions{})
	wantVia := map[string]string{
		"cooking":        uriCooking + " labels",  // nl, fr, en
		"first_aid":      uriFirstAid + " labels", // fr, en (not nl: "EHBO (eerste hulp)")
		"bicycle_repair": uriBicycle + " labels",  // nl, and fr only when accents and case are ignored
	}
	if got := linkedVia(rep); !reflect.DeepEqual(got, wantVia) {
		t.Errorf("linked = %v, want %v", got, wantVia)
	}
	for _, l := range rep.Linked {
		if l.TalentKey == "bicycle_repair" && !reflect.DeepEqual(l.Langs, []string{"nl", "fr"}) {
			t.Errorf("bicycle_repair matched in %v, want nl, fr", l.Langs)
		}
	}
	// Sewing matches two concepts: not linked, reported. Gardening matches in Dutch only.
	wantAmb := []reference.ESCOAmbiguity{{TalentKeys: []string{"sewing"}, ConceptURIs: []string{uriSewing, uriSewingTex}}}
	if !reflect.DeepEqual(rep.Ambiguous, wantAmb) {
		t.Errorf("ambiguous = %+v, want %+v", rep.Ambiguous, wantAmb)
	}
	if len(rep.Conflicts) != 0 || rep.Concepts != 8 || rep.Unlinked != 5 || rep.Added != 0 {
		t.Errorf("report %+v", rep)
	}
	for _, lang := range nlFrEn {
		if rep.Read[lang] != 8 || rep.Skipped[lang] != 2 {
			t.Errorf("%s: read %d skipped %d", lang, rep.Read[lang], rep.Skipped[lang])
		}
	}
	want := map[string]string{"cooking": uriCooking, "first_aid": uriFirstAid, "bicycle_repair": uriBicycle}
	if got := links(t, db); !reflect.DeepEqual(got, want) {
		t.Errorf("esco_uri in the database = %v, want %v", got, want)
	}

	// Again: the same, the links now existing.
	rep2 := importESCO(t, db, reference.ImportOptions{})
	if len(rep2.Linked) != 3 || rep2.LinkedCount("existing") != 3 || len(rep2.Ambiguous) != 1 || len(rep2.Conflicts) != 0 {
		t.Errorf("second run: %+v", rep2)
	}
	if got := links(t, db); !reflect.DeepEqual(got, want) {
		t.Errorf("after a second run: %v", got)
	}
}

func TestImportESCOLinksNothingWithFewerThanTwoMatchingLanguages(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t)
	// nl and fr: first aid only matches in French.
	rep := importESCO(t, db, reference.ImportOptions{Langs: []string{"nl", "fr"}})
	want := map[string]string{"cooking": uriCooking + " labels", "bicycle_repair": uriBicycle + " labels"}
	if got := linkedVia(rep); !reflect.DeepEqual(got, want) {
		t.Errorf("nl,fr: linked %v, want %v", got, want)
	}
	// One language: never enough.
	db2 := testutil.NewDB(t)
	rep = importESCO(t, db2, reference.ImportOptions{Langs: []string{"nl"}})
	if len(rep.Linked) != 0 || len(links(t, db2)) != 0 || len(rep.Notes) == 0 {
		t.Errorf("nl only: linked %v, notes %v", rep.Linked, rep.Notes)
	}
}

func TestImportESCOConceptMatchingTwoTalentsIsAmbiguous(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t)
	if _, err := db.Exec(`UPDATE talents SET labels = labels || '{"nl": "Koken", "en": "cooking"}' WHERE key = 'baking'`); err != nil {
		t.Fatal(err)
	}
	rep := importESCO(t, db, reference.ImportOptions{})
	got := links(t, db)
	if got["cooking"] != "" || got["baking"] != "" {
		t.Errorf("linked despite the ambiguity: %v", got)
	}
	found := false
	for _, a := range rep.Ambiguous {
		found = found || reflect.DeepEqual(a, reference.ESCOAmbiguity{TalentKeys: []string{"baking", "cooking"}, ConceptURIs: []string{uriCooking}})
	}
	if !found {
		t.Errorf("ambiguous = %+v", rep.Ambiguous)
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func altLabels(t *testing.T, db *sqlx.DB, key string) map[string][]string {
	t.Helper()
	var b []byte
	if err := db.Get(&b, `SELECT alt_labels FROM talents WHERE key = $1`, key); err != nil {
		t.Fatal(err)
	}
	var m map[string][]string
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("alt_labels of %s: %s: %v", key, b, err)
	}
	return m
}

func TestImportESCOLinksFile(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t)
	lf := writeFile(t, "links.csv", "talent_key,conceptUri\n# chosen by hand\ngardening,"+uriGardening+"\n sewing , "+uriSewing+"\n")
	rep := importESCO(t, db, reference.ImportOptions{Links: lf})
	want := map[string]string{
		"gardening": uriGardening + " links file", "sewing": uriSewing + " links file",
		"cooking": uriCooking + " labels", "first_aid": uriFirstAid + " labels", "bicycle_repair": uriBicycle + " labels",
	}
	if got := linkedVia(rep); !reflect.DeepEqual(got, want) {
		t.Errorf("linked %v, want %v", got, want)
	}
	if len(rep.Ambiguous) != 0 { // sewing was settled by the links file
		t.Errorf("ambiguous %+v", rep.Ambiguous)
	}
	wantAlt := map[string][]string{
		"nl": {"tuinwerk", "tuinonderhoud"},
		"fr": {"entretenir un jardin", "jardiner"},
		"en": {"maintain gardens", "garden maintenance", "tend gardens"},
	}
	if got := altLabels(t, db, "gardening"); !reflect.DeepEqual(got, wantAlt) {
		t.Errorf("gardening alt labels %v, want %v", got, wantAlt)
	}

	// Errors are all listed, and nothing is written.
	db2 := testutil.NewDB(t)
	before := fingerprint(t, db2)
	bad := writeFile(t, "bad.csv", strings.Join([]string{
		"no_such_talent," + uriGardening,
		"gardening," + uriNotInFiles,
		"welding," + uriWeldingObs,
		"cooking," + uriCooking,
		"cooking," + uriFirstAid,
		"baking," + uriBirdhouses,
		"pruning," + uriBirdhouses,
		"sewing",
	}, "\n"))
	_, err := reference.ImportESCO(context.Background(), db2, reference.ImportOptions{Dir: fixtureDir, Langs: nlFrEn, Links: bad})
	if err == nil || !strings.Contains(err.Error(), "line 8: want 2 fields") {
		t.Errorf("err = %v, want a complaint about line 8", err)
	}
	bad = writeFile(t, "bad.csv", strings.Join([]string{
		"no_such_talent," + uriGardening,
		"gardening," + uriNotInFiles,
		"welding," + uriWeldingObs,
		"cooking," + uriCooking,
		"cooking," + uriFirstAid,
		"baking," + uriBirdhouses,
		"pruning," + uriBirdhouses,
	}, "\n"))
	_, err = reference.ImportESCO(context.Background(), db2, reference.ImportOptions{Dir: fixtureDir, Langs: nlFrEn, Links: bad})
	for _, want := range []string{
		`line 1: unknown talent "no_such_talent"`,
		"line 2: concept \"" + uriNotInFiles + "\" is not a released skill",
		"line 3: concept \"" + uriWeldingObs + "\" is not a released skill",
		`line 5: talent "cooking" is given two concepts`,
		"line 7: concept \"" + uriBirdhouses + "\" is given to two talents",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v\nwant it to mention %s", err, want)
		}
	}
	if fingerprint(t, db2) != before {
		t.Error("a failed import changed the database")
	}
}

func TestImportESCOMakesSynonymsSearchable(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t)
	ctx := context.Background()
	finds := func(q, key string) bool {
		t.Helper()
		page, err := reference.NewService(db).SearchTalents(ctx, q, "", 50, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, tal := range page.Talents {
			if tal.Key == key {
				return true
			}
		}
		return false
	}
	for _, q := range []string{"eten klaarmaken", "Essen zubereiten", "administer first aid"} {
		if finds(q, "cooking") || finds(q, "first_aid") {
			t.Fatalf("%q finds the talent before the import", q)
		}
	}
	importESCO(t, db, reference.ImportOptions{Langs: []string{"nl", "fr", "en", "de"}})
	for _, tt := range []struct{ q, key string }{
		{"eten klaarmaken", "cooking"},    // a Dutch alternative label
		{"preparer des repas", "cooking"}, // French, without its accents
		{"Essen zubereiten", "cooking"},   // German: alternative labels only
		{"kochen", "cooking"},             // German preferred label, kept as an alternative label
		{"administer first aid", "first_aid"},
		{"eerste hulp verlenen", "first_aid"}, // the ESCO preferred label differs from ours
	} {
		if !finds(tt.q, tt.key) {
			t.Errorf("%q does not find %s", tt.q, tt.key)
		}
	}
	alt := altLabels(t, db, "cooking")
	if !reflect.DeepEqual(alt["de"], []string{"kochen", "Essen zubereiten", "Mahlzeiten zubereiten"}) || alt["nl"][0] != "eten klaarmaken" {
		t.Errorf("cooking alt labels %v", alt)
	}
	var labels []byte
	_ = db.Get(&labels, `SELECT labels FROM talents WHERE key = 'cooking'`)
	if !strings.Contains(string(labels), `"Koken"`) {
		t.Errorf("curated labels changed: %s", labels)
	}
	// The curated talents' German labels are not made up: they have none.
	if strings.Contains(string(labels), `"de"`) {
		t.Errorf("cooking got a German label: %s", labels)
	}
}

func TestImportESCOAddsConceptsIdempotently(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t)
	ctx := context.Background()
	var curated, maxPos int
	_ = db.Get(&curated, `SELECT count(*) FROM talents`)
	_ = db.Get(&maxPos, `SELECT max(position) FROM talents`)

	rep := importESCO(t, db, reference.ImportOptions{AddConcepts: true})
	if rep.Added != 5 || rep.AddedNew != 5 || rep.Category != "esco" || len(rep.Linked) != 3 {
		t.Fatalf("report %+v", rep)
	}
	svc := reference.NewService(db)
	snap, err := svc.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cat := snap.Category("esco")
	if cat == nil || cat.Labels["nl"] != "ESCO-vaardigheden" || cat.Labels["fr"] != "Compétences ESCO" ||
		cat.Labels["en"] != "ESCO skills" || cat.Labels["ar"] != "مهارات ESCO" {
		t.Fatalf("category esco = %+v", cat)
	}
	bird := snap.Talent(reference.ESCOTalentKey(uriBirdhouses))
	if bird == nil || bird.EscoURI != uriBirdhouses || bird.CategoryKey != "esco" || bird.Position <= maxPos ||
		!reflect.DeepEqual(bird.Labels, reference.Labels{"nl": "vogelhuisjes bouwen", "fr": "construire des nichoirs", "en": "build birdhouses"}) {
		t.Errorf("birdhouses talent = %+v", bird)
	}
	if got := altLabels(t, db, bird.Key); !reflect.DeepEqual(got["nl"], []string{"nestkastjes timmeren", "vogelhuisjes maken"}) {
		t.Errorf("birdhouses alt labels %v", got)
	}
	// No Dutch label: the first available one.
	traffic := snap.Talent(reference.ESCOTalentKey(uriTraffic))
	if traffic == nil || !reflect.DeepEqual(traffic.Labels, reference.Labels{"nl": "code de la route", "fr": "code de la route", "en": "traffic rules"}) {
		t.Errorf("traffic rules talent = %+v", traffic)
	}
	// Linked concepts are not added again; skipped rows never are.
	for _, uri := range []string{uriCooking, uriFirstAid, uriBicycle, uriWeldingObs, uriSkillGroup} {
		if snap.Talent(reference.ESCOTalentKey(uri)) != nil {
			t.Errorf("%s was added", uri)
		}
	}
	page, err := svc.SearchTalents(ctx, "", "esco", 50, nil)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, tal := range page.Talents {
		order = append(order, tal.Labels["nl"])
	}
	if want := []string{"code de la route", "naaien", "Naaien", "Tuinieren", "vogelhuisjes bouwen"}; !reflect.DeepEqual(order, want) {
		t.Errorf("added talents in order %v, want %v", order, want)
	}
	page, err = svc.SearchTalents(ctx, "nestkastjes", "", 50, nil)
	if err != nil || len(page.Talents) != 1 || page.Talents[0].Key != bird.Key {
		t.Errorf("search for an added talent's synonym: %+v, %v", page.Talents, err)
	}

	before := fingerprint(t, db)
	rep2 := importESCO(t, db, reference.ImportOptions{AddConcepts: true})
	if rep2.Added != 5 || rep2.AddedNew != 0 || len(rep2.Linked) != 3 || len(rep2.Ambiguous) != len(rep.Ambiguous) || len(rep2.Conflicts) != 0 {
		t.Errorf("second run: %+v", rep2)
	}
	var n int
	_ = db.Get(&n, `SELECT count(*) FROM talents`)
	if n != curated+5 {
		t.Errorf("%d talents, want %d", n, curated+5)
	}
	if fingerprint(t, db) != before {
		t.Error("a second run changed the database")
	}
	// Sync keeps the added talents and the links.
	if err := reference.Sync(ctx, db); err != nil {
		t.Fatal(err)
	}
	if fingerprint(t, db) != before {
		t.Error("Sync changed the imported data")
	}
}

func TestImportESCOLinksFileReplacesAnAddedTalentUnlessInUse(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t)
	importESCO(t, db, reference.ImportOptions{AddConcepts: true})
	sewKey, texKey := reference.ESCOTalentKey(uriSewing), reference.ESCOTalentKey(uriSewingTex)
	// Someone has the added talent of the second sewing concept in their profile.
	if _, err := db.Exec(`
		WITH p AS (INSERT INTO people (email, password_hash, display_name) VALUES ('a@example.org', 'x', 'A') RETURNING id)
		INSERT INTO profile_talents (person_id, talent_key, level) SELECT id, $1, 2 FROM p`, texKey); err != nil {
		t.Fatal(err)
	}
	lf := writeFile(t, "links.csv", "sewing,"+uriSewing+"\n")
	rep := importESCO(t, db, reference.ImportOptions{Links: lf, AddConcepts: true})
	var sewing reference.ESCOLink
	for _, l := range rep.Linked {
		if l.TalentKey == "sewing" {
			sewing = l
		}
	}
	if sewing.ConceptURI != uriSewing || sewing.Replaces != sewKey || rep.Added != 4 {
		t.Errorf("report %+v", rep)
	}
	var n int
	_ = db.Get(&n, `SELECT count(*) FROM talents WHERE key = $1`, sewKey)
	if n != 0 || links(t, db)["sewing"] != uriSewing {
		t.Errorf("the added talent was not replaced: %d, %v", n, links(t, db))
	}
	// The one in use stays; the link is a conflict.
	lf = writeFile(t, "links.csv", "sewing,"+uriSewing+"\nknitting_and_crochet,"+uriSewingTex+"\n")
	rep = importESCO(t, db, reference.ImportOptions{Links: lf, AddConcepts: true})
	if len(rep.Conflicts) != 1 || rep.Conflicts[0].TalentKey != "knitting_and_crochet" || !strings.Contains(rep.Conflicts[0].Reason, "in use") {
		t.Errorf("conflicts %+v", rep.Conflicts)
	}
	if got := links(t, db); got["knitting_and_crochet"] != "" || got[texKey] != uriSewingTex {
		t.Errorf("links %v", got)
	}
}

func TestImportESCONeverOverwritesAnExistingLink(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t)
	if _, err := db.Exec(`UPDATE talents SET esco_uri = $1 WHERE key = 'cooking'`, uriOldExisting); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE talents SET esco_uri = $1 WHERE key = 'baking'`, uriFirstAid); err != nil {
		t.Fatal(err)
	}
	lf := writeFile(t, "links.csv", "pruning,"+uriBicycle+"\nbaking,"+uriBirdhouses+"\n")
	rep := importESCO(t, db, reference.ImportOptions{Links: lf})
	got := links(t, db)
	want := map[string]string{"cooking": uriOldExisting, "baking": uriFirstAid, "pruning": uriBicycle}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("links %v, want %v", got, want)
	}
	conflicts := map[string]string{}
	for _, c := range rep.Conflicts {
		conflicts[c.TalentKey+" "+c.ConceptURI] = c.Reason
	}
	for _, k := range []string{
		"baking " + uriBirdhouses,      // links file: the talent has another concept
		"cooking " + uriCooking,        // labels: the talent has another concept
		"first_aid " + uriFirstAid,     // labels: the concept belongs to another talent
		"bicycle_repair " + uriBicycle, // labels: the links file gave the concept to another talent
	} {
		if conflicts[k] == "" {
			t.Errorf("no conflict %s in %v", k, conflicts)
		}
	}
	if len(rep.Conflicts) != 4 {
		t.Errorf("conflicts %+v", rep.Conflicts)
	}
	if v := linkedVia(rep); v["baking"] != uriFirstAid+" existing" || v["pruning"] != uriBicycle+" links file" {
		t.Errorf("linked %v", v)
	}
}

// fingerprint summarises everything an import may change.
func fingerprint(t *testing.T, db *sqlx.DB) string {
	t.Helper()
	var s sql.NullString
	if err := db.Get(&s, `
		SELECT md5(coalesce((SELECT string_agg(t::text, '|' ORDER BY key) FROM talents t), '') ||
			coalesce((SELECT string_agg(c::text, '|' ORDER BY key) FROM talent_categories c), ''))`); err != nil {
		t.Fatal(err)
	}
	return s.String
}

func copyFixtures(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, lang := range []string{"nl", "fr", "en", "de"} {
		b, err := os.ReadFile(filepath.Join(fixtureDir, "skills_"+lang+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "skills_"+lang+".csv"), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestImportESCOFailureLeavesDatabaseUnchanged(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t)
	ctx := context.Background()

	malformed := copyFixtures(t)
	f, err := os.OpenFile(filepath.Join(malformed, "skills_fr.csv"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString("KnowledgeSkillCompetence,http://data.europa.eu/esco/skill/test-0011-bad,skill/competence,,mal \"formé\",,,released,,,,,\n")
	f.Close()

	before := fingerprint(t, db)
	for _, tt := range []struct {
		name string
		opts reference.ImportOptions
		want string
	}{
		{"missing file", reference.ImportOptions{Dir: fixtureDir, Langs: []string{"nl", "fr", "es"}, AddConcepts: true}, "skills_es.csv"},
		{"malformed file", reference.ImportOptions{Dir: malformed, Langs: nlFrEn, AddConcepts: true}, "skills_fr.csv"},
		{"unknown language", reference.ImportOptions{Dir: fixtureDir, Langs: []string{"nl", "xx"}}, `unknown language code "xx"`},
		{"unknown category", reference.ImportOptions{Dir: fixtureDir, Langs: nlFrEn, AddConcepts: true, AddCategory: "no_such_category"}, "does not exist"},
		{"missing links file", reference.ImportOptions{Dir: fixtureDir, Langs: nlFrEn, Links: filepath.Join(t.TempDir(), "nope.csv")}, "links file"},
	} {
		_, err := reference.ImportESCO(ctx, db, tt.opts)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want one mentioning %q", tt.name, err, tt.want)
		}
		if fingerprint(t, db) != before {
			t.Fatalf("%s: the database changed", tt.name)
		}
	}

	// An error late in the import, after the links were written: all of it is undone.
	if _, err := db.Exec(`INSERT INTO talents (key, category_key, position, labels, esco_uri)
		VALUES ($1, 'diy_and_technical', 999, '{"nl": "Iets anders"}', 'http://data.europa.eu/esco/skill/test-other')`,
		reference.ESCOTalentKey(uriBirdhouses)); err != nil {
		t.Fatal(err)
	}
	before = fingerprint(t, db)
	_, err = reference.ImportESCO(ctx, db, reference.ImportOptions{Dir: fixtureDir, Langs: nlFrEn, AddConcepts: true})
	if err == nil || !strings.Contains(err.Error(), "is not the talent of concept") {
		t.Errorf("err = %v", err)
	}
	if fingerprint(t, db) != before || len(links(t, db)) != 1 {
		t.Errorf("the database changed: links %v", links(t, db))
	}
}

// The command `helpende-handen taxonomy import-esco` parses its flags with
// ParseImportESCOFlags, runs ImportESCO and prints the report.
func TestTaxonomyImportESCOCommand(t *testing.T) {
	t.Parallel()
	db := testutil.NewDB(t)
	run := func(args ...string) (string, error) {
		opts, err := reference.ParseImportESCOFlags(args)
		if err != nil {
			return "", err
		}
		rep, err := reference.ImportESCO(context.Background(), db, opts)
		if err != nil {
			return "", err
		}
		var out bytes.Buffer
		rep.Print(&out)
		return out.String(), nil
	}
	out, err := run("--dir", fixtureDir, "--lang", "nl, FR,en", "--add")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"ESCO import from testdata/esco",
		"  nl       8 read       2 skipped",
		"  distinct concepts: 8",
		"linked talents: 3 (0 new by links file, 3 new by equal labels, 0 already linked)",
		"  cooking                              " + uriCooking + " (labels nl,fr,en)",
		"ambiguous (not linked): 1",
		"  talents sewing ~ concepts " + uriSewing + ", " + uriSewingTex,
		"conflicts (nothing changed): 0",
		"added: 5 concepts as talents in category esco (5 new)",
		"note: created category esco",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	out, err = run("--dir", fixtureDir)
	if err != nil || !strings.Contains(out, "linked talents: 3 (0 new by links file, 0 new by equal labels, 3 already linked)") ||
		!strings.Contains(out, "added: 0 (5 concepts are not linked to a talent; --add imports them as talents)") {
		t.Errorf("second run: %v\n%s", err, out)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "--dir is required"},
		{[]string{"--dir", fixtureDir, "--category", "esco"}, "only used with --add"},
		{[]string{"--dir", fixtureDir, "extra"}, `unexpected argument "extra"`},
		{[]string{"--dir", fixtureDir, "--lang", "nl,klingon"}, `unknown language code "klingon"`},
		{[]string{"--dir", t.TempDir()}, "skills_nl.csv"},
	} {
		if _, err := run(tt.args...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want %q", tt.args, err, tt.want)
		}
	}
}
