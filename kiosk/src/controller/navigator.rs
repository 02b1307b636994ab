//! Where the citizen is: the page shown, what it shows, and the history
//! that 返回 goes back through. Plain logic, no UI.

use disclosure::search::Hit;
use disclosure::store::RecordKind;
use disclosure::{DocumentKey, Domain, ItemKey};

use crate::PageId;

/// Pages 返回 can go back through.
pub const MAX_HISTORY: usize = 20;

/// What a row or result opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Item(ItemKey),
    Document(DocumentKey),
    Interpretation(DocumentKey),
    Guide(DocumentKey),
    Notice(DocumentKey),
}

impl Target {
    /// The string a UI row carries: `item:KEY`, `doc:KEY`…
    pub fn encode(&self) -> String {
        match self {
            Self::Item(k) => format!("item:{k}"),
            Self::Document(k) => format!("doc:{k}"),
            Self::Interpretation(k) => format!("interp:{k}"),
            Self::Guide(k) => format!("guide:{k}"),
            Self::Notice(k) => format!("notice:{k}"),
        }
    }

    pub fn decode(s: &str) -> Option<Target> {
        let (kind, key) = s.split_once(':')?;
        let doc = || DocumentKey(key.to_string());
        Some(match kind {
            "item" => Self::Item(ItemKey(key.to_string())),
            "doc" => Self::Document(doc()),
            "interp" => Self::Interpretation(doc()),
            "guide" => Self::Guide(doc()),
            "notice" => Self::Notice(doc()),
            _ => return None,
        })
    }

    pub fn of_hit(h: &Hit) -> Target {
        let doc = || DocumentKey(h.key.clone());
        match h.kind {
            RecordKind::Item => Self::Item(ItemKey(h.key.clone())),
            RecordKind::Document => Self::Document(doc()),
            RecordKind::Interpretation => Self::Interpretation(doc()),
            RecordKind::Guide => Self::Guide(doc()),
            RecordKind::Notice => Self::Notice(doc()),
        }
    }

    /// The part of the public address after the base (`item/KEY`).
    pub fn public_path(&self) -> String {
        match self {
            Self::Item(k) => format!("item/{k}"),
            Self::Document(k) => format!("doc/{k}"),
            Self::Interpretation(k) => format!("interp/{k}"),
            Self::Guide(k) => format!("guide/{k}"),
            Self::Notice(k) => format!("notice/{k}"),
        }
    }
}

/// The lists behind the home tiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    Interpretations,
    Guides,
    Notices,
    Village,
}

/// A page and what it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    Home,
    Attract,
    Domains,
    /// A domain's items; `column` indexes the column list (0: all).
    Items {
        domain: Domain,
        column: usize,
    },
    Reader(Target),
    List(ListKind),
    Search,
    /// 依申请公开: the application wizard.
    Apply,
    /// 办理进度: lookup by receipt number.
    Progress,
    /// 技术维护 (behind the technician's PIN).
    Technician,
}

impl Page {
    /// Which page of the UI shows it.
    pub fn id(&self) -> PageId {
        match self {
            Page::Home => PageId::Home,
            Page::Attract => PageId::Attract,
            Page::Domains => PageId::Domains,
            Page::Items { .. } => PageId::Items,
            Page::Reader(Target::Item(_)) => PageId::Item,
            Page::Reader(_) => PageId::Reader,
            Page::List(_) => PageId::List,
            Page::Search => PageId::Search,
            Page::Apply => PageId::Apply,
            Page::Progress => PageId::Progress,
            Page::Technician => PageId::Technician,
        }
    }
}

/// The page shown and the way back.
#[derive(Debug, Clone)]
pub struct Navigator {
    page: Page,
    history: Vec<Page>,
}

impl Default for Navigator {
    fn default() -> Self {
        Navigator {
            page: Page::Home,
            history: Vec::new(),
        }
    }
}

impl Navigator {
    pub fn page(&self) -> &Page {
        &self.page
    }

    pub fn history(&self) -> &[Page] {
        &self.history
    }

    /// Moves on to `page`, remembering the current one for 返回. Going to
    /// a page already in the history returns to it rather than piling up
    /// a loop (文件 → 解读 → 文件 → …); the attract loop is never
    /// remembered.
    pub fn go(&mut self, page: Page) {
        if let Some(pos) = self.history.iter().position(|p| *p == page) {
            self.history.truncate(pos);
        } else if self.page != page && self.page != Page::Attract {
            self.history.push(self.page.clone());
            if self.history.len() > MAX_HISTORY {
                self.history.remove(0);
            }
        }
        self.page = page;
    }

    /// 返回: the page before, or home.
    pub fn back(&mut self) -> &Page {
        self.page = self.history.pop().unwrap_or(Page::Home);
        &self.page
    }

    /// Home with no history.
    pub fn home(&mut self) {
        self.history.clear();
        self.page = Page::Home;
    }

    /// Shows `page` in place of the current one, the history untouched
    /// (the attract loop, a refresh).
    pub fn replace(&mut self, page: Page) {
        self.page = page;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(k: &str) -> Page {
        Page::Reader(Target::Document(DocumentKey(k.into())))
    }

    fn interp(k: &str) -> Page {
        Page::Reader(Target::Interpretation(DocumentKey(k.into())))
    }

    #[test]
    fn targets_round_trip() {
        for t in [
            Target::Item(ItemKey("990521-ab".into())),
            Target::Document(DocumentKey("990521-dibao-2025".into())),
            Target::Interpretation(DocumentKey("990521-dibao-2025.解读".into())),
            Target::Guide(DocumentKey("990521-x".into())),
            Target::Notice(DocumentKey("990521-y".into())),
        ] {
            assert_eq!(Target::decode(&t.encode()), Some(t));
        }
        assert_eq!(Target::decode("nope"), None);
        assert_eq!(Target::decode("x:y"), None);
    }

    #[test]
    fn back_retraces_and_ends_at_home() {
        let mut n = Navigator::default();
        n.go(Page::Domains);
        n.go(doc("a"));
        assert_eq!(n.history(), &[Page::Home, Page::Domains]);
        assert_eq!(n.back(), &Page::Domains);
        assert_eq!(n.back(), &Page::Home);
        assert_eq!(n.back(), &Page::Home, "nothing before home");
    }

    #[test]
    fn returning_to_a_page_in_the_history_cuts_the_loop() {
        let mut n = Navigator::default();
        n.go(doc("a"));
        n.go(interp("a"));
        n.go(doc("a"));
        assert_eq!(n.page(), &doc("a"));
        assert_eq!(n.history(), &[Page::Home]);
        // The same page again is not remembered twice.
        n.go(doc("a"));
        assert_eq!(n.history(), &[Page::Home]);
    }

    #[test]
    fn history_is_bounded_and_skips_the_attract_loop() {
        let mut n = Navigator::default();
        for i in 0..(MAX_HISTORY + 5) {
            n.go(doc(&i.to_string()));
        }
        assert_eq!(n.history().len(), MAX_HISTORY);
        n.home();
        assert!(n.history().is_empty());
        n.replace(Page::Attract);
        n.go(Page::Home);
        assert!(
            n.history().is_empty(),
            "the attract loop is not a page to go back to"
        );
    }

    #[test]
    fn page_ids() {
        assert_eq!(
            Page::Reader(Target::Item(ItemKey("k".into()))).id(),
            PageId::Item
        );
        assert_eq!(doc("a").id(), PageId::Reader);
        assert_eq!(
            Page::Items {
                domain: Domain::all().next().unwrap(),
                column: 0
            }
            .id(),
            PageId::Items
        );
    }
}
