//! Offline handwriting (手写) recognition for the kiosk's writing pad: the
//! strokes a finger drew, as points on the pad, in; hanzi ranked by
//! likeness, out. Zinnia (BSD, `libzinnia.so.0`, loaded at the first use)
//! with Debian's Simplified Chinese model (`tegaki-zinnia-simplified-chinese`,
//! LGPL-2.1+), both read at run time.
//!
//! This crate knows nothing of Slint or of the content: the kiosk decides
//! which guesses to offer first (the terminal's own vocabulary in search,
//! any GBK character in names).

mod ffi;

use std::ffi::{CStr, CString};
use std::path::{Path, PathBuf};
use std::ptr::NonNull;

/// Where Debian's `tegaki-zinnia-simplified-chinese` puts its model.
pub const DEFAULT_MODEL: &str = "/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model";

/// Guesses asked of the recognizer for one character.
pub const GUESSES: usize = 20;

#[derive(Debug, thiserror::Error)]
pub enum HandwritingError {
    #[error("手写识别库 libzinnia.so.0 无法加载：{0}（需要安装 libzinnia0）")]
    Library(String),
    #[error("手写识别模型 {path} 无法打开：{reason}（需要安装 tegaki-zinnia-simplified-chinese）")]
    Model { path: PathBuf, reason: String },
    #[error("手写识别无法启动（Zinnia 内存不足）")]
    OutOfMemory,
}

/// A point of a stroke, in the pad's pixels (x to the right, y down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

/// What was written on the pad: its size and the strokes, each the points
/// the finger passed through from touching the pad to leaving it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ink {
    pub width: f32,
    pub height: f32,
    pub strokes: Vec<Vec<Point>>,
}

/// Points closer than this (in pad pixels) to the last one of their stroke
/// add nothing a recognizer can use; they are dropped.
const MIN_STEP: f32 = 2.0;

/// Strokes kept at most: no character has more than about 36.
pub const MAX_STROKES: usize = 48;

/// Points kept at most per stroke.
pub const MAX_POINTS: usize = 512;

impl Ink {
    pub fn new(width: f32, height: f32) -> Ink {
        Ink {
            width,
            height,
            strokes: Vec::new(),
        }
    }

    /// A finger touches the pad: a new stroke (ignored past
    /// [`MAX_STROKES`]). The pad's size is taken again, as it may have
    /// changed with the screen.
    pub fn pen_down(&mut self, p: Point, width: f32, height: f32) {
        self.width = width;
        self.height = height;
        if self.strokes.len() < MAX_STROKES {
            self.strokes.push(vec![self.clamp(p)]);
        }
    }

    /// The finger moves: the stroke grows (nearby points and points past
    /// [`MAX_POINTS`] are dropped; a move without a stroke is ignored).
    pub fn pen_move(&mut self, p: Point) {
        let p = self.clamp(p);
        let Some(stroke) = self.strokes.last_mut() else {
            return;
        };
        let last = stroke.last().copied().unwrap_or(p);
        if stroke.len() < MAX_POINTS && ((p.x - last.x).hypot(p.y - last.y) >= MIN_STEP) {
            stroke.push(p);
        }
    }

    pub fn clear(&mut self) {
        self.strokes.clear();
    }

    pub fn is_empty(&self) -> bool {
        self.strokes.is_empty()
    }

    /// Inside the pad: a finger sliding off its edge stays on it.
    fn clamp(&self, p: Point) -> Point {
        Point {
            x: p.x.clamp(0.0, self.width.max(0.0)),
            y: p.y.clamp(0.0, self.height.max(0.0)),
        }
    }

    /// The strokes as SVG path commands (`M x y L x y …`) for drawing them.
    pub fn path_commands(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        for s in &self.strokes {
            for (i, p) in s.iter().enumerate() {
                let _ = write!(
                    out,
                    "{} {:.1} {:.1} ",
                    if i == 0 { "M" } else { "L" },
                    p.x,
                    p.y
                );
            }
            // A tap is a dot: a very short line, so it shows.
            if s.len() == 1 {
                let _ = write!(out, "L {:.1} {:.1} ", s[0].x + 0.5, s[0].y + 0.5);
            }
        }
        out
    }
}

/// One guess: a character and how alike Zinnia finds it (higher is more).
#[derive(Debug, Clone, PartialEq)]
pub struct Guess {
    pub text: String,
    pub score: f32,
}

/// A loaded model. The model file is mapped, not read: its pages are in
/// memory only while recognising, and leave with the recognizer.
pub struct Recognizer {
    zinnia: &'static ffi::Zinnia,
    raw: NonNull<ffi::ZinniaRecognizer>,
}

impl std::fmt::Debug for Recognizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recognizer").finish_non_exhaustive()
    }
}

// Zinnia's recognizer holds the mapped model and nothing shared; one
// thread uses it at a time (it is not `Sync`).
unsafe impl Send for Recognizer {}

