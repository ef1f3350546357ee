-- +goose Up
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- unaccent() is only STABLE; an IMMUTABLE wrapper with a fixed dictionary can be used in indexes.
-- +goose StatementBegin
CREATE FUNCTION hh_fold(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, t)) $$;
-- +goose StatementEnd

-- Reference data. Labels are JSON objects keyed by language code: {"nl": "...", "fr": "...", "en": "...", "ar": "..."}.
CREATE TABLE districts (
    key       text PRIMARY KEY,
    position  int  NOT NULL,
    postcodes text[] NOT NULL,
    lat       double precision NOT NULL,
    lon       double precision NOT NULL,
    labels    jsonb NOT NULL
);

CREATE TABLE themes (
    key      text PRIMARY KEY,
    position int  NOT NULL,
    labels   jsonb NOT NULL
);

CREATE TABLE talent_categories (
    key      text PRIMARY KEY,
    position int  NOT NULL,
    labels   jsonb NOT NULL
);

CREATE TABLE talents (
    key          text PRIMARY KEY,
    category_key text NOT NULL REFERENCES talent_categories (key),
    position     int  NOT NULL,
    labels       jsonb NOT NULL,
    alt_labels   jsonb NOT NULL DEFAULT '{}'::jsonb,
    esco_uri     text UNIQUE,
    search_text  text NOT NULL DEFAULT ''
);
CREATE INDEX talents_search_trgm ON talents USING gin (search_text gin_trgm_ops);

CREATE TABLE languages (
    code        text PRIMARY KEY,
    position    int  NOT NULL,
    labels      jsonb NOT NULL,
    native_name text NOT NULL
);

-- People and sessions. No field exists for origin, nationality, religion, gender or health.
CREATE TABLE people (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email               text NOT NULL,
    password_hash       text NOT NULL,
    display_name        text NOT NULL,
    preferred_language  text NOT NULL DEFAULT 'nl' CHECK (preferred_language IN ('nl', 'fr', 'en', 'ar')),
    district_key        text REFERENCES districts (key),
    birth_date          date,
    phone               text,
    is_admin            boolean NOT NULL DEFAULT false,
    is_matchmaker       boolean NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    password_changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX people_email_key ON people (lower(email));

CREATE TABLE sessions (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    person_id    uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    token_hash   bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    user_agent   text NOT NULL DEFAULT '',
    ip           text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_person ON sessions (person_id);

-- Organisations: the directory ("sociale kaart").
CREATE TABLE organisations (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind          text NOT NULL CHECK (kind IN ('NON_PROFIT', 'NEIGHBOURHOOD_CENTRE', 'CITY_SERVICE', 'SCHOOL',
                                                 'SPORTS_CLUB', 'CULTURAL', 'MERCHANT', 'OTHER')),
    status        text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED')),
    name          text NOT NULL,
    description   text NOT NULL DEFAULT '',
    street        text NOT NULL DEFAULT '',
    postcode      text NOT NULL DEFAULT '',
    city          text NOT NULL DEFAULT 'Antwerpen',
    district_key  text REFERENCES districts (key),
    lat           double precision,
    lon           double precision,
    contact_email text NOT NULL DEFAULT '',
    contact_phone text NOT NULL DEFAULT '',
    website       text NOT NULL DEFAULT '',
    themes        text[] NOT NULL DEFAULT '{}',
    languages     text[] NOT NULL DEFAULT '{}',
    accessibility text[] NOT NULL DEFAULT '{}',
    opening_hours text NOT NULL DEFAULT '',
    logo_url      text NOT NULL DEFAULT '',
    created_by    uuid REFERENCES people (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    reviewed_at   timestamptz,
    reviewed_by   uuid REFERENCES people (id) ON DELETE SET NULL,
    review_note   text NOT NULL DEFAULT '',
    search_text   text GENERATED ALWAYS AS (hh_fold(name || ' ' || description)) STORED,
    CHECK ((lat IS NULL) = (lon IS NULL)),
    CHECK (lat IS NULL OR (lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180))
);
CREATE INDEX organisations_public_name ON organisations (lower(name), id) WHERE status = 'APPROVED';
CREATE INDEX organisations_search_trgm ON organisations USING gin (search_text gin_trgm_ops);
CREATE INDEX organisations_themes ON organisations USING gin (themes);
CREATE INDEX organisations_district ON organisations (district_key);

CREATE TABLE organisation_members (
    organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    person_id       uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    role            text NOT NULL CHECK (role IN ('ADMIN', 'COORDINATOR')),
    added_by        uuid REFERENCES people (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organisation_id, person_id)
);
CREATE INDEX organisation_members_person ON organisation_members (person_id);

-- +goose Down
DROP TABLE organisation_members;
DROP TABLE organisations;
DROP TABLE sessions;
DROP TABLE people;
DROP TABLE languages;
DROP TABLE talents;
DROP TABLE talent_categories;
DROP TABLE themes;
DROP TABLE districts;
DROP FUNCTION hh_fold(text);
