//! Logs: where they go (stderr, text or JSON lines) and what may be written in them. Text that
//! came from outside (paths, URLs, origin errors) passes through [`loggable`] first, so a
//! crafted URL cannot forge log lines, send terminal escapes or fill the disk.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::config::ServeSettings;

/// Characters of outside text kept in one log field; the rest is cut with `…`.
pub const MAX_LOGGED_CHARS: usize = 300;

/// Logs to stderr, filtered by `APERCU_LOG`, as text or JSON lines (`APERCU_LOG_FORMAT`). In
/// JSON, every line of a request carries its span (`request_id`, method, path).
pub fn init(settings: &ServeSettings) {
    let filter = tracing_subscriber::EnvFilter::try_new(&settings.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let result = if settings.log_format == "json" {
        builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init()
    } else {
        builder.try_init()
    };
    if let Err(e) = result {
        eprintln!("apercu: logging is not available: {e}");
    }
}

/// Logs of a command (`apercu render`) to stderr as short text lines: what the service would
/// log about a photo or a logo it leaves out. `APERCU_LOG` filters as for the server.
pub fn init_for_command() {
    let filter = std::env::var("APERCU_LOG")
        .ok()
        .and_then(|directives| tracing_subscriber::EnvFilter::try_new(directives).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new("info"));
    // A second call (tests run commands in one process) keeps the first subscriber.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .without_time()
        .with_target(false)
        .with_ansi(false)
        .with_writer(std::io::stderr)
        .try_init();
}

/// `text` safe for a log field: control characters, bidi controls and other invisible
/// formatting escaped as `\u{…}`, and at most [`MAX_LOGGED_CHARS`] characters.
#[must_use]
pub fn loggable(text: &str) -> Cow<'_, str> {
    let suspicious = |c: char| c.is_control() || is_invisible_format(c);
    if text.chars().count() <= MAX_LOGGED_CHARS && !text.chars().any(suspicious) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len().min(MAX_LOGGED_CHARS * 2));
    for (n, c) in text.chars().enumerate() {
        if n == MAX_LOGGED_CHARS {
            out.push('…');
            break;
        }
        if suspicious(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Bidi embeddings, overrides and isolates, line and paragraph separators, zero-width
/// characters and the BOM: invisible, and able to make a log line read differently.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_bidi_characters_are_escaped_and_long_text_is_cut() {
        assert_eq!(loggable("https://news.example/a"), "https://news.example/a");
        assert_eq!(
            loggable("a\r\nfake line\u{1b}[31m\u{202e}"),
            "a\\u{d}\\u{a}fake line\\u{1b}[31m\\u{202e}"
        );
        let long = "x".repeat(10_000);
        let cut = loggable(&long);
        assert_eq!(cut.chars().count(), MAX_LOGGED_CHARS + 1);
        assert!(cut.ends_with('…'));
    }
}
