-- +goose Up
-- Faster needs search (measured in BENCHMARKS.md): text and district in one GIN scan, and
-- shift look-ups that need not visit the table.
CREATE EXTENSION IF NOT EXISTS btree_gin;

DROP INDEX needs_search_vector;
CREATE INDEX needs_search_vector ON needs USING gin (district_key, search_vector) WHERE status = 'OPEN';
DROP INDEX needs_search_trgm;
CREATE INDEX needs_search_trgm ON needs USING gin (district_key, search_text gin_trgm_ops) WHERE status = 'OPEN';
-- (need_id, starts_at) is already indexed by its UNIQUE constraint; this one also carries the status.
DROP INDEX shifts_need_start;
CREATE INDEX shifts_need_start ON shifts (need_id, starts_at) INCLUDE (status);
DROP INDEX shifts_start;
CREATE INDEX shifts_start ON shifts (starts_at) INCLUDE (need_id) WHERE status = 'SCHEDULED';

-- +goose Down
DROP INDEX shifts_start;
CREATE INDEX shifts_start ON shifts (starts_at) WHERE status = 'SCHEDULED';
DROP INDEX shifts_need_start;
CREATE INDEX shifts_need_start ON shifts (need_id, starts_at);
DROP INDEX needs_search_trgm;
CREATE INDEX needs_search_trgm ON needs USING gin (search_text gin_trgm_ops) WHERE status = 'OPEN';
DROP INDEX needs_search_vector;
CREATE INDEX needs_search_vector ON needs USING gin (search_vector) WHERE status = 'OPEN';
