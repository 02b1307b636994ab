//! The provisioning code: everything a terminal needs to install itself —
//! the county server's address, the hall's region, the terminal's number,
//! the hall's name, the one-time 开通码 and the fingerprint of the county's
//! root metadata — as one line of ASCII text that a QR code carries and a
//! USB barcode scanner (a keyboard to the box) can type:
//!
//! ```text
//! GKPROV1:https://gk.yunxi.gov.example/|990521201201|1|%E7%9F%B3%E6%A1%A5…|0824-9714-2954|<64 hex>
//! ```
//!
//! Six fields after the prefix and version, separated by `|`, in that
//! order; the hall's name is its UTF-8 percent-encoded (letters, digits and
//! `-._~` stay as they are). The fingerprint comes last, so a line cut
//! short by a scanner is refused rather than misread. Pure: no network, no
//! files.

use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use crate::RegionCode;
use crate::requests::DeviceNo;

/// What every code starts with, before its version.
pub const PREFIX: &str = "GKPROV";
/// The format version this code writes and reads.
pub const VERSION: u32 = 1;
/// The longest code accepted, in characters: a 40-character hall name and
/// a 120-character address still fit a QR code of version 17 or less,
/// which cheap scanners read.
pub const MAX_TEXT_LEN: usize = 600;
/// The longest server address.
pub const MAX_URL_LEN: usize = 120;
/// The longest hall name, in characters (the kiosk's `hall.name`).
pub const MAX_HALL_NAME_CHARS: usize = 40;

const SEPARATOR: char = '|';
const FIELDS: usize = 6;

/// Everything but letters, digits and `-._~` is percent-encoded in the
/// hall's name (so `|`, `%` and spaces never appear raw).
const HALL_NAME_ESCAPED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// One field of the code, named in errors and prompts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    ServerUrl,
    Region,
    Device,
    HallName,
    OneTimeCode,
    RootFingerprint,
}

impl Field {
    /// The fields in the order the code carries them.
    pub const ALL: [Field; FIELDS] = [
        Field::ServerUrl,
        Field::Region,
        Field::Device,
        Field::HallName,
        Field::OneTimeCode,
        Field::RootFingerprint,
    ];

    /// The field's name on screens and in messages.
    pub fn name(self) -> &'static str {
        match self {
            Field::ServerUrl => "服务器地址",
            Field::Region => "行政区划代码",
            Field::Device => "终端编号",
            Field::HallName => "厅名",
            Field::OneTimeCode => "开通码",
            Field::RootFingerprint => "根元数据指纹",
        }
    }

    /// Checks a value for this field as it would be typed (the hall's name
    /// in plain text, not percent-encoded).
    pub fn check(self, value: &str) -> Result<(), ProvisioningError> {
        match self {
            Field::ServerUrl => server_url(value).map(drop),
            Field::Region => region(value).map(drop),
            Field::Device => device(value).map(drop),
            Field::HallName => hall_name(value).map(drop),
            Field::OneTimeCode => one_time_code(value).map(drop),
            Field::RootFingerprint => fingerprint(value).map(drop),
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a code (or one of its fields) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProvisioningError {
    #[error("这不是终端开通码：开通码以 {PREFIX}{VERSION}: 开头")]
    NotACode,
    #[error(
        "这是第 {0} 版格式的开通码，本程序只认第 {VERSION} 版：请升级终端软件，或请县里重新生成开通码"
    )]
    Version(String),
    #[error("开通码过长（{len} 个字符，最多 {MAX_TEXT_LEN} 个）")]
    TooLong { len: usize },
    #[error("开通码含有不该有的字符（只能是 ASCII）：可能不是扫描的开通二维码")]
    NotAscii,
    #[error("开通码不完整：应有 {FIELDS} 项，只读到 {found} 项（扫描或输入时被截断了？）")]
    Incomplete { found: usize },
    #[error("开通码的项数不对：应有 {FIELDS} 项，读到 {found} 项")]
    TooManyFields { found: usize },
    #[error("{field}有误：{message}")]
    Field { field: Field, message: String },
    #[error("技术人员密码应为 6 至 12 位数字")]
    Pin,
    #[error("系统随机数不可用：{0}")]
    Randomness(String),
}

