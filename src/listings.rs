//! Keeping listings true (issue 13): the use cases behind the edit forms, the write API and
//! moderation. Every change an editor, an API token or a moderator makes to a service or a
//! location passes here; who may do it is asked of the one policy ([`crate::auth::authorize`]).
//!
//! A proposal is a whole new state of a service (or location) plus the version it was based on.
//! What happens to it — published at once, held for a moderator, refused as a conflict, or
//! nothing because nothing changed — is decided here, not by the caller:
//!
//! 1. Compared field by field with the published listing ([`diff_services`]): no difference,
//!    nothing is recorded ([`Proposal::Unchanged`]).
//! 2. Based on another version than the published one: [`ListingChangeError::Conflict`]; a
//!    change is never written over one the editor has not seen.
//! 3. The tier (see [`publishes_at_once`]) decides between publishing now and a change request
//!    for a moderator. Pending and rejected proposals live only in `change_request`: public
//!    pages, the search index, the HSDS API and exports read the published tables only.
//! 4. Publishing writes the listing (its version +1), one history row per changed field and, for
//!    an approval, the request's decision in one transaction through [`crate::store::WriteTx`],
//!    so the change log re-indexes it within the indexer's delay.

use std::collections::{BTreeMap, HashMap};

use time::OffsetDateTime;
use uuid::Uuid;

use crate::auth::{Action, Actor, Denied, OrgRef, authorize};
use crate::catalog::{Catalog, ListingChangeError};
use crate::domain::{
    FieldChange, Invalid, Location, Service, ServiceRecord, diff_locations, diff_services,
};
use crate::store::{ChangeRequestRow, Entity, HistoryRow, RequestStatus, StoreError};

/// The version of a listing an edit was based on: increases with every published change, so
/// that two edits of the same version are recognised as a conflict.
pub type Version = i64;

/// What became of a proposed change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proposal {
    /// The proposal equals the current listing: nothing was recorded.
    Unchanged,
    /// Published at once (low-risk fields of a trusted organisation, or a moderator's edit).
    Published,
    /// Waiting for a moderator: the change request's id.
    Pending { request: Uuid },
}

/// A listing as an editor starts from.
#[derive(Debug, Clone)]
pub struct Editable<T> {
    /// The published listing, or — when `pending` is set — the actor's own proposal still
    /// waiting for a moderator, so that submitting again changes that request.
    pub current: T,
    /// The published version the form is based on (sent back with the form).
    pub version: Version,
    /// The actor's own change request for this listing that is still waiting, if any.
    pub pending: Option<Uuid>,
}

/// The tiers (README, "Moderatie"). Fields whose change cannot mislead a visitor about *what*
/// is offered or *where*: a trusted organisation publishes these at once. Everything else
/// (name, categories, access route, address and point, ...) and every new listing waits for a
/// moderator.
pub const LOW_RISK_SERVICE_FIELDS: &[&str] = &[
    "schedules",
    "phone",
    "email",
    "contacts",
    "waiting_time",
    "description",
    "url",
];

/// As [`LOW_RISK_SERVICE_FIELDS`], for locations: how to get there and what it is like.
pub const LOW_RISK_LOCATION_FIELDS: &[&str] = &["description", "transportation"];

/// The tier decision, in one place: a moderator's (or administrator's, or the operator's)
/// own change publishes at once; a trusted organisation's change to an existing listing
/// publishes at once when it touches only low-risk fields; everything else waits.
pub fn publishes_at_once(
    moderates: bool,
    trusted: bool,
    is_new: bool,
    changes: &[FieldChange],
    low_risk: &[&str],
) -> bool {
    moderates
        || (trusted && !is_new && changes.iter().all(|c| low_risk.contains(&c.field.as_str())))
}

