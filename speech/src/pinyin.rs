//! Hanzi → tone-numbered pinyin for espeak-ng's `cmn-latn-pinyin` voice.
//!
//! - Each character's reading comes from the first word of
//!   `data/polyphones.txt` that covers it, matched longest first from
//!   left to right; outside every word, from the table's one-character
//!   entries, else the first reading of the `pinyin` crate (MIT).
//! - Syllables are written `zhong1`: tone 1–4 at the end, 5 for the
//!   neutral tone (`de5`), `v` for ü (`lv4`), which espeak-ng reads.
//! - 一 and 不 change tone before other syllables (espeak-ng does not do
//!   it; it does do third-tone sandhi, so that is left to it): 不 is bu2
//!   before a fourth tone; 一 is yi2 before a fourth (or neutral) tone and
//!   yi4 before the others, but stays yi1 at the end of a phrase, after 第
//!   or a numeral (十一, 二零一六), before a numeral other than 百千万亿
//!   (一一, 一十), before 月日号 (dates, numbers) and before 点 + numeral
//!   (一点五). Words of the table keep the tones they are written with.
//! - After a numeral, 行 is hang2 (第三行, 两行) and 只 is zhi1 (一只).
//! - Pauses: ，、；： become `,`; 。！ become `.`; ？ becomes `?`.
//!   Anything else that is not hanzi (what normalisation left, spaces)
//!   separates phrases without a pause.

use std::collections::HashMap;
use std::sync::LazyLock;

use ::pinyin::ToPinyinMulti;

/// The word table, as shipped.
pub const POLYPHONES: &str = include_str!("../data/polyphones.txt");

/// Words and their syllables.
pub struct WordTable {
    words: HashMap<String, Vec<String>>,
    longest: usize,
}

/// A line of the table that is not a word and its readings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("第 {line} 行：{message}")]
pub struct TableError {
    pub line: usize,
    pub message: String,
}

impl WordTable {
    /// Parses the table's text (see `data/polyphones.txt` for the format).
    pub fn parse(text: &str) -> Result<WordTable, TableError> {
        let mut words = HashMap::new();
        let mut longest = 1;
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |message: String| TableError {
                line: i + 1,
                message,
            };
            let mut fields = line.split_whitespace();
            let word = fields.next().expect("a non-empty line has a field");
            let syllables: Vec<String> = fields.map(str::to_string).collect();
            let n = word.chars().count();
            if syllables.len() != n {
                return Err(bad(format!(
                    "“{word}”有 {n} 个字，却有 {} 个音节",
                    syllables.len()
                )));
            }
            if let Some(s) = syllables.iter().find(|s| !is_syllable(s)) {
                return Err(bad(format!("“{s}”不是带声调数字的拼音音节")));
            }
            if words.insert(word.to_string(), syllables).is_some() {
                return Err(bad(format!("“{word}”重复")));
            }
            longest = longest.max(n);
        }
        Ok(WordTable { words, longest })
    }

    /// The syllables of `word`, if the table has it.
    pub fn get(&self, word: &str) -> Option<&[String]> {
        self.words.get(word).map(Vec::as_slice)
    }

    /// Every entry.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.words.iter().map(|(w, s)| (w.as_str(), s.as_slice()))
    }
}

static TABLE: LazyLock<WordTable> = LazyLock::new(|| {
    WordTable::parse(POLYPHONES).expect("data/polyphones.txt is checked by tests")
});

/// Lower-case letters (`v` for ü) and a tone 1–5 at the end.
fn is_syllable(s: &str) -> bool {
    let (body, tone) = s.split_at(s.len().saturating_sub(1));
    !body.is_empty()
        && body.bytes().all(|b| b.is_ascii_lowercase())
        && matches!(tone, "1" | "2" | "3" | "4" | "5")
}

/// The crate's spelling made espeak-ready: ü → v, ê → e, tone 5 when the
/// crate writes none.
fn from_crate(reading: &str) -> String {
    let mut s: String = reading
        .chars()
        .map(|c| match c {
            'ü' => 'v',
            'ê' => 'e',
            c => c,
        })
        .collect();
    if !s.ends_with(|c: char| c.is_ascii_digit()) {
        s.push('5');
    }
    s
}

/// Every reading the `pinyin` crate knows for `c`, espeak-ready.
pub fn readings(c: char) -> Vec<String> {
    c.to_pinyin_multi()
        .map(|m| {
            m.into_iter()
                .map(|p| from_crate(p.with_tone_num_end()))
                .collect()
        })
        .unwrap_or_default()
}