fn bad(field: Field, message: impl Into<String>) -> ProvisioningError {
    ProvisioningError::Field {
        field,
        message: message.into(),
    }
}

/// Lower-case hex SHA-256 of the root metadata's bytes, as the code
/// carries it.
pub fn root_fingerprint(root_json: &[u8]) -> String {
    crate::feed::sha256_hex(root_json)
}

/// A one-time code in the shape `county devices add` gives it,
/// `0824-9714-2954`, from a number (its last 12 digits).
pub fn format_one_time_code(n: u64) -> String {
    let n = n % 1_000_000_000_000;
    format!(
        "{:04}-{:04}-{:04}",
        n / 100_000_000,
        n / 10_000 % 10_000,
        n % 10_000
    )
}

/// A one-time code as a person types it (spaces, dashes or none between
/// the digits) in its printed shape, or `None` when it is not 12 digits.
pub fn normalise_one_time_code(s: &str) -> Option<String> {
    let mut digits = String::new();
    for c in s.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' => {}
            _ => return None,
        }
    }
    (digits.len() == 12).then(|| format_one_time_code(digits.parse().expect("12 digits")))
}

/// Whether `url` names this machine (127.0.0.0/8, ::1, localhost): the
/// only place `http://` may lead.
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(a)) => a.is_loopback(),
        Some(url::Host::Ipv6(a)) => a.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

fn server_url(s: &str) -> Result<url::Url, ProvisioningError> {
    let f = Field::ServerUrl;
    if s.len() > MAX_URL_LEN {
        return Err(bad(f, format!("最长 {MAX_URL_LEN} 个字符")));
    }
    let mut u = url::Url::parse(s).map_err(|e| bad(f, format!("不是有效网址（{e}）")))?;
    match u.scheme() {
        "https" => {}
        "http" if is_loopback(&u) => {}
        "http" => {
            return Err(bad(
                f,
                "http:// 不加密，只能用于本机（127.0.0.1、localhost、::1）；请用 https://",
            ));
        }
        _ => return Err(bad(f, "应以 https:// 开头")),
    }
    if u.host().is_none() {
        return Err(bad(f, "缺少主机名"));
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err(bad(f, "不能含用户名或密码"));
    }
    if u.query().is_some() || u.fragment().is_some() {
        return Err(bad(f, "不能含 ? 或 # 之后的部分"));
    }
    if !u.path().ends_with('/') {
        let p = format!("{}/", u.path());
        u.set_path(&p);
    }
    if u.as_str().contains(SEPARATOR) || u.as_str().len() > MAX_URL_LEN {
        return Err(bad(
            f,
            format!("不能含 {SEPARATOR}，最长 {MAX_URL_LEN} 个字符"),
        ));
    }
    Ok(u)
}

fn region(s: &str) -> Result<RegionCode, ProvisioningError> {
    if s != s.trim() {
        return Err(bad(Field::Region, "前后不能有空格"));
    }
    s.parse().map_err(|_| {
        bad(
            Field::Region,
            format!("“{s}”应为 6 位（县）、9 位（乡镇）或 12 位（村）数字"),
        )
    })
}

fn device(s: &str) -> Result<DeviceNo, ProvisioningError> {
    let n = if !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse::<u8>().ok()
    } else {
        None
    };
    n.and_then(DeviceNo::new)
        .ok_or_else(|| bad(Field::Device, format!("“{s}”应为 1 至 99 的数字")))
}