/// One request in the moderation queue.
#[derive(Debug, Clone)]
pub struct QueuedRequest {
    pub request: ChangeRequestRow,
    pub changes: Vec<FieldChange>,
    /// Another pending request on this listing is based on the same version: approving one
    /// makes the other a conflict.
    pub conflicting: bool,
    /// Based on an older version than the published one: can only be rejected.
    pub outdated: bool,
}

/// The pending requests of one listing.
#[derive(Debug, Clone)]
pub struct QueuedListing {
    pub entity: Entity,
    pub listing_id: Uuid,
    pub name: String,
    pub organization: String,
    pub organization_id: Uuid,
    pub trusted: bool,
    /// `None`: a new listing, not published yet.
    pub version: Option<Version>,
    pub requests: Vec<QueuedRequest>,
}

/// One of an editor's own requests.
#[derive(Debug, Clone)]
pub struct OwnRequest {
    pub request: ChangeRequestRow,
    pub name: String,
    pub changes: Vec<FieldChange>,
}

/// Who a published change is recorded under.
struct Author {
    id: Option<Uuid>,
    role: String,
    approved_by: Option<Uuid>,
}

impl Catalog {
    /// The organisation with the facts the policy needs.
    async fn org_ref(&self, id: Uuid) -> anyhow::Result<OrgRef> {
        Ok(OrgRef {
            id,
            gemeenten: self.store.organization_gemeenten(id).await?,
        })
    }

    async fn allowed(&self, actor: &Actor, action: &Action) -> Result<(), ListingChangeError> {
        authorize(actor, action).map_err(ListingChangeError::Denied)
    }

    /// A service with its version, for the edit form; only for those who may edit it.
    pub async fn service_for_editing(
        &self,
        actor: &Actor,
        service_id: Uuid,
    ) -> Result<Editable<ServiceRecord>, ListingChangeError> {
        let mut record = self
            .service(service_id)
            .await?
            .ok_or(ListingChangeError::NoSuchService)?;
        let org = self.org_ref(record.service.organization_id).await?;
        self.allowed(actor, &Action::EditOrganisation(org)).await?;
        let version = self.version_of(Entity::Service, service_id).await?;
        let pending = self.own_pending(actor, service_id).await?;
        if let Some(request) = &pending {
            record.service =
                serde_json::from_str(&request.proposed).map_err(anyhow::Error::from)?;
        }
        Ok(Editable {
            current: record,
            version,
            pending: pending.map(|r| r.id),
        })
    }

    /// A location with its version, for the edit form; only for those who may edit it.
    pub async fn location_for_editing(
        &self,
        actor: &Actor,
        location_id: Uuid,
    ) -> Result<Editable<Location>, ListingChangeError> {
        let (mut location, org) = self.organisation_location(location_id).await?;
        self.allowed(actor, &Action::EditOrganisation(org)).await?;
        let version = self.version_of(Entity::Location, location_id).await?;
        let pending = self.own_pending(actor, location_id).await?;
        if let Some(request) = &pending {
            location = stored_location(&request.proposed)?;
        }
        Ok(Editable {
            current: location,
            version,
            pending: pending.map(|r| r.id),
        })
    }

    /// A location with the organisation it belongs to. One without an organisation (from a
    /// feed that gave none) is nobody's to edit here.
    async fn organisation_location(
        &self,
        location_id: Uuid,
    ) -> Result<(Location, OrgRef), ListingChangeError> {
        let location = self
            .store
            .load_location(location_id)
            .await
            .map_err(anyhow::Error::from)?
            .ok_or(ListingChangeError::NoSuchService)?;
        let organization = location
            .organization_id
            .ok_or(ListingChangeError::Denied(Denied::Forbidden))?;
        let org = self.org_ref(organization).await?;
        Ok((location, org))
    }

    async fn version_of(&self, entity: Entity, id: Uuid) -> Result<Version, ListingChangeError> {
        self.store
            .listing_version(entity, id)
            .await
            .map_err(anyhow::Error::from)?
            .ok_or(ListingChangeError::NoSuchService)
    }

