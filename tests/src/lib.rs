//! Shared code for gongkai's project-wide tests: the dependency licence
//! policy (GPL-3.0 compatibility) used by `tests/licences.rs`.

pub mod licence;
