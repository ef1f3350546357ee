-- +goose Up
-- The talent bank: what residents can do, in their own control.

CREATE TABLE talent_profiles (
    person_id    uuid PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    -- Who may find the profile: PRIVATE (only the person), MATCHMAKERS (social workers),
    -- ORGANISATIONS (approved organisations and matchmakers).
    visibility   text NOT NULL DEFAULT 'PRIVATE' CHECK (visibility IN ('PRIVATE', 'MATCHMAKERS', 'ORGANISATIONS')),
    -- Where the person is willing to go: a point rounded to about 500 m (never the exact
    -- address) with a radius, and/or a list of districts.
    home_lat     double precision,
    home_lon     double precision,
    radius_km    double precision CHECK (radius_km IS NULL OR radius_km BETWEEN 0.5 AND 100),
    districts    text[] NOT NULL DEFAULT '{}',
    themes       text[] NOT NULL DEFAULT '{}',
    looking_for  text[] NOT NULL DEFAULT '{}',
    -- Weekly availability: [{"weekday":1..7,"from":"HH:MM","to":"HH:MM"}], local time.
    availability jsonb NOT NULL DEFAULT '[]'::jsonb,
    about        text NOT NULL DEFAULT '',
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((home_lat IS NULL) = (home_lon IS NULL)),
    CHECK (home_lat IS NULL OR (home_lat BETWEEN -90 AND 90 AND home_lon BETWEEN -180 AND 180))
);
CREATE INDEX talent_profiles_visible ON talent_profiles (visibility) WHERE visibility <> 'PRIVATE';
CREATE INDEX talent_profiles_districts ON talent_profiles USING gin (districts);
CREATE INDEX talent_profiles_home ON talent_profiles USING gist (ll_to_earth(home_lat, home_lon)) WHERE home_lat IS NOT NULL;

CREATE TABLE profile_talents (
    person_id  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    talent_key text NOT NULL REFERENCES talents (key),
    level      int  NOT NULL CHECK (level BETWEEN 1 AND 4),
    -- How it was learned: SCHOOL, WORK, VOLUNTEERING, LIFE_EXPERIENCE, ABROAD.
    learned    text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (person_id, talent_key)
);
CREATE INDEX profile_talents_talent ON profile_talents (talent_key, level);

CREATE TABLE profile_languages (
    person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    code      text NOT NULL REFERENCES languages (code),
    level     text NOT NULL CHECK (level IN ('A1', 'A2', 'B1', 'B2', 'C1', 'C2', 'NATIVE')),
    PRIMARY KEY (person_id, code)
);
CREATE INDEX profile_languages_code ON profile_languages (code);

-- Every change of consent, with its time and who made it (the person, or a matchmaker on their behalf).
CREATE TABLE consent_log (
    id        bigserial PRIMARY KEY,
    person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    kind      text NOT NULL,
    value     text NOT NULL,
    actor_id  uuid REFERENCES people (id) ON DELETE SET NULL,
    at        timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX consent_log_person ON consent_log (person_id, id);

-- Exports and deletions of personal data, kept for accountability (no personal data in it).
CREATE TABLE privacy_requests (
    id         bigserial PRIMARY KEY,
    person_id  uuid NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('EXPORT', 'DELETE')),
    at         timestamptz NOT NULL DEFAULT now()
);

-- A deleted account keeps its row (under a pseudonym) for what must stay for the books.
ALTER TABLE people ADD COLUMN deleted_at timestamptz;

-- +goose Down
ALTER TABLE people DROP COLUMN deleted_at;
DROP TABLE privacy_requests;
DROP TABLE consent_log;
DROP TABLE profile_languages;
DROP TABLE profile_talents;
DROP TABLE talent_profiles;