    async fn own_pending(
        &self,
        actor: &Actor,
        listing: Uuid,
    ) -> anyhow::Result<Option<ChangeRequestRow>> {
        Ok(match actor.id() {
            Some(id) => self.store.pending_request_of(id, listing).await?,
            None => None,
        })
    }

    /// Proposes `proposed` as the new state of a service (a new service when `base_version` is
    /// `None`). Validates like an import does (field errors come back as
    /// [`ListingChangeError::Invalid`] naming the field). See the module for what happens.
    pub async fn propose_service(
        &self,
        actor: &Actor,
        proposed: Service,
        base_version: Option<Version>,
    ) -> Result<Proposal, ListingChangeError> {
        let org = self.org_ref(proposed.organization_id).await?;
        self.allowed(actor, &Action::EditOrganisation(org.clone()))
            .await?;
        let current = self.service(proposed.id).await?.map(|r| r.service);
        let mut proposed = proposed;
        if let Some(current) = &current {
            // The organisation in the proposal is the one the permission was asked for: a
            // listing of another organisation cannot be reached by naming one's own.
            if current.organization_id != proposed.organization_id {
                return Err(ListingChangeError::Denied(Denied::Forbidden));
            }
            // "Klopt nog" is its own use case (no moderation); an edit keeps the date.
            proposed.assured_date = current.assured_date;
        }
        self.check_service(&proposed)
            .map_err(ListingChangeError::Invalid)?;
        let changes = diff_services(current.as_ref(), &proposed);
        let proposal = Proposed {
            entity: Entity::Service,
            id: proposed.id,
            org,
            exists: current.is_some(),
            base_version,
            changes,
            low_risk: LOW_RISK_SERVICE_FIELDS,
            json: serde_json::to_string(&proposed).map_err(anyhow::Error::from)?,
        };
        self.decide(actor, proposal, |catalog, tx| {
            Box::pin(async move {
                tx.upsert_service(&proposed, &catalog.vocabulary, None)
                    .await
            })
        })
        .await
    }

    /// Proposes `proposed` as the new state of a location of `organization` (a new location
    /// when `base_version` is `None`); the neighbourhoods are assigned from its point when it
    /// is published.
    pub async fn propose_location(
        &self,
        actor: &Actor,
        organization: Uuid,
        proposed: Location,
        base_version: Option<Version>,
    ) -> Result<Proposal, ListingChangeError> {
        let org = self.org_ref(organization).await?;
        self.allowed(actor, &Action::EditOrganisation(org.clone()))
            .await?;
        let current = self
            .store
            .load_location(proposed.id)
            .await
            .map_err(anyhow::Error::from)?;
        if current
            .as_ref()
            .is_some_and(|c| c.organization_id != Some(organization))
        {
            return Err(ListingChangeError::Denied(Denied::Forbidden));
        }
        let mut proposed = proposed;
        proposed.organization_id = Some(organization);
        proposed.validate().map_err(ListingChangeError::Invalid)?;
        let changes = diff_locations(current.as_ref(), &proposed);
        let proposal = Proposed {
            entity: Entity::Location,
            id: proposed.id,
            org,
            exists: current.is_some(),
            base_version,
            changes,
            low_risk: LOW_RISK_LOCATION_FIELDS,
            json: serde_json::to_string(&proposed).map_err(anyhow::Error::from)?,
        };
        let placed = self.placed(&proposed);
        self.decide(actor, proposal, |_, tx| {
            Box::pin(async move { tx.upsert_location(&placed, None).await })
        })
        .await
    }

