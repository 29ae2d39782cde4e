//! Fetching hostile URLs (security.md §2.1): the only code that touches the network. `guard`
//! decides what may be fetched (host allow-list, name rules, address classifier) and is pure;
//! `client` applies it at every hop (a resolver that filters and pins, redirects re-checked,
//! one deadline, decoded-size caps, content types against magic bytes).

pub mod client;
pub mod guard;
pub mod sample;

pub use client::{
    FetchConfig, FetchError, Fetched, Fetcher, Hop, Kind, Lookup, NoDns, Reason, StaticDns,
    SystemDns, Unavailable, VIA, install_tls_provider, system_lookup,
};
pub use guard::{AllowedHosts, Blocked, Exemption, Guard};

/// Asks our own service for `url` (the `healthcheck` command): no guard, since the address is
/// the operator's, not a stranger's. Returns the status code.
///
/// # Errors
/// When no answer arrives within `timeout`.
pub async fn probe(url: &str, timeout: std::time::Duration) -> Result<u16, String> {
    client::install_tls_provider();
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let response = client.get(url).send().await.map_err(|e| e.to_string())?;
    Ok(response.status().as_u16())
}
