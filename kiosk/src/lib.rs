//! The kiosk: the touchscreen app of the 政务公开 terminal. It reads the
//! local `content.db` and has no network. The Slint UI (`ui/`) talks to the
//! Rust controllers only through its adapter globals.

pub mod applications;
pub mod composer;
pub mod config;
pub mod controller;
pub mod demo;
pub mod ime;
pub mod maintenance;
pub mod qr;
pub mod scanner;
pub mod screenshot;
pub mod service;

slint::include_modules!();
