//! Placeholder while the import benchmark is written.
fn main() {}