    /// Steps 1–3 of the module's list for either kind of listing; `write` publishes.
    async fn decide<W>(
        &self,
        actor: &Actor,
        proposal: Proposed,
        write: W,
    ) -> Result<Proposal, ListingChangeError>
    where
        W: for<'a> FnOnce(&'a Catalog, &'a mut crate::store::WriteTx) -> WriteFuture<'a>,
    {
        match (proposal.exists, proposal.base_version) {
            (false, Some(_)) => return Err(ListingChangeError::NoSuchService),
            // A "new" listing with the id of a published one.
            (true, None) => {
                let current = self
                    .store
                    .listing_version(proposal.entity, proposal.id)
                    .await;
                return Err(ListingChangeError::Conflict {
                    current: current.map_err(anyhow::Error::from)?,
                });
            }
            _ => {}
        }
        let pending = self.own_pending(actor, proposal.id).await?;
        if proposal.changes.is_empty() {
            // Back to what is published: the editor's waiting request has nothing left to ask.
            self.supersede(pending, actor).await?;
            return Ok(Proposal::Unchanged);
        }
        if proposal.exists {
            let current = self
                .store
                .listing_version(proposal.entity, proposal.id)
                .await
                .map_err(anyhow::Error::from)?;
            if current != proposal.base_version {
                return Err(ListingChangeError::Conflict { current });
            }
        }
        let moderates =
            authorize(actor, &Action::ModerateOrganisation(proposal.org.clone())).is_ok();
        let trusted = self
            .store
            .organization_trusted(proposal.org.id)
            .await
            .map_err(anyhow::Error::from)?;
        let role = actor.role_towards(&proposal.org).to_string();
        if publishes_at_once(
            moderates,
            trusted,
            !proposal.exists,
            &proposal.changes,
            proposal.low_risk,
        ) {
            let author = Author {
                id: actor.id(),
                role,
                approved_by: None,
            };
            self.publish(&proposal, &author, None, write).await?;
            // The whole new state is published; an older waiting proposal of the same editor
            // is superseded by it.
            self.supersede(pending, actor).await?;
            return Ok(Proposal::Published);
        }
        let Some(proposer) = actor.id() else {
            // Only the operator (System) has no id, and it always publishes.
            return Err(ListingChangeError::Denied(Denied::Forbidden));
        };
        let row = ChangeRequestRow {
            id: Uuid::new_v4(),
            entity: proposal.entity,
            listing_id: proposal.id,
            organization_id: proposal.org.id,
            base_version: proposal.base_version,
            proposed: proposal.json.clone(),
            changes: serde_json::to_string(&proposal.changes).map_err(anyhow::Error::from)?,
            status: RequestStatus::Pending,
            proposed_by: proposer,
            proposed_role: role,
            proposed_at: OffsetDateTime::now_utc(),
            decided_at: None,
            reason: None,
        };
        let request = self
            .store
            .save_change_request(&row, pending.map(|p| p.id))
            .await
            .map_err(anyhow::Error::from)?;
        Ok(Proposal::Pending { request })
    }

    /// Writes a listing, its history and (for an approval) the request's decision in one
    /// transaction. The version is checked by the write itself: it must come out one above
    /// the base (1 for a new listing), else another write came first and all is undone.
    async fn publish<W>(
        &self,
        proposal: &Proposed,
        author: &Author,
        approves: Option<Uuid>,
        write: W,
    ) -> Result<(), ListingChangeError>
    where
        W: for<'a> FnOnce(&'a Catalog, &'a mut crate::store::WriteTx) -> WriteFuture<'a>,
    {
        let mut tx = self.store.begin().await.map_err(anyhow::Error::from)?;
        write(self, &mut tx).await.map_err(store_error)?;
        let version = tx
            .listing_version(proposal.entity, proposal.id)
            .await
            .map_err(anyhow::Error::from)?;
        let expected = proposal.base_version.map_or(1, |v| v + 1);
        if version != Some(expected) {
            tx.rollback().await.map_err(anyhow::Error::from)?;
            return Err(ListingChangeError::Conflict {
                current: version.map(|v| v - 1),
            });
        }
        let action = if proposal.base_version.is_none() {
            "create"
        } else {
            "update"
        };
        let rows = history_rows(
            proposal.entity,
            proposal.id,
            proposal.org.id,
            &proposal.changes,
            author,
            action,
        );
        tx.record_history(&rows)
            .await
            .map_err(anyhow::Error::from)?;
        if let Some(request) = approves
            && !tx
                .approve_change_request(request, author.approved_by)
                .await
                .map_err(anyhow::Error::from)?
        {
            tx.rollback().await.map_err(anyhow::Error::from)?;
            return Err(ListingChangeError::NotPending);
        }
        tx.commit().await.map_err(anyhow::Error::from)?;
        self.indexer.nudge();
        Ok(())
    }

