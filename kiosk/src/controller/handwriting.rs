//! 手写 on any text the kiosk types: the pad's touches into the composer's
//! ink, and the recognizer's guesses into its candidates after each stroke.

use super::context::Context;
use crate::composer::Composer;

/// What a finger does on the writing pad, in the pad's pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pen {
    /// Touches the pad (of `width`×`height`): a stroke begins.
    Down {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
    },
    Move {
        x: f32,
        y: f32,
    },
    /// Leaves the pad: the stroke is done, the guesses come.
    Up,
    /// 重写: the pad wiped.
    Rewrite,
}

impl Pen {
    /// Whether only the ink changes (drawn at once, nothing else of the
    /// page is filled again while a finger moves).
    pub fn only_draws(self) -> bool {
        matches!(self, Pen::Down { .. } | Pen::Move { .. })
    }
}

/// Applies `pen` to the composer; a finished stroke asks the recognizer.
pub fn apply_pen(ctx: &Context, c: &mut Composer, pen: Pen) {
    use handwriting::Point;
    match pen {
        Pen::Down {
            x,
            y,
            width,
            height,
        } => c.pen_down(Point { x, y }, width, height),
        Pen::Move { x, y } => c.pen_move(Point { x, y }),
        Pen::Up => {
            let guesses = if c.ink().is_empty() {
                Vec::new()
            } else {
                ctx.handwriting_guesses(c.ink(), c.rules().vocabulary)
            };
            c.set_guesses(guesses);
        }
        Pen::Rewrite => c.rewrite(),
    }
}
