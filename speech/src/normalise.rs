//! Chinese text normalisation: what is said, written as hanzi, so that
//! the pinyin step only ever sees hanzi and pause marks.
//!
//! Conventions (each rule is in the test table at the end):
//!
//! - **Numbers** are read as quantities: `1,234.5` → 一千二百三十四点五,
//!   `10` → 十, `1005` → 一千零五, `100010` → 十万零一十; digits after
//!   the point one by one (`2.30` → 二点三零). A leading 2 before 千, 万
//!   or 亿 is 两 (两千, 两万二千), as is a lone 2 before a measure word
//!   (两个, 两天, 两元) but not after 第 or before 号, 月, 日, 级, 楼.
//!   `-5` (a minus not after a digit) → 负五; `15%` → 百分之十五,
//!   `3‰` → 千分之三; `1/3` → 三分之一; `120元/月` → 一百二十元每月
//!   (a slash before a unit of time or count is 每, between other hanzi
//!   或).
//! - **Ranges**: `15-20`, `8:30—12:00`, `1~3` → 至 between the two.
//! - **Years** are read digit by digit with 一 and 零: a four-digit number
//!   before 年 (also as the first of a year range before 年: `2026—2035年`
//!   → 二零二六至二零三五年), dates `2026-12-01`, `2026/12/1`,
//!   `2026.12.01` → 二零二六年十二月一日 (`2026-12` → 二零二六年十二月).
//! - **文号**: `云政办〔2026〕9号` → 云政办二零二六年九号: the bracketed
//!   year digit by digit with 年, the sequence number as a quantity with
//!   号, which is how a 文号 is read out in meetings and on the radio
//!   (“国发二〇一六年五十号”); the brackets themselves are not said.
//!   〔〕, []/［］ and ()/（）, 【】 are all accepted around the year.
//! - **Times**: `8:30` → 八点三十分, `12:00` → 十二点, `8:05` → 八点零五分.
//! - **Codes are read digit by digit with 幺 for 1** — phone numbers, ID
//!   numbers, receipt numbers, hotlines, postcodes, PINs: 幺 is how hall
//!   staff and every service line say 1 in a number, so that 一 and 七
//!   are not confused. A code is: an 18-character ID number (grouped
//!   6-8-4, X read 艾克斯); an 11-digit mobile number (grouped 3-4-4); a
//!   landline `0999-5521234` (area code, pause, number); digits joined by
//!   hyphens in three or more groups (receipt numbers, grouped as
//!   written); digits with a leading zero; seven or more digits not
//!   followed by a unit; digits right after 电话, 热线, 手机, 号码,
//!   编号, 邮编, 传真, 账号, 卡号, 代码, 密码, 拨打 or before 热线; digits
//!   next to a `*` of a masked number (`138****8000`: 幺三八星星星星八零零零).
//! - **Latin letters** are spelled, each by a Chinese name (A 诶, B 比,
//!   C 西, … X 艾克斯); `.` between letters is 点, `@` 艾特, `_` 下划线,
//!   `/` between letters 斜杠.
//! - **Punctuation** becomes one of the pauses ，、；：(short) and 。？！
//!   (long); brackets are short pauses; quotes and book-title marks are
//!   not said; a line break is a long pause; runs of pauses collapse to
//!   the strongest. A space is a short pause (one space between two
//!   numbers or Latin words). Markdown marks (`#`, `>`, `**`, list bullets, table
//!   pipes) are not said; pipes are pauses. `*` in a masked name is 某
//!   (`石*成` → 石某成), elsewhere 星.
//! - A list number at the start of a line (`1. 申请`) is said with a pause
//!   (一，申请).

/// What is said for `text`, as hanzi and pause marks.
pub fn spoken_text(text: &str) -> String {
    let prepared = prepare(text);
    let mut n = Normaliser {
        chars: prepared.chars().collect(),
        i: 0,
        out: String::with_capacity(text.len() * 2),
    };
    n.run();
    finish(&n.out)
}

