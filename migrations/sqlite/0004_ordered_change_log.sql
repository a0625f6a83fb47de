-- The PostgreSQL twin also makes write transactions commit in change-log order (SQLite runs one
-- write transaction at a time anyway, so there is nothing to add here for that).

-- The version of a service's search document is the newest seq logged for it (see
-- src/indexer.rs, reconciliation): looked up per service, so indexed.
create index change_log_service_idx on change_log (service_id, seq);
