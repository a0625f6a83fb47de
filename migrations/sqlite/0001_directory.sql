-- Wijkwijzer directory schema, shaped after Open Referral HSDS 3.0 so the HSDS API and
-- import/export map onto it without loss. Ids are UUIDs in canonical text form.
-- The PostgreSQL twin of this file lives in migrations/postgres/ and must stay in step.

create table taxonomy (
    id text primary key,
    name text not null,
    description text not null,
    uri text,
    version text
);

create table taxonomy_term (
    id text primary key,
    code text,
    name text not null,
    description text not null,
    parent_id text references taxonomy_term (id),
    taxonomy text,
    taxonomy_id text references taxonomy (id),
    language text,
    term_uri text,
    sort_order integer
);
create unique index taxonomy_term_code_key on taxonomy_term (taxonomy_id, code);

create table organization (
    id text primary key,
    name text not null,
    alternate_name text,
    description text not null,
    email text,
    website text,
    tax_status text,
    tax_id text,
    year_incorporated bigint,
    legal_status text,
    logo text,
    uri text,
    parent_organization_id text references organization (id),
    provider_type text,
    phone text,
    updated_at text not null
);

create table location (
    id text primary key,
    location_type text not null default 'physical',
    url text,
    organization_id text references organization (id) on delete cascade,
    name text,
    alternate_name text,
    description text,
    transportation text,
    latitude double precision,
    longitude double precision,
    external_identifier text,
    external_identifier_type text,
    wheelchair_accessible boolean,
    -- Assigned by point-in-polygon whenever the location is written (CBS codes).
    gemeente_code text,
    wijk_code text,
    buurt_code text,
    updated_at text not null
);
create index location_organization_idx on location (organization_id);
create index location_wijk_idx on location (wijk_code);

create table address (
    id text primary key,
    location_id text not null references location (id) on delete cascade,
    attention text,
    address_1 text not null,
    address_2 text,
    city text not null,
    region text,
    state_province text not null default '',
    postal_code text not null,
    country text not null default 'NL',
    address_type text not null default 'physical'
);
create index address_location_idx on address (location_id);

create table service (
    id text primary key,
    organization_id text not null references organization (id) on delete cascade,
    program_id text,
    name text not null,
    alternate_name text,
    description text,
    url text,
    email text,
    phone text,
    status text not null default 'active',
    interpretation_services text,
    application_process text,
    fees_description text,
    wait_time text,
    fees text,
    accreditations text,
    eligibility_description text,
    minimum_age integer,
    maximum_age integer,
    assured_date text,
    assurer_email text,
    licenses text,
    alert text,
    -- What Dutch professionals filter on (exported as HSDS attributes).
    access_route text not null default 'open',
    accepts_referrals boolean not null default false,
    welzijn_op_recept boolean not null default false,
    formality text not null default 'formal',
    initiative text,
    setting text not null default 'in_person',
    group_format text not null default 'group',
    cost_kind text not null default 'free',
    cost_amount double precision,
    cost_description text,
    last_modified text not null
);
create index service_organization_idx on service (organization_id);

create table service_at_location (
    id text primary key,
    service_id text not null references service (id) on delete cascade,
    location_id text not null references location (id) on delete cascade,
    description text
);
create unique index service_at_location_pair_key on service_at_location (service_id, location_id);
create index service_at_location_location_idx on service_at_location (location_id);

create table phone (
    id text primary key,
    location_id text references location (id) on delete cascade,
    service_id text references service (id) on delete cascade,
    organization_id text references organization (id) on delete cascade,
    contact_id text,
    service_at_location_id text,
    number text not null,
    extension bigint,
    type text,
    description text
);
create index phone_service_idx on phone (service_id);

create table contact (
    id text primary key,
    organization_id text references organization (id) on delete cascade,
    service_id text references service (id) on delete cascade,
    service_at_location_id text,
    location_id text references location (id) on delete cascade,
    name text,
    title text,
    department text,
    email text,
    phone text
);
create index contact_service_idx on contact (service_id);

create table schedule (
    id text primary key,
    service_id text references service (id) on delete cascade,
    location_id text references location (id) on delete cascade,
    service_at_location_id text,
    valid_from text,
    valid_to text,
    dtstart text,
    timezone double precision,
    until text,
    count bigint,
    wkst text,
    freq text,
    interval bigint,
    byday text,
    byweekno text,
    bymonthday text,
    byyearday text,
    description text,
    opens_at text,
    closes_at text,
    schedule_link text,
    attending_type text,
    notes text
);
create index schedule_service_idx on schedule (service_id);

create table service_area (
    id text primary key,
    service_id text not null references service (id) on delete cascade,
    name text,
    description text,
    extent text,
    extent_type text,
    uri text,
    -- A CBS neighbourhood code (GM/WK/BU) when the area is one of ours.
    area_code text
);
create index service_area_service_idx on service_area (service_id);
create index service_area_code_idx on service_area (area_code);

create table language (
    id text primary key,
    service_id text references service (id) on delete cascade,
    location_id text references location (id) on delete cascade,
    phone_id text,
    name text,
    code text,
    note text
);
create index language_service_idx on language (service_id);

create table cost_option (
    id text primary key,
    service_id text not null references service (id) on delete cascade,
    valid_from text,
    valid_to text,
    option text,
    currency text,
    amount double precision,
    amount_description text
);

-- HSDS attributes: links any object to a taxonomy term. Our categories and target groups of a
-- service are attributes with link_type 'category' / 'target_group'.
create table attribute (
    id text primary key,
    link_id text not null,
    link_type text,
    link_entity text not null,
    taxonomy_term_id text not null references taxonomy_term (id),
    value text,
    label text
);
create index attribute_link_idx on attribute (link_entity, link_id);
create index attribute_term_idx on attribute (taxonomy_term_id);

-- CBS neighbourhoods (reference data loaded from assets/geo at migrate time).
create table neighbourhood (
    code text primary key,
    name text not null,
    level text not null check (level in ('gemeente', 'wijk', 'buurt')),
    parent_code text references neighbourhood (code),
    geometry text not null
);

-- The transactional change log (outbox) that feeds the search index. Every write to a service
-- or anything it shows appends a row in the same transaction. Each service instance keeps its
-- own cursor (the last seq it applied) inside its own index, so several instances can share
-- one database without coordinating.
create table change_log (
    seq integer primary key autoincrement,
    service_id text not null,
    changed_at text not null
);