/// Full-width ASCII to half-width (but not the full-width punctuation that
/// is Chinese punctuation: ，：；！？（）), ideographic space to space,
/// Markdown bold and line marks removed.
fn prepare(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        let c = match c {
            '，' | '：' | '；' | '！' | '？' | '（' | '）' => c,
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            '\r' => '\n',
            '−' | '–' => '-',
            c => c,
        };
        s.push(c);
    }
    // Markdown: **bold**, and at the start of a line #, >, and bullets.
    let mut out = String::with_capacity(s.len());
    for (k, line) in s.split('\n').enumerate() {
        if k > 0 {
            out.push('\n');
        }
        let mut l = line.trim_start();
        l = l
            .trim_start_matches('#')
            .trim_start_matches('>')
            .trim_start();
        if let Some(rest) = l.strip_prefix("- ").or_else(|| l.strip_prefix("* ")) {
            l = rest;
        }
        out.push_str(&strip_bold(l));
    }
    out
}

/// `**x**` → `x`.
fn strip_bold(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find("**") {
        let after = &rest[start + 2..];
        match after.find("**") {
            Some(end) if end > 0 && !after[..end].contains('*') => {
                out.push_str(&rest[..start]);
                out.push_str(&after[..end]);
                rest = &after[end + 2..];
            }
            _ => {
                out.push_str(&rest[..start + 2]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

const SHORT_PAUSES: &str = "，、；：";
const LONG_PAUSES: &str = "。？！";

fn is_pause(c: char) -> bool {
    SHORT_PAUSES.contains(c) || LONG_PAUSES.contains(c)
}

fn pause_strength(c: char) -> u8 {
    if LONG_PAUSES.contains(c) { 2 } else { 1 }
}

/// Collapses runs of pauses to their strongest, drops leading and
/// trailing short pauses and spaces next to pauses.
fn finish(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_pause(c) {
            while out.ends_with(' ') {
                out.pop();
            }
            match out.chars().last() {
                None => {}
                Some(last) if is_pause(last) && pause_strength(c) > pause_strength(last) => {
                    out.pop();
                    out.push(c);
                }
                Some(last) if is_pause(last) => {}
                Some(_) => out.push(c),
            }
        } else if c == ' ' {
            match out.chars().last() {
                None | Some(' ') => {}
                Some(last) if is_pause(last) => {}
                Some(_) => out.push(' '),
            }
        } else {
            out.push(c);
        }
    }
    // A paragraph does not end on a short pause.
    out.trim_end_matches(|c: char| c == ' ' || SHORT_PAUSES.contains(c))
        .to_string()
}

fn is_hanzi(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3134F}')
}

/// Digits read one by one in codes (幺 for 1).
const CODE_DIGITS: [&str; 10] = ["零", "幺", "二", "三", "四", "五", "六", "七", "八", "九"];
/// Digits read one by one in years and after the decimal point.
const PLAIN_DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

/// The Chinese name of a Latin letter.
fn letter_name(c: char) -> &'static str {
    match c.to_ascii_uppercase() {
        'A' => "诶",
        'B' => "比",
        'C' => "西",
        'D' => "迪",
        'E' => "伊",
        'F' => "艾弗",
        'G' => "吉",
        'H' => "艾尺",
        'I' => "艾",
        'J' => "杰",
        'K' => "开",
        'L' => "艾勒",
        'M' => "艾姆",
        'N' => "恩",
        'O' => "欧",
        'P' => "批",
        'Q' => "丘",
        'R' => "阿尔",
        'S' => "艾斯",
        'T' => "提",
        'U' => "优",
        'V' => "维",
        'W' => "达布留",
        'X' => "艾克斯",
        'Y' => "歪",
        'Z' => "贼德",
        _ => "",
    }
}

/// Words after which digits are a code.
const CODE_WORDS: [&str; 17] = [
    "电话",
    "热线",
    "手机",
    "号码",
    "编号",
    "邮编",
    "传真",
    "账号",
    "卡号",
    "代码",
    "密码",
    "拨打",
    "致电",
    "验证码",
    "身份证",
    "回执",
    "工号",
];

/// Units and measure words: seven or more digits before one of these are
/// a quantity, not a code.
const UNITS: &str = "元角万亿千百人户个名位项件次张本份间座口套台辆亩米吨斤克升平立公里岁天日月年周时分秒倍余多家所批条页";

/// Measure words before which a lone 2 is 两.
const LIANG_MEASURES: &str =
    "个人件次天年周户名位项种条张本份间座口套台辆倍岁亩元块斤吨米公小分万千亿百家所批页";

/// After a slash, these make it 每 (`元/月`).
const PER_UNITS: &str = "月年日天人户次亩吨斤件小周";

/// Quantity reading of an integer below 10^16; `None` when too large.
fn cardinal(n: u64) -> Option<String> {
    if n >= 10_000_000_000_000_000 {
        return None;
    }
    if n == 0 {
        return Some("零".into());
    }
    let sections = [
        (n / 1_000_000_000_000, "万亿"),
        ((n / 100_000_000) % 10_000, "亿"),
        ((n / 10_000) % 10_000, "万"),
        (n % 10_000, ""),
    ];
    let mut out = String::new();
    let mut started = false;
    let mut zero_pending = false;
    for (v, unit) in sections {
        if v == 0 {
            if started {
                zero_pending = true;
            }
            continue;
        }
        if started && (zero_pending || v < 1000) {
            out.push('零');
        }
        out.push_str(&section(v as u32, !started, !unit.is_empty()));
        out.push_str(unit);
        started = true;
        zero_pending = false;
    }
    Some(out)
}

/// 1–9999 in words. `leading`: the first section of the number (一十 →
/// 十, a leading 2 before 千 or a unit → 两). `has_unit`: 万/亿 follows.
fn section(v: u32, leading: bool, has_unit: bool) -> String {
    let digits = [v / 1000, (v / 100) % 10, (v / 10) % 10, v % 10];
    let places = ["千", "百", "十", ""];
    let first = digits.iter().position(|&d| d != 0).unwrap_or(3);
    let mut out = String::new();
    let mut zero = false;
    for (k, &d) in digits.iter().enumerate().skip(first) {
        if d == 0 {
            zero = true;
            continue;
        }
        if zero {
            out.push('零');
            zero = false;
        }
        let word = if leading && k == first {
            match (d, k) {
                // 十, 十五 (not 一十) at the start of a number.
                (1, 2) => "",
                // 两千, 两万 (a lone 2 before 万 or 亿).
                (2, 0) => "两",
                (2, 3) if has_unit => "两",
                _ => PLAIN_DIGITS[d as usize],
            }
        } else {
            PLAIN_DIGITS[d as usize]
        };
        out.push_str(word);
        out.push_str(places[k]);
    }
    out
}

/// Digits one by one.
fn digit_by_digit(digits: &str, names: &[&str; 10]) -> String {
    digits
        .chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => names[d as usize].to_string(),
            None if c.eq_ignore_ascii_case(&'x') => letter_name('X').to_string(),
            None => String::new(),
        })
        .collect()
}

