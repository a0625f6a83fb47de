-- Sign-up and claiming (issue 13, part 2), and switching accounts off (user admin).
-- Kept identical in shape to migrations/postgres/0010_claims.sql; times are UTC.

-- What a member of the public asked a moderator: to list an organisation that is not on the
-- map yet (`signup`), or to become the editor of one that is (`claim`). Holds the contact's
-- name and address only until a moderator decided; the decision keeps them for the reply.
create table listing_request (
    id text primary key,
    -- signup | claim
    kind text not null,
    -- claim: the organisation claimed; signup: the organisation made when it was approved.
    organization_id text references organization (id) on delete cascade,
    -- claim: the service page the claim was made from (for the moderator's link).
    service_id text,
    organization_name text not null default '',
    description text not null default '',
    kvk_number text,
    website text,
    postcode text,
    place text,
    -- signup: the gemeente the postcode lies in (CBS code), so that its moderators see it;
    -- null: only moderators of the whole instance and administrators.
    gemeente_code text,
    contact_name text not null,
    contact_email text not null,
    contact_function text,
    message text,
    -- open | approved | rejected
    status text not null default 'open',
    reason text,
    created_at text not null,
    decided_at text,
    decided_by text references user_account (id) on delete set null
);
create index listing_request_status on listing_request (status, created_at);

-- Posts of the public forms per client address, for their rate limit (like login_failure).
create table public_form_post (
    id integer primary key autoincrement,
    throttle_key text not null,
    posted_at text not null
);
create index public_form_post_key on public_form_post (throttle_key, posted_at);

-- A disabled account cannot sign in; its sessions were ended when it was disabled.
alter table user_account add column disabled_at text;
