//! Signed URLs (`APERCU_SIGNING_KEYS`, `APERCU_SIGNATURES`): HMAC-SHA256 over a canonical form
//! of a request — the route, the normalised article URL, the parameters that change the answer
//! and an optional expiry — carried as `s` (URL-safe base64, at least 16 bytes of the MAC) with
//! the key's id as `k`. Keys rotate without downtime: the first signs, all verify. Pure: keys, a
//! request's parts and the time in; a verdict or a signed URL out.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Bytes of a secret, at least.
pub const MIN_SECRET_BYTES: usize = 32;
/// Bytes of the MAC a signature carries, at least (a truncated MAC is accepted from here).
pub const MIN_SIGNATURE_BYTES: usize = 16;
/// The first line of every canonical string: a new scheme gets a new one.
const SCHEME: &str = "apercu-v1";

/// The parameters read from a request that are never signed themselves.
pub const SIGNATURE: &str = "s";
pub const KEY_ID: &str = "k";
pub const EXPIRES: &str = "exp";

/// Why a signed request is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the request carries no signature")]
    Missing,
    #[error("the signature does not match the request")]
    Invalid,
    #[error("the signature has expired")]
    Expired,
}

/// Why a key setting is refused (the secret itself is never quoted).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("each key is id:secret (the id 1–32 letters, digits, - or _)")]
    Form,
    #[error("a secret must be hex or base64 of at least 32 bytes")]
    Secret,
    #[error("two keys have the id {0:?}")]
    Duplicate(String),
    #[error("no key is given")]
    Empty,
}

/// Whether requests must be signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Mode {
    /// Signatures are not checked (the URLs the service emits are still signed when keys are
    /// set, ready for `required`).
    #[default]
    Off,
    /// Every article route needs a valid signature.
    Required,
}

/// The service's signing: the keys that sign the URLs it emits (and check requests), and
/// whether requests must be signed.
#[derive(Debug, Clone, Default)]
pub struct Signing {
    pub keys: Option<Keys>,
    pub mode: Mode,
}

impl Signing {
    /// Whether requests to article routes must carry a valid signature.
    #[must_use]
    pub fn required(&self) -> bool {
        self.mode == Mode::Required
    }
}

/// One key.
#[derive(Clone)]
struct Key {
    id: String,
    secret: Vec<u8>,
}

/// The signing keys, the first one signing.
#[derive(Clone)]
pub struct Keys(Vec<Key>);

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.0.iter().map(|key| key.id.as_str()).collect();
        f.debug_tuple("Keys").field(&ids).finish()
    }
}

impl Keys {
    /// `id:secret[,id:secret…]`; a secret is hex or base64 (standard or URL-safe, padded or not)
    /// of at least [`MIN_SECRET_BYTES`].
    ///
    /// # Errors
    /// [`KeyError`], which never quotes a secret.
    pub fn parse(raw: &str) -> Result<Self, KeyError> {
        let mut keys: Vec<Key> = Vec::new();
        for entry in raw
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
        {
            let (id, secret) = entry.split_once(':').ok_or(KeyError::Form)?;
            let id = id.trim();
            let id_fine = (1..=32).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !id_fine {
                return Err(KeyError::Form);
            }
            let secret = decode_secret(secret.trim()).ok_or(KeyError::Secret)?;
            if keys.iter().any(|key| key.id == id) {
                return Err(KeyError::Duplicate(id.to_owned()));
            }
            keys.push(Key {
                id: id.to_owned(),
                secret,
            });
        }
        if keys.is_empty() {
            return Err(KeyError::Empty);
        }
        Ok(Keys(keys))
    }

    /// The id of the key that signs.
    #[must_use]
    pub fn signing_id(&self) -> &str {
        &self.0[0].id
    }

    /// `(k, s)` for `canonical`, with the first key.
    #[must_use]
    pub fn sign(&self, canonical: &str) -> (String, String) {
        let key = &self.0[0];
        (key.id.clone(), URL_SAFE_NO_PAD.encode(mac(key, canonical)))
    }