/// A code in groups of the given lengths, a short pause between them.
fn code_groups(digits: &str, groups: &[usize]) -> String {
    let mut out = Vec::new();
    let mut rest = digits;
    for &g in groups {
        let (a, b) = rest.split_at(g.min(rest.len()));
        if !a.is_empty() {
            out.push(digit_by_digit(a, &CODE_DIGITS));
        }
        rest = b;
    }
    if !rest.is_empty() {
        out.push(digit_by_digit(rest, &CODE_DIGITS));
    }
    out.join("，")
}

/// A plain number: optional thousands separators, optional decimals.
fn quantity(s: &str) -> Option<String> {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let int_digits: String = int.chars().filter(|&c| c != ',').collect();
    if int_digits.is_empty() || !int_digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut out = match int_digits.trim_start_matches('0') {
        "" => "零".to_string(),
        d => cardinal(d.parse().ok()?)?,
    };
    if let Some(f) = frac {
        if f.is_empty() || !f.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        out.push('点');
        out.push_str(&digit_by_digit(f, &PLAIN_DIGITS));
    }
    Some(out)
}

fn is_thousands(s: &str) -> bool {
    let int = s.split('.').next().unwrap_or("");
    let groups: Vec<&str> = int.split(',').collect();
    groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit()))
}

fn is_year(s: &str) -> bool {
    s.len() == 4
        && s.chars().all(|c| c.is_ascii_digit())
        && (1000..=2999).contains(&s.parse::<u32>().unwrap_or(0))
}

