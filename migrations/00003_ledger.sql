-- +goose Up
-- The coin ledger: double entry, append-only, whole coins.
--
-- ledger_accounts holds every account and its balance (kept for fast reads; always the sum of
-- its postings). ledger_transactions and ledger_postings are append-only: the database refuses
-- UPDATE, DELETE and TRUNCATE on them, also from the application's own user. Postings are
-- written only by ledger_post(), which checks the idempotency key, locks the accounts in a fixed
-- order, checks limits, and writes the transaction, its postings and the new balances in one
-- call. Corrections are reversing transactions.
--
-- Owners (people, organisations) are not foreign keys on purpose: the ledger must stay intact,
-- and unchanged, when a person deletes their account.

CREATE TABLE ledger_accounts (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- FUNDING, ISSUER, WALLET, MERCHANT, VOUCHERS_OUTSTANDING, SETTLEMENT, EXPIRED (checked on insert)
    kind           text NOT NULL,
    -- The person (WALLET) or organisation (MERCHANT, ISSUER of an organisation); NULL for the city's own accounts.
    owner_id       uuid,
    balance        bigint NOT NULL DEFAULT 0,
    -- Only the city's funding source goes negative: it is where coins come from.
    allow_negative boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (allow_negative OR balance >= 0),
    UNIQUE NULLS NOT DISTINCT (kind, owner_id)
) WITH (fillfactor = 70); -- room on each page for HOT updates of balances

-- Time-ordered UUIDs (version 7: milliseconds since 1970, then random bits) for transactions,
-- so that new transactions and their postings go to the right edge of their indexes instead
-- of random pages.
-- +goose StatementBegin
CREATE FUNCTION ledger_uuid7() RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE
AS $$
  SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) PLACING
      substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1),
    'hex')::uuid
$$;
-- +goose StatementEnd

