//! The bytes of one shared entry as it sits in Redis: which key it belongs to, whether it is a
//! value or a remembered failure, when it was made, until when it is fresh and kept, the purge
//! generation it was made under, and the encoded value. Pure: bytes in, checked fields out.
//!
//! Anything read back from Redis is untrusted (another deployment, an operator's typo, an old
//! release, a truncated write): [`Envelope::open`] checks every field against what the reader
//! expects and refuses what does not fit, so a bad entry is a miss, never an answer.

use bytes::Bytes;

/// The first bytes of every entry.
const MAGIC: &[u8; 4] = b"APRC";

/// Bump when the layout below changes: entries of another layout are then ignored.
pub const ENVELOPE_SCHEMA: u16 = 1;

/// Magic, schema, layout, entry, flags, generation, three times, key length, payload length.
const HEADER_BYTES: usize = 4 + 2 + 4 + 1 + 1 + 8 + 8 * 3 + 2 + 4;

/// How far in the future a writer's clock may seem to be before its entries are refused.
const MAX_CLOCK_SKEW_MS: u64 = 5 * 60 * 1000;

/// The longest an entry may claim to be kept: a week fresh plus thirty days stale, and some.
const MAX_LIFETIME_MS: u64 = 40 * 24 * 60 * 60 * 1000;

/// What an entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    Value = 1,
    Failure = 2,
}

/// One shared entry. Times are Unix milliseconds of the writer's clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub entry: Entry,
    /// The layout version of the release that wrote it (cards drawn by another design are not
    /// ours to serve).
    pub layout: u32,
    /// Made from a stale input: served as stale (see `Fresh::from_stale`).
    pub from_stale: bool,
    /// The purge generation of its article when the computation began.
    pub generation: u64,
    pub stored_at: u64,
    pub fresh_until: u64,
    pub keep_until: u64,
    /// The cache key's full text (kind, variant and normalised URL).
    pub key: String,
    pub payload: Bytes,
}

/// Why stored bytes were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("not an entry of ours (magic)")]
    Magic,
    #[error("another envelope schema")]
    Schema,
    #[error("another card layout version")]
    Layout,
    #[error("a failure where a value was expected, or the reverse")]
    Entry,
    #[error("the entry belongs to another key")]
    Key,
    #[error("lengths that do not add up")]
    Length,
    #[error("times that make no sense")]
    Times,
}

impl Envelope {
    /// The stored form.
    #[must_use]
    pub fn seal(&self) -> Vec<u8> {
        let key = self.key.as_bytes();
        let mut out = Vec::with_capacity(HEADER_BYTES + key.len() + self.payload.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&ENVELOPE_SCHEMA.to_be_bytes());
        out.extend_from_slice(&self.layout.to_be_bytes());
        out.push(self.entry as u8);
        out.push(u8::from(self.from_stale));
        out.extend_from_slice(&self.generation.to_be_bytes());
        out.extend_from_slice(&self.stored_at.to_be_bytes());
        out.extend_from_slice(&self.fresh_until.to_be_bytes());
        out.extend_from_slice(&self.keep_until.to_be_bytes());
        // Keys are at most a few kilobytes (URLs are capped at 2048 bytes).
        out.extend_from_slice(&u16::try_from(key.len()).unwrap_or(u16::MAX).to_be_bytes());
        out.extend_from_slice(
            &u32::try_from(self.payload.len())
                .unwrap_or(u32::MAX)
                .to_be_bytes(),
        );
        out.extend_from_slice(key);
        out.extend_from_slice(&self.payload);
        out
    }

    /// Reads stored bytes, refusing them unless they are an `entry` of `key` written by a
    /// release with the same schema and `layout`, with sane times as seen at `now_ms`. The
    /// payload shares `bytes` (no copy).
    ///
    /// # Errors
    /// What did not fit.
    pub fn open(
        bytes: &Bytes,
        key: &str,
        entry: Entry,
        layout: u32,
        now_ms: u64,
    ) -> Result<Self, Refused> {
        let mut reader = Reader { bytes, at: 0 };
        if reader.take(4)? != MAGIC {
            return Err(Refused::Magic);
        }
        if reader.u16()? != ENVELOPE_SCHEMA {
            return Err(Refused::Schema);
        }
        if reader.u32()? != layout {
            return Err(Refused::Layout);
        }
        let stored_entry = match reader.u8()? {
            1 => Entry::Value,
            2 => Entry::Failure,
            _ => return Err(Refused::Entry),
        };
        if stored_entry != entry {
            return Err(Refused::Entry);
        }
        let from_stale = match reader.u8()? {
            0 => false,
            1 => true,
            _ => return Err(Refused::Entry),
        };
        let generation = reader.u64()?;
        let (stored_at, fresh_until, keep_until) = (reader.u64()?, reader.u64()?, reader.u64()?);
        let key_len = usize::from(reader.u16()?);
        let payload_len = reader.u32()? as usize;
        if reader.remaining() != key_len + payload_len {
            return Err(Refused::Length);
        }
        if reader.take(key_len)? != key.as_bytes() {
            return Err(Refused::Key);
        }
        let payload = bytes.slice(reader.at..);
        let sane = stored_at <= now_ms.saturating_add(MAX_CLOCK_SKEW_MS)
            && stored_at <= fresh_until
            && fresh_until <= keep_until
            && keep_until - stored_at <= MAX_LIFETIME_MS;
        if !sane {
            return Err(Refused::Times);
        }
        Ok(Envelope {
            entry,
            layout,
            from_stale,
            generation,
            stored_at,
            fresh_until,
            keep_until,
            key: key.to_owned(),
            payload,
        })
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Refused> {
        let end = self.at.checked_add(n).ok_or(Refused::Length)?;
        let taken = self.bytes.get(self.at..end).ok_or(Refused::Length)?;
        self.at = end;
        Ok(taken)
    }

    fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Refused> {
        self.take(N)?.try_into().map_err(|_| Refused::Length)
    }

    fn u8(&mut self) -> Result<u8, Refused> {
        Ok(self.array::<1>()?[0])
    }

    fn u16(&mut self) -> Result<u16, Refused> {
        self.array().map(u16::from_be_bytes)
    }

    fn u32(&mut self) -> Result<u32, Refused> {
        self.array().map(u32::from_be_bytes)
    }

    fn u64(&mut self) -> Result<u64, Refused> {
        self.array().map(u64::from_be_bytes)
    }
}

/// A small length-prefixed writer and reader for payloads made of a few byte strings (a body's
/// validator beside its bytes, a page's policy beside its HTML).
pub mod fields {
    use bytes::Bytes;