fn year(s: &str) -> String {
    digit_by_digit(s, &PLAIN_DIGITS)
}

/// `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYY.MM.DD`, or `YYYY-MM`.
fn date(s: &str) -> Option<String> {
    let sep = s.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
    let parts: Vec<&str> = s.split(sep).collect();
    if !(2..=3).contains(&parts.len()) || !is_year(parts[0]) {
        return None;
    }
    let y: u32 = parts[0].parse().ok()?;
    if !(1900..=2100).contains(&y) {
        return None;
    }
    let small = |p: &str, max: u32| -> Option<u32> {
        if p.is_empty() || p.len() > 2 || !p.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let v: u32 = p.parse().ok()?;
        (1..=max).contains(&v).then_some(v)
    };
    let m = small(parts[1], 12)?;
    let mut out = format!("{}年{}月", year(parts[0]), cardinal(u64::from(m))?);
    if let Some(d) = parts.get(2) {
        let d = small(d, 31)?;
        out.push_str(&cardinal(u64::from(d))?);
        out.push('日');
    }
    Some(out)
}

/// `H:MM` or `H:MM:SS`, with `:` or `：`.
fn time(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.split([':', '：']).collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    if parts[0].len() > 2 || parts[1..].iter().any(|p| p.len() != 2) {
        return None;
    }
    let h: u64 = parts[0].parse().ok()?;
    let m: u64 = parts[1].parse().ok()?;
    let sec: u64 = parts.get(2).map(|p| p.parse().unwrap_or(99)).unwrap_or(0);
    if h > 24 || m > 59 || sec > 59 {
        return None;
    }
    let mut out = format!("{}点", cardinal(h)?);
    if m > 0 || sec > 0 {
        if m < 10 {
            out.push('零');
        }
        out.push_str(&cardinal(m)?);
        out.push('分');
    }
    if sec > 0 {
        if sec < 10 {
            out.push('零');
        }
        out.push_str(&cardinal(sec)?);
        out.push('秒');
    }
    Some(out)
}

fn is_range_sep(c: char) -> bool {
    matches!(c, '-' | '—' | '~' | '～' | '至')
}

struct Normaliser {
    chars: Vec<char>,
    i: usize,
    out: String,
}

impl Normaliser {
    fn at(&self, k: usize) -> Option<char> {
        self.chars.get(k).copied()
    }

    fn prev(&self) -> Option<char> {
        self.i.checked_sub(1).and_then(|k| self.at(k))
    }