    /// Closes a pending request; [`ListingChangeError::NotPending`] when it no longer was.
    async fn close_request(
        &self,
        request: Uuid,
        status: RequestStatus,
        by: Option<Uuid>,
        reason: Option<&str>,
    ) -> Result<(), ListingChangeError> {
        if self
            .store
            .close_change_request(request, status, by, reason)
            .await
            .map_err(anyhow::Error::from)?
        {
            Ok(())
        } else {
            Err(ListingChangeError::NotPending)
        }
    }

    /// The actor's waiting request has nothing left to ask: what it proposed is published,
    /// or the actor went back to what is. Already decided meanwhile is fine too.
    async fn supersede(
        &self,
        pending: Option<ChangeRequestRow>,
        actor: &Actor,
    ) -> Result<(), ListingChangeError> {
        let Some(request) = pending else {
            return Ok(());
        };
        match self
            .close_request(request.id, RequestStatus::Withdrawn, actor.id(), None)
            .await
        {
            Ok(()) | Err(ListingChangeError::NotPending) => Ok(()),
            Err(err) => Err(err),
        }
    }

    /// A request the actor may moderate, with its organisation.
    async fn moderated_request(
        &self,
        actor: &Actor,
        request: Uuid,
    ) -> Result<(ChangeRequestRow, OrgRef), ListingChangeError> {
        // Before looking the request up: a visitor is sent to sign in, a non-moderator is
        // refused, whether or not the id exists.
        self.allowed(actor, &Action::OpenModerationQueue).await?;
        let row = self
            .store
            .change_request(request)
            .await
            .map_err(anyhow::Error::from)?
            .ok_or(ListingChangeError::NoSuchRequest)?;
        let org = self.org_ref(row.organization_id).await?;
        self.allowed(actor, &Action::ModerateOrganisation(org.clone()))
            .await?;
        if row.status != RequestStatus::Pending {
            return Err(ListingChangeError::NotPending);
        }
        Ok((row, org))
    }

    /// A moderator approves a request: published as proposed, if the listing is still at the
    /// version the request was based on (else a conflict: it can only be rejected, and the
    /// editor redoes it on the current version).
    pub async fn approve_request(
        &self,
        actor: &Actor,
        request: Uuid,
    ) -> Result<(), ListingChangeError> {
        let (row, org) = self.moderated_request(actor, request).await?;
        let current = self
            .store
            .listing_version(row.entity, row.listing_id)
            .await
            .map_err(anyhow::Error::from)?;
        if current != row.base_version {
            return Err(ListingChangeError::Conflict { current });
        }
        let proposal = Proposed {
            entity: row.entity,
            id: row.listing_id,
            org,
            exists: current.is_some(),
            base_version: row.base_version,
            changes: serde_json::from_str(&row.changes).map_err(anyhow::Error::from)?,
            low_risk: &[],
            json: String::new(),
        };
        let author = Author {
            id: Some(row.proposed_by),
            role: row.proposed_role.clone(),
            approved_by: actor.id(),
        };
        match row.entity {
            Entity::Service => {
                let service: Service =
                    serde_json::from_str(&row.proposed).map_err(anyhow::Error::from)?;
                self.check_service(&service)
                    .map_err(ListingChangeError::Invalid)?;
                self.publish(&proposal, &author, Some(row.id), |catalog, tx| {
                    Box::pin(
                        async move { tx.upsert_service(&service, &catalog.vocabulary, None).await },
                    )
                })
                .await
            }
            Entity::Location => {
                let location = stored_location(&row.proposed)?;
                let placed = self.placed(&location);
                self.publish(&proposal, &author, Some(row.id), |_, tx| {
                    Box::pin(async move { tx.upsert_location(&placed, None).await })
                })
                .await
            }
        }
    }

