-- +goose Up
-- Rewards at local merchants, vouchers, and the merchants' settlement statements (pillar 3).
-- The coins themselves move in the ledger (00003): these tables say what they moved for.
--
-- Lock order, everywhere: a voucher, then its reward, then the ledger accounts (in id order).

-- A merchant's offer: a price in whole coins, stock, validity, a text in one language.
CREATE TABLE rewards (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    merchant_id  uuid NOT NULL REFERENCES organisations (id),
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
    description  text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    -- The language the title and description are written in.
    language     text NOT NULL DEFAULT 'nl' CHECK (language IN ('nl', 'fr', 'en', 'ar')),
    price        int NOT NULL CHECK (price BETWEEN 1 AND 1000000),
    -- Items left: redeeming takes one, a cancelled or expired voucher gives it back. Never
    -- below zero, whatever the application does.
    stock        int NOT NULL CHECK (stock >= 0),
    valid_from   timestamptz NOT NULL,
    valid_until  timestamptz,
    photo_url    text NOT NULL DEFAULT '' CHECK (photo_url = '' OR photo_url LIKE 'https://%'),
    district_key text REFERENCES districts (key),
    themes       text[] NOT NULL DEFAULT '{}',
    -- A merchant withdraws a reward by making it inactive (rewards with vouchers are never deleted).
    active       boolean NOT NULL DEFAULT true,
    created_by   uuid REFERENCES people (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (valid_until IS NULL OR valid_until > valid_from)
);
CREATE INDEX rewards_newest ON rewards (created_at DESC, id DESC) WHERE active;
CREATE INDEX rewards_cheapest ON rewards (price, id) WHERE active;
CREATE INDEX rewards_merchant ON rewards (merchant_id, created_at DESC);
CREATE INDEX rewards_themes ON rewards USING gin (themes);

-- A voucher: a reward redeemed by a person. ISSUED → ACCEPTED (final) | CANCELLED | EXPIRED.
CREATE TABLE vouchers (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Ten characters of the voucher alphabet (nine random, one check), stored without dashes.
    code            text NOT NULL UNIQUE CHECK (code ~ '^[2-9A-HJKMNP-Z]{10}$'),
    reward_id       uuid NOT NULL REFERENCES rewards (id),
    merchant_id     uuid NOT NULL REFERENCES organisations (id),
    -- The holder. Vouchers stay for the books when the person deletes their account (pseudonym).
    person_id       uuid NOT NULL REFERENCES people (id),
    -- The holder's key for the redeem request: the same key gives the same voucher.
    idempotency_key text COLLATE "C" NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 100),
    price           int NOT NULL CHECK (price > 0),
    state           text NOT NULL DEFAULT 'ISSUED' CHECK (state IN ('ISSUED', 'ACCEPTED', 'CANCELLED', 'EXPIRED')),
    issued_at       timestamptz NOT NULL,
    valid_until     timestamptz NOT NULL,
    closed_at       timestamptz,
    -- Who accepted (a member of the merchant) or cancelled (the holder or a member of the merchant).
    closed_by       uuid REFERENCES people (id) ON DELETE SET NULL,
    redeem_tx       uuid NOT NULL REFERENCES ledger_transactions (id),
    -- ACCEPT (to the merchant) or CANCEL (back to the wallet, cancelled or expired).
    close_tx        uuid REFERENCES ledger_transactions (id),
    -- The settlement statement that paid the merchant for this voucher (ACCEPTED only).
    statement_id    uuid,
    UNIQUE (person_id, idempotency_key),
    CHECK ((state = 'ISSUED') = (closed_at IS NULL)),
    CHECK ((state = 'ISSUED') = (close_tx IS NULL)),
    CHECK (statement_id IS NULL OR state = 'ACCEPTED')
);
CREATE INDEX vouchers_person ON vouchers (person_id, issued_at DESC);
CREATE INDEX vouchers_reward ON vouchers (reward_id);
CREATE INDEX vouchers_due ON vouchers (valid_until) WHERE state = 'ISSUED';
CREATE INDEX vouchers_unsettled ON vouchers (merchant_id, closed_at) WHERE state = 'ACCEPTED' AND statement_id IS NULL;

-- What the city owes a merchant for a period (a calendar month, Europe/Brussels): every
-- accepted voucher not settled before and accepted before the period's end.
CREATE TABLE settlement_statements (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    merchant_id             uuid NOT NULL REFERENCES organisations (id),
    period                  text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    period_start            timestamptz NOT NULL,
    period_end              timestamptz NOT NULL,
    vouchers                int NOT NULL DEFAULT 0 CHECK (vouchers >= 0),
    coins                   bigint NOT NULL DEFAULT 0 CHECK (coins >= 0),
    euro_cents_per_10_coins int NOT NULL CHECK (euro_cents_per_10_coins > 0),
    -- coins × rate / 10, rounded half up to a whole cent, once per statement.
    euro_cents              bigint NOT NULL DEFAULT 0 CHECK (euro_cents >= 0),
    transaction_id          uuid REFERENCES ledger_transactions (id),
    created_at              timestamptz NOT NULL DEFAULT now(),
    UNIQUE (merchant_id, period),
    CHECK ((coins > 0) = (transaction_id IS NOT NULL)),
    CHECK (period_end > period_start)
);
ALTER TABLE vouchers ADD FOREIGN KEY (statement_id) REFERENCES settlement_statements (id);

-- +goose Down
ALTER TABLE vouchers DROP COLUMN statement_id;
DROP TABLE settlement_statements;
DROP TABLE vouchers;
DROP TABLE rewards;
