-- +goose Up
-- Matching at scale (measured in BENCHMARKS.md, "Matching at scale"): the candidate
-- prefilters of internal/recommend read what they filter and sort on from indexes alone.

-- Open needs by id with what the recommendation prefilter checks (places, place, date):
-- the needs asking for one of a person's talents are filtered and ordered without
-- visiting the needs table.
CREATE INDEX needs_open_match ON needs (id) INCLUDE (next_start, places_left, remote, lat, lon, district_key)
    WHERE status = 'OPEN';
-- instead of need_talents_talent: the needs of a talent, index-only.
DROP INDEX need_talents_talent;
CREATE INDEX need_talents_talent ON need_talents (talent_key, need_id);

-- Profiles in the order candidates without one of the need's talents are picked (most
-- recently updated first), with what the walk checks: visibility, place and themes.
CREATE INDEX talent_profiles_updated ON talent_profiles (updated_at DESC, person_id)
    INCLUDE (visibility, home_lat, home_lon, radius_km, districts, themes);
-- Profiles by person with what the candidate prefilter checks: a talent's holders are
-- checked for visibility and place without visiting the table.
CREATE INDEX talent_profiles_match ON talent_profiles (person_id) INCLUDE (visibility, home_lat, home_lon, radius_km, districts);
-- instead of profile_talents_talent: the same look-ups, also giving the people of a talent
-- by level (candidates walk it backwards: the highest levels first), index-only.
DROP INDEX profile_talents_talent;
CREATE INDEX profile_talents_talent ON profile_talents (talent_key, level, person_id);

-- +goose Down
DROP INDEX profile_talents_talent;
CREATE INDEX profile_talents_talent ON profile_talents (talent_key, level);
DROP INDEX talent_profiles_match;
DROP INDEX talent_profiles_updated;
DROP INDEX need_talents_talent;
CREATE INDEX need_talents_talent ON need_talents (talent_key);
DROP INDEX needs_open_match;