    /// Whether `signature` (from key `key_id`, or from any key when the request names none) is
    /// a MAC of `canonical`: compared in constant time, whole or truncated to at least
    /// [`MIN_SIGNATURE_BYTES`].
    ///
    /// # Errors
    /// [`SignatureError::Invalid`].
    pub fn verify(
        &self,
        canonical: &str,
        key_id: Option<&str>,
        signature: &str,
    ) -> Result<(), SignatureError> {
        let presented = URL_SAFE_NO_PAD
            .decode(signature.trim_end_matches('='))
            .map_err(|_| SignatureError::Invalid)?;
        if !(MIN_SIGNATURE_BYTES..=32).contains(&presented.len()) {
            return Err(SignatureError::Invalid);
        }
        let candidates = self
            .0
            .iter()
            .filter(|key| key_id.is_none_or(|id| key.id == id));
        let mut matched = false;
        for key in candidates {
            // `verify_truncated_left` compares in constant time.
            matched |= hmac_of(key, canonical)
                .verify_truncated_left(&presented)
                .is_ok();
        }
        if matched {
            Ok(())
        } else {
            Err(SignatureError::Invalid)
        }
    }
}

fn hmac_of(key: &Key, canonical: &str) -> Hmac<Sha256> {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(&key.secret).expect("HMAC takes keys of any length");
    mac.update(canonical.as_bytes());
    mac
}

fn mac(key: &Key, canonical: &str) -> [u8; 32] {
    hmac_of(key, canonical).finalize().into_bytes().into()
}

fn decode_secret(raw: &str) -> Option<Vec<u8>> {
    let is_hex = raw.len().is_multiple_of(2) && raw.bytes().all(|b| b.is_ascii_hexdigit());
    let bytes = if is_hex {
        (0..raw.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&raw[i..i + 2], 16).ok())
            .collect::<Option<Vec<u8>>>()?
    } else {
        let unpadded = raw.trim_end_matches('=');
        URL_SAFE_NO_PAD
            .decode(unpadded)
            .or_else(|_| STANDARD.decode(raw))
            .ok()?
    };
    (bytes.len() >= MIN_SECRET_BYTES).then_some(bytes)
}

/// The parameters of `route` that change its answer, and so are signed (with `exp`). oEmbed's
/// `maxwidth`/`maxheight` are not: consumers add them to the endpoint they discover (they only
/// shrink the embed, in ten-pixel steps, so they cannot make more than a few variants).
#[must_use]
pub fn signed_parameters(route: &str) -> &'static [&'static str] {
    match route {
        "card.png" | "card.jpg" | "card.webp" | "embed" => &["v", EXPIRES],
        "thumb" => &["w", "v", EXPIRES],
        "oembed" | "oembed.json" | "oembed.xml" => &["format", EXPIRES],
        "debug/image" => &["src", EXPIRES],
        _ => &[EXPIRES],
    }
}

/// What is signed for a request of `route` (its path after the public URL, `card.jpg`) on the
/// article at `url` (normalised): the scheme, the route, the URL and the signed parameters
/// present, sorted by name, form-encoded.
#[must_use]
pub fn canonical<'a>(
    route: &str,
    url: &str,
    parameters: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> String {
    let signed = signed_parameters(route);
    let mut present: Vec<(&str, &str)> = parameters
        .into_iter()
        .filter(|(name, _)| signed.contains(name))
        .collect();
    present.sort_unstable();
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in present {
        query.append_pair(name, value);
    }
    format!("{SCHEME}\n{route}\n{url}\n{}", query.finish())
}

/// The expiry a request names, when it has a valid one.
///
/// # Errors
/// [`SignatureError::Invalid`] for an `exp` that is not a whole number of seconds.
pub fn expiry(raw: Option<&str>) -> Result<Option<u64>, SignatureError> {
    raw.map(|raw| raw.parse::<u64>().map_err(|_| SignatureError::Invalid))
        .transpose()
}

