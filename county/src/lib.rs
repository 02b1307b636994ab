//! The county side of gongkai. Knows nothing of Slint or the kiosk's stores.

pub mod api;
pub mod check;
pub mod delegation;
pub mod intake;
pub mod keys;
pub mod openapi;
pub mod paced;
pub mod publish;
pub mod qr;
pub mod serve;
pub mod targets;
pub mod throttle;
