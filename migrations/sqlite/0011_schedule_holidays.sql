-- Schedules that do not run on Dutch public holidays ("gesloten op feestdagen", issue 13):
-- the agenda and the iCalendar feeds skip those days (src/domain/holidays.rs). In HSDS the
-- flag travels as the schedule's `notes`.
alter table schedule add column closed_on_holidays boolean not null default false;
