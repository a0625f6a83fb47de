-- The activity calendar (src/domain/calendar.rs): one-off activities and dated exceptions to a
-- service's weekly times (an extra session, a cancelled one, one at other times). The SQLite
-- twin of this file lives in migrations/sqlite/ and must stay in step.
--
-- Not part of the schedule table: a service's schedules are replaced whole on every save of the
-- service (and of an HSDS import), which must not wipe the dated entries made meanwhile.
-- `target_id` names the schedule or event an exception concerns without a foreign key for that
-- reason: schedules keep their ids across saves, but are deleted and inserted again.
create table service_event (
    id text primary key,
    service_id text not null references service (id) on delete cascade,
    kind text not null check (kind in ('activity', 'extra', 'cancelled', 'changed')),
    event_date date not null,
    -- Local wall-clock times in Europe/Amsterdam, 'HH:MM' like schedule.opens_at.
    starts_at text,
    ends_at text,
    target_id text,
    title text,
    location text,
    note text,
    created_at timestamptz not null
);
create index service_event_service_idx on service_event (service_id, event_date);

-- Written in the same transactions as the change log: the same write lock (migration 0004).
create trigger serialize_writes before insert or update or delete on service_event
    for each statement execute function wijkwijzer_serialize_writes();
