-- +goose Up
-- Matchmakers (social workers, job coaches): proposing people for needs, and acting on
-- behalf of a person who is not at ease online, only with that person's recorded consent.

CREATE TABLE proposals (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    need_id        uuid NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    person_id      uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    matchmaker_id  uuid REFERENCES people (id) ON DELETE SET NULL,
    message        text NOT NULL DEFAULT '',
    status         text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'ACCEPTED', 'DECLINED')),
    application_id uuid REFERENCES applications (id) ON DELETE SET NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    decided_at     timestamptz
);
CREATE UNIQUE INDEX proposals_one_pending ON proposals (need_id, person_id) WHERE status = 'PENDING';
CREATE INDEX proposals_person ON proposals (person_id, created_at DESC);

CREATE TABLE on_behalf_consents (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    person_id     uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    matchmaker_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    granted_at    timestamptz NOT NULL DEFAULT now(),
    ends_at       timestamptz NOT NULL,
    withdrawn_at  timestamptz,
    withdrawn_by  uuid REFERENCES people (id) ON DELETE SET NULL,
    note          text NOT NULL DEFAULT '',
    CHECK (ends_at > granted_at)
);
CREATE INDEX on_behalf_consents_pair ON on_behalf_consents (person_id, matchmaker_id);

-- Everything a matchmaker did on a person's behalf, visible to the person.
CREATE TABLE on_behalf_log (
    id            bigserial PRIMARY KEY,
    person_id     uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    matchmaker_id uuid REFERENCES people (id) ON DELETE SET NULL,
    action        text NOT NULL,
    at            timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX on_behalf_log_person ON on_behalf_log (person_id, id);

-- +goose Down
DROP TABLE on_behalf_log;
DROP TABLE on_behalf_consents;
DROP TABLE proposals;