    fn push(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn run(&mut self) {
        while self.i < self.chars.len() {
            let c = self.chars[self.i];
            if c.is_ascii_digit() {
                self.number();
            } else if c == '-' && self.at(self.i + 1).is_some_and(|n| n.is_ascii_digit()) {
                // After a percentage it joins a range; after a letter it
                // is a hyphen; elsewhere a minus.
                match self.prev() {
                    Some('%' | '‰') => self.push("至"),
                    Some(p) if p.is_ascii_alphanumeric() => {}
                    _ => self.push("负"),
                }
                self.i += 1;
            } else if c.is_ascii_alphabetic() {
                self.letters();
            } else if "〔[［(（【".contains(c) && self.document_number() {
                // done by document_number
            } else {
                self.symbol(c);
                self.i += 1;
            }
        }
    }

    /// `〔2026〕9号` at `self.i` (an opening bracket): the 文号 reading.
    fn document_number(&mut self) -> bool {
        let close = match self.chars[self.i] {
            '〔' => '〕',
            '[' => ']',
            '［' => '］',
            '(' => ')',
            '（' => '）',
            '【' => '】',
            _ => return false,
        };
        let y: String = self.chars.iter().skip(self.i + 1).take(4).collect();
        if !is_year(&y) || self.at(self.i + 5) != Some(close) {
            return false;
        }
        let mut k = self.i + 6;
        while self.at(k).is_some_and(|c| c.is_ascii_digit()) {
            k += 1;
        }
        let seq: String = self.chars[self.i + 6..k].iter().collect();
        let has_number = !seq.is_empty() && self.at(k) == Some('号');
        if !has_number && close != '〕' {
            return false;
        }
        self.push(&year(&y));
        self.push("年");
        self.i += 6;
        if has_number {
            if let Some(q) = quantity(seq.trim_start_matches('0')).or_else(|| quantity(&seq)) {
                self.push(&q);
            }
            self.push("号");
            self.i = k + 1;
        }
        true
    }

    /// The run of digits and inner separators starting at `self.i`.
    fn number_run(&self) -> usize {
        let mut k = self.i;
        while let Some(c) = self.at(k) {
            // Digits, and separators between two digits.
            let inner = matches!(c, '.' | ',' | ':' | '：' | '/' | '-' | '—' | '~' | '～')
                && self.at(k + 1).is_some_and(|n| n.is_ascii_digit())
                && self
                    .at(k.wrapping_sub(1))
                    .is_some_and(|p| p.is_ascii_digit());
            if c.is_ascii_digit() || inner {
                k += 1;
            } else if c.eq_ignore_ascii_case(&'x') && k - self.i == 17 {
                // The check character of an ID number.
                k += 1;
                break;
            } else {
                break;
            }
        }
        k
    }

    /// The text just before the number, without spaces and colons.
    fn before_number(&self) -> String {
        let mut k = self.i;
        while k > 0 && matches!(self.chars[k - 1], ' ' | ':' | '：' | '为' | '是') {
            k -= 1;
        }
        let start = k.saturating_sub(4);
        self.chars[start..k].iter().collect()
    }

    fn number(&mut self) {
        let end = self.number_run();
        let run: String = self.chars[self.i..end].iter().collect();
        let next = self.at(end);
        let next2 = self.at(end + 1);
        let line_start = self.chars[..self.i]
            .iter()
            .rev()
            .take_while(|&&c| c != '\n')
            .all(|c| c.is_whitespace());
        let spoken = self.classify(&run, next, next2, line_start);
        self.push(&spoken.text);
        self.i = end + spoken.consumed_after;
    }

    fn classify(
        &self,
        run: &str,
        next: Option<char>,
        next2: Option<char>,
        line_start: bool,
    ) -> Spoken {
        let plain = |text: String| Spoken {
            text,
            consumed_after: 0,
        };
        let digits_only = run.chars().all(|c| c.is_ascii_digit());
        let masked = next == Some('*') || self.prev() == Some('*');
        // An ID number: 17 digits and a digit or X.
        if run.len() == 18 && run[..17].chars().all(|c| c.is_ascii_digit()) {
            return plain(code_groups(run, &[6, 8, 4]));
        }
        if let Some(d) = date(run) {
            return plain(d);
        }
        if let Some(t) = time(run) {
            return plain(t);
        }
        let hyphen_groups: Vec<&str> = run.split('-').collect();
        if hyphen_groups.len() >= 2
            && hyphen_groups
                .iter()
                .all(|g| !g.is_empty() && g.chars().all(|c| c.is_ascii_digit()))
        {
            let landline = hyphen_groups.len() == 2
                && hyphen_groups[0].starts_with('0')
                && (3..=4).contains(&hyphen_groups[0].len())
                && (7..=8).contains(&hyphen_groups[1].len());
            let code = hyphen_groups.len() >= 3
                || hyphen_groups
                    .iter()
                    .any(|g| g.len() >= 7 || (g.len() > 1 && g.starts_with('0')));
            if landline || code {
                return plain(
                    hyphen_groups
                        .iter()
                        .map(|g| digit_by_digit(g, &CODE_DIGITS))
                        .collect::<Vec<_>>()
                        .join("，"),
                );
            }
        }
        // A range: two numbers joined by a dash or tilde.
        if let Some(pos) = run.find(is_range_sep) {
            let (a, rest) = run.split_at(pos);
            let sep_len = rest.chars().next().map_or(1, char::len_utf8);
            let b = &rest[sep_len..];
            if !a.is_empty() && !b.is_empty() && !b.contains(is_range_sep) {
                let second = self.classify(b, next, next2, false);
                let first = if is_year(a) && is_year(b) && next == Some('年') {
                    year(a)
                } else {
                    self.classify(a, Some('至'), b.chars().next(), line_start)
                        .text
                };
                return Spoken {
                    text: format!("{first}至{}", second.text),
                    consumed_after: second.consumed_after,
                };
            }
        }
        if let Some((num, den)) = run.split_once('/')
            && !num.is_empty()
            && !den.is_empty()
            && num.chars().chain(den.chars()).all(|c| c.is_ascii_digit())
            && let (Some(n), Some(d)) = (quantity(num), quantity(den))
        {
            return plain(format!("{d}分之{n}"));
        }
        if digits_only {
            // A list number at the start of a line: `1. 申请`.
            if line_start
                && run.len() <= 2
                && next == Some('.')
                && !next2.is_some_and(|c| c.is_ascii_digit())
            {
                let n = quantity(run).unwrap_or_default();
                return Spoken {
                    text: format!("{n}，"),
                    consumed_after: 1,
                };
            }
            if is_year(run) && next == Some('年') {
                return plain(year(run));
            }
            let before = self.before_number();
            let code_context = CODE_WORDS.iter().any(|w| before.ends_with(w));
            let before_hotline = next == Some('热') && next2 == Some('线');
            let followed_by_unit = next.is_some_and(|c| UNITS.contains(c));
            let mobile = run.len() == 11 && run.starts_with('1');
            if mobile && !followed_by_unit {
                return plain(code_groups(run, &[3, 4, 4]));
            }
            if masked
                || code_context
                || before_hotline
                || (run.len() > 1 && run.starts_with('0'))
                || (run.len() >= 7 && !followed_by_unit)
            {
                return plain(digit_by_digit(run, &CODE_DIGITS));
            }
            if next == Some('%') {
                return Spoken {
                    text: format!("百分之{}", quantity(run).unwrap_or_default()),
                    consumed_after: 1,
                };
            }
            if next == Some('‰') {
                return Spoken {
                    text: format!("千分之{}", quantity(run).unwrap_or_default()),
                    consumed_after: 1,
                };
            }
            if run == "2"
                && next.is_some_and(|c| LIANG_MEASURES.contains(c))
                && self.prev() != Some('第')
            {
                return plain("两".into());
            }
            return plain(quantity(run).unwrap_or_else(|| digit_by_digit(run, &CODE_DIGITS)));
        }
        let numeric = run
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',');
        if numeric
            && run.matches('.').count() <= 1
            && (!run.contains(',') || is_thousands(run))
            && let Some(q) = quantity(run)
        {
            return match next {
                Some('%') => Spoken {
                    text: format!("百分之{q}"),
                    consumed_after: 1,
                },
                Some('‰') => Spoken {
                    text: format!("千分之{q}"),
                    consumed_after: 1,
                },
                _ => plain(q),
            };
        }
        // Anything else: its numbers, and its separators as pauses.
        let mut out = String::new();
        for (k, part) in run.split(|c: char| !c.is_ascii_digit()).enumerate() {
            if k > 0 {
                out.push('，');
            }
            out.push_str(&quantity(part).unwrap_or_default());
        }
        plain(out)
    }

