//! What a receipt says and how it is laid out on the paper, independent of
//! how the bytes are made: a list of [`Block`]s, text wrapped to the
//! paper's columns (a Chinese character takes two).

/// The paper the printer takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaperWidth {
    /// 58 mm paper, 384 dots (48 mm) printable.
    Mm58,
    /// 80 mm paper, 576 dots (72 mm) printable.
    Mm80,
}

impl PaperWidth {
    pub fn dots(self) -> u32 {
        match self {
            Self::Mm58 => 384,
            Self::Mm80 => 576,
        }
    }

    /// Columns of the printer's 12×24 font (a Chinese character is two).
    pub fn columns(self) -> usize {
        (self.dots() / 12) as usize
    }

    /// Dots per CODE128 module: the 26-digit receipt number (178
    /// modules) must fit 384 dots on 58 mm; 80 mm prints it wider.
    pub fn barcode_module_dots(self) -> u8 {
        match self {
            Self::Mm58 => 2,
            Self::Mm80 => 3,
        }
    }

    /// Dots per QR module.
    pub fn qr_module_dots(self) -> u8 {
        match self {
            Self::Mm58 => 6,
            Self::Mm80 => 8,
        }
    }

    pub fn parse(s: &str) -> Option<PaperWidth> {
        match s {
            "58" | "58mm" => Some(Self::Mm58),
            "80" | "80mm" => Some(Self::Mm80),
            _ => None,
        }
    }
}

/// Text size: normal, doubled in height only, or in both directions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextSize {
    Normal,
    Tall,
    Double,
}

impl TextSize {
    /// Width and height multipliers.
    pub fn scale(self) -> (u8, u8) {
        match self {
            Self::Normal => (1, 1),
            Self::Tall => (1, 2),
            Self::Double => (2, 2),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
}

/// One element of a laid-out receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// One printed line (already wrapped).
    Line {
        text: String,
        size: TextSize,
        align: Align,
        bold: bool,
    },
    /// A dashed rule across the paper.
    Rule,
    /// The receipt number as CODE128 (digits only).
    Barcode(String),
    /// A QR code (model 2) of a text.
    Qr(String),
    /// Blank lines.
    Feed(u8),
    /// Feed to the cutter and cut.
    Cut,
}

/// Everything a receipt for an application says. Personal data arrives
/// masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// 政府信息公开申请回执.
    pub title: String,
    /// Printed again from the progress page: marked 补打.
    pub reprint: bool,
    pub receiving_body: String,
    /// As read aloud: `990521201201-01-261123-0007-42`.
    pub receipt_no: String,
    /// The digits for the barcode.
    pub receipt_digits: String,
    /// `2026年11月23日 09:05`.
    pub received_at: String,
    pub channel: String,
    /// `2026年12月21日前答复` or the sentence saying the body will confirm.
    pub deadline: String,
    /// What was asked, shortened.
    pub wanted: String,
    pub applicant: String,
    pub id_masked: String,
    pub phone_masked: String,
    /// 纸质·自行领取.
    pub how: String,
    /// 查询密码: the digits that open the details and 补打 at a terminal,
    /// printed large under the barcode; empty prints none.
    pub pin: String,
    /// How to check progress, in words.
    pub progress_hint: String,
    /// The QR's content: the progress address with the receipt's token;
    /// empty prints no QR code.
    pub progress_url: String,
    /// 咨询电话.
    pub hotline: String,
}

/// Display width of a character in columns: two for CJK and full-width.
pub fn char_columns(c: char) -> usize {
    if (c as u32) < 0x1100 { 1 } else { 2 }
}

pub fn text_columns(s: &str) -> usize {
    s.chars().map(char_columns).sum()
}

fn is_opening(c: char) -> bool {
    "（《「『【“‘(".contains(c)
}

fn is_closing(c: char) -> bool {
    "，。、：；！？）》」』】”’…,.:;!?)".contains(c)
}

/// Breaks `text` into lines of at most `width` columns; characters of
/// `hang` columns start each continuation line so it lines up after a label.
pub fn wrap(text: &str, width: usize, hang: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut cols = 0;
    let indent = hang.min(width / 2);
    for c in text.chars() {
        let w = char_columns(c);
        if cols + w > width && !line.is_empty() {
            // Closing punctuation never starts a line: the character
            // before it moves down with it.
            // An opening bracket never ends one.
            let carried = if (is_closing(c) || line.ends_with(is_opening))
                && line.chars().count() > indent + 1
            {
                line.pop()
            } else {
                None
            };
            lines.push(std::mem::take(&mut line));
            line.push_str(&" ".repeat(indent));
            cols = indent;
            if let Some(p) = carried {
                line.push(p);
                cols += char_columns(p);
            }
        }
        line.push(c);
        cols += w;
    }
    if !line.trim().is_empty() {
        lines.push(line);
    }
    lines
}

