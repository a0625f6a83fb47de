-- The change log must reveal its rows in sequence order, or an indexer cannot tell a hole that
-- is a rolled-back transaction (skip it) from one that is still to commit (wait for it): with
-- concurrent writers, transaction A could draw seq 10, B seq 11 and commit first, and a reader
-- that saw 11 and moved its cursor past 10 (a rebuild starting at max(seq) did exactly that)
-- lost A's write for good. SQLite never has this: it runs one write transaction at a time.
--
-- So PostgreSQL does the same for writes to these tables: a statement trigger takes one
-- transaction-scoped advisory lock (key 2003397227, "wijk" in ASCII; src/store/mod.rs
-- WRITE_LOCK_KEY takes it explicitly where a transaction reads before it writes) before the
-- first row is written, so before a seq is drawn, and holds it until commit or rollback.
-- Write transactions therefore commit one after another in seq order; a hole a reader sees
-- is a rollback, final. Because the lock comes before any row lock, two writers cannot
-- deadlock on it. Readers (searches, pages, the API, the indexer) never take it.
--
-- A table added later that is written in the same transactions as the change log needs this
-- trigger too (for the deadlock argument; the order itself only needs it on change_log).
create function wijkwijzer_serialize_writes() returns trigger language plpgsql as $$
begin
    perform pg_advisory_xact_lock(2003397227);
    return null;
end
$$;

create trigger serialize_writes before insert or update or delete on change_log
    for each statement execute function wijkwijzer_serialize_writes();
create trigger serialize_writes before insert or update or delete on taxonomy
    for each statement execute function wijkwijzer_serialize_writes();
create trigger serialize_writes before insert or update or delete on taxonomy_term
    for each statement execute function wijkwijzer_serialize_writes();
create trigger serialize_writes before insert or update or delete on organization
    for each statement execute function wijkwijzer_serialize_writes();
create trigger serialize_writes before insert or update or delete on location
    for each statement execute function wijkwijzer_serialize_writes();
create trigger serialize_writes before insert or update or delete on address
    for each statement execute function wijkwijzer_serialize_writes();
create trigger serialize_writes before insert or update or delete on service
    for each statement execute function wijkwijzer_serialize_writes();
create trigger serialize_writes before insert or update or delete on service_at_location
    for each statement execute function wijkwijzer_serialize_writes();
create trigger serialize_writes before insert or update or delete on phone
    for each statement execute function wijkwijzer_serialize_writes();
create trigger serialize_writes before insert or update or delete on contact
    for each statement execute function wijkwijzer_serialize_writes();
create trigger serialize_writes before insert or update or delete on schedule
    for each statement execute function wijkwijzer_serialize_writes();
create trigger serialize_writes before insert or update or delete on service_area
    for each statement execute function wijkwijzer_serialize_writes();
create trigger serialize_writes before insert or update or delete on language
    for each statement execute function wijkwijzer_serialize_writes();
create trigger serialize_writes before insert or update or delete on cost_option
    for each statement execute function wijkwijzer_serialize_writes();
create trigger serialize_writes before insert or update or delete on attribute
    for each statement execute function wijkwijzer_serialize_writes();
create trigger serialize_writes before insert or update or delete on neighbourhood
    for each statement execute function wijkwijzer_serialize_writes();
create trigger serialize_writes before insert or update or delete on hsds_source
    for each statement execute function wijkwijzer_serialize_writes();

-- The version of a service's search document is the newest seq logged for it (see
-- src/indexer.rs, reconciliation): looked up per service, so indexed.
create index change_log_service_idx on change_log (service_id, seq);
