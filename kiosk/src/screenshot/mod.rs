//! Screenshots of every page: rendering offscreen (`render.rs`) and the
//! scripts that bring each page into its pictured state (`script.rs`).

mod render;
mod script;

pub use render::{
    OffscreenPlatform, SwappedBuffers, draw_frame, draw_swapped_frame, render, render_png,
    time_frames,
};
pub use script::{PICTURE_PIN, SHOTS, ScreenshotScript, Shot, with_picture_pin};