    /// A moderator rejects a request with a reason the editor reads.
    pub async fn reject_request(
        &self,
        actor: &Actor,
        request: Uuid,
        reason: &str,
    ) -> Result<(), ListingChangeError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(ListingChangeError::Invalid(Invalid::new(
                "reden",
                "Schrijf op waarom u de wijziging afwijst: de redacteur leest het.",
            )));
        }
        if reason.chars().count() > 1000 {
            return Err(ListingChangeError::Invalid(Invalid::new(
                "reden",
                "De reden is te lang (meer dan 1000 tekens).",
            )));
        }
        self.moderated_request(actor, request).await?;
        self.close_request(request, RequestStatus::Rejected, actor.id(), Some(reason))
            .await
    }

    /// The proposer withdraws their own pending request.
    pub async fn withdraw_request(
        &self,
        actor: &Actor,
        request: Uuid,
    ) -> Result<(), ListingChangeError> {
        if *actor == Actor::Visitor {
            return Err(ListingChangeError::Denied(Denied::NotSignedIn));
        }
        let row = self
            .store
            .change_request(request)
            .await
            .map_err(anyhow::Error::from)?
            .ok_or(ListingChangeError::NoSuchRequest)?;
        self.allowed(
            actor,
            &Action::WithdrawChangeRequest {
                proposed_by: row.proposed_by,
            },
        )
        .await?;
        self.close_request(request, RequestStatus::Withdrawn, actor.id(), None)
            .await
    }

    /// A moderator marks an organisation trusted (its low-risk changes publish at once) or not.
    pub async fn set_trusted(
        &self,
        actor: &Actor,
        organization: Uuid,
        trusted: bool,
    ) -> Result<(), ListingChangeError> {
        let org = self.org_ref(organization).await?;
        self.allowed(actor, &Action::ModerateOrganisation(org))
            .await?;
        if !self
            .store
            .set_organization_trusted(organization, trusted)
            .await
            .map_err(anyhow::Error::from)?
        {
            return Err(ListingChangeError::NoSuchOrganisation);
        }
        Ok(())
    }

    /// The moderation queue: the pending requests of the organisations `actor` moderates,
    /// grouped per listing.
    pub async fn moderation_queue(
        &self,
        actor: &Actor,
    ) -> Result<Vec<QueuedListing>, ListingChangeError> {
        self.allowed(actor, &Action::OpenModerationQueue).await?;
        let pending = self
            .store
            .pending_requests()
            .await
            .map_err(anyhow::Error::from)?;
        let mut may: HashMap<Uuid, bool> = HashMap::new();
        let mut groups: BTreeMap<(Uuid, &'static str), Vec<ChangeRequestRow>> = BTreeMap::new();
        for row in pending {
            let allowed = match may.get(&row.organization_id) {
                Some(allowed) => *allowed,
                None => {
                    let org = self.org_ref(row.organization_id).await?;
                    let allowed = authorize(actor, &Action::ModerateOrganisation(org)).is_ok();
                    may.insert(row.organization_id, allowed);
                    allowed
                }
            };
            if allowed {
                groups
                    .entry((row.listing_id, row.entity.as_str()))
                    .or_default()
                    .push(row);
            }
        }
        let mut out = Vec::with_capacity(groups.len());
        for ((listing_id, _), rows) in groups {
            let entity = rows[0].entity;
            let organization_id = rows[0].organization_id;
            let version = self
                .store
                .listing_version(entity, listing_id)
                .await
                .map_err(anyhow::Error::from)?;
            let name = match self.published_name(entity, listing_id).await? {
                Some(name) => name,
                None => proposed_name(&rows[0]),
            };
            let organization = self
                .store
                .organization_name(organization_id)
                .await
                .map_err(anyhow::Error::from)?
                .unwrap_or_default();
            let trusted = self
                .store
                .organization_trusted(organization_id)
                .await
                .map_err(anyhow::Error::from)?;
            let requests = rows
                .iter()
                .map(|row| {
                    Ok(QueuedRequest {
                        changes: serde_json::from_str(&row.changes)?,
                        conflicting: rows.iter().any(|other| {
                            other.id != row.id && other.base_version == row.base_version
                        }),
                        outdated: row.base_version != version,
                        request: row.clone(),
                    })
                })
                .collect::<Result<Vec<_>, serde_json::Error>>()
                .map_err(anyhow::Error::from)?;
            out.push(QueuedListing {
                entity,
                listing_id,
                name,
                organization,
                organization_id,
                trusted,
                version,
                requests,
            });
        }
        Ok(out)
    }

    async fn published_name(
        &self,
        entity: Entity,
        id: Uuid,
    ) -> Result<Option<String>, ListingChangeError> {
        Ok(match entity {
            Entity::Service => self.service(id).await?.map(|r| r.service.name),
            Entity::Location => self
                .store
                .load_location(id)
                .await
                .map_err(anyhow::Error::from)?
                .map(|l| l.name.unwrap_or_else(|| "Locatie zonder naam".into())),
        })
    }

    /// The actor's own requests, newest first.
    pub async fn own_requests(&self, actor: &Actor) -> Result<Vec<OwnRequest>, ListingChangeError> {
        let Some(id) = actor.id() else {
            return Err(ListingChangeError::Denied(Denied::NotSignedIn));
        };
        let rows = self
            .store
            .requests_by(id, 200)
            .await
            .map_err(anyhow::Error::from)?;
        rows.into_iter()
            .map(|row| {
                Ok(OwnRequest {
                    name: proposed_name(&row),
                    changes: serde_json::from_str(&row.changes).map_err(anyhow::Error::from)?,
                    request: row,
                })
            })
            .collect()
    }

    /// A service's published changes, newest first, for its organisation's editors and
    /// moderators; with the service's name.
    pub async fn service_history(
        &self,
        actor: &Actor,
        service_id: Uuid,
    ) -> Result<(String, Vec<HistoryRow>), ListingChangeError> {
        let record = self
            .service(service_id)
            .await?
            .ok_or(ListingChangeError::NoSuchService)?;
        let org = self.org_ref(record.service.organization_id).await?;
        self.allowed(actor, &Action::ReadOrganisationPrivate(org))
            .await?;
        let rows = self
            .store
            .history_of(service_id)
            .await
            .map_err(anyhow::Error::from)?;
        Ok((record.service.name, rows))
    }

    /// A location's published changes, newest first, for the same people as a service's.
    pub async fn location_history(
        &self,
        actor: &Actor,
        location_id: Uuid,
    ) -> Result<(String, Vec<HistoryRow>), ListingChangeError> {
        let (location, org) = self.organisation_location(location_id).await?;
        self.allowed(actor, &Action::ReadOrganisationPrivate(org))
            .await?;
        let rows = self
            .store
            .history_of(location_id)
            .await
            .map_err(anyhow::Error::from)?;
        let name = location
            .name
            .or_else(|| location.address.map(|a| a.address_1))
            .unwrap_or_else(|| "deze locatie".into());
        Ok((name, rows))
    }
}

