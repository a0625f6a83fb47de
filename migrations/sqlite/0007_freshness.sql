-- Freshness and status (issue 13, part 6). `status` (HSDS: active, inactive, defunct,
-- temporarily closed) and `assured_date` exist since 0001; what was missing is the reason a
-- listing is closed, shown to visitors in a banner, and an index for the moderators' list of
-- listings not checked for a long time (`Store::stale_services`).
alter table service add column status_reason text;
create index service_assured_date on service (assured_date);
