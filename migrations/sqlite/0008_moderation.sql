-- Moderation, versions and history (issue 13, parts 4 and 5). Kept identical in shape to
-- migrations/postgres/0008_moderation.sql; times are UTC.

-- The version of a listing: 1 when written first, +1 on every published write (imports
-- included, in the same upsert statement), so that two edits of one version are recognised
-- as a conflict instead of the second silently overwriting the first.
alter table service add column version bigint not null default 1;
alter table location add column version bigint not null default 1;

-- A trusted organisation publishes its low-risk changes (times, phone, e-mail, ...) at once;
-- set by moderators (src/listings.rs documents the tiers).
alter table organization add column trusted boolean not null default false;

-- A proposed change waiting for (or decided by) a moderator. A pending new service or
-- location exists only here: nothing pending reaches pages, search, the API or exports.
create table change_request (
    id text primary key,
    -- 'service' or 'location'.
    entity text not null,
    listing_id text not null,
    organization_id text not null,
    -- The published version the proposal was based on; null for a new listing.
    base_version bigint,
    -- The whole proposed state (JSON of the domain type).
    proposed text not null,
    -- Per field: old and new as display text (JSON list of FieldChange).
    changes text not null,
    -- 'pending', 'approved', 'rejected' or 'withdrawn'.
    status text not null,
    -- A user's id, or an API token's id.
    proposed_by text not null,
    -- The proposer's role towards the organisation ('redacteur', 'api-sleutel', ...).
    proposed_role text not null,
    proposed_at text not null,
    decided_by text,
    decided_at text,
    -- Why a moderator rejected it: shown to the editor.
    reason text
);
create index change_request_pending on change_request (status, organization_id);
create index change_request_listing on change_request (listing_id);
create index change_request_proposer on change_request (proposed_by, proposed_at);

-- Every published change, per field, written in the same transaction as the change itself.
-- Who is kept as an id and a role: the HSDS API shows only the role.
create table listing_history (
    id text primary key,
    entity text not null,
    listing_id text not null,
    organization_id text not null,
    field text not null,
    label text not null,
    old_value text not null,
    new_value text not null,
    changed_by text,
    changed_role text not null,
    -- 'create' or 'update'.
    action text not null,
    changed_at text not null,
    -- The moderator who approved a change request, if it was one.
    approved_by text
);
create index listing_history_listing on listing_history (listing_id, changed_at);
