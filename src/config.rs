//! Settings shared by every command that fetches (SPEC §5): each a flag and an `APERCU_*`
//! variable, validated when the command line is parsed, with the defaults of the SPEC.

use std::time::Duration;

use clap::Args;

use crate::card::PhotoLimits;
use crate::fetch::{AllowedHosts, Exemption, FetchConfig, Guard};

/// Seconds one origin fetch may take by default, redirects included.
pub const DEFAULT_FETCH_TIMEOUT_SECS: u64 = 8;
pub const DEFAULT_MAX_HTML_BYTES: usize = 2 * 1024 * 1024;
pub const DEFAULT_MAX_IMAGE_BYTES: usize = 10 * 1024 * 1024;
pub const DEFAULT_MAX_IMAGE_PIXELS: u64 = 40_000_000;

/// What may be fetched, and how much of it.
#[derive(Debug, Clone, Args)]
pub struct FetchSettings {
    /// Article hosts that may be fetched: `*` for any public host, or comma-separated names and
    /// `*.example.com` patterns (sub-domains only).
    #[arg(
        long,
        env = "APERCU_ALLOWED_HOSTS",
        value_name = "HOSTS",
        default_value = "*"
    )]
    pub allowed_hosts: AllowedHosts,
    /// Exact `IP:port` entries or CIDR networks exempted from the blocked-address rules (tests,
    /// private deployments); cloud metadata addresses stay blocked. Comma-separated.
    #[arg(
        long,
        env = "APERCU_ALLOW_ADDRESSES",
        value_name = "ADDRESSES",
        value_delimiter = ','
    )]
    pub allow_addresses: Vec<Exemption>,
    /// Seconds one origin fetch may take, redirects and body included.
    #[arg(long, env = "APERCU_FETCH_TIMEOUT", value_name = "SECONDS", default_value_t = DEFAULT_FETCH_TIMEOUT_SECS,
          value_parser = clap::value_parser!(u64).range(1..=120))]
    pub fetch_timeout: u64,
    /// Decoded bytes of a page read at most (the rest is not read).
    #[arg(long, env = "APERCU_MAX_HTML_BYTES", value_name = "BYTES", default_value_t = DEFAULT_MAX_HTML_BYTES,
          value_parser = bytes_between::<{ 16 * 1024 }, { 64 * 1024 * 1024 }>)]
    pub max_html_bytes: usize,
    /// Decoded bytes of a lead image read at most (a larger image is not used).
    #[arg(long, env = "APERCU_MAX_IMAGE_BYTES", value_name = "BYTES", default_value_t = DEFAULT_MAX_IMAGE_BYTES,
          value_parser = bytes_between::<{ 16 * 1024 }, { 256 * 1024 * 1024 }>)]
    pub max_image_bytes: usize,
    /// Width × height of a lead image decoded at most.
    #[arg(long, env = "APERCU_MAX_IMAGE_PIXELS", value_name = "PIXELS", default_value_t = DEFAULT_MAX_IMAGE_PIXELS,
          value_parser = clap::value_parser!(u64).range(10_000..=400_000_000))]
    pub max_image_pixels: u64,
}

fn bytes_between<const MIN: usize, const MAX: usize>(raw: &str) -> Result<usize, String> {
    let n: usize = raw
        .trim()
        .parse()
        .map_err(|_| format!("{raw:?} is not a number of bytes"))?;
    if (MIN..=MAX).contains(&n) {
        Ok(n)
    } else {
        Err(format!("must be between {MIN} and {MAX} bytes"))
    }
}

impl FetchSettings {
    #[must_use]
    pub fn guard(&self) -> Guard {
        Guard {
            hosts: self.allowed_hosts.clone(),
            exemptions: self.allow_addresses.clone(),
        }
    }

    #[must_use]
    pub fn fetch_config(&self) -> FetchConfig {
        FetchConfig {
            total_timeout: Duration::from_secs(self.fetch_timeout),
            max_html_bytes: self.max_html_bytes,
            max_image_bytes: self.max_image_bytes,
            ..FetchConfig::default()
        }
    }

    #[must_use]
    pub fn photo_limits(&self) -> PhotoLimits {
        PhotoLimits {
            max_pixels: self.max_image_pixels,
            ..PhotoLimits::default()
        }
    }
}
