-- +goose Up
-- Needs of organisations, their shifts, volunteers' applications, attendance and recognition.

-- Search text in Dutch, French and English (stemmed) plus a language-neutral part, accents folded.
-- +goose StatementBegin
CREATE FUNCTION hh_search_vector(title text, description text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT setweight(to_tsvector('pg_catalog.dutch', hh_fold(coalesce(title, ''))), 'A') ||
         setweight(to_tsvector('pg_catalog.french', hh_fold(coalesce(title, ''))), 'A') ||
         setweight(to_tsvector('pg_catalog.english', hh_fold(coalesce(title, ''))), 'A') ||
         setweight(to_tsvector('pg_catalog.simple', hh_fold(coalesce(title, ''))), 'A') ||
         setweight(to_tsvector('pg_catalog.dutch', hh_fold(coalesce(description, ''))), 'B') ||
         setweight(to_tsvector('pg_catalog.french', hh_fold(coalesce(description, ''))), 'B') ||
         setweight(to_tsvector('pg_catalog.english', hh_fold(coalesce(description, ''))), 'B') ||
         setweight(to_tsvector('pg_catalog.simple', hh_fold(coalesce(description, ''))), 'B')
$$;
-- +goose StatementEnd

CREATE TABLE needs (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organisation_id  uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    status           text NOT NULL DEFAULT 'DRAFT' CHECK (status IN ('DRAFT', 'OPEN', 'FILLED', 'CLOSED', 'CANCELLED')),
    title            text NOT NULL,
    description      text NOT NULL DEFAULT '',
    themes           text[] NOT NULL DEFAULT '{}',
    languages        text[] NOT NULL DEFAULT '{}',
    accessibility    text[] NOT NULL DEFAULT '{}',
    remote           boolean NOT NULL DEFAULT false,
    street           text NOT NULL DEFAULT '',
    postcode         text NOT NULL DEFAULT '',
    city             text NOT NULL DEFAULT 'Antwerpen',
    district_key     text REFERENCES districts (key),
    lat              double precision,
    lon              double precision,
    min_age          int CHECK (min_age IS NULL OR min_age BETWEEN 0 AND 99),
    schedule         text NOT NULL CHECK (schedule IN ('ONE_OFF', 'WEEKLY', 'FLEXIBLE')),
    -- WEEKLY: {"weekdays":[1..7], "start":"HH:MM", "minutes":n, "places":n, "weeksAhead":n, "from":"YYYY-MM-DD", "until":"YYYY-MM-DD"|null}
    pattern          jsonb,
    auto_accept      boolean NOT NULL DEFAULT false,
    -- FLEXIBLE needs have places of their own (no shifts).
    flexible_places  int CHECK (flexible_places IS NULL OR flexible_places BETWEEN 1 AND 1000),
    flexible_taken   int NOT NULL DEFAULT 0,
    -- Kept up to date with the shifts, for search: the next shift's start and the places left on upcoming shifts.
    next_start       timestamptz,
    places_left      int NOT NULL DEFAULT 0,
    created_by       uuid REFERENCES people (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    published_at     timestamptz,
    closed_at        timestamptz,
    search_vector    tsvector GENERATED ALWAYS AS (hh_search_vector(title, description)) STORED,
    search_text      text GENERATED ALWAYS AS (hh_fold(title || ' ' || description)) STORED,
    CHECK ((lat IS NULL) = (lon IS NULL)),
    CHECK (lat IS NULL OR (lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180)),
    CHECK (flexible_taken >= 0 AND (flexible_places IS NULL OR flexible_taken <= flexible_places))
);
CREATE INDEX needs_org ON needs (organisation_id, created_at DESC);
CREATE INDEX needs_open_next ON needs (next_start, id) WHERE status = 'OPEN';
CREATE INDEX needs_open_published ON needs (published_at DESC, id) WHERE status = 'OPEN';
CREATE INDEX needs_open_district ON needs (district_key, next_start) WHERE status = 'OPEN';
CREATE INDEX needs_search_vector ON needs USING gin (search_vector) WHERE status = 'OPEN';
CREATE INDEX needs_search_trgm ON needs USING gin (search_text gin_trgm_ops) WHERE status = 'OPEN';
CREATE INDEX needs_themes ON needs USING gin (themes) WHERE status = 'OPEN';
CREATE INDEX needs_location ON needs USING gist (ll_to_earth(lat, lon)) WHERE status = 'OPEN' AND lat IS NOT NULL;

CREATE TABLE need_talents (
    need_id    uuid NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    talent_key text NOT NULL REFERENCES talents (key),
    required   boolean NOT NULL DEFAULT false,
    min_level  int NOT NULL DEFAULT 1 CHECK (min_level BETWEEN 1 AND 4),
    PRIMARY KEY (need_id, talent_key)
);
CREATE INDEX need_talents_talent ON need_talents (talent_key);

CREATE TABLE shifts (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    need_id      uuid NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    starts_at    timestamptz NOT NULL,
    ends_at      timestamptz NOT NULL,
    places       int NOT NULL CHECK (places BETWEEN 1 AND 1000),
    places_taken int NOT NULL DEFAULT 0,
    status       text NOT NULL DEFAULT 'SCHEDULED' CHECK (status IN ('SCHEDULED', 'CANCELLED')),
    cancelled_at timestamptz,
    reminded_at  timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at),
    -- Places are never oversold: the database itself refuses it.
    CHECK (places_taken >= 0 AND places_taken <= places),
    UNIQUE (need_id, starts_at)
);
CREATE INDEX shifts_need_start ON shifts (need_id, starts_at);
CREATE INDEX shifts_start ON shifts (starts_at) WHERE status = 'SCHEDULED';

CREATE TABLE applications (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    need_id       uuid NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    shift_id      uuid REFERENCES shifts (id) ON DELETE CASCADE,
    person_id     uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    status        text NOT NULL CHECK (status IN ('PENDING', 'ACCEPTED', 'WAITING', 'DECLINED', 'WITHDRAWN',
                                                   'ATTENDED', 'NO_SHOW', 'CANCELLED')),
    message       text NOT NULL DEFAULT '',
    -- Order of the waiting list: when the person joined it.
    waiting_since timestamptz,
    holds_place   boolean NOT NULL DEFAULT false,
    minutes       int CHECK (minutes IS NULL OR minutes BETWEEN 1 AND 1440),
    worked_on     date,
    confirmed_at  timestamptz,
    confirmed_by  uuid REFERENCES people (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
-- One live application per person per shift (or per flexible need).
CREATE UNIQUE INDEX applications_one_live_per_shift ON applications (shift_id, person_id)
    WHERE shift_id IS NOT NULL AND status IN ('PENDING', 'ACCEPTED', 'WAITING', 'ATTENDED', 'NO_SHOW');
CREATE UNIQUE INDEX applications_one_live_per_flexible ON applications (need_id, person_id)
    WHERE shift_id IS NULL AND status IN ('PENDING', 'ACCEPTED', 'WAITING');
CREATE INDEX applications_person ON applications (person_id, created_at DESC);
CREATE INDEX applications_need ON applications (need_id, created_at);
CREATE INDEX applications_waiting ON applications (shift_id, waiting_since) WHERE status = 'WAITING';

-- Every status change of an application: when, who, and why.
CREATE TABLE application_events (
    id             bigserial PRIMARY KEY,
    application_id uuid NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    status         text NOT NULL,
    actor_id       uuid REFERENCES people (id) ON DELETE SET NULL,
    note           text NOT NULL DEFAULT '',
    at             timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX application_events_app ON application_events (application_id, id);

CREATE TABLE endorsements (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    application_id  uuid NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    person_id       uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    talent_key      text NOT NULL REFERENCES talents (key),
    organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    need_id         uuid NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    endorsed_by     uuid REFERENCES people (id) ON DELETE SET NULL,
    hidden          boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (application_id, talent_key)
);
CREATE INDEX endorsements_person ON endorsements (person_id);

CREATE TABLE thanks (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    application_id  uuid NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    person_id       uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    from_person_id  uuid REFERENCES people (id) ON DELETE SET NULL,
    message         text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX thanks_person ON thanks (person_id, created_at DESC);

-- Domain events for other parts (the coin ledger mints from attendance.confirmed).
-- (topic, key) is unique: an event is written once, however often the write is retried.
CREATE TABLE outbox (
    id           bigserial PRIMARY KEY,
    topic        text NOT NULL,
    key          text NOT NULL,
    payload      jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    processed_at timestamptz,
    UNIQUE (topic, key)
);
CREATE INDEX outbox_pending ON outbox (topic, id) WHERE processed_at IS NULL;

CREATE TABLE notifications (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    person_id   uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    kind        text NOT NULL,
    need_id     uuid REFERENCES needs (id) ON DELETE CASCADE,
    shift_id    uuid REFERENCES shifts (id) ON DELETE CASCADE,
    application_id uuid REFERENCES applications (id) ON DELETE CASCADE,
    message     text NOT NULL DEFAULT '',
    dedupe_key  text UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    read_at     timestamptz
);
CREATE INDEX notifications_person ON notifications (person_id, created_at DESC, id);

-- Private, revocable calendar feeds of a volunteer's accepted shifts.
CREATE TABLE calendar_feeds (
    person_id  uuid PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    token_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE calendar_feeds;
DROP TABLE notifications;
DROP TABLE outbox;
DROP TABLE thanks;
DROP TABLE endorsements;
DROP TABLE application_events;
DROP TABLE applications;
DROP TABLE shifts;
DROP TABLE need_talents;
DROP TABLE needs;
DROP FUNCTION hh_search_vector(text, text);
