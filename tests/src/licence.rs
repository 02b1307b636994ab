//! Which dependency licences may be combined with gongkai's GPL-3.0, and an
//! evaluator of SPDX licence expressions (`MIT OR Apache-2.0`,
//! `(MIT OR Apache-2.0) AND BSD-3-Clause`, `Apache-2.0 WITH LLVM-exception`,
//! and the legacy `MIT/Apache-2.0`).

/// Licences compatible with distributing the whole under GPL-3.0.
pub const ALLOWED: &[&str] = &[
    "0BSD",
    "Apache-2.0",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "BSL-1.0",
    "CC0-1.0",
    "CDLA-Permissive-2.0",
    "GPL-3.0",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "ISC",
    "LGPL-2.1-or-later",
    "LGPL-3.0",
    "LGPL-3.0-only",
    "LGPL-3.0-or-later",
    "MIT",
    "MIT-0",
    "MPL-2.0",
    "Unicode-3.0",
    "Unicode-DFS-2016",
    "Unlicense",
    "Zlib",
];

/// Exceptions that only add permissions.
pub const ALLOWED_EXCEPTIONS: &[&str] = &["LLVM-exception"];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Id(String),
    And,
    Or,
    With,
    Open,
    Close,
}

fn tokens(expr: &str) -> Vec<Token> {
    let spaced = expr
        .replace('(', " ( ")
        .replace(')', " ) ")
        .replace('/', " OR ");
    spaced
        .split_whitespace()
        .map(|w| match w {
            "AND" | "and" => Token::And,
            "OR" | "or" => Token::Or,
            "WITH" | "with" => Token::With,
            "(" => Token::Open,
            ")" => Token::Close,
            id => Token::Id(id.trim_end_matches('+').to_string()),
        })
        .collect()
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    // or := and ("OR" and)*
    fn or(&mut self) -> Result<bool, String> {
        let mut v = self.and()?;
        while self.peek() == Some(&Token::Or) {
            self.next();
            let r = self.and()?;
            v = v || r;
        }
        Ok(v)
    }

    // and := with ("AND" with)*
    fn and(&mut self) -> Result<bool, String> {
        let mut v = self.with()?;
        while self.peek() == Some(&Token::And) {
            self.next();
            let r = self.with()?;
            v = v && r;
        }
        Ok(v)
    }

    // with := atom ("WITH" id)?
    fn with(&mut self) -> Result<bool, String> {
        let v = self.atom()?;
        if self.peek() == Some(&Token::With) {
            self.next();
            match self.next() {
                Some(Token::Id(e)) => Ok(v && ALLOWED_EXCEPTIONS.contains(&e.as_str())),
                t => Err(format!("exception expected after WITH, found {t:?}")),
            }
        } else {
            Ok(v)
        }
    }

    fn atom(&mut self) -> Result<bool, String> {
        match self.next() {
            Some(Token::Id(id)) => Ok(ALLOWED.contains(&id.as_str())),
            Some(Token::Open) => {
                let v = self.or()?;
                match self.next() {
                    Some(Token::Close) => Ok(v),
                    t => Err(format!("')' expected, found {t:?}")),
                }
            }
            t => Err(format!("licence expected, found {t:?}")),
        }
    }
}

/// Whether a crate under `expr` may be part of a GPL-3.0 program.
pub fn is_compatible(expr: &str) -> Result<bool, String> {
    let mut p = Parser {
        toks: tokens(expr),
        pos: 0,
    };
    let v = p.or()?;
    if p.pos != p.toks.len() {
        return Err(format!(
            "unexpected text after position {} in {expr:?}",
            p.pos
        ));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(expr: &str, expected: Result<bool, ()>) {
        assert_eq!(is_compatible(expr).map_err(|_| ()), expected, "{expr}");
    }

    #[test]
    fn expressions() {
        check("MIT", Ok(true));
        check("MIT OR Apache-2.0", Ok(true));
        check("MIT/Apache-2.0", Ok(true));
        check("Unlicense/MIT", Ok(true));
        check("(Apache-2.0 OR MIT) AND BSD-3-Clause", Ok(true));
        check("(MIT OR Apache-2.0) AND Unicode-3.0", Ok(true));
        check(
            "Apache-2.0 WITH LLVM-exception OR Apache-2.0 OR MIT",
            Ok(true),
        );
        check(
            "GPL-3.0-only OR LicenseRef-Slint-Royalty-free-2.0",
            Ok(true),
        );
        check("LicenseRef-Slint-Royalty-free-2.0", Ok(false));
        check("GPL-2.0-only", Ok(false));
        check("GPL-2.0+", Ok(false));
        check("MIT AND SSPL-1.0", Ok(false));
        check("Apache-2.0 WITH Commons-Clause", Ok(false));
        check("(MIT", Err(()));
        check("MIT Apache-2.0", Err(()));
        check("", Err(()));
    }
}
