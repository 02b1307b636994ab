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

/// Gives the pages freed while a start-up thread built its tables (the
/// search titles, the keyboard's vocabulary) back to the system: glibc
/// keeps a thread's freed memory in that thread's arena otherwise, and a
/// board with 1 GB has no room for what the kiosk no longer uses.
/// (glibc only: other C libraries have no `malloc_trim`.)
pub(crate) fn return_freed_memory() {
    // SAFETY: malloc_trim only walks the allocator's own free lists; it is
    // safe to call at any time from any thread.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    unsafe {
        libc::malloc_trim(0);
    }
}