/// Cuts `text` to at most `max_chars` characters, marking the cut with ….
pub fn shorten(text: &str, max_chars: usize) -> String {
    let t: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.chars().count() <= max_chars {
        t
    } else {
        let mut s: String = t.chars().take(max_chars.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

impl Receipt {
    /// The receipt laid out for `paper`.
    pub fn blocks(&self, paper: PaperWidth) -> Vec<Block> {
        let cols = paper.columns();
        let mut out = Vec::new();
        let line = |text: String, size, align, bold| Block::Line {
            text,
            size,
            align,
            bold,
        };
        // The title doubled where it fits on one line, else tall.
        let title_size = if text_columns(&self.title) * 2 <= cols {
            TextSize::Double
        } else {
            TextSize::Tall
        };
        let title_cols = cols / usize::from(title_size.scale().0);
        for t in wrap(&self.title, title_cols, 0) {
            out.push(line(t, title_size, Align::Center, true));
        }
        if self.reprint {
            out.push(line("【补打】".into(), title_size, Align::Center, true));
        }
        out.push(Block::Rule);
        let mut field = |label: &str, value: &str, bold: bool| {
            let text = format!("{label}：{value}");
            for t in wrap(&text, cols, text_columns(label) + 2) {
                out.push(line(t, TextSize::Normal, Align::Left, bold));
            }
        };
        field("受理机关", &self.receiving_body, false);
        field("受理时间", &self.received_at, false);
        field("受理渠道", &self.channel, false);
        field("答复期限", &self.deadline, true);
        field("申请人", &self.applicant, false);
        field("证件号码", &self.id_masked, false);
        field("联系电话", &self.phone_masked, false);
        field("申请内容", &shorten(&self.wanted, 60), false);
        field("获取方式", &self.how, false);
        out.push(Block::Rule);
        out.push(line(
            "回执编号".into(),
            TextSize::Normal,
            Align::Center,
            false,
        ));
        out.push(line(
            self.receipt_no.clone(),
            TextSize::Normal,
            Align::Center,
            true,
        ));
        out.push(Block::Barcode(self.receipt_digits.clone()));
        if !self.pin.is_empty() {
            out.push(line(
                "查询密码".into(),
                TextSize::Normal,
                Align::Center,
                false,
            ));
            out.push(line(
                self.pin.clone(),
                TextSize::Double,
                Align::Center,
                true,
            ));
        }
        if !self.progress_url.is_empty() {
            out.push(Block::Qr(self.progress_url.clone()));
        }
        for t in wrap(&self.progress_hint, cols, 0) {
            out.push(line(t, TextSize::Normal, Align::Left, false));
        }
        if !self.hotline.is_empty() {
            out.push(line(
                format!("咨询电话：{}", self.hotline),
                TextSize::Normal,
                Align::Left,
                false,
            ));
        }
        out.push(line(
            "请妥善保管本回执。".into(),
            TextSize::Normal,
            Align::Left,
            false,
        ));
        out.push(Block::Feed(3));
        out.push(Block::Cut);
        out
    }

    /// The fixed sample `kiosk print-test` prints.
    pub fn sample() -> Receipt {
        Receipt {
            title: "政府信息公开申请回执".into(),
            reprint: false,
            receiving_body: "石桥乡人民政府".into(),
            receipt_no: "990521201201-01-261123-0001-52".into(),
            receipt_digits: "99052120120101261123000152".into(),
            received_at: "2026年11月23日 09:05".into(),
            channel: "现场·政务公开专区终端".into(),
            deadline: "2026年12月21日前答复（20个工作日）".into(),
            wanted: "打印测试：本页为样张，不是真实申请".into(),
            applicant: "王**（公民）".into(),
            id_masked: "110105********002X".into(),
            phone_masked: "138****8000".into(),
            how: "纸质·自行领取".into(),
            pin: "482916".into(),
            progress_hint: "查进度：在终端“办理进度”扫描本回执条码或输入编号，再输入查询密码，\
                            可看详情和补打；用手机扫二维码可看办理进度。查询密码请勿告诉他人。"
                .into(),
            progress_url: "https://www.yunxi.gov.example/gk/progress/kfuw4ylpnfzgk3tfmvxgo2lo"
                .into(),
            hotline: "0999-1234567".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_counts_chinese_as_two_columns() {
        assert_eq!(
            wrap("申请内容：低保名单", 10, 0),
            ["申请内容：", "低保名单"]
        );
        assert_eq!(wrap("abcdefghij", 4, 2), ["abcd", "  ef", "  gh", "  ij"]);
        assert_eq!(wrap("", 10, 0), Vec::<String>::new());
        // A closing bracket takes the character before it along.
        assert_eq!(wrap("终端（现场）", 10, 0), ["终端（现", "场）"]);
        assert_eq!(wrap("前答复（20", 8, 0), ["前答复", "（20"]);
        for paper in [PaperWidth::Mm58, PaperWidth::Mm80] {
            for b in Receipt::sample().blocks(paper) {
                if let Block::Line { text, size, .. } = b {
                    let limit = paper.columns() / usize::from(size.scale().0);
                    assert!(text_columns(&text) <= limit, "{text} on {paper:?}");
                }
            }
        }
        assert_eq!(shorten("一二三四五", 5), "一二三四五");
        assert_eq!(shorten("一二三四五六", 5), "一二三四…");
    }
}
