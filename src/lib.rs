//! Wijkwijzer: a social map (sociale kaart) and referral directory for the Utrecht region.
//!
//! The layers, from the inside out: [`domain`] (plain types), [`store`] (all SQL, SQLite or
//! PostgreSQL), [`geo`] (CBS neighbourhoods), [`search`] (the tantivy index, derived data),
//! [`indexer`] (keeps the index in step with the database's change log), and the HTTP faces
//! [`web`] (HTML) and [`api`] (JSON, including the HSDS 3.0 API), assembled in [`app`] and served by [`server`] (connection limits; request limits in [`limits`]). [`hsds`]
//! maps the directory to and from Open Referral HSDS 3.0 (API, import, export).

pub mod accounts;
pub mod api;
pub mod app;
pub mod auth;
pub mod calendar;
pub mod catalog;
pub mod claims;
pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod editing;
pub mod error;
pub mod geo;
pub mod geo_import;
pub mod hsds;
pub mod indexer;
pub mod limits;
pub mod listings;
pub mod mail;
pub mod needs;
pub mod params;
pub mod privacy;
pub mod query;
pub mod referrals;
pub mod reminders;
pub mod reports;
pub mod search;
pub mod server;
pub mod store;
pub mod web;
