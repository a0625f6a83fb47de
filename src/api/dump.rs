//! `format=ndjson` on the HSDS lists: every matching item, one JSON document per line, streamed.
//!
//! A dump of 20,000 full services used to be built whole in memory (79 MB of text, RSS 39 →
//! 749 MB; eight at once: 2.6 GB and empty 503s, because the body was not ready within the
//! request timeout). Now the handler resolves only the ordered ids (16 bytes a service) before
//! it answers; a task then loads, renders and writes one chunk of records at a time into a
//! bounded channel that the response body drains. So memory per dump is one chunk plus the
//! channel, whatever the size of the directory; the response head goes out at once (the
//! request timeout only covers the head); and a client that reads slowly holds the producer
//! back (backpressure) instead of making it buffer. A client that stops reading altogether
//! is disconnected by the server's stall timeout (`--stall-timeout`, `src/server.rs`); either
//! way the receiver is dropped and the task ends at its next write.
//!
//! A database error midway cannot become a status code any more (the head is sent): the body
//! then ends with an error, so the client sees a broken transfer (no final chunk), never a
//! dump that looks complete.

use std::collections::HashMap;
use std::future::Future;

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use uuid::Uuid;

use crate::catalog::Catalog;
use crate::domain::ServiceRecord;
use crate::hsds::export::{load_sources, organization_documents};
use crate::hsds::render::{self, Shape, Terms};
use crate::search::GeoPoint;

/// Services loaded, rendered and written per round trip to the database: few enough that a
/// chunk of full documents stays around a megabyte, enough that the queries per chunk (a
/// handful, each with an `in` list) are not the cost.
pub const SERVICES_PER_CHUNK: usize = 200;
/// Organisations per chunk. A full organisation nests all its services, so fewer.
pub const ORGANIZATIONS_PER_CHUNK: usize = 20;
/// Lines are gathered into writes of about this size (one write per line would be a channel
/// hand-off and an HTTP chunk header per line).
const WRITE_BYTES: usize = 64 * 1024;
/// Writes waiting in the channel. With [`WRITE_BYTES`] this bounds what a dump holds beyond
/// the chunk being rendered (plus what hyper and the socket buffer).
const CHANNEL_WRITES: usize = 4;

/// Why a dump stopped early.
#[derive(Debug)]
pub enum Stop {
    /// The client went away or stopped reading; nothing to report to anyone.
    Gone,
    /// Loading or rendering failed: logged, and the body ends broken.
    Failed(anyhow::Error),
}

impl From<anyhow::Error> for Stop {
    fn from(error: anyhow::Error) -> Self {
        Stop::Failed(error)
    }
}

impl From<serde_json::Error> for Stop {
    fn from(error: serde_json::Error) -> Self {
        Stop::Failed(error.into())
    }
}

type Write = Result<Bytes, std::io::Error>;

/// Where a producer writes its lines.
pub struct Lines {
    tx: mpsc::Sender<Write>,
    buffer: Vec<u8>,
}

impl Lines {
    /// Writes one document as one line, sending full writes as they fill (for documents
    /// rendered one by one, e.g. from memory).
    pub async fn push(&mut self, value: &Value) -> Result<(), Stop> {
        self.write(value)?;
        if self.buffer.len() >= WRITE_BYTES {
            self.send().await?;
        }
        Ok(())
    }

    /// Appends one document as one line without sending it: a chunk is rendered whole while
    /// its dump slot is held, then sent after the slot is released, so that a slow client
    /// never holds a slot.
    pub fn write(&mut self, value: &Value) -> Result<(), Stop> {
        serde_json::to_writer(&mut self.buffer, value)?;
        self.buffer.push(b'\n');
        Ok(())
    }

    /// Sends everything written so far, in writes of about [`WRITE_BYTES`] (slices of one
    /// buffer, not copies).
    pub async fn send(&mut self) -> Result<(), Stop> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let written = Bytes::from(std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(WRITE_BYTES + WRITE_BYTES / 4),
        ));
        let mut start = 0;
        while start < written.len() {
            let end = (start + WRITE_BYTES).min(written.len());
            // Fails once the body is dropped: the client disconnected or was cut off.
            self.tx
                .send(Ok(written.slice(start..end)))
                .await
                .map_err(|_| Stop::Gone)?;
            start = end;
        }
        Ok(())
    }
}