fn hall_name(s: &str) -> Result<String, ProvisioningError> {
    let f = Field::HallName;
    let n = s.chars().count();
    if s.trim().is_empty() {
        return Err(bad(f, "不能为空"));
    }
    if s != s.trim() {
        return Err(bad(f, "前后不能有空格"));
    }
    if n > MAX_HALL_NAME_CHARS {
        return Err(bad(
            f,
            format!("最多 {MAX_HALL_NAME_CHARS} 个字，现有 {n} 个"),
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(bad(f, "不能含控制字符"));
    }
    Ok(s.to_string())
}

fn one_time_code(s: &str) -> Result<String, ProvisioningError> {
    match normalise_one_time_code(s) {
        Some(c) if c == s => Ok(c),
        _ => Err(bad(
            Field::OneTimeCode,
            "应为 12 位数字，四位一组用 - 隔开，如 0824-9714-2954",
        )),
    }
}

fn fingerprint(s: &str) -> Result<String, ProvisioningError> {
    if s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        Ok(s.to_string())
    } else {
        Err(bad(
            Field::RootFingerprint,
            format!(
                "应为 64 位小写十六进制（root.json 的 SHA-256），现有 {} 个字符",
                s.chars().count()
            ),
        ))
    }
}

/// Whether `s` can be a technician PIN: 6 to 12 digits.
pub fn is_technician_pin(s: &str) -> bool {
    (6..=12).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// `[technician] pin_hash` for a PIN typed at `gongkai-provision --pin`:
/// the argon2id hash the kiosk checks ([`crate::technician::TechnicianPin`]).
pub fn technician_pin_hash(pin: &str) -> Result<String, ProvisioningError> {
    if !is_technician_pin(pin) {
        return Err(ProvisioningError::Pin);
    }
    crate::technician::TechnicianPin::new(pin)
        .and_then(|p| p.hash())
        .map_err(|_| ProvisioningError::Pin)
}

/// Whether `pin` is the one `stored` (from [`technician_pin_hash`]) was made of.
pub fn technician_pin_matches(stored: &str, pin: &str) -> bool {
    crate::technician::pin_matches(stored, pin)
}

/// A terminal's provisioning, every field checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisioningCode {
    server_url: url::Url,
    region: RegionCode,
    device: DeviceNo,
    hall_name: String,
    one_time_code: String,
    root_fingerprint: String,
}

impl ProvisioningCode {
    /// From the six values as a person types them (the hall's name in
    /// plain text). The address gets a final `/`; the region its canonical
    /// spelling (`990521000000` is `990521`); the one-time code its printed
    /// shape.
    pub fn from_fields(
        server_url: &str,
        region: &str,
        device: &str,
        hall_name: &str,
        one_time_code: &str,
        root_fingerprint: &str,
    ) -> Result<ProvisioningCode, ProvisioningError> {
        let one_time_code =
            normalise_one_time_code(one_time_code).unwrap_or_else(|| one_time_code.to_string());
        Ok(ProvisioningCode {
            server_url: self::server_url(server_url)?,
            region: self::region(region)?,
            device: self::device(device)?,
            hall_name: self::hall_name(hall_name)?,
            one_time_code: self::one_time_code(&one_time_code)?,
            root_fingerprint: fingerprint(root_fingerprint)?,
        })
    }

    /// Reads a scanned or typed code. Surrounding whitespace (the scanner's
    /// Enter) is ignored; everything else must be exact.
    pub fn parse(text: &str) -> Result<ProvisioningCode, ProvisioningError> {
        let text = text.trim();
        let len = text.chars().count();
        if len > MAX_TEXT_LEN {
            return Err(ProvisioningError::TooLong { len });
        }
        let Some(rest) = text.strip_prefix(PREFIX) else {
            return Err(ProvisioningError::NotACode);
        };
        let Some((version, body)) = rest.split_once(':') else {
            return Err(ProvisioningError::NotACode);
        };
        if version.is_empty() || version.len() > 3 || !version.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ProvisioningError::NotACode);
        }
        if version != VERSION.to_string() {
            return Err(ProvisioningError::Version(version.to_string()));
        }
        if !text.is_ascii() || text.chars().any(|c| c.is_ascii_control()) {
            return Err(ProvisioningError::NotAscii);
        }
        let fields: Vec<&str> = body.split(SEPARATOR).collect();
        match fields.len() {
            n if n < FIELDS => return Err(ProvisioningError::Incomplete { found: n }),
            n if n > FIELDS => return Err(ProvisioningError::TooManyFields { found: n }),
            _ => {}
        }
        let hall = percent_decode_str(fields[3])
            .decode_utf8()
            .map_err(|_| bad(Field::HallName, "编码有误（不是 UTF-8）"))?;
        if fields[3] != utf8_percent_encode(&hall, HALL_NAME_ESCAPED).to_string() {
            return Err(bad(Field::HallName, "编码有误（应为百分号编码的 UTF-8）"));
        }
        one_time_code(fields[4])?;
        let code = Self::from_fields(fields[0], fields[1], fields[2], &hall, fields[4], fields[5])?;
        // Only the canonical spelling: what is scanned is what is shown.
        let canonical = [
            code.server_url.to_string(),
            code.region.to_string(),
            code.device.get().to_string(),
        ];
        for (i, c) in canonical.iter().enumerate() {
            if fields[i] != c {
                return Err(bad(Field::ALL[i], format!("写法不规范，应写作 {c}")));
            }
        }
        Ok(code)
    }

    /// The one line a QR code carries.
    pub fn to_text(&self) -> String {
        format!(
            "{PREFIX}{VERSION}:{}{SEPARATOR}{}{SEPARATOR}{}{SEPARATOR}{}{SEPARATOR}{}{SEPARATOR}{}",
            self.server_url,
            self.region,
            self.device.get(),
            utf8_percent_encode(&self.hall_name, HALL_NAME_ESCAPED),
            self.one_time_code,
            self.root_fingerprint,
        )
    }

    /// The county server, ending in `/`.
    pub fn server_url(&self) -> &url::Url {
        &self.server_url
    }

    pub fn region(&self) -> &RegionCode {
        &self.region
    }

    pub fn device(&self) -> DeviceNo {
        self.device
    }

    pub fn hall_name(&self) -> &str {
        &self.hall_name
    }

    /// In its printed shape, `0824-9714-2954`.
    pub fn one_time_code(&self) -> &str {
        &self.one_time_code
    }

    /// Lower-case hex SHA-256 of the county's root.json.
    pub fn root_fingerprint(&self) -> &str {
        &self.root_fingerprint
    }

    /// `<region>-<device as two digits>`, as the county names terminals.
    pub fn terminal_id(&self) -> String {
        format!("{}-{:02}", self.region, self.device.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FP: &str = "3b0c8ac703f8a8fbbd2b1c5e8fc0e7b5b2a1d4c3e6f70819a2b3c4d5e6f70819";
    const HALL: &str = "石桥村政务公开查阅点";

    fn good() -> ProvisioningCode {
        ProvisioningCode::from_fields(
            "https://gk.yunxi.gov.example/",
            "990521201201",
            "1",
            HALL,
            "0824-9714-2954",
            FP,
        )
        .unwrap()
    }

    /// `text` parses to `expect`: `Ok(())` for a code that round-trips to
    /// the same text, `Err(words)` for an error containing `words`.
    fn check(text: &str, expect: Result<(), &str>) {
        match (ProvisioningCode::parse(text), expect) {
            (Ok(c), Ok(())) => {
                assert_eq!(c.to_text(), text.trim(), "{text:?} does not round-trip");
                assert_eq!(ProvisioningCode::parse(&c.to_text()).unwrap(), c);
            }
            (Err(e), Err(words)) => {
                let e = e.to_string();
                assert!(e.contains(words), "{text:?}: {e:?} lacks {words:?}");
            }
            (got, want) => panic!("{text:?}: got {got:?}, wanted {want:?}"),
        }
    }

    /// The good code with field `i` replaced.
    fn with(i: usize, value: &str) -> String {
        let text = good().to_text();
        let body = text.strip_prefix("GKPROV1:").unwrap();
        let mut f: Vec<String> = body.split('|').map(str::to_string).collect();
        f[i] = value.to_string();
        format!("GKPROV1:{}", f.join("|"))
    }

    #[test]
    fn the_text_is_ascii_round_trips_and_stays_short() {
        let c = good();
        let t = c.to_text();
        assert!(t.is_ascii(), "{t}");
        assert!(t.starts_with("GKPROV1:https://gk.yunxi.gov.example/|990521201201|1|%E7%9F%B3"));
        assert!(t.ends_with(&format!("|0824-9714-2954|{FP}")));
        assert_eq!(ProvisioningCode::parse(&t).unwrap(), c);
        assert_eq!(c.hall_name(), HALL);
        assert_eq!(c.terminal_id(), "990521201201-01");
        assert!(t.len() < 240, "{} characters", t.len());
        // The longest code the fields allow still fits the limit.
        let long = ProvisioningCode::from_fields(
            &format!("https://{}.example/", "a".repeat(MAX_URL_LEN - 17)),
            "990521201201",
            "99",
            &"龘".repeat(MAX_HALL_NAME_CHARS),
            "9999-9999-9999",
            FP,
        )
        .unwrap();
        assert!(
            long.to_text().len() <= MAX_TEXT_LEN,
            "{}",
            long.to_text().len()
        );
        check(&long.to_text(), Ok(()));
    }

    #[test]
    fn boundaries() {
        let cases: Vec<(String, Result<(), &str>)> = vec![
            (good().to_text(), Ok(())),
            (format!("  {}\r\n", good().to_text()), Ok(())),
            // The server's address.
            (with(0, "https://gk.example/gk/"), Ok(())),
            (with(0, "http://127.0.0.1:8080/"), Ok(())),
            (with(0, "http://127.9.9.9/"), Ok(())),
            (with(0, "http://localhost:8080/"), Ok(())),
            (with(0, "http://[::1]:8080/"), Ok(())),
            (
                with(0, "http://10.1.2.3/"),
                Err("服务器地址有误：http:// 不加密"),
            ),
            (with(0, "http://gk.example/"), Err("服务器地址有误")),
            (
                with(0, "ftp://gk.example/"),
                Err("服务器地址有误：应以 https://"),
            ),
            (with(0, "gk.example"), Err("服务器地址有误：不是有效网址")),
            (
                with(0, "https://u:p@gk.example/"),
                Err("服务器地址有误：不能含用户名"),
            ),
            (
                with(0, "https://gk.example/?a=1"),
                Err("服务器地址有误：不能含 ?"),
            ),
            (with(0, "https://gk.example"), Err("写法不规范")),
            (with(0, ""), Err("服务器地址有误")),
            (
                with(0, &format!("https://{}.example/", "a".repeat(MAX_URL_LEN))),
                Err("服务器地址有误：最长"),
            ),
            // The region.
            (with(1, "990521"), Ok(())),
            (with(1, "990521101"), Ok(())),
            (with(1, "99052"), Err("行政区划代码有误")),
            (with(1, "9905211"), Err("行政区划代码有误")),
            (with(1, "9905212012011"), Err("行政区划代码有误")),
            (with(1, "99052a"), Err("行政区划代码有误")),
            (with(1, "990521000000"), Err("写法不规范")),
            (with(1, "990521000001"), Err("行政区划代码有误")),
            (with(1, " 990521"), Err("行政区划代码有误：前后不能有空格")),
            // The terminal's number.
            (with(2, "99"), Ok(())),
            (with(2, "0"), Err("终端编号有误")),
            (with(2, "100"), Err("终端编号有误")),
            (with(2, "01"), Err("写法不规范")),
            (with(2, "+1"), Err("终端编号有误")),
            (with(2, ""), Err("终端编号有误")),
            // The hall's name.
            (with(3, "Hall-1"), Ok(())),
            (with(3, ""), Err("厅名有误：不能为空")),
            (with(3, "%20"), Err("厅名有误：不能为空")),
            (with(3, "%20a"), Err("厅名有误：前后不能有空格")),
            (with(3, "%E7%9F"), Err("厅名有误：编码有误")),
            (with(3, "%e7%9f%b3"), Err("厅名有误：编码有误")),
            (with(3, "a%2Db"), Err("厅名有误：编码有误")),
            (with(3, "a b"), Err("厅名有误：编码有误")),
            (with(3, "a%0Ab"), Err("厅名有误：不能含控制字符")),
            (
                with(3, &"%E9%BE%98".repeat(41)),
                Err("厅名有误：最多 40 个字"),
            ),
            // The one-time code.
            (with(4, "0000-0000-0000"), Ok(())),
            (with(4, "082497142954"), Err("开通码有误：应为 12 位数字")),
            (with(4, "0824-9714-295"), Err("开通码有误")),
            (with(4, "0824-9714-29541"), Err("开通码有误")),
            (with(4, "0824 9714 2954"), Err("开通码有误")),
            (with(4, "0824-9714-295a"), Err("开通码有误")),
            // The root's fingerprint.
            (with(5, &"0".repeat(64)), Ok(())),
            (
                with(5, &FP.to_uppercase()),
                Err("根元数据指纹有误：应为 64 位小写十六进制"),
            ),
            (with(5, &FP[..63]), Err("根元数据指纹有误")),
            (with(5, &format!("{FP}0")), Err("根元数据指纹有误")),
            (with(5, &FP.replace('a', "g")), Err("根元数据指纹有误")),
            // The whole line.
            (String::new(), Err("不是终端开通码")),
            ("0824-9714-2954".into(), Err("不是终端开通码")),
            (
                good().to_text().replace("GKPROV1:", "gkprov1:"),
                Err("不是终端开通码"),
            ),
            (
                good().to_text().replace("GKPROV1:", "GKPROV:"),
                Err("不是终端开通码"),
            ),
            (
                good().to_text().replace("GKPROV1:", "GKPROV1"),
                Err("不是终端开通码"),
            ),
            (
                good().to_text().replace("GKPROV1:", "GKPROV2:"),
                Err("第 2 版格式"),
            ),
            (
                good().to_text().replace("GKPROV1:", "GKPROV10:"),
                Err("第 10 版格式"),
            ),
            (
                good().to_text().replace("gk.yunxi", "gk.yünxi"),
                Err("只能是 ASCII"),
            ),
            (format!("{}|x", good().to_text()), Err("读到 7 项")),
            (
                format!("{}{}", good().to_text(), "0".repeat(MAX_TEXT_LEN)),
                Err("开通码过长"),
            ),
        ];
        for (text, expect) in &cases {
            check(text, *expect);
        }
        // Cut short anywhere: never read as a code.
        let full = good().to_text();
        for n in 0..full.len() {
            let e = ProvisioningCode::parse(&full[..n]).unwrap_err();
            assert!(!matches!(e, ProvisioningError::TooLong { .. }), "{n}: {e}");
        }
        check(&with(5, ""), Err("根元数据指纹有误"));
        check(&full[..full.rfind('|').unwrap()], Err("只读到 5 项"));
    }

    #[test]
    fn fields_typed_one_by_one() {
        assert_eq!(Field::ALL.len(), 6);
        assert!(Field::Region.check("990521201201").is_ok());
        let e = Field::Device.check("0").unwrap_err().to_string();
        assert!(e.starts_with("终端编号有误"), "{e}");
        // Typed codes may be spaced or dashed; the code keeps the printed shape.
        let c = ProvisioningCode::from_fields(
            "https://gk.example",
            "990521201201",
            "2",
            HALL,
            "0824 9714 2954",
            FP,
        )
        .unwrap();
        assert_eq!(c.one_time_code(), "0824-9714-2954");
        assert_eq!(c.server_url().as_str(), "https://gk.example/");
        assert_eq!(
            normalise_one_time_code("082497142954").unwrap(),
            "0824-9714-2954"
        );
        assert_eq!(normalise_one_time_code("0824-9714-295"), None);
        assert_eq!(
            format_one_time_code(1_234_000_000_000_017),
            "0000-0000-0017"
        );
    }

    #[test]
    fn technician_pins() {
        let h = technician_pin_hash("24681357").unwrap();
        assert!(h.starts_with("$argon2id$") && h.is_ascii(), "{h}");
        assert!(technician_pin_matches(&h, "24681357"));
        assert!(!technician_pin_matches(&h, "24681358"));
        assert_ne!(h, technician_pin_hash("24681357").unwrap(), "salted");
        assert!(!technician_pin_matches("sha256$x", "24681357"));
        for bad in ["12345", "1234567890123", "12345a", "", "123456"] {
            assert_eq!(
                technician_pin_hash(bad),
                Err(ProvisioningError::Pin),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_fingerprint_is_sha256_hex() {
        assert_eq!(
            root_fingerprint(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(
            Field::RootFingerprint
                .check(&root_fingerprint(b"{}"))
                .is_ok()
        );
    }
}
