//! Extraction tests: the saved-page fixtures, hostile inputs, and properties that must hold
//! for any input.

mod fixtures;
mod hostile;
mod properties;
