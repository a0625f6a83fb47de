-- The HSDS 3.0 document of an imported object, as it arrived (organization, service, location,
-- taxonomy, taxonomy_term). Our columns stay the source of truth for every field we model; this
-- keeps the fields we do not model (funding, programs, accessibility, nested phones, …) so that
-- an export gives back everything HSDS defines. The HSDS renderer lays our columns over it.
create table hsds_source (
    entity text not null,
    id text not null,
    body text not null,
    primary key (entity, id)
);
