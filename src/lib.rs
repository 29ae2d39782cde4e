//! Aperçu: article metadata, Open Graph cards and oEmbed for news pages.
//!
//! The pipeline (the README's "How extraction works"): `extract` turns page bytes into an
//! [`extract::Article`]; the command line (`cli`) drives it. Pure stages never touch the network or
//! the clock.

pub mod article_url;
pub mod cache;
pub mod card;
pub mod cli;
pub mod config;
pub mod crawlers;
pub mod error;
pub mod extract;
pub mod feeds;
pub mod fetch;
pub mod inspect;
pub mod logging;
pub mod metrics;
pub mod oembed;
pub mod pages;
pub mod routes;
pub mod service;
pub mod signing;
pub mod startup;
pub mod versions;
pub mod warm;