/// The reading of `c` outside every word.
fn default_reading(c: char) -> Option<String> {
    let mut buf = [0u8; 4];
    if let Some(s) = TABLE.get(c.encode_utf8(&mut buf)) {
        return Some(s[0].clone());
    }
    c.to_pinyin_multi()
        .and_then(|m| m.into_iter().next())
        .map(|p| from_crate(p.with_tone_num_end()))
}

fn is_hanzi(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3134F}')
}

/// What a pause mark becomes.
fn pause_of(c: char) -> Option<char> {
    match c {
        '，' | ',' | '、' | '；' | ';' | '：' | ':' => Some(','),
        '。' | '.' | '！' | '!' => Some('.'),
        '？' | '?' => Some('?'),
        _ => None,
    }
}

#[derive(Debug)]
enum Token {
    Syllable {
        ch: char,
        pinyin: String,
        /// From a word of the table: its tone is not changed.
        fixed: bool,
    },
    Pause(char),
    /// A phrase boundary without a pause (a space, a stray symbol).
    Break,
}

impl Token {
    fn ch(&self) -> Option<char> {
        match self {
            Token::Syllable { ch, .. } => Some(*ch),
            _ => None,
        }
    }

    fn tone(&self) -> Option<u8> {
        match self {
            Token::Syllable { pinyin, .. } => pinyin.bytes().last().map(|b| b - b'0'),
            _ => None,
        }
    }
}

const NUMERALS: &str = "零〇一二三四五六七八九十百千万亿两幺";
const DIGITS: &str = "零〇一二三四五六七八九十两幺";

fn tokens(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_hanzi(c) {
            let run_end = (i..chars.len())
                .find(|&j| !is_hanzi(chars[j]))
                .unwrap_or(chars.len());
            let mut matched = false;
            for len in (2..=TABLE.longest.min(run_end - i)).rev() {
                let word: String = chars[i..i + len].iter().collect();
                if let Some(syllables) = TABLE.get(&word) {
                    for (k, s) in syllables.iter().enumerate() {
                        out.push(Token::Syllable {
                            ch: chars[i + k],
                            pinyin: s.clone(),
                            fixed: true,
                        });
                    }
                    i += len;
                    matched = true;
                    break;
                }
            }
            if !matched {
                match default_reading(c) {
                    Some(pinyin) => out.push(Token::Syllable {
                        ch: c,
                        pinyin,
                        fixed: false,
                    }),
                    None => {
                        tracing::debug!(character = %c, "no reading; left out");
                        out.push(Token::Break);
                    }
                }
                i += 1;
            }
            continue;
        }
        match pause_of(c) {
            Some(p) => out.push(Token::Pause(p)),
            None => out.push(Token::Break),
        }
        i += 1;
    }
    out
}

/// 一 and 不 sandhi, and readings after numerals (see the module's
/// documentation).
fn apply_context(tokens: &mut [Token]) {
    for i in 0..tokens.len() {
        let Token::Syllable {
            ch, fixed: false, ..
        } = tokens[i]
        else {
            continue;
        };
        let prev = i.checked_sub(1).and_then(|j| tokens[j].ch());
        let next = tokens.get(i + 1).and_then(Token::ch);
        let after_next = tokens.get(i + 2).and_then(Token::ch);
        let next_tone = tokens.get(i + 1).and_then(Token::tone);
        let new = match ch {
            '一' => {
                let keep = match next {
                    None => true,
                    Some(n) if "百千万亿".contains(n) => prev == Some('第'),
                    Some(n) if DIGITS.contains(n) || "月日号".contains(n) => true,
                    Some('点') => after_next.is_some_and(|a| DIGITS.contains(a)),
                    Some(_) => prev.is_some_and(|p| p == '第' || NUMERALS.contains(p)),
                };
                if keep {
                    None
                } else if matches!(next_tone, Some(4 | 5)) {
                    Some("yi2")
                } else {
                    Some("yi4")
                }
            }
            '不' if next_tone == Some(4) => Some("bu2"),
            '行' if prev.is_some_and(|p| NUMERALS.contains(p)) => Some("hang2"),
            '只' if prev.is_some_and(|p| NUMERALS.contains(p)) => Some("zhi1"),
            _ => None,
        };
        if let (Some(new), Token::Syllable { pinyin, .. }) = (new, &mut tokens[i]) {
            *pinyin = new.to_string();
        }
    }
}

