//! Fetching hostile URLs (security.md §2.1): the only code that touches the network. `guard`
//! decides what may be fetched (host allow-list, name rules, address classifier) and is pure;
//! `client` applies it at every hop (a resolver that filters and pins, redirects re-checked,
//! one deadline, decoded-size caps, content types against magic bytes).

pub mod client;
pub mod guard;

pub use client::{
    FetchConfig, FetchError, Fetched, Fetcher, Kind, Lookup, NoDns, StaticDns, SystemDns,
    system_lookup,
};
pub use guard::{AllowedHosts, Blocked, Exemption, Guard};