/// Checks a request of `route` on the article whose URL the request wrote as one of `urls`
/// (its normalised form, and the form it was sent in: a client may sign either), whose query
/// holds `parameters`, at `now` (seconds since 1970); `Ok` gives its expiry, if any.
///
/// # Errors
/// [`SignatureError`]: no `s`, a signature that does not match (or an unknown key), or one past
/// its `exp`.
pub fn check<'a>(
    keys: &Keys,
    route: &str,
    urls: &[&str],
    parameters: &[(&'a str, &'a str)],
    now: u64,
) -> Result<Option<u64>, SignatureError> {
    let value = |name: &str| {
        parameters
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| *value)
    };
    let signature = value(SIGNATURE).ok_or(SignatureError::Missing)?;
    let expires = expiry(value(EXPIRES))?;
    let matched = urls.iter().any(|url| {
        keys.verify(
            &canonical(route, url, parameters.iter().copied()),
            value(KEY_ID),
            signature,
        )
        .is_ok()
    });
    if !matched {
        return Err(SignatureError::Invalid);
    }
    match expires {
        Some(at) if at <= now => Err(SignatureError::Expired),
        other => Ok(other),
    }
}

/// The parameters to append to a URL of `route` on `url` with `parameters` (and `exp` when
/// given) so that it is signed: `exp` if any, then `k` and `s`.
#[must_use]
pub fn signature_parameters(
    keys: &Keys,
    route: &str,
    url: &str,
    parameters: &[(&str, &str)],
    expires: Option<u64>,
) -> Vec<(&'static str, String)> {
    let expires = expires.map(|at| at.to_string());
    let mut all: Vec<(&str, &str)> = parameters.to_vec();
    if let Some(at) = &expires {
        all.push((EXPIRES, at));
    }
    let (key_id, signature) = keys.sign(&canonical(route, url, all));
    let mut out = Vec::new();
    if let Some(at) = expires {
        out.push((EXPIRES, at));
    }
    out.push((KEY_ID, key_id));
    out.push((SIGNATURE, signature));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET_A: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    const URL: &str = "https://news.example/a";

    fn keys(raw: &str) -> Keys {
        Keys::parse(raw).unwrap()
    }

    fn signed(keys: &Keys, route: &str, parameters: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = parameters
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        for (name, value) in signature_parameters(keys, route, URL, parameters, None) {
            all.push((name.to_owned(), value));
        }
        all
    }

    fn verdict(
        keys: &Keys,
        route: &str,
        query: &[(String, String)],
        now: u64,
    ) -> Result<Option<u64>, SignatureError> {
        let borrowed: Vec<(&str, &str)> = query
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        check(keys, route, &[URL], &borrowed, now)
    }

    #[test]
    fn the_canonical_form_is_the_same_whatever_the_order_and_names_only_what_is_signed() {
        let one = canonical("thumb", URL, [("w", "300"), ("v", "abc"), ("utm", "x")]);
        let other = canonical("thumb", URL, [("v", "abc"), ("w", "300")]);
        assert_eq!(one, other);
        assert_eq!(one, "apercu-v1\nthumb\nhttps://news.example/a\nv=abc&w=300");
        // Values are form-encoded: a separator inside a value cannot forge another parameter.
        assert_ne!(
            canonical("thumb", URL, [("v", "a&w=1")]),
            canonical("thumb", URL, [("v", "a"), ("w", "1")])
        );
        // oEmbed consumers add their own bounds: they are not signed.
        assert_eq!(
            canonical("oembed", URL, [("format", "json"), ("maxwidth", "400")]),
            canonical("oembed", URL, [("format", "json")])
        );
    }

    #[test]
    fn a_signed_request_passes_and_any_change_to_it_fails() {
        let keys = keys(&format!("a:{SECRET_A}"));
        let query = signed(&keys, "thumb", &[("w", "300"), ("v", "abc")]);
        assert_eq!(verdict(&keys, "thumb", &query, 0), Ok(None));
        for (name, value) in [("w", "301"), ("v", "abd"), ("k", "b")] {
            let mut changed = query.clone();
            changed.iter_mut().find(|(n, _)| n == name).unwrap().1 = value.to_owned();
            assert_eq!(
                verdict(&keys, "thumb", &changed, 0),
                Err(SignatureError::Invalid),
                "{name}"
            );
        }
        // Another route or another article is another request.
        assert_eq!(
            verdict(&keys, "card.jpg", &query, 0),
            Err(SignatureError::Invalid)
        );
        let borrowed: Vec<(&str, &str)> = query
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            check(&keys, "thumb", &["https://news.example/b"], &borrowed, 0),
            Err(SignatureError::Invalid)
        );
        // No signature, a short one, garbage.
        let unsigned: Vec<(String, String)> =
            query.iter().filter(|(n, _)| n != "s").cloned().collect();
        assert_eq!(
            verdict(&keys, "thumb", &unsigned, 0),
            Err(SignatureError::Missing)
        );
        let mut short = query.clone();
        short.last_mut().unwrap().1.truncate(20);
        assert_eq!(
            verdict(&keys, "thumb", &short, 0),
            Err(SignatureError::Invalid)
        );
        let mut truncated = query.clone();
        let whole = URL_SAFE_NO_PAD
            .decode(&truncated.last().unwrap().1)
            .unwrap();
        truncated.last_mut().unwrap().1 = URL_SAFE_NO_PAD.encode(&whole[..16]);
        assert_eq!(verdict(&keys, "thumb", &truncated, 0), Ok(None));
        let mut junk = query;
        junk.last_mut().unwrap().1 = "!!!".to_owned();
        assert_eq!(
            verdict(&keys, "thumb", &junk, 0),
            Err(SignatureError::Invalid)
        );
    }

    #[test]
    fn keys_rotate_the_old_one_still_verifies_and_the_new_one_signs() {
        let old = keys(&format!("old:{SECRET_A}"));
        let rotated = keys(&format!("new:{},old:{SECRET_A}", "ab".repeat(32)));
        let by_old = signed(&old, "card.jpg", &[]);
        assert_eq!(verdict(&rotated, "card.jpg", &by_old, 0), Ok(None));
        assert_eq!(rotated.signing_id(), "new");
        let by_new = signed(&rotated, "card.jpg", &[]);
        assert_eq!(
            verdict(&old, "card.jpg", &by_new, 0),
            Err(SignatureError::Invalid)
        );
    }

    #[test]
    fn an_expiry_is_signed_and_enforced() {
        let keys = keys(&format!("a:{SECRET_A}"));
        let parameters = signature_parameters(&keys, "card.jpg", URL, &[], Some(1000));
        let query: Vec<(String, String)> = parameters
            .into_iter()
            .map(|(n, v)| (n.to_owned(), v))
            .collect();
        assert_eq!(verdict(&keys, "card.jpg", &query, 999), Ok(Some(1000)));
        assert_eq!(
            verdict(&keys, "card.jpg", &query, 1000),
            Err(SignatureError::Expired)
        );
        let mut extended = query.clone();
        extended[0].1 = "2000".to_owned();
        assert_eq!(
            verdict(&keys, "card.jpg", &extended, 999),
            Err(SignatureError::Invalid)
        );
        let mut garbage = query;
        garbage[0].1 = "soon".to_owned();
        assert_eq!(
            verdict(&keys, "card.jpg", &garbage, 999),
            Err(SignatureError::Invalid)
        );
    }

    #[test]
    fn key_settings_are_checked_without_quoting_the_secret() {
        assert!(
            Keys::parse(&format!("a:{}", "ab".repeat(31))).is_err(),
            "31 bytes"
        );
        assert_eq!(Keys::parse("").err(), Some(KeyError::Empty));
        assert_eq!(Keys::parse("no-colon").err(), Some(KeyError::Form));
        assert_eq!(
            Keys::parse(&format!("bad id:{SECRET_A}")).err(),
            Some(KeyError::Form)
        );
        assert_eq!(
            Keys::parse(&format!("a:{SECRET_A},a:{SECRET_A}")).err(),
            Some(KeyError::Duplicate("a".into()))
        );
        let base64 = STANDARD.encode([7u8; 32]);
        assert!(Keys::parse(&format!("b64:{base64}")).is_ok());
        let debug = format!("{:?}", keys(&format!("a:{SECRET_A}")));
        assert!(!debug.contains(SECRET_A) && debug.contains('a'));
    }
}
