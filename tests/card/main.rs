//! Golden cards: each case renders a card and compares it with `tests/golden/<case>.png` by a
//! perceptual measure (image-compare's hybrid SSIM/RMS score). `UPDATE_GOLDEN=1 cargo test
//! --test card` rewrites the goldens; on a mismatch the actual card and a diff image are written
//! under `target/golden/`. Cases that need system fonts (CJK, emoji) skip with the reason when
//! the fonts are absent, except under `CI=true`, where they fail.

mod goldens;
mod layout;
mod support;