    fn letters(&mut self) {
        while let Some(c) = self.at(self.i).filter(|c| c.is_ascii_alphabetic()) {
            self.push(letter_name(c));
            self.i += 1;
        }
    }

    /// Any other character at `self.i`.
    fn symbol(&mut self, c: char) {
        let prev = self.prev();
        let next = self.at(self.i + 1);
        let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        let hanzi = |c: Option<char>| c.is_some_and(is_hanzi);
        let s: &str = match c {
            c if is_hanzi(c) => {
                self.out.push(c);
                return;
            }
            '，' | ',' => "，",
            '、' => "、",
            '；' | ';' => "；",
            '：' | ':' => "：",
            '。' | '！' | '!' | '？' | '?' => match c {
                '！' | '!' => "！",
                '？' | '?' => "？",
                _ => "。",
            },
            '.' if alnum(prev) && alnum(next) => "点",
            '.' | '…' => "。",
            '\n' => "。",
            ' ' | '\t' => {
                // A space separates: a pause, except between two
                // numbers or words in Latin letters (one space).
                let mut k = self.i;
                while self.at(k + 1).is_some_and(|c| c == ' ' || c == '\t') {
                    k += 1;
                }
                let after = self.at(k + 1);
                self.i = k;
                if alnum(prev) && alnum(after) {
                    " "
                } else {
                    "，"
                }
            }
            '(' | ')' | '（' | '）' | '[' | ']' | '［' | '］' | '【' | '】' | '〔' | '〕' | '|'
            | '—' => "，",
            '《' | '》' | '“' | '”' | '‘' | '’' | '「' | '」' | '『' | '』' | '"' | '\'' | '〈'
            | '〉' | '·' | '•' => "",
            '/' if hanzi(prev) && next.is_some_and(|n| PER_UNITS.contains(n)) => "每",
            '/' if hanzi(prev) && hanzi(next) => "或",
            '/' if alnum(prev) && alnum(next) => "斜杠",
            '@' => "艾特",
            '_' if alnum(prev) && alnum(next) => "下划线",
            '&' => "和",
            '+' => "加",
            '=' => "等于",
            '<' => "小于",
            '>' => "大于",
            '×' => "乘",
            '÷' => "除以",
            '℃' => "摄氏度",
            '°' => "度",
            '㎡' => "平方米",
            '*' => {
                if hanzi(prev) || (prev == Some('*') && self.out.ends_with('某')) {
                    "某"
                } else {
                    "星"
                }
            }
            '〇' => "零",
            _ => "",
        };
        self.push(s);
    }
}

