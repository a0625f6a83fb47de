-- Referrals with a closed loop (issue 14). Kept identical in shape to
-- migrations/postgres/0012_referrals.sql; times are UTC.
--
-- Privacy by construction (src/referrals.rs, src/privacy.rs): the personal fields of a
-- referral (name or initials, contact, preferred moments, note, notes on its events) are
-- stored only sealed with the referral's own data key, and that key only wrapped by the
-- instance's master key, which lives in the configuration. Purging a referral sets its
-- `wrapped_key` and sealed columns to null: its personal data is gone, its anonymous facts
-- (receiver, wijk, categories, route, statuses and dates) stay for the reports.

-- Which service does the Welzijn op Recept intake for an area (a wijk or a gemeente, by CBS
-- code): one intake point per area, set by moderators. The most specific area wins.
create table referral_intake (
    area_code text primary key,
    service_id text not null references service (id) on delete cascade,
    set_by text references user_account (id) on delete set null,
    set_at text not null
);

create table referral (
    id text primary key,
    -- The short code the resident holds (on the printed recept), e.g. K7M-4QX-P2: not
    -- personal, never enough on its own to see anything (a second factor is asked).
    code text not null unique,
    -- The receiving service and its organisation (kept when the service goes: counts stay).
    service_id text not null,
    organization_id text not null,
    -- zelf | welzijn | zorg: how the resident came (for the reports).
    route text not null,
    -- True when the receiver was chosen as the Welzijn op Recept intake for the resident's area.
    via_intake boolean not null default false,
    -- The referrer (null for a self-referral), in which capacity (huisarts, poh, buurtteam …)
    -- and for which organisation: facts about the professional, not the resident.
    referrer_id text references user_account (id) on delete set null,
    referrer_role text not null,
    referrer_organisation text not null default '',
    -- The resident's wijk (CBS code) from their postcode; never the postcode itself.
    wijk_code text,
    -- telefoon | email | sms: how the resident likes to be contacted (not personal).
    preferred_channel text not null,
    -- requested | accepted | rejected | cancelled | in-progress | on-hold | failed | completed
    status text not null,
    status_reason text,
    -- The activity the resident was matched to (a service in the directory).
    matched_service_id text,
    created_at text not null,
    first_response_at text,
    closed_at text,
    -- The consent the resident gave: when, and which text (its version).
    consent_at text not null,
    consent_version text not null,
    consent_withdrawn_at text,
    -- Reminders about an unanswered referral: first the receiver, then the referrer.
    receiver_reminded_at text,
    referrer_reminded_at text,
    -- Personal data, sealed (see above). Null once purged.
    master_key_id text,
    wrapped_key blob,
    sealed_name blob,
    sealed_contact blob,
    sealed_moments blob,
    sealed_note blob,
    -- A keyed hash (HMAC under a key derived from the master key) of initials + contact, to
    -- flag a duplicate without storing either in clear.
    duplicate_tag blob,
    purged_at text
);
create index referral_receiver on referral (organization_id, status, created_at);
create index referral_referrer on referral (referrer_id, created_at);
create index referral_duplicate on referral (service_id, duplicate_tag);
create index referral_closed on referral (purged_at, closed_at);
-- The figures per wijk (src/store/needs.rs) filter by the resident's wijk and period.
create index referral_wijk on referral (wijk_code, created_at);

-- The reasons for a referral as category chips (vocabulary codes), for the reports.
create table referral_category (
    referral_id text not null references referral (id) on delete cascade,
    category_code text not null,
    primary key (referral_id, category_code)
);

-- Every status a referral went through, with its date, for the referrer's "Mijn verwijzingen"
-- and the time to a first response. A note is sealed like the personal fields.
create table referral_event (
    id text primary key,
    referral_id text not null references referral (id) on delete cascade,
    status text not null,
    reason text,
    matched_service_id text,
    sealed_note blob,
    by_user text references user_account (id) on delete set null,
    by_role text not null,
    at text not null
);
create index referral_event_referral on referral_event (referral_id, at);

-- Who read a referral's personal data, when, in which role and why. Append-only: the
-- triggers refuse updates and deletes, also to the application itself.
create table referral_audit (
    id text primary key,
    referral_id text not null references referral (id),
    organization_id text not null,
    actor_id text,
    actor_role text not null,
    purpose text not null,
    at text not null
);
create index referral_audit_org on referral_audit (organization_id, at);
create index referral_audit_referral on referral_audit (referral_id, at);
create trigger referral_audit_no_update before update on referral_audit
begin
    select raise(abort, 'referral_audit is append-only');
end;
create trigger referral_audit_no_delete before delete on referral_audit
begin
    select raise(abort, 'referral_audit is append-only');
end;