/// One history row per changed field, all at this moment.
fn history_rows(
    entity: Entity,
    id: Uuid,
    organization: Uuid,
    changes: &[FieldChange],
    author: &Author,
    action: &str,
) -> Vec<HistoryRow> {
    let now = OffsetDateTime::now_utc();
    changes
        .iter()
        .map(|c| HistoryRow {
            entity,
            listing_id: id,
            organization_id: organization,
            field: c.field.clone(),
            label: c.label.clone(),
            old_value: c.old.clone(),
            new_value: c.new.clone(),
            changed_by: author.id,
            changed_role: author.role.clone(),
            action: action.into(),
            changed_at: now,
            approved_by: author.approved_by,
        })
        .collect()
}

impl Catalog {
    /// The history rows of a change `actor` makes to a service outside moderation (its
    /// status, "klopt nog"), for the caller's write transaction.
    pub(crate) async fn direct_history(
        &self,
        actor: &Actor,
        organization: Uuid,
        service_id: Uuid,
        changes: &[FieldChange],
    ) -> anyhow::Result<Vec<HistoryRow>> {
        let org = self.org_ref(organization).await?;
        let author = Author {
            id: actor.id(),
            role: actor.role_towards(&org).to_string(),
            approved_by: None,
        };
        Ok(history_rows(
            Entity::Service,
            service_id,
            organization,
            changes,
            &author,
            "update",
        ))
    }
}