/// A number's reading and how many characters after its run it used
/// (the `%` of a percentage, the `.` of a list number).
struct Spoken {
    text: String,
    consumed_after: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(input: &str, expected: &str) {
        assert_eq!(spoken_text(input), expected, "input: {input}");
    }

    #[test]
    fn numbers_and_amounts() {
        for (input, expected) in [
            ("0", "零"),
            ("7", "七"),
            ("10", "十"),
            ("15", "十五"),
            ("20", "二十"),
            ("100", "一百"),
            ("110", "一百一十"),
            ("1005", "一千零五"),
            ("1050", "一千零五十"),
            ("10010", "一万零一十"),
            ("100010", "十万零一十"),
            ("18000", "一万八千"),
            ("2000", "两千"),
            ("22000", "两万二千"),
            ("200", "二百"),
            ("120000000元", "一亿二千万元"),
            ("999999", "九十九万九千九百九十九"),
            ("100000001元", "一亿零一元"),
            ("1,234.5元", "一千二百三十四点五元"),
            ("1,234,567元", "一百二十三万四千五百六十七元"),
            ("118.6元", "一百一十八点六元"),
            ("2.30", "二点三零"),
            ("0.5", "零点五"),
            ("1.5倍", "一点五倍"),
            ("-5", "负五"),
            ("气温-3.5度", "气温负三点五度"),
            ("120元/月", "一百二十元每月"),
            ("每人每年7440元", "每人每年七千四百四十元"),
            ("男/女", "男或女"),
            ("15%", "百分之十五"),
            ("-3.5%", "负百分之三点五"),
            ("3‰", "千分之三"),
            ("1/3", "三分之一"),
            ("2个工作日", "两个工作日"),
            ("2人", "两人"),
            ("第2个", "第二个"),
            ("2号窗口", "二号窗口"),
            ("2月", "二月"),
            ("12号", "十二号"),
        ] {
            check(input, expected);
        }
    }

    #[test]
    fn ranges() {
        check("15-20平方米", "十五至二十平方米");
        check("1~3人", "一至三人");
        check("8:30-12:00", "八点三十分至十二点");
        check("14:30—17:30", "十四点三十分至十七点三十分");
        check("（2026—2035年）", "二零二六至二零三五年");
        check("10%-20%", "百分之十至百分之二十");
        check("1至3人", "一至三人");
    }

    #[test]
    fn years_and_dates() {
        check("2026年", "二零二六年");
        check("2026年12月1日", "二零二六年十二月一日");
        check("2026-12-01", "二零二六年十二月一日");
        check("2026/12/1", "二零二六年十二月一日");
        check("2026.12.01", "二零二六年十二月一日");
        check("2026-12", "二零二六年十二月");
        check("10年以上", "十年以上");
        check("2026", "两千零二十六");
        check("2026-13-01", "二零二六，幺三，零幺");
    }

