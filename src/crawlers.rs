//! Who is asking: the link-preview crawlers of the platforms (and search engines) told apart by
//! their `User-Agent`, so `/metrics` shows how often each found its card already made. Pure.
//!
//! The tokens are the ones each platform documents or is seen sending: Facebook
//! (`facebookexternalhit`, `facebookcatalog`, `meta-externalagent`, `Facebot`,
//! developers.facebook.com/docs/sharing/webmasters/web-crawlers), X (`Twitterbot`), `LinkedIn`
//! (`LinkedInBot`), Slack (`Slackbot`, `Slack-ImgProxy`, api.slack.com/robots), Discord
//! (`Discordbot`), `WhatsApp` (`WhatsApp/`), Telegram (`TelegramBot`), iMessage (a Safari agent
//! ending in `facebookexternalhit/1.1 Facebot Twitterbot/1.0`), Apple (`Applebot`), Mastodon
//! and the rest of the fediverse (`Mastodon/`, `Pleroma`, `Akkoma`, `Misskey`, `GoToSocial`,
//! `Friendica`, `Pixelfed`, `Lemmy`, `Firefish`, `Sharkey`), Google (`Googlebot`,
//! `Google-InspectionTool`, `GoogleOther`), Bing (`bingbot`).

/// A crawler, or anyone else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Crawler {
    Facebook,
    X,
    LinkedIn,
    Slack,
    Discord,
    WhatsApp,
    Telegram,
    IMessage,
    Apple,
    Fediverse,
    Google,
    Bing,
    /// No known crawler: people, scripts, other bots.
    Other,
}

impl Crawler {
    /// Its metric label.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Crawler::Facebook => "facebook",
            Crawler::X => "x",
            Crawler::LinkedIn => "linkedin",
            Crawler::Slack => "slack",
            Crawler::Discord => "discord",
            Crawler::WhatsApp => "whatsapp",
            Crawler::Telegram => "telegram",
            Crawler::IMessage => "imessage",
            Crawler::Apple => "apple",
            Crawler::Fediverse => "fediverse",
            Crawler::Google => "google",
            Crawler::Bing => "bing",
            Crawler::Other => "other",
        }
    }
}

/// Tokens, lower-case, in the order they are tried: iMessage first (its agent names Facebook's
/// and X's crawlers too), Telegram before X, then the rest.
const TOKENS: &[(&str, Crawler)] = &[
    ("facebot twitterbot", Crawler::IMessage),
    ("facebookexternalhit", Crawler::Facebook),
    ("facebookcatalog", Crawler::Facebook),
    ("meta-externalagent", Crawler::Facebook),
    ("facebot", Crawler::Facebook),
    // Telegram's agent is "TelegramBot (like TwitterBot)".
    ("telegrambot", Crawler::Telegram),
    ("twitterbot", Crawler::X),
    ("linkedinbot", Crawler::LinkedIn),
    ("slackbot", Crawler::Slack),
    ("slack-imgproxy", Crawler::Slack),
    ("discordbot", Crawler::Discord),
    ("whatsapp/", Crawler::WhatsApp),
    ("applebot", Crawler::Apple),
    ("mastodon/", Crawler::Fediverse),
    ("pleroma", Crawler::Fediverse),
    ("akkoma", Crawler::Fediverse),
    ("misskey", Crawler::Fediverse),
    ("gotosocial", Crawler::Fediverse),
    ("friendica", Crawler::Fediverse),
    ("pixelfed", Crawler::Fediverse),
    ("lemmy", Crawler::Fediverse),
    ("firefish", Crawler::Fediverse),
    ("sharkey", Crawler::Fediverse),
    ("googlebot", Crawler::Google),
    ("google-inspectiontool", Crawler::Google),
    ("googleother", Crawler::Google),
    ("bingbot", Crawler::Bing),
];

/// Agents longer than this are only read this far (a crawler's token comes early).
const READ: usize = 512;

/// Who sent `user_agent`.
#[must_use]
pub fn classify(user_agent: Option<&str>) -> Crawler {
    let Some(agent) = user_agent else {
        return Crawler::Other;
    };
    let mut end = agent.len().min(READ);
    while !agent.is_char_boundary(end) {
        end -= 1;
    }
    let agent = agent[..end].to_ascii_lowercase();
    TOKENS
        .iter()
        .find(|(token, _)| agent.contains(token))
        .map_or(Crawler::Other, |(_, crawler)| *crawler)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_platforms_crawler_is_told_apart_by_its_own_agent() {
        for (agent, expected) in [
            (
                "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
                Crawler::Facebook,
            ),
            (
                "meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)",
                Crawler::Facebook,
            ),
            ("Twitterbot/1.0", Crawler::X),
            (
                "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
                Crawler::LinkedIn,
            ),
            (
                "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
                Crawler::Slack,
            ),
            (
                "Slack-ImgProxy (+https://api.slack.com/robots)",
                Crawler::Slack,
            ),
            (
                "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
                Crawler::Discord,
            ),
            ("WhatsApp/2.23.20.0 A", Crawler::WhatsApp),
            ("TelegramBot (like TwitterBot)", Crawler::Telegram),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0",
                Crawler::IMessage,
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)",
                Crawler::Apple,
            ),
            (
                "http.rb/5.1.1 (Mastodon/4.2.0; +https://mastodon.social/)",
                Crawler::Fediverse,
            ),
            (
                "Akkoma 3.10.0; https://akkoma.example <admin@akkoma.example>",
                Crawler::Fediverse,
            ),
            (
                "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
                Crawler::Google,
            ),
            (
                "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
                Crawler::Bing,
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
                Crawler::Other,
            ),
            ("curl/8.5.0", Crawler::Other),
        ] {
            assert_eq!(classify(Some(agent)), expected, "{agent}");
        }
        assert_eq!(classify(None), Crawler::Other);
    }

    #[test]
    fn a_huge_or_odd_agent_is_read_only_so_far_and_never_fails() {
        let huge = format!("{}Twitterbot/1.0", "x".repeat(10_000));
        assert_eq!(classify(Some(&huge)), Crawler::Other);
        assert_eq!(classify(Some("é".repeat(300).as_str())), Crawler::Other);
        assert_eq!(classify(Some("")), Crawler::Other);
    }
}