    /// `parts`, each behind its length (4 bytes, big-endian).
    #[must_use]
    pub fn join(parts: &[&[u8]]) -> Vec<u8> {
        let total = parts.iter().map(|part| part.len() + 4).sum();
        let mut out = Vec::with_capacity(total);
        for part in parts {
            out.extend_from_slice(&u32::try_from(part.len()).unwrap_or(u32::MAX).to_be_bytes());
            out.extend_from_slice(part);
        }
        out
    }

    /// Exactly `N` parts written by [`join`], sharing `bytes`; `None` for anything else.
    #[must_use]
    pub fn split<const N: usize>(bytes: &Bytes) -> Option<[Bytes; N]> {
        let mut parts: [Bytes; N] = std::array::from_fn(|_| Bytes::new());
        let mut at = 0usize;
        for part in &mut parts {
            let len: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
            let start = at + 4;
            let end = start.checked_add(u32::from_be_bytes(len) as usize)?;
            if end > bytes.len() {
                return None;
            }
            *part = bytes.slice(start..end);
            at = end;
        }
        (at == bytes.len()).then_some(parts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_790_000_000_000;
    const KEY: &str = "v1:card:image/jpeg:layout1:https://news.example/a";

    fn envelope() -> Envelope {
        Envelope {
            entry: Entry::Value,
            layout: 1,
            from_stale: false,
            generation: 3,
            stored_at: NOW - 1000,
            fresh_until: NOW + 3_600_000,
            keep_until: NOW + 90_000_000,
            key: KEY.to_owned(),
            payload: Bytes::from_static(b"\xff\xd8 a card"),
        }
    }

    fn open(bytes: &[u8]) -> Result<Envelope, Refused> {
        Envelope::open(&Bytes::copy_from_slice(bytes), KEY, Entry::Value, 1, NOW)
    }

    #[test]
    fn a_sealed_entry_opens_to_the_same_fields() {
        assert_eq!(open(&envelope().seal()), Ok(envelope()));
    }

    #[test]
    fn bytes_that_are_not_exactly_an_entry_of_this_key_are_refused() {
        let sealed = envelope().seal();
        let mut cases: Vec<(Vec<u8>, Refused)> = vec![
            (b"garbage".to_vec(), Refused::Magic),
            (
                b"garbage that is long enough to hold a whole header, and then some".to_vec(),
                Refused::Magic,
            ),
            (Vec::new(), Refused::Length),
            (sealed[..sealed.len() - 1].to_vec(), Refused::Length),
            ([sealed.as_slice(), b"x"].concat(), Refused::Length),
        ];
        let mut other_schema = sealed.clone();
        other_schema[5] ^= 1;
        cases.push((other_schema, Refused::Schema));
        let mut other_layout = sealed.clone();
        other_layout[9] = 2;
        cases.push((other_layout, Refused::Layout));
        let mut bad_flag = sealed.clone();
        bad_flag[11] = 7;
        cases.push((bad_flag, Refused::Entry));
        for (bytes, refused) in cases {
            assert_eq!(open(&bytes), Err(refused), "{bytes:?}");
        }
        let failure = Envelope {
            entry: Entry::Failure,
            ..envelope()
        };
        assert_eq!(open(&failure.seal()), Err(Refused::Entry));
        let other_key = Envelope {
            key: "v1:card:image/jpeg:layout1:https://news.example/b".to_owned(),
            ..envelope()
        };
        assert_eq!(open(&other_key.seal()), Err(Refused::Key));
    }

    #[test]
    fn impossible_times_are_refused() {
        for (stored_at, fresh_until, keep_until) in [
            (NOW + 3_600_000, NOW + 7_200_000, NOW + 9_000_000),
            (NOW, NOW - 1, NOW + 1),
            (NOW, NOW + 2, NOW + 1),
            (NOW, NOW + 1, NOW + 100 * 24 * 3_600_000),
        ] {
            let times = Envelope {
                stored_at,
                fresh_until,
                keep_until,
                ..envelope()
            };
            assert_eq!(open(&times.seal()), Err(Refused::Times));
        }
    }

    #[test]
    fn joined_fields_split_back_and_anything_else_does_not() {
        let joined = Bytes::from(fields::join(&[b"\"etag\"", b"", b"body"]));
        let [a, b, c] = fields::split::<3>(&joined).unwrap();
        assert_eq!(
            (&a[..], &b[..], &c[..]),
            (&b"\"etag\""[..], &b""[..], &b"body"[..])
        );
        assert!(fields::split::<2>(&joined).is_none());
        assert!(fields::split::<4>(&joined).is_none());
        assert!(fields::split::<1>(&Bytes::from_static(b"\0\0\0\x09abc")).is_none());
        assert!(fields::split::<1>(&Bytes::from_static(b"\xff\xff\xff\xff")).is_none());
    }
}
