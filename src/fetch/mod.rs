//! Fetching hostile URLs (docs/security.md §2.1): the only code that touches the network. `guard`
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
    let response = own_client(timeout)?
        .get(url)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    Ok(response.status().as_u16())
}

/// A client for our own service, at an address the operator gave.
fn own_client(timeout: std::time::Duration) -> Result<reqwest::Client, String> {
    client::install_tls_provider();
    reqwest::Client::builder()
        .no_proxy()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())
}

/// Asks our own service's administration route `url` (`apercu warm --server`): `body` is
/// posted as JSON when given; the answer's status and JSON body.
///
/// # Errors
/// No answer within `timeout`, or an answer that is not JSON.
pub async fn ask_service(
    url: &str,
    token: &str,
    body: Option<&serde_json::Value>,
    timeout: std::time::Duration,
) -> Result<(u16, serde_json::Value), String> {
    let client = own_client(timeout)?;
    let request = match body {
        Some(body) => client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string()),
        None => client.get(url),
    };
    let response = request
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let bytes = response.bytes().await.map_err(|e| e.to_string())?;
    let json =
        serde_json::from_slice(&bytes).map_err(|_| format!("the answer ({status}) is not JSON"))?;
    Ok((status, json))
}