    #[test]
    fn document_numbers() {
        check("云政办〔2026〕9号", "云政办二零二六年九号");
        check("云政办〔2024〕31号", "云政办二零二四年三十一号");
        check("石政发[2026]6号", "石政发二零二六年六号");
        check("国发（2016）50号", "国发二零一六年五十号");
        check("云政〔2022〕", "云政二零二二年");
        check("（2026）", "两千零二十六");
        check("建设部令第11号", "建设部令第十一号");
    }

    #[test]
    fn times() {
        check("8:30", "八点三十分");
        check("12:00", "十二点");
        check("8:05", "八点零五分");
        check("8：30", "八点三十分");
        check("23:59:05", "二十三点五十九分零五秒");
        check("25:00", "二十五，零");
    }

    #[test]
    fn codes_digit_by_digit() {
        check("0999-5521234", "零九九九，五五二幺二三四");
        check(
            "咨询电话：0999-5521234。",
            "咨询电话：零九九九，五五二幺二三四。",
        );
        check("13800138000", "幺三八，零零幺三，八零零零");
        check(
            "11010519491231002X",
            "幺幺零幺零五，幺九四九幺二三幺，零零二艾克斯",
        );
        check(
            "990521201201-01-261202-0002-50",
            "九九零五二幺二零幺二零幺，零幺，二六幺二零二，零零零二，五零",
        );
        check("12345热线", "幺二三四五热线");
        check("拨打12345", "拨打幺二三四五");
        check("查询密码：123456", "查询密码：幺二三四五六");
        check("邮编 650000", "邮编，六五零零零零");
        check("1234567", "幺二三四五六七");
        check("120000000", "幺二零零零零零零零");
        check("1234567元", "一百二十三万四千五百六十七元");
        check("05", "零五");
        check("138****8000", "幺三八星星星星八零零零");
        check("400-123-4567", "四零零，幺二三，四五六七");
        check("电话费200元", "电话费二百元");
    }

    #[test]
    fn latin_letters_spelled() {
        check("C级危房", "西级危房");
        check("PDF", "批迪艾弗");
        check("yjzj@yunxi.gov", "歪杰贼德杰艾特歪优恩艾克斯艾点吉欧维");
        check("A/B", "诶斜杠比");
        check("a_b", "诶下划线比");
    }

    #[test]
    fn punctuation_to_pauses() {
        check("你好，世界。", "你好，世界。");
        check("是吗?", "是吗？");
        check("好!", "好！");
        check("甲,乙;丙:丁", "甲，乙；丙：丁");
        check("“两委”干部", "两委干部");
        check(
            "《中华人民共和国政府信息公开条例》",
            "中华人民共和国政府信息公开条例",
        );
        check("低保（最低生活保障）标准", "低保，最低生活保障，标准");
        check("第一段\n第二段", "第一段。第二段");
        check("好，。", "好。");
        check("。，开头", "开头");
        check("等等……", "等等。");
        check("甲——乙", "甲，乙");
        check("| 1 | 石*成 | 王** |", "一，石某成，王某某");
        check("## 标题", "标题");
        check("**重要**通知", "重要通知");
        check("> 引文", "引文");
        check("- 项目", "项目");
        check("100 200", "一百 二百");
        check("100  200", "一百 二百");
        check("甲 乙", "甲，乙");
        check("  缩进", "缩进");
        check("", "");
    }

    #[test]
    fn list_numbers() {
        check("1. 申请", "一，申请");
        check("2.受理", "二，受理");
        check("说明\n3. 公示", "说明。三，公示");
        check("（一）农户自主申报", "一，农户自主申报");
        check("1、申请", "一、申请");
    }

    #[test]
    fn full_width_forms() {
        check("１２３元", "一百二十三元");
        check("ＡＢ", "诶比");
        check("１５％", "百分之十五");
    }

    #[test]
    fn demo_sentences() {
        check(
            "2026年为人均年收入8200元",
            "二零二六年为人均年收入八千二百元",
        );
        check(
            "评议结果在村务公开栏公示5天；",
            "评议结果在村务公开栏公示五天",
        );
        check(
            "工作日 上午8:30-12:00 下午14:30-17:30",
            "工作日，上午八点三十分至十二点，下午十四点三十分至十七点三十分",
        );
        check(
            "每户发放产业发展奖补资金最高3000元；",
            "每户发放产业发展奖补资金最高三千元",
        );
    }
}
