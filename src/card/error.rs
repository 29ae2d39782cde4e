//! What can fail while making a card. A photo that does not decode is not an error of the card
//! (the card is drawn without it); these are.

/// A card could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("font: {0}")]
    Font(String),
    #[error("theme: {0}")]
    Theme(String),
    #[error("encoding the card as {format}: {reason}")]
    Encode {
        format: &'static str,
        reason: String,
    },
}
