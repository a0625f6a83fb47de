//! Keeping listings true (issue 13): the use cases behind the edit forms, the write API and
//! moderation. Every change an editor, an API token or a moderator makes to a service or a
//! location passes here; who may do it is asked of the one policy ([`crate::auth::authorize`])
//! through [`Catalog::may_edit_organisation`].
//!
//! A proposal is a whole new state of a service (or location) plus the version it was based on.
//! What happens to it — published at once, held for a moderator, refused as a conflict, or
//! nothing because nothing changed — is decided here, not by the caller.

use uuid::Uuid;

use crate::auth::Actor;
use crate::catalog::{Catalog, ListingChangeError};
use crate::domain::{Location, Service, ServiceRecord};

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

impl Catalog {
    /// A service with its version, for the edit form; only for those who may edit it.
    pub async fn service_for_editing(
        &self,
        actor: &Actor,
        service_id: Uuid,
    ) -> Result<Editable<ServiceRecord>, ListingChangeError> {
        let record = self
            .service(service_id)
            .await?
            .ok_or(ListingChangeError::NoSuchService)?;
        self.may_edit_organisation(actor, record.service.organization_id)
            .await?
            .map_err(ListingChangeError::Denied)?;
        Ok(Editable {
            current: record,
            version: 0,
            pending: None,
        })
    }

    /// Proposes `proposed` as the new state of a service (a new service when `base_version` is
    /// `None`). Validates like an import does (field errors come back as
    /// [`ListingChangeError::Invalid`] naming the field).
    ///
    /// Skeleton: publishes directly; moderation, versions and history replace this body.
    pub async fn propose_service(
        &self,
        actor: &Actor,
        proposed: Service,
        base_version: Option<Version>,
    ) -> Result<Proposal, ListingChangeError> {
        let _ = base_version;
        self.may_edit_organisation(actor, proposed.organization_id)
            .await?
            .map_err(ListingChangeError::Denied)?;
        self.save_service(&proposed).await.map_err(invalid_or_internal)?;
        Ok(Proposal::Published)
    }

    /// Proposes `proposed` as the new state of a location of `organization` (a new location
    /// when `base_version` is `None`); the neighbourhoods are assigned from its point.
    ///
    /// Skeleton: publishes directly; moderation, versions and history replace this body.
    pub async fn propose_location(
        &self,
        actor: &Actor,
        organization: Uuid,
        proposed: Location,
        base_version: Option<Version>,
    ) -> Result<Proposal, ListingChangeError> {
        let _ = base_version;
        self.may_edit_organisation(actor, organization)
            .await?
            .map_err(ListingChangeError::Denied)?;
        let mut proposed = proposed;
        proposed.organization_id = Some(organization);
        self.save_location(&proposed)
            .await
            .map_err(invalid_or_internal)?;
        Ok(Proposal::Published)
    }
}

/// A save's error as the caller should see it: the field that is wrong, or an internal error.
fn invalid_or_internal(error: anyhow::Error) -> ListingChangeError {
    match error.downcast::<crate::domain::Invalid>() {
        Ok(invalid) => ListingChangeError::Invalid(invalid),
        Err(error) => ListingChangeError::Internal(error),
    }
}