-- Transactions and postings are written only by ledger_post(), which checks every value
-- first (kind, key, memo, amounts, balance); the checks live there and not as CHECK constraints,
-- which PostgreSQL would read again for every statement on the hot path.
CREATE TABLE ledger_transactions (
    id              uuid PRIMARY KEY DEFAULT ledger_uuid7(),
    -- 1..200 characters, compared byte by byte.
    idempotency_key text COLLATE "C" NOT NULL,
    -- SHA-256 of the request: the same key with another request is refused.
    request_hash    bytea NOT NULL,
    -- FUND, MINT, TRANSFER, GIFT, REDEEM, ACCEPT, CANCEL, EXPIRE, SETTLE, REVERSAL (with reverses).
    kind            text NOT NULL,
    memo            text NOT NULL DEFAULT '',
    metadata        jsonb NOT NULL DEFAULT '{}',
    reverses        uuid REFERENCES ledger_transactions (id),
    created_by      uuid,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX ledger_transactions_key ON ledger_transactions (idempotency_key);
-- A transaction is reversed at most once.
CREATE UNIQUE INDEX ledger_transactions_reverses ON ledger_transactions (reverses) WHERE reverses IS NOT NULL;

-- No foreign keys here, on purpose: postings are written only by ledger_post(), for the
-- transaction it writes in the same statement and the accounts it holds locked, and neither
-- transactions nor accounts are ever deleted. The audit checks it all the same.
CREATE TABLE ledger_postings (
    id             bigserial,
    transaction_id uuid NOT NULL,
    account_id     uuid NOT NULL,
    -- Signed, never zero, |amount| < 2^31.
    amount         bigint NOT NULL,
    -- The account's balance right after this posting (a statement line).
    balance_after  bigint NOT NULL,
    -- An account's statement, newest first, is a scan of this key.
    PRIMARY KEY (account_id, id)
);
CREATE INDEX ledger_postings_transaction ON ledger_postings (transaction_id);

-- Versioned coin policy: the latest row applies.
CREATE TABLE coin_policies (
    id                      bigserial PRIMARY KEY,
    coins_per_hour          int NOT NULL DEFAULT 25 CHECK (coins_per_hour BETWEEN 1 AND 1000),
    yearly_cap_per_person   int CHECK (yearly_cap_per_person IS NULL OR yearly_cap_per_person BETWEEN 1 AND 1000000),
    gifts_allowed           boolean NOT NULL DEFAULT false,
    expiry_months           int CHECK (expiry_months IS NULL OR expiry_months BETWEEN 1 AND 120),
    merchant_cap            int CHECK (merchant_cap IS NULL OR merchant_cap BETWEEN 1 AND 1000000000),
    euro_cents_per_10_coins int NOT NULL DEFAULT 100 CHECK (euro_cents_per_10_coins BETWEEN 1 AND 100000),
    -- NULL: the city's issuer account (kind ISSUER without owner).
    issuer_account_id       uuid REFERENCES ledger_accounts (id),
    created_by              uuid,
    created_at              timestamptz NOT NULL DEFAULT now()
);
INSERT INTO coin_policies DEFAULT VALUES;

-- What minting did for each confirmed application: due, minted, and why not all (if so).
CREATE TABLE mint_records (
    application_id  uuid PRIMARY KEY,
    outbox_id       bigint NOT NULL,
    person_id       uuid NOT NULL,
    organisation_id uuid,
    worked_year     int NOT NULL,
    minutes         int NOT NULL,
    policy_id       bigint NOT NULL REFERENCES coin_policies (id),
    coins_per_hour  int NOT NULL,
    coins_due       bigint NOT NULL CHECK (coins_due >= 0),
    coins_minted    bigint NOT NULL CHECK (coins_minted >= 0 AND coins_minted <= coins_due),
    reason          text CHECK (reason IN ('yearly_cap', 'budget_exhausted')),
    transaction_id  uuid REFERENCES ledger_transactions (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((coins_minted = coins_due) = (reason IS NULL)),
    CHECK ((coins_minted > 0) = (transaction_id IS NOT NULL))
);
CREATE INDEX mint_records_person_year ON mint_records (person_id, worked_year);

-- Append-only: refuse UPDATE, DELETE and TRUNCATE, whoever asks.
-- +goose StatementBegin
CREATE FUNCTION ledger_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed (correct with a reversing transaction)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'HHL01';
END
$$;
-- +goose StatementEnd

CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_transactions_no_truncate BEFORE TRUNCATE ON ledger_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_postings_append_only BEFORE UPDATE OR DELETE ON ledger_postings
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_postings_no_truncate BEFORE TRUNCATE ON ledger_postings
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER mint_records_append_only BEFORE UPDATE OR DELETE ON mint_records
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER mint_records_no_truncate BEFORE TRUNCATE ON mint_records
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER coin_policies_append_only BEFORE UPDATE OR DELETE ON coin_policies
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER coin_policies_no_truncate BEFORE TRUNCATE ON coin_policies
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_accounts_no_truncate BEFORE TRUNCATE ON ledger_accounts
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();

-- Accounts are never deleted, never change kind or owner, start at zero, and their balance
-- changes only inside ledger_post() (which runs with hh.ledger_post = 'on', scoped to the call),
-- together with the postings that explain it. Transactions and postings are written only
-- there too. The checks on the hot path are statement-level: one call per statement.
-- +goose StatementBegin
CREATE FUNCTION ledger_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '% is append-only: DELETE is not allowed', TG_TABLE_NAME USING ERRCODE = 'HHL01';
    END IF;
    IF TG_LEVEL = 'ROW' THEN -- INSERT INTO ledger_accounts (these never change afterwards)
        IF NEW.kind NOT IN ('FUNDING', 'ISSUER', 'WALLET', 'MERCHANT', 'VOUCHERS_OUTSTANDING', 'SETTLEMENT', 'EXPIRED')
                OR NEW.balance <> 0
                OR NEW.allow_negative <> (NEW.kind = 'FUNDING')
                OR (NEW.kind IN ('WALLET', 'MERCHANT') AND NEW.owner_id IS NULL)
                OR (NEW.kind = 'FUNDING' AND NEW.owner_id IS NOT NULL) THEN
            RAISE EXCEPTION 'ledger_accounts: invalid new account (kind %, owner %, balance %)', NEW.kind, NEW.owner_id,
                NEW.balance USING ERRCODE = '23514';
        END IF;
        RETURN NEW;
    END IF;
    IF coalesce(current_setting('hh.ledger_post', true), '') <> 'on' THEN
        RAISE EXCEPTION '%: only ledger_post() may % it', TG_TABLE_NAME, TG_OP USING ERRCODE = 'HHL01';
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER ledger_accounts_insert BEFORE INSERT ON ledger_accounts
    FOR EACH ROW EXECUTE FUNCTION ledger_guard();
CREATE TRIGGER ledger_accounts_guard BEFORE UPDATE OR DELETE ON ledger_accounts
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_guard();
CREATE TRIGGER ledger_transactions_guard BEFORE INSERT ON ledger_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_guard();

-- ledger_post() only changes balances; nothing changes what an account is.
-- +goose StatementBegin
CREATE FUNCTION ledger_accounts_fixed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger_accounts: only the balance changes' USING ERRCODE = 'HHL01';
END
$$;
-- +goose StatementEnd

CREATE TRIGGER ledger_accounts_fixed BEFORE UPDATE OF id, kind, owner_id, allow_negative, created_at ON ledger_accounts
    FOR EACH ROW EXECUTE FUNCTION ledger_accounts_fixed();

-- After every insert of postings: it comes from ledger_post(), and the statement wrote the
-- postings of one transaction, at least two, summing to zero. As every statement that adds
-- postings to a transaction sums to zero, every transaction does.
-- +goose StatementBegin
CREATE FUNCTION ledger_postings_check() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    transactions bigint;
    postings     bigint;
    total        numeric;
BEGIN
    IF coalesce(current_setting('hh.ledger_post', true), '') <> 'on' THEN
        RAISE EXCEPTION 'ledger_postings: only ledger_post() may INSERT it' USING ERRCODE = 'HHL01';
    END IF;
    SELECT count(DISTINCT transaction_id), count(*), sum(amount) INTO transactions, postings, total FROM new_postings;
    IF postings > 0 AND (transactions <> 1 OR postings < 2 OR total <> 0) THEN
        RAISE EXCEPTION 'ledger: postings of % transactions, % postings, sum %: not one balanced transaction',
            transactions, postings, total USING ERRCODE = 'HHL02';
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER ledger_postings_balanced AFTER INSERT ON ledger_postings
    REFERENCING NEW TABLE AS new_postings FOR EACH STATEMENT EXECUTE FUNCTION ledger_postings_check();

-- ledger_post writes one transaction in one call. Amounts are signed (negative: out of the
-- account), 2 to 1000 postings, one per account, summing to zero. It returns a status:
--   created               written; transaction_id, created_at and each account's new balance
--   replayed              the key was used before for the same request: that transaction's id
--   conflict              the key was used before for another request: nothing written
--   unknown_account       failed_account does not exist: nothing written
--   insufficient_balance  failed_account (not an issuer) would go below zero: nothing written
--   budget_exceeded       failed_account (an issuer) would go below zero: nothing written
--   already_reversed      p_reverses was reversed before: nothing written
-- A replay locks the accounts like a new request. Accounts are locked in id order, so
-- concurrent calls never deadlock. Malformed input (not
-- balanced, zero amounts, duplicate accounts, unknown kind) raises: the Go layer checks it first.
-- +goose StatementBegin
CREATE FUNCTION ledger_post(p_key text, p_hash bytea, p_kind text, p_accounts uuid[], p_amounts bigint[],
        p_memo text, p_metadata jsonb, p_created_by uuid, p_reverses uuid,
        OUT status text, OUT transaction_id uuid, OUT created_at timestamptz, OUT balances bigint[],
        OUT failed_account uuid)
LANGUAGE plpgsql
SET hh.ledger_post = 'on'
SET plan_cache_mode = 'force_generic_plan'
AS $$
DECLARE
    n        int := coalesce(cardinality(p_accounts), 0);
    v_id     uuid;
    v_hash   bytea;
    v_at     timestamptz;
    v_prev   uuid;
    v_failed uuid;
    v_kind   text;
    v_status text;
    v_locked int := 0;
    v_sum    bigint := 0;
    acc      record;
BEGIN
    IF n < 2 OR n > 1000 OR n <> coalesce(cardinality(p_amounts), 0) THEN
        RAISE EXCEPTION 'ledger_post: 2 to 1000 postings, one amount per account' USING ERRCODE = '22023';
    END IF;
    IF p_kind IS NULL OR p_kind NOT IN ('FUND', 'MINT', 'TRANSFER', 'GIFT', 'REDEEM', 'ACCEPT', 'CANCEL', 'EXPIRE', 'SETTLE',
                                        'REVERSAL')
            OR (p_kind = 'REVERSAL') <> (p_reverses IS NOT NULL) THEN
        RAISE EXCEPTION 'ledger_post: invalid kind % (a REVERSAL and only a REVERSAL reverses)', p_kind USING ERRCODE = '22023';
    END IF;
    IF p_key IS NULL OR length(p_key) NOT BETWEEN 1 AND 200 OR p_hash IS NULL OR length(coalesce(p_memo, '')) > 500 THEN
        RAISE EXCEPTION 'ledger_post: a key of 1 to 200 characters, a request hash and a memo of at most 500'
            USING ERRCODE = '22023';
    END IF;

    -- A replay is found below: on refusal (the key is checked before refusing) or by the
    -- ON CONFLICT of the insert. Replays are rare; new transfers need one lookup less.

    -- Lock every account of the transaction in id order (so concurrent calls never deadlock)
    -- and check amounts and limits.
    FOR acc IN SELECT a.id, a.kind, a.balance, a.allow_negative, x.amount
               FROM unnest(p_accounts, p_amounts) AS x (account_id, amount)
               JOIN ledger_accounts a ON a.id = x.account_id
               ORDER BY a.id FOR NO KEY UPDATE OF a LOOP
        IF acc.id = v_prev THEN
            RAISE EXCEPTION 'ledger_post: account % appears twice', acc.id USING ERRCODE = '22023';
        END IF;
        IF acc.amount IS NULL OR acc.amount = 0 OR abs(acc.amount) > 2147483647 THEN
            RAISE EXCEPTION 'ledger_post: amounts are whole coins, not zero, less than 2^31' USING ERRCODE = '22023';
        END IF;
        v_prev := acc.id;
        v_locked := v_locked + 1;
        v_sum := v_sum + acc.amount;
        IF v_failed IS NULL AND NOT acc.allow_negative AND acc.balance + acc.amount < 0 THEN
            v_failed := acc.id;
            v_kind := acc.kind;
        END IF;
    END LOOP;
    IF v_locked <> n THEN
        v_status := 'unknown_account';
        v_failed := (SELECT x FROM unnest(p_accounts) x
                     WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.id = x) LIMIT 1);
    ELSIF v_sum <> 0 THEN
        RAISE EXCEPTION 'ledger_post: postings sum to %, not zero', v_sum USING ERRCODE = '22023';
    END IF;
    IF v_status IS NULL AND p_reverses IS NOT NULL THEN
        IF EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.reverses = p_reverses) THEN
            v_status := 'already_reversed';
            v_failed := NULL;
        END IF;
    END IF;
    IF v_status IS NULL AND v_failed IS NOT NULL THEN
        v_status := CASE WHEN v_kind = 'ISSUER' THEN 'budget_exceeded' ELSE 'insufficient_balance' END;
    END IF;
    IF v_status IS NOT NULL THEN
        -- Refused; unless the key was used before (maybe by a request that committed while we
        -- waited for the locks, and made this one fail): then that is the answer.
        SELECT t.id, t.request_hash, t.created_at INTO v_id, v_hash, v_at
        FROM ledger_transactions t WHERE t.idempotency_key = p_key;
        IF FOUND THEN
            status := CASE WHEN v_hash = p_hash THEN 'replayed' ELSE 'conflict' END;
            transaction_id := v_id;
            created_at := v_at;
            RETURN;
        END IF;
        status := v_status;
        failed_account := v_failed;
        RETURN;
    END IF;

    -- One statement writes the transaction, its postings and the new balances. A request with
    -- the same key may be in flight or have committed meanwhile: ON CONFLICT waits for it, and
    -- then nothing is written.
    WITH t AS (
        INSERT INTO ledger_transactions AS t (idempotency_key, request_hash, kind, memo, metadata, reverses, created_by)
        VALUES (p_key, p_hash, p_kind, coalesce(p_memo, ''), coalesce(p_metadata, '{}'), p_reverses, p_created_by)
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING t.id, t.created_at
    ), u AS (
        UPDATE ledger_accounts a SET balance = a.balance + x.amount
        FROM t, unnest(p_accounts, p_amounts) WITH ORDINALITY AS x (account_id, amount, ord)
        WHERE a.id = x.account_id
        RETURNING t.id AS transaction_id, a.id AS account_id, x.amount, a.balance, x.ord
    ), ins AS (
        INSERT INTO ledger_postings (transaction_id, account_id, amount, balance_after)
        SELECT u.transaction_id, u.account_id, u.amount, u.balance FROM u ORDER BY u.ord
        RETURNING 1
    )
    SELECT (SELECT t.id FROM t), (SELECT t.created_at FROM t), (SELECT array_agg(u.balance ORDER BY u.ord) FROM u)
    INTO v_id, v_at, balances;
    IF v_id IS NULL THEN
        SELECT t.id, t.request_hash, t.created_at INTO v_id, v_hash, v_at
        FROM ledger_transactions t WHERE t.idempotency_key = p_key;
        status := CASE WHEN v_hash = p_hash THEN 'replayed' ELSE 'conflict' END;
        transaction_id := v_id;
        created_at := v_at;
        RETURN;
    END IF;

    status := 'created';
    transaction_id := v_id;
    created_at := v_at;