impl Recognizer {
    /// Opens a Zinnia model (see [`DEFAULT_MODEL`]).
    pub fn open(path: &Path) -> Result<Recognizer, HandwritingError> {
        let model_error = |reason: String| HandwritingError::Model {
            path: path.to_path_buf(),
            reason,
        };
        let c_path = CString::new(path.as_os_str().as_encoded_bytes())
            .map_err(|_| model_error("路径含有空字符".into()))?;
        let z = ffi::zinnia().map_err(HandwritingError::Library)?;
        // SAFETY: a new recognizer, checked for null.
        let raw =
            NonNull::new(unsafe { (z.recognizer_new)() }).ok_or(HandwritingError::OutOfMemory)?;
        let r = Recognizer { zinnia: z, raw };
        // SAFETY: `raw` is a live recognizer and `c_path` a C string.
        if unsafe { (z.recognizer_open)(r.raw.as_ptr(), c_path.as_ptr()) } == 0 {
            // SAFETY: Zinnia's message for the failed open, copied at once.
            let reason = unsafe { CStr::from_ptr((z.recognizer_strerror)(r.raw.as_ptr())) }
                .to_string_lossy()
                .into_owned();
            return Err(model_error(reason));
        }
        Ok(r)
    }

    /// Up to `n` guesses for the character `ink` holds, most alike first;
    /// none for an empty pad.
    pub fn recognize(&self, ink: &Ink, n: usize) -> Vec<Guess> {
        if ink.is_empty() || n == 0 {
            return Vec::new();
        }
        let z = self.zinnia;
        // SAFETY: a new character, checked for null, destroyed below.
        let Some(ch) = NonNull::new(unsafe { (z.character_new)() }) else {
            return Vec::new();
        };
        let size = |v: f32| v.max(1.0).round() as usize;
        let mut guesses = Vec::new();
        // SAFETY: `ch` is live; strokes are numbered from 0 in order, as
        // Zinnia requires; the result is read, then destroyed.
        unsafe {
            (z.character_set_width)(ch.as_ptr(), size(ink.width));
            (z.character_set_height)(ch.as_ptr(), size(ink.height));
            for (id, stroke) in ink.strokes.iter().enumerate() {
                for p in stroke {
                    (z.character_add)(ch.as_ptr(), id, p.x.round() as i32, p.y.round() as i32);
                }
            }
            let result = (z.recognizer_classify)(self.raw.as_ptr(), ch.as_ptr(), n);
            if !result.is_null() {
                for i in 0..(z.result_size)(result) {
                    let value = (z.result_value)(result, i);
                    if value.is_null() {
                        continue;
                    }
                    guesses.push(Guess {
                        text: CStr::from_ptr(value).to_string_lossy().into_owned(),
                        score: (z.result_score)(result, i),
                    });
                }
                (z.result_destroy)(result);
            }
            (z.character_destroy)(ch.as_ptr());
        }
        guesses
    }
}

impl Drop for Recognizer {
    fn drop(&mut self) {
        // SAFETY: the recognizer is live and dropped once.
        unsafe { (self.zinnia.recognizer_destroy)(self.raw.as_ptr()) }
    }
}

/// The guesses with those `known` says yes to first, each group in its
/// order: a character this terminal's content never uses finds nothing
/// in search, so it comes after the ones that do.
pub fn known_first(guesses: Vec<Guess>, known: impl Fn(&str) -> bool) -> Vec<Guess> {
    let (mut first, rest): (Vec<Guess>, Vec<Guess>) =
        guesses.into_iter().partition(|g| known(&g.text));
    first.extend(rest);
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(x: f32, y: f32) -> Point {
        Point { x, y }
    }

    #[test]
    fn strokes_grow_inside_the_pad_and_drop_what_adds_nothing() {
        let mut ink = Ink::new(100.0, 100.0);
        ink.pen_move(p(5.0, 5.0)); // no stroke yet
        assert!(ink.is_empty());
        ink.pen_down(p(10.0, 10.0), 100.0, 100.0);
        ink.pen_move(p(10.5, 10.5)); // too close
        ink.pen_move(p(150.0, -20.0)); // off the pad: kept on its edge
        assert_eq!(ink.strokes, vec![vec![p(10.0, 10.0), p(100.0, 0.0)]]);
        assert_eq!(ink.path_commands(), "M 10.0 10.0 L 100.0 0.0 ");
        for i in 0..MAX_STROKES + 5 {
            ink.pen_down(p(i as f32, 1.0), 100.0, 100.0);
        }
        assert_eq!(ink.strokes.len(), MAX_STROKES);
        for i in 0..MAX_POINTS + 50 {
            ink.pen_move(p((i % 90) as f32, (i % 2) as f32 * 50.0));
        }
        assert_eq!(ink.strokes.last().unwrap().len(), MAX_POINTS);
        ink.clear();
        assert!(ink.is_empty());
        assert_eq!(ink.path_commands(), "");
    }

    #[test]
    fn a_tap_draws_a_dot() {
        let mut ink = Ink::new(100.0, 100.0);
        ink.pen_down(p(50.0, 50.0), 100.0, 100.0);
        assert_eq!(ink.path_commands(), "M 50.0 50.0 L 50.5 50.5 ");
    }

    #[test]
    fn known_characters_come_first_in_their_order() {
        let g = |t: &str| Guess {
            text: t.into(),
            score: 0.0,
        };
        let out = known_first(vec![g("囗"), g("口"), g("田"), g("日")], |t| {
            t == "口" || t == "日"
        });
        let texts: Vec<&str> = out.iter().map(|g| g.text.as_str()).collect();
        assert_eq!(texts, ["口", "日", "囗", "田"]);
    }

    #[test]
    fn a_missing_model_is_named_in_chinese() {
        let e = Recognizer::open(Path::new("/nonexistent/handwriting.model")).unwrap_err();
        let m = e.to_string();
        assert!(
            m.contains("/nonexistent/handwriting.model") && m.contains("无法打开"),
            "{m}"
        );
    }
}
