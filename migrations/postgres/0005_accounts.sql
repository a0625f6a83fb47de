-- Accounts (issue 13): people who sign in, what they may do, their sessions, and the tokens
-- organisations use on the API. Every secret (session id, reset or invitation link, API
-- token) is stored only as its SHA-256 hash, so a copy of the database signs nobody in.
-- Kept identical in shape to migrations/sqlite/0005_accounts.sql; times are UTC.

create table user_account (
    id text primary key,
    -- Lower-cased by the application before every write and lookup, so that unique means
    -- unique without regard to case.
    email text not null unique,
    name text not null default '',
    -- An argon2id PHC string; null until the person sets a password (invited, first admin).
    password_hash text,
    created_at timestamptz not null
);

-- What a person may do (src/auth: the roles and the one policy that reads them).
create table role_grant (
    id text primary key,
    user_id text not null references user_account (id) on delete cascade,
    -- professional | editor | moderator | administrator
    role text not null,
    -- For an editor: the organisation edited.
    organization_id text references organization (id) on delete cascade,
    -- For a moderator: the gemeente (CBS code) moderated; null = the whole instance.
    gemeente_code text,
    granted_at timestamptz not null,
    granted_by text references user_account (id) on delete set null
);
create unique index role_grant_unique
    on role_grant (user_id, role, coalesce(organization_id, ''), coalesce(gemeente_code, ''));

create table user_session (
    id_hash text primary key,
    user_id text not null references user_account (id) on delete cascade,
    created_at timestamptz not null,
    last_seen_at timestamptz not null,
    expires_at timestamptz not null
);
create index user_session_user on user_session (user_id);

-- Single-use links: password reset and invitation (the first administrator's too).
create table one_time_token (
    token_hash text primary key,
    user_id text not null references user_account (id) on delete cascade,
    -- reset | invitation
    purpose text not null,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    used_at timestamptz
);
create index one_time_token_user on one_time_token (user_id);

-- Failed sign-ins, counted per account (`account:<email>`) and per client address
-- (`address:<ip>`) over a sliding window for throttling.
create table login_failure (
    id bigserial primary key,
    throttle_key text not null,
    failed_at timestamptz not null
);
create index login_failure_key on login_failure (throttle_key, failed_at);

create table api_token (
    id text primary key,
    organization_id text not null references organization (id) on delete cascade,
    label text not null,
    token_hash text not null unique,
    created_at timestamptz not null,
    created_by text references user_account (id) on delete set null,
    last_used_at timestamptz,
    revoked_at timestamptz
);
create index api_token_organization on api_token (organization_id);

-- Secrets of the instance, made once at first start and shared by every instance on this
-- database: `csrf` keys the form tokens (src/web/account.rs).
create table instance_secret (
    name text primary key,
    value text not null
);