END
$$;
-- +goose StatementEnd

-- ledger_post_batch writes several transactions in one call and one database transaction
-- (so one commit, one disk flush, for all of them): request j has p_counts[j] postings, taken in
-- turn from p_accounts and p_amounts; '' in p_created_by and p_reverses is NULL. It first locks
-- every account of the batch in id order, so that it never waits while holding some of its
-- locks: batches never deadlock, with each other or with single calls. It returns one row per
-- request, with ledger_post's result; any error fails the whole batch (nothing is written), and
-- the caller then posts the requests one by one.
-- +goose StatementBegin
CREATE FUNCTION ledger_post_batch(p_keys text[], p_hashes bytea[], p_kinds text[], p_counts int[], p_accounts uuid[],
        p_amounts bigint[], p_memos text[], p_metadata text[], p_created_by text[], p_reverses text[])
RETURNS TABLE (i int, status text, transaction_id uuid, created_at timestamptz, balances bigint[], failed_account uuid)
LANGUAGE plpgsql
SET plan_cache_mode = 'force_generic_plan'
AS $$
DECLARE
    k   int := coalesce(cardinality(p_keys), 0);
    pos int := 1;
    r   record;
BEGIN
    IF k < 1 OR k > 1000 OR cardinality(p_hashes) <> k OR cardinality(p_kinds) <> k OR cardinality(p_counts) <> k
            OR cardinality(p_memos) <> k OR cardinality(p_metadata) <> k OR cardinality(p_created_by) <> k
            OR cardinality(p_reverses) <> k OR cardinality(p_amounts) <> cardinality(p_accounts)
            OR (SELECT sum(c) FROM unnest(p_counts) c) <> cardinality(p_accounts) THEN
        RAISE EXCEPTION 'ledger_post_batch: one key, hash, kind, count, memo, metadata, creator and reversed transaction per request, counts adding up to the postings'
            USING ERRCODE = '22023';
    END IF;
    PERFORM 1 FROM ledger_accounts a WHERE a.id = ANY (p_accounts) ORDER BY a.id FOR NO KEY UPDATE;
    FOR j IN 1..k LOOP
        SELECT * INTO r FROM ledger_post(p_keys[j], p_hashes[j], p_kinds[j], p_accounts[pos:pos + p_counts[j] - 1],
            p_amounts[pos:pos + p_counts[j] - 1], p_memos[j], p_metadata[j]::jsonb, nullif(p_created_by[j], '')::uuid,
            nullif(p_reverses[j], '')::uuid);
        pos := pos + p_counts[j];
        i := j;
        status := r.status;
        transaction_id := r.transaction_id;
        created_at := r.created_at;
        balances := r.balances;
        failed_account := r.failed_account;
        RETURN NEXT;
    END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION ledger_post_batch(text[], bytea[], text[], int[], uuid[], bigint[], text[], text[], text[], text[]);
DROP FUNCTION ledger_post(text, bytea, text, uuid[], bigint[], text, jsonb, uuid, uuid);
DROP TABLE mint_records;
DROP TABLE coin_policies;
DROP TABLE ledger_postings;
DROP TABLE ledger_transactions;
DROP TABLE ledger_accounts;
DROP FUNCTION ledger_postings_check();
DROP FUNCTION ledger_accounts_fixed();
DROP FUNCTION ledger_guard();
DROP FUNCTION ledger_append_only();
DROP FUNCTION ledger_uuid7();