/// An `application/x-ndjson` response whose body `produce` writes, chunk by chunk, after the
/// head has gone out. `produce` gets the [`Lines`] and hands them back when done.
pub fn stream<F, Fut>(what: &'static str, produce: F) -> Response
where
    F: FnOnce(Lines) -> Fut,
    Fut: Future<Output = Result<Lines, Stop>> + Send + 'static,
{
    let (tx, rx) = mpsc::channel::<Write>(CHANNEL_WRITES);
    let lines = Lines {
        tx: tx.clone(),
        buffer: Vec::with_capacity(WRITE_BYTES + WRITE_BYTES / 4),
    };
    let work = produce(lines);
    tokio::spawn(async move {
        let outcome = match work.await {
            Ok(mut lines) => lines.send().await,
            Err(stop) => Err(stop),
        };
        match outcome {
            Ok(()) => {}
            Err(Stop::Gone) => tracing::debug!(what, "ndjson client went away"),
            Err(Stop::Failed(error)) => {
                tracing::error!(what, error = %format!("{error:#}"), "ndjson dump failed");
                // Ends the body with an error: hyper then closes the connection without the
                // final chunk, so the client knows the dump is incomplete.
                let _ = tx.send(Err(std::io::Error::other("dump failed"))).await;
            }
        }
    });
    // CORS headers come from the layer in front of the public API (`limits::public_api_cors`).
    (
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        Body::from_stream(ReceiverStream::new(rx)),
    )
        .into_response()
}

/// Documents that are already in memory (taxonomies and terms: a few hundred), through the
/// same streaming body so that every ndjson list behaves alike.
pub fn values(what: &'static str, values: Vec<Value>) -> Response {
    stream(what, move |mut lines| async move {
        for value in &values {
            lines.push(value).await?;
        }
        Ok(lines)
    })
}

/// Services `ids` (in that order) in `shape`, a chunk at a time. Services deleted since the
/// ids were read are left out.
pub fn services(catalog: Catalog, ids: Vec<Uuid>, shape: Shape, terms: Terms) -> Response {
    stream("services", move |mut lines| async move {
        for chunk in ids.chunks(SERVICES_PER_CHUNK) {
            {
                let _slot = catalog.dump_slot().await;
                let records = catalog.services_in_order(chunk).await?;
                let sources = load_sources(&catalog, &records, &[], &[]).await?;
                for record in &records {
                    let doc =
                        render::service_json(record, shape, &sources, &terms, &catalog.vocabulary);
                    lines.write(&doc)?;
                }
            }
            lines.send().await?;
        }
        Ok(lines)
    })
}

/// The service-at-locations of services `ids` (in that order; each service's locations by
/// id), a chunk of services at a time; with `near`, only the locations within its radius.
pub fn service_at_locations(
    catalog: Catalog,
    ids: Vec<Uuid>,
    near: Option<(GeoPoint, f64)>,
    full: bool,
    terms: Terms,
) -> Response {
    stream("service_at_locations", move |mut lines| async move {
        for chunk in ids.chunks(SERVICES_PER_CHUNK) {
            {
                let _slot = catalog.dump_slot().await;
                let mut pairs = service_location_pairs(&catalog, chunk).await?;
                if let Some((point, radius)) = near {
                    pairs = pairs_within(&catalog, pairs, point, radius).await?;
                }
                for doc in render_pairs(&catalog, &pairs, full, &terms).await? {
                    lines.write(&doc)?;
                }
            }
            lines.send().await?;
        }
        Ok(lines)
    })
}

/// Organisations `ids` (in that order): with `full`, each with its services and locations.
pub fn organizations(catalog: Catalog, ids: Vec<Uuid>, full: bool, terms: Terms) -> Response {
    stream("organizations", move |mut lines| async move {
        for chunk in ids.chunks(ORGANIZATIONS_PER_CHUNK) {
            {
                let _slot = catalog.dump_slot().await;
                let docs = if full {
                    organization_documents(&catalog, chunk, &terms).await?
                } else {
                    organization_list_documents(&catalog, chunk).await?
                };
                for doc in &docs {
                    lines.write(doc)?;
                }
            }
            lines.send().await?;
        }
        Ok(lines)
    })
}

/// Organisations with their own fields only (the list shape), in the order of `ids`.
pub async fn organization_list_documents(
    catalog: &Catalog,
    ids: &[Uuid],
) -> anyhow::Result<Vec<Value>> {
    let orgs = catalog.store.load_organizations(ids).await?;
    let sources = load_sources(catalog, &[], ids, &[]).await?;
    Ok(orgs
        .iter()
        .map(|o| Value::Object(render::organization_json(o, &sources)))
        .collect())
}

/// Every (service, location) pair of services `ids`, in the order of `ids`, each service's
/// locations by id.
pub async fn service_location_pairs(
    catalog: &Catalog,
    ids: &[Uuid],
) -> anyhow::Result<Vec<(Uuid, Uuid)>> {
    let by_service = catalog.store.location_ids_of_services(ids).await?;
    Ok(ids
        .iter()
        .flat_map(|s| {
            by_service
                .get(s)
                .into_iter()
                .flatten()
                .map(move |l| (*s, *l))
        })
        .collect())
}

/// The pairs whose location lies within `radius` metres of `point`. Coordinates are taken at
/// the precision the search index holds them (f32), so that this agrees with the index's
/// count of pairs within the radius, which the pages of `/service_at_locations` rely on.
pub async fn pairs_within(
    catalog: &Catalog,
    pairs: Vec<(Uuid, Uuid)>,
    point: GeoPoint,
    radius: f64,
) -> anyhow::Result<Vec<(Uuid, Uuid)>> {
    let mut location_ids: Vec<Uuid> = pairs.iter().map(|(_, l)| *l).collect();
    location_ids.sort();
    location_ids.dedup();
    let near: std::collections::HashSet<Uuid> = catalog
        .store
        .load_locations(&location_ids)
        .await?
        .into_iter()
        .filter(|l| {
            l.point().is_some_and(|(lat, lon)| {
                crate::search::within_radius(
                    point,
                    GeoPoint {
                        latitude: lat,
                        longitude: lon,
                    },
                    radius,
                )
            })
        })
        .map(|l| l.id)
        .collect();
    Ok(pairs
        .into_iter()
        .filter(|(_, l)| near.contains(l))
        .collect())
}

/// The `/service_at_locations` items of `pairs`, in their order (pairs whose service or
/// location is gone are left out).
pub async fn render_pairs(
    catalog: &Catalog,
    pairs: &[(Uuid, Uuid)],
    full: bool,
    terms: &Terms,
) -> anyhow::Result<Vec<Value>> {
    let mut service_ids: Vec<Uuid> = pairs.iter().map(|(s, _)| *s).collect();
    service_ids.sort();
    service_ids.dedup();
    let records = catalog.store.load_services(&service_ids).await?;
    let sources = load_sources(catalog, &records, &[], &[]).await?;
    let by_id: HashMap<Uuid, &ServiceRecord> = records.iter().map(|r| (r.service.id, r)).collect();
    Ok(pairs
        .iter()
        .filter_map(|(s, l)| {
            let record = by_id.get(s)?;
            let loc = record.locations.iter().find(|x| x.id == *l)?;
            Some(render::service_at_location_item(
                record,
                loc,
                &sources,
                terms,
                &catalog.vocabulary,
                full,
            ))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use tokio_stream::StreamExt;

    use super::*;

    fn counting(upto: u64) -> Response {
        stream("test", move |mut lines| async move {
            for i in 0..upto {
                lines.push(&json!({ "i": i })).await?;
            }
            Ok(lines)
        })
    }

    #[tokio::test]
    async fn every_line_arrives_whole_and_in_order_across_writes() {
        let count = 50_000;
        let response = counting(count);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/x-ndjson"
        );
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("complete body");
        assert!(body.len() > 4 * WRITE_BYTES, "several writes");
        let numbers: Vec<u64> = std::str::from_utf8(&body)
            .unwrap()
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["i"]
                    .as_u64()
                    .unwrap()
            })
            .collect();
        assert_eq!(numbers, (0..count).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn a_failure_midway_breaks_the_body_instead_of_ending_it() {
        let response = stream("test", |mut lines| async move {
            for i in 0..20_000 {
                lines.push(&json!({ "i": i })).await?;
            }
            Err(Stop::Failed(anyhow::anyhow!("the database went away")))
        });
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await;
        assert!(body.is_err(), "a dump that failed must not look complete");
    }

    #[tokio::test]
    async fn a_client_that_leaves_ends_the_producer_which_never_ran_ahead() {
        let (done_tx, done_rx) = tokio::sync::oneshot::channel();
        let line = json!({ "line": "x".repeat(100) });
        let response = stream("test", move |mut lines| async move {
            let mut written = 0usize;
            let stop = loop {
                if let Err(stop) = lines.push(&line).await {
                    break stop;
                }
                written += 1;
            };
            let _ = done_tx.send((matches!(stop, Stop::Gone), written));
            Err(stop)
        });
        let mut body = response.into_body().into_data_stream();
        let first = body.next().await.expect("a first write").expect("data");
        assert!(first.len() >= WRITE_BYTES);
        drop(body);
        let (gone, written) = done_rx.await.expect("the producer ended");
        assert!(gone, "a client that left is not an error");
        // Held back by the bounded channel: what was read, what the channel holds, the write
        // it was blocked on and the buffer it was filling.
        let lines_per_write = WRITE_BYTES / 100 + 1;
        assert!(
            written <= (CHANNEL_WRITES + 3) * lines_per_write,
            "{written} lines written for a client that read one write"
        );
    }
}
