package reference

import (
	"context"
	"embed"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

//go:embed data/*.csv
var dataFS embed.FS

var labelLangs = []string{"nl", "fr", "en", "ar"}

// readCSV returns the rows of data/name as maps from header to value.
func readCSV(name string) ([]map[string]string, error) {
	f, err := dataFS.Open("data/" + name)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("read %s header: %w", name, err)
	}
	var out []map[string]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		row := make(map[string]string, len(header))
		for i, h := range header {
			row[h] = strings.TrimSpace(rec[i])
		}
		out = append(out, row)
	}
	return out, nil
}

func labelsOf(row map[string]string) ([]byte, error) {
	l := map[string]string{}
	for _, lang := range labelLangs {
		if v := row[lang]; v != "" {
			l[lang] = v
		}
	}
	if l["nl"] == "" {
		return nil, fmt.Errorf("row %v has no Dutch label", row)
	}
	return json.Marshal(l)
}

// Sync writes the curated reference data shipped with the binary into the database,
// in one transaction. It adds and updates; it never deletes (rows may be referenced),
// and it never clears an ESCO link an operator imported.
func Sync(ctx context.Context, db *sqlx.DB) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()

	type table struct {
		file string
		do   func(i int, row map[string]string, labels []byte) error
	}
	tables := []table{
		{"districts.csv", func(i int, row map[string]string, labels []byte) error {
			lat, err1 := strconv.ParseFloat(row["lat"], 64)
			lon, err2 := strconv.ParseFloat(row["lon"], 64)
			if err1 != nil || err2 != nil {
				return fmt.Errorf("district %s: bad coordinates", row["key"])
			}
			_, err := tx.ExecContext(ctx, `
				INSERT INTO districts (key, position, postcodes, lat, lon, labels) VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (key) DO UPDATE SET position = EXCLUDED.position, postcodes = EXCLUDED.postcodes,
					lat = EXCLUDED.lat, lon = EXCLUDED.lon, labels = EXCLUDED.labels`,
				row["key"], i, pq.StringArray(strings.Split(row["postcodes"], ";")), lat, lon, labels)
			return err
		}},
		{"themes.csv", func(i int, row map[string]string, labels []byte) error {
			_, err := tx.ExecContext(ctx, `
				INSERT INTO themes (key, position, labels) VALUES ($1, $2, $3)
				ON CONFLICT (key) DO UPDATE SET position = EXCLUDED.position, labels = EXCLUDED.labels`,
				row["key"], i, labels)
			return err
		}},
		{"talent_categories.csv", func(i int, row map[string]string, labels []byte) error {
			_, err := tx.ExecContext(ctx, `
				INSERT INTO talent_categories (key, position, labels) VALUES ($1, $2, $3)
				ON CONFLICT (key) DO UPDATE SET position = EXCLUDED.position, labels = EXCLUDED.labels`,
				row["key"], i, labels)
			return err
		}},
		{"talents.csv", func(i int, row map[string]string, labels []byte) error {
			var esco *string
			if u := row["esco_uri"]; u != "" {
				esco = &u
			}
			_, err := tx.ExecContext(ctx, `
				INSERT INTO talents (key, category_key, position, labels, esco_uri) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (key) DO UPDATE SET category_key = EXCLUDED.category_key, position = EXCLUDED.position,
					labels = EXCLUDED.labels, esco_uri = COALESCE(EXCLUDED.esco_uri, talents.esco_uri)`,
				row["key"], row["category"], i, labels, esco)
			return err
		}},
		{"languages.csv", func(i int, row map[string]string, labels []byte) error {
			_, err := tx.ExecContext(ctx, `
				INSERT INTO languages (code, position, labels, native_name) VALUES ($1, $2, $3, $4)
				ON CONFLICT (code) DO UPDATE SET position = EXCLUDED.position, labels = EXCLUDED.labels,
					native_name = EXCLUDED.native_name`,
				row["code"], i, labels, row["native"])
			return err
		}},
	}
	for _, t := range tables {
		rows, err := readCSV(t.file)
		if err != nil {
			return err
		}
		for i, row := range rows {
			labels, err := labelsOf(row)
			if err != nil {
				return fmt.Errorf("%s: %w", t.file, err)
			}
			if err := t.do(i, row, labels); err != nil {
				return fmt.Errorf("sync %s row %d: %w", t.file, i+1, err)
			}
		}
	}
	if err := RefreshTalentSearch(ctx, tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit reference data: %w", err)
	}
	return nil
}

// RefreshTalentSearch recomputes the folded search text of every talent from its labels
// and alternative labels in all languages.
func RefreshTalentSearch(ctx context.Context, tx *sqlx.Tx) error {
	_, err := tx.ExecContext(ctx, `
		UPDATE talents SET search_text = hh_fold(
			coalesce((SELECT string_agg(value, ' ') FROM jsonb_each_text(labels)), '') || ' ' ||
			coalesce((SELECT string_agg(x, ' ') FROM jsonb_each(alt_labels) AS l(lang, v),
				LATERAL jsonb_array_elements_text(CASE jsonb_typeof(l.v) WHEN 'array' THEN l.v ELSE jsonb_build_array(l.v) END) AS x), '') || ' ' ||
			replace(key, '_', ' '))`)
	if err != nil {
		return fmt.Errorf("refresh talent search text: %w", err)
	}
	return nil
}

// DataFS returns the curated reference data files (for tests that fingerprint them).
func DataFS() embed.FS { return dataFS }
