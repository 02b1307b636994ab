//! The header of a document file: `键: 值` lines between two `---` lines,
//! then the body. Written by hand in county offices, so both the ASCII and
//! the full-width colon are accepted.

use std::collections::BTreeMap;

use super::ImportError;
use crate::Date;

/// A parsed document file: its keys (with their line numbers) and body.
#[derive(Debug)]
pub(crate) struct FrontMatter {
    file: String,
    fields: BTreeMap<String, (String, u32)>,
    pub body: String,
    /// The line the body starts on.
    pub body_line: u32,
    pub errors: Vec<ImportError>,
}

impl FrontMatter {
    pub fn parse(file: &str, text: &str) -> Result<FrontMatter, ImportError> {
        let err = |line: u32, message: String| ImportError {
            file: file.to_string(),
            sheet: None,
            row: Some(line),
            column: None,
            message,
        };
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        let mut lines = text.lines().enumerate();
        match lines.next() {
            Some((_, l)) if l.trim() == "---" => {}
            _ => {
                return Err(err(
                    1,
                    "文件应以“---”开头，随后每行一个“键: 值”，再以“---”结束".into(),
                ));
            }
        }
        let mut fields = BTreeMap::new();
        let mut errors = Vec::new();
        let mut body_line = None;
        for (i, line) in lines.by_ref() {
            let n = i as u32 + 1;
            if line.trim() == "---" {
                body_line = Some(n + 1);
                break;
            }
            if line.trim().is_empty() {
                continue;
            }
            let Some(pos) = line.find([':', '：']) else {
                errors.push(err(n, format!("“{}”不是“键: 值”的格式", line.trim())));
                continue;
            };
            let key = line[..pos].trim().to_string();
            let sep_len = line[pos..].chars().next().map_or(1, char::len_utf8);
            let value = line[pos + sep_len..].trim().to_string();
            if fields.insert(key.clone(), (value, n)).is_some() {
                errors.push(err(n, format!("“{key}”重复出现")));
            }
        }
        let Some(body_line) = body_line else {
            return Err(err(1, "文件头缺少结束的“---”行".into()));
        };
        let body: String = text
            .lines()
            .skip(body_line as usize - 1)
            .collect::<Vec<_>>()
            .join("\n")
            .trim_start_matches(['\n', '\r'])
            .trim_end()
            .to_string();
        Ok(FrontMatter {
            file: file.to_string(),
            fields,
            body,
            body_line,
            errors,
        })
    }

    fn error_at(&mut self, key: &str, message: String) {
        let line = self.fields.get(key).map(|(_, l)| *l);
        self.errors.push(ImportError {
            file: self.file.clone(),
            sheet: None,
            row: line,
            column: Some(key.to_string()),
            message,
        });
    }

    /// Keys not in `allowed` are typos more often than not: report them.
    pub fn check_keys(&mut self, allowed: &[&str]) {
        let unknown: Vec<String> = self
            .fields
            .keys()
            .filter(|k| !allowed.contains(&k.as_str()))
            .cloned()
            .collect();
        for k in unknown {
            self.error_at(
                &k,
                format!("未知的字段“{k}”，可用字段：{}", allowed.join("、")),
            );
        }
    }

    pub fn optional(&self, key: &str) -> Option<String> {
        self.fields
            .get(key)
            .map(|(v, _)| v.clone())
            .filter(|v| !v.is_empty())
    }

    pub fn required(&mut self, key: &str) -> String {
        match self.optional(key) {
            Some(v) => v,
            None => {
                let line = self.fields.get(key).map(|(_, l)| *l).unwrap_or(1);
                self.errors.push(ImportError {
                    file: self.file.clone(),
                    sheet: None,
                    row: Some(line),
                    column: Some(key.to_string()),
                    message: format!("缺少“{key}”"),
                });
                String::new()
            }
        }
    }

    pub fn date(&mut self, key: &str, required: bool) -> Option<Date> {
        let v = if required {
            Some(self.required(key)).filter(|v| !v.is_empty())
        } else {
            self.optional(key)
        }?;
        match v.parse::<Date>() {
            Ok(d) => Some(d),
            Err(e) => {
                self.error_at(key, e.to_string());
                None
            }
        }
    }

    /// Parses `key` with `parse`; reports `expected` when it fails.
    pub fn parsed<T>(
        &mut self,
        key: &str,
        parse: impl Fn(&str) -> Option<T>,
        expected: &str,
    ) -> Option<T> {
        let v = self.required(key);
        if v.is_empty() {
            return None;
        }
        let r = parse(&v);
        if r.is_none() {
            self.error_at(key, format!("“{v}”无法识别，应为{expected}"));
        }
        r
    }

    pub fn report_line(&mut self, line: u32, message: String) {
        self.errors.push(ImportError {
            file: self.file.clone(),
            sheet: None,
            row: Some(line),
            column: None,
            message,
        });
    }

    pub fn report(&mut self, key: &str, message: String) {
        self.error_at(key, message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_body_and_line_numbers() {
        let text = "---\n标题: 关于甲的通知：附件\n文号：乙\n---\n\n\u{3000}\u{3000}正文第一行\n";
        let fm = FrontMatter::parse("a.md", text).unwrap();
        assert_eq!(fm.optional("标题").as_deref(), Some("关于甲的通知：附件"));
        assert_eq!(fm.optional("文号").as_deref(), Some("乙"));
        assert_eq!(fm.body, "\u{3000}\u{3000}正文第一行");
        assert_eq!(fm.body_line, 5);
        assert!(fm.errors.is_empty());
    }

    #[test]
    fn malformed_headers() {
        fn check(text: &str, expected_row: u32, fragment: &str) {
            let e = match FrontMatter::parse("a.md", text) {
                Err(e) => e,
                Ok(fm) => fm.errors.into_iter().next().expect("an error"),
            };
            assert_eq!(e.row, Some(expected_row), "{text}");
            assert!(e.message.contains(fragment), "{}", e.message);
        }
        check("标题: 甲\n", 1, "---");
        check("---\n标题: 甲\n", 1, "结束");
        check("---\n标题 甲\n---\n", 2, "键: 值");
        check("---\n标题: 甲\n标题: 乙\n---\n", 3, "重复");
    }
}