/// A proposal on its way through [`Catalog::decide`] and [`Catalog::publish`].
struct Proposed {
    entity: Entity,
    id: Uuid,
    org: OrgRef,
    exists: bool,
    base_version: Option<Version>,
    changes: Vec<FieldChange>,
    low_risk: &'static [&'static str],
    json: String,
}

/// The write that publishes a listing, inside the transaction [`Catalog::publish`] opened.
type WriteFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), StoreError>> + Send + 'a>>;

/// The name a request's proposal gives its listing.
fn proposed_name(row: &ChangeRequestRow) -> String {
    serde_json::from_str::<serde_json::Value>(&row.proposed)
        .ok()
        .and_then(|v| v.get("name")?.as_str().map(str::to_string))
        .unwrap_or_else(|| "Zonder naam".into())
}

/// A failed write as the caller should see it: a missing location or organisation is the
/// proposal's mistake, anything else is internal.
fn store_error(error: StoreError) -> ListingChangeError {
    match error {
        StoreError::MissingReference { entity, .. } => ListingChangeError::Invalid(Invalid::new(
            if entity == "location" {
                "location_ids"
            } else {
                entity
            },
            "verwijst naar iets dat (nog) niet gepubliceerd is",
        )),
        other => ListingChangeError::Internal(other.into()),
    }
}

/// A location proposal as stored. Its `placement` is written with it but derived again on
/// publishing, and the type refuses it as input (unknown fields are refused, and the
/// placement is never taken from input): leave it out before reading.
fn stored_location(json: &str) -> anyhow::Result<Location> {
    let mut value: serde_json::Value = serde_json::from_str(json)?;
    if let Some(object) = value.as_object_mut() {
        object.remove("placement");
    }
    Ok(serde_json::from_value(value)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(field: &str) -> FieldChange {
        FieldChange {
            field: field.into(),
            label: field.into(),
            old: "a".into(),
            new: "b".into(),
        }
    }

    #[test]
    fn the_tiers() {
        let low = LOW_RISK_SERVICE_FIELDS;
        let phone = [change("phone"), change("schedules")];
        let name = [change("phone"), change("name")];
        // (moderates, trusted, new, changes) -> at once?
        assert!(publishes_at_once(false, true, false, &phone, low));
        assert!(
            !publishes_at_once(false, false, false, &phone, low),
            "untrusted"
        );
        assert!(!publishes_at_once(false, true, false, &name, low), "name");
        assert!(!publishes_at_once(false, true, true, &phone, low), "new");
        assert!(
            publishes_at_once(true, false, true, &name, low),
            "moderator"
        );
        assert!(!publishes_at_once(
            false,
            true,
            false,
            &[change("address")],
            LOW_RISK_LOCATION_FIELDS
        ));
    }
}