/// Tone-numbered pinyin for `text` (hanzi and pause marks; normalise
/// first with [`crate::spoken_text`]).
pub fn to_pinyin(text: &str) -> String {
    let mut tokens = tokens(text);
    apply_context(&mut tokens);
    let mut out = String::new();
    for t in &tokens {
        match t {
            Token::Syllable { pinyin, .. } => {
                if !out.is_empty() && !out.ends_with(' ') {
                    out.push(' ');
                }
                out.push_str(pinyin);
            }
            Token::Pause(p) => {
                // One mark per pause, the strongest; none at the start.
                let trimmed = out.trim_end().len();
                out.truncate(trimmed);
                match out.chars().last() {
                    None => continue,
                    Some(last @ (',' | '.' | '?')) if strength(*p) > strength(last) => {
                        out.pop();
                        out.push(*p);
                    }
                    Some(',' | '.' | '?') => {}
                    Some(_) => out.push(*p),
                }
                out.push(' ');
            }
            Token::Break => {}
        }
    }
    out.trim_end().to_string()
}

fn strength(p: char) -> u8 {
    match p {
        ',' => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_and_every_reading_is_one_the_character_has() {
        let table = WordTable::parse(POLYPHONES).unwrap();
        let mut wrong = Vec::new();
        for (word, syllables) in table.entries() {
            for (c, s) in word.chars().zip(syllables) {
                let known = readings(c);
                let toneless = |r: &str| r[..r.len() - 1].to_string();
                let ok = known.iter().any(|k| k == s)
                    // The neutral tone and 一/不 sandhi tones are said,
                    // not always listed.
                    || (s.ends_with('5') || "一不".contains(c))
                        && known.iter().any(|k| toneless(k) == toneless(s));
                if !ok {
                    wrong.push(format!("{word}: {c} {s} (known: {known:?})"));
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "readings the characters do not have:\n{}",
            wrong.join("\n")
        );
        assert!(table.entries().count() > 500);
    }

    #[test]
    fn bad_table_lines_are_refused_with_their_line() {
        let e = WordTable::parse("# c\n银行 yin2\n").err().unwrap();
        assert_eq!(e.line, 2);
        assert!(WordTable::parse("银行 yin2 hang").is_err());
        assert!(WordTable::parse("银行 yin2 Hang2").is_err());
        assert!(
            WordTable::parse("银行 yin2 hang2\n银行 yin2 hang2")
                .err()
                .unwrap()
                .message
                .contains("重复")
        );
        assert!(WordTable::parse("银行 yin2 hang2\n\n").is_ok());
    }

    #[test]
    fn syllables_are_checked() {
        for ok in ["yin2", "lv4", "de5", "er2"] {
            assert!(is_syllable(ok), "{ok}");
        }
        for bad in ["yin", "yin6", "2", "Yin2", "lü4", ""] {
            assert!(!is_syllable(bad), "{bad}");
        }
        assert_eq!(from_crate("lü4"), "lv4");
        assert_eq!(from_crate("de"), "de5");
    }

    /// One table for polyphones, sandhi and pauses.
    #[track_caller]
    fn check(hanzi: &str, expected: &str) {
        assert_eq!(to_pinyin(hanzi), expected, "{hanzi}");
    }

    #[test]
    fn polyphones_are_read_by_word() {
        check("银行", "yin2 hang2");
        check("行政", "xing2 zheng4");
        check("长期", "chang2 qi1");
        check("县长", "xian4 zhang3");
        check("重新", "chong2 xin1");
        check("重庆", "chong2 qing4");
        check("重大", "zhong4 da4");
        check("数据", "shu4 ju4");
        check("调查", "diao4 cha2");
        check("调整", "tiao2 zheng3");
        check("单位", "dan1 wei4");
        check("朝阳", "chao2 yang2");
        check("处理", "chu3 li3");
        check("处室", "chu4 shi4");
        check("还款", "huan2 kuan3");
        check("还有", "hai2 you3");
        check("补助", "bu3 zhu4");
        check("了解", "liao3 jie3");
        check("好了", "hao3 le5");
        check("应当", "ying1 dang1");
        check("应急", "ying4 ji2");
        check("得到", "de2 dao4");
        check("为了", "wei4 le5");
        check("认定为", "ren4 ding4 wei2");
        check("会计", "kuai4 ji4");
        check("首都", "shou3 du1");
        check("都是", "dou1 shi4");
        check("随着", "sui2 zhe5");
        check("着力", "zhuo2 li4");
        check("音乐", "yin1 yue4");
        check("快乐", "kuai4 le4");
        check("西藏", "xi1 zang4");
        check("收藏", "shou1 cang2");
        check("名称", "ming2 cheng1");
        check("相称", "xiang1 chen4");
        check("宣传", "xuan1 chuan2");
        check("传记", "zhuan4 ji4");
        check("头发", "tou2 fa5");
        check("印发", "yin4 fa1");
        check("角色", "jue2 se4");
        check("五角", "wu3 jiao3");
        check("给予", "ji3 yu3");
        check("发给", "fa1 gei3");
        check("部分", "bu4 fen4");
        check("分配", "fen1 pei4");
        check("仔细", "zi3 xi4");
        check("差距", "cha1 ju4");
        check("出差", "chu1 chai1");
        check("好差评", "hao3 cha4 ping2");
        check("省级", "sheng3 ji2");
        check("反省", "fan3 xing3");
        check("参加", "can1 jia1");
        check("种植", "zhong4 zhi2");
        check("品种", "pin3 zhong3");
        check("累计", "lei3 ji4");
        check("变更", "bian4 geng1");
        check("要求", "yao1 qiu2");
        check("薄弱", "bo2 ruo4");
        check("干旱", "gan1 han4");
        check("中标", "zhong4 biao1");
        check("参与", "can1 yu4");
    }

    #[test]
    fn longest_word_first() {
        // 银行 before 行长; 长期 after it.
        check("银行长期", "yin2 hang2 chang2 qi1");
        // 行长 as a word.
        check("行长", "hang2 zhang3");
        check("经办银行", "jing1 ban4 yin2 hang2");
    }

    /// A short entry must not match across the boundary of a longer word.
    #[test]
    fn words_are_not_cut_across_their_boundaries() {
        check("人人参与", "ren2 ren2 can1 yu4");
        check("个人参加", "ge4 ren2 can1 jia1");
        check("社会计划", "she4 hui4 ji4 hua4");
        check("项目的选址", "xiang4 mu4 de5 xuan3 zhi3");
        check("目的", "mu4 di4");
        check("进行业务", "jin4 xing2 ye4 wu4");
        check("其中行政", "qi2 zhong1 xing2 zheng4");
        check("过程中将", "guo4 cheng2 zhong1 jiang1");
        check("线上当面", "xian4 shang4 dang1 mian4");
        check("做好处理", "zuo4 hao3 chu3 li3");
        check("学校对", "xue2 xiao4 dui4");
        check("有空调", "you3 kong1 tiao2");
        check("犬只", "quan3 zhi1");
        check("名单中标注", "ming2 dan1 zhong1 biao1 zhu4");
        check("中标单位", "zhong4 biao1 dan1 wei4");
        check("总结实施", "zong3 jie2 shi2 shi1");
        check("夫妻子女", "fu1 qi1 zi3 nv3");
    }

    #[test]
    fn yi_and_bu_change_tone() {
        check("一个", "yi2 ge4");
        check("一般", "yi4 ban1");
        check("一年", "yi4 nian2");
        check("一起", "yi4 qi3");
        check("统一", "tong3 yi1");
        check("统一，", "tong3 yi1,");
        check("第一", "di4 yi1");
        check("十一", "shi2 yi1");
        check("二零一六", "er4 ling2 yi1 liu4");
        check("一千", "yi4 qian1");
        check("一万", "yi2 wan4");
        check("一百一十", "yi4 bai3 yi1 shi2");
        check("一月一日", "yi1 yue4 yi1 ri4");
        check("一点五", "yi1 dian3 wu3");
        check("一点", "yi4 dian3");
        check("一是", "yi1 shi4");
        check("一楼", "yi1 lou2");
        check("不是", "bu2 shi4");
        check("不得", "bu4 de2");
        check("不能", "bu4 neng2");
        check("不好", "bu4 hao3");
        check("不", "bu4");
        check("不当", "bu2 dang4");
    }

    #[test]
    fn measure_words_after_numerals() {
        check("第三行", "di4 san1 hang2");
        check("两只", "liang3 zhi1");
        check("只有", "zhi3 you3");
        check("进行", "jin4 xing2");
    }

    /// Sentences of the demo content through the whole pipeline
    /// (normalisation, then pinyin).
    #[test]
    fn demo_sentences() {
        for (text, expected) in [
            (
                "救助金发放到申请人社会保障卡银行账户",
                "jiu4 zhu4 jin1 fa1 fang4 dao4 shen1 qing3 ren2 she4 hui4 bao3 zhang4 ka3 yin2 hang2 zhang4 hu4",
            ),
            (
                "延长期限最长不超过20个工作日",
                "yan2 chang2 qi1 xian4 zui4 chang2 bu4 chao1 guo4 er4 shi2 ge4 gong1 zuo4 ri4",
            ),
            (
                "2. 村会计现场解答财务收支问题",
                "er4, cun1 kuai4 ji4 xian4 chang3 jie3 da2 cai2 wu4 shou1 zhi1 wen4 ti2",
            ),
            (
                "对按时还款的创业者",
                "dui4 an4 shi2 huan2 kuan3 de5 chuang4 ye4 zhe3",
            ),
            (
                "增进群众对政府工作的了解和监督",
                "zeng1 jin4 qun2 zhong4 dui4 zheng4 fu3 gong1 zuo4 de5 liao3 jie3 he2 jian1 du1",
            ),
            (
                "重新就业、应征服兵役、移居境外",
                "chong2 xin1 jiu4 ye4, ying4 zheng1 fu2 bing1 yi4, yi2 ju1 jing4 wai4",
            ),
            (
                "征收集体土地青苗和地上附着物补偿标准",
                "zheng1 shou1 ji2 ti3 tu3 di4 qing1 miao2 he2 di4 shang4 fu4 zhuo2 wu4 bu3 chang2 biao1 zhun3",
            ),
            (
                "按照累计缴费时间核定领取期限",
                "an4 zhao4 lei3 ji4 jiao3 fei4 shi2 jian1 he2 ding4 ling3 qu3 qi1 xian4",
            ),
            ("责任处室和责任人", "ze2 ren4 chu4 shi4 he2 ze2 ren4 ren2"),
            (
                "申请表应当包括以下内容：",
                "shen1 qing3 biao3 ying1 dang1 bao1 kuo4 yi3 xia4 nei4 rong2",
            ),
            ("以家庭为单位", "yi3 jia1 ting2 wei2 dan1 wei4"),
            (
                "为巩固拓展脱贫攻坚成果",
                "wei4 gong3 gu4 tuo4 zhan3 tuo1 pin2 gong1 jian1 cheng2 guo3",
            ),
            (
                "驻村工作队每月开展一次走访排查。",
                "zhu4 cun1 gong1 zuo4 dui4 mei3 yue4 kai1 zhan3 yi2 ci4 zou3 fang3 pai2 cha2.",
            ),
            (
                "文号: 石政发〔2026〕6号",
                "wen2 hao4, shi2 zheng4 fa1 er4 ling2 er4 liu4 nian2 liu4 hao4",
            ),
            (
                "监督电话：0999-5532206。",
                "jian1 du1 dian4 hua4, ling2 jiu3 jiu3 jiu3, wu3 wu3 san1 er4 er4 ling2 liu4.",
            ),
            (
                "办理时间: 工作日 上午8:30-12:00 下午14:30-17:30",
                "ban4 li3 shi2 jian1, gong1 zuo4 ri4, shang4 wu3 ba1 dian3 san1 shi2 fen1 zhi4 shi2 er4 dian3, xia4 wu3 shi2 si4 dian3 san1 shi2 fen1 zhi4 shi2 qi1 dian3 san1 shi2 fen1",
            ),
            (
                "回执编号：990521201201-01-261202-0002-50",
                "hui2 zhi2 bian1 hao4, jiu3 jiu3 ling2 wu3 er4 yao1 er4 ling2 yao1 er4 ling2 yao1, ling2 yao1, er4 liu4 yao1 er4 ling2 er4, ling2 ling2 ling2 er4, wu3 ling2",
            ),
        ] {
            assert_eq!(crate::pinyin_of(text), expected, "{text}");
        }
    }

    #[test]
    fn pauses() {
        check("你好，世界。", "ni3 hao3, shi4 jie4.");
        check("是吗？", "shi4 ma5?");
        check("甲、乙；丙：丁！", "jia3, yi3, bing3, ding1.");
        check("，。开头", "kai1 tou2");
        check("好，。", "hao3.");
        check("好。，", "hao3.");
        check("甲 乙", "jia3 yi3");
        check("", "");
    }
}
