//! Search over catalog items, documents, interpretations, guides and notices.
//!
//! Two matchers:
//! - **text**: any query of one or more characters finds every record whose
//!   title or body contains it, exactly as `LIKE '%q%'` on the normalised
//!   text would. An FTS5 index of character unigrams and bigrams (encoded as
//!   hex tokens, so punctuation and digits count too) finds candidates; a
//!   query longer than two characters is verified against the text.
//! - **pinyin**: a query of Latin letters also matches titles by pinyin,
//!   full (`yishenqing`), initials (`ybsqgk`) or mixed (`yisqgk`), with
//!   every reading of a polyphonic character.
//!
//! Title matches rank before body matches; hits carry the matched ranges
//! for highlighting.

pub(crate) mod index;
mod normalize;
mod pinyin_match;
mod query;
mod titles;

pub use normalize::normalize;
pub use pinyin_match::{match_title, pinyin_of};
pub use query::{Hit, HitKind, SearchError, SearchResults, Searcher, like_scan};
pub use titles::{PinyinHit, TitleIndex};
