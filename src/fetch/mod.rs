//! Fetching hostile URLs (security.md §2.1): the only code that will touch the network. This
//! part decides what may be fetched — the host allow-list, the name rules and the address
//! classifier (`guard`) — and is pure; the HTTP client that applies it at every hop (resolver
//! that filters and pins, redirects re-checked, timeouts, decoded-size caps) builds on it.

pub mod guard;

pub use guard::{AllowedHosts, Blocked, Exemption, Guard};
