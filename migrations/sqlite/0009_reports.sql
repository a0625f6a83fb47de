-- Mistakes reported by anyone ("Klopt er iets niet?", issue 13 part 7) and the reminders to
-- check stale listings (part 6). Kept identical in shape to
-- migrations/postgres/0009_reports.sql; times are UTC.

-- A report about one listing. The reporter's name and contact are optional and erased when
-- the report is closed: after that nobody needs them (src/reports.rs). The client address is
-- never stored (rate limiting happens in memory, src/limits.rs).
create table listing_report (
    id text primary key,
    service_id text not null references service (id) on delete cascade,
    -- tijden | adres | contact | bestaat-niet-meer | anders
    kind text not null,
    details text not null default '',
    reporter_name text,
    reporter_contact text,
    created_at text not null,
    closed_at text,
    closed_by text references user_account (id) on delete set null,
    -- aangepast | klopte-al | doorgestuurd | anders
    outcome text,
    outcome_note text
);
create index listing_report_open on listing_report (closed_at, created_at);
create index listing_report_service on listing_report (service_id);

-- One row per reminder about a stale listing: the claim an instance inserts BEFORE it mails
-- (`insert ... on conflict do nothing`; only the instance whose insert won sends), so that
-- several instances sharing one database send one reminder per listing per stale period.
-- `checked` names the period: the `assured_date` the listing had (YYYY-MM-DD), or `nooit`.
create table stale_reminder (
    service_id text not null references service (id) on delete cascade,
    checked text not null,
    sent_at text not null,
    primary key (service_id, checked)
);
