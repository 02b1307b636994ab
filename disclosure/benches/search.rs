//! Placeholder while the search benchmark is written.
fn main() {}
