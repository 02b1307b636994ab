//! The county side of gongkai. Knows nothing of Slint or the kiosk's stores.

pub mod check;
pub mod cli;
