//! CODE128 for the receipt number: an even count of digits in code set C
//! (two digits per symbol), sent with `GS k 73` — which the `escpos` crate
//! does not offer. Also the module pattern, for the emulator's picture.

/// `GS h` height, `GS w` module width, `GS H` no human-readable line (the
/// number is printed as text above it), then `GS k 73 n {C d1 … dn`.
pub fn command(digits: &str, module_dots: u8, height_dots: u8) -> Option<Vec<u8>> {
    if digits.is_empty()
        || !digits.len().is_multiple_of(2)
        || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let values: Vec<u8> = digits
        .as_bytes()
        .chunks(2)
        .map(|p| (p[0] - b'0') * 10 + (p[1] - b'0'))
        .collect();
    let n = u8::try_from(values.len() + 2).ok()?;
    let mut cmd = vec![
        0x1D,
        b'h',
        height_dots,
        0x1D,
        b'w',
        module_dots,
        0x1D,
        b'H',
        0,
    ];
    cmd.extend_from_slice(&[0x1D, b'k', 73, n, b'{', b'C']);
    cmd.extend_from_slice(&values);
    Some(cmd)
}

/// The bars and spaces of a code-set-C symbol, one entry per module
/// (1 bar, 0 space), quiet zones excluded.
pub fn modules(digits: &str) -> Option<Vec<u8>> {
    barcoders::sym::code128::Code128::new(format!("\u{0106}{digits}"))
        .ok()
        .map(|c| c.encode())
}

/// The width in modules of a code-set-C symbol of `digits` digits.
pub fn width_modules(digits: usize) -> usize {
    // start + data symbols + check symbol (11 each) + stop (13)
    11 * (digits / 2 + 2) + 13
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_c_commands() {
        assert_eq!(
            command("0123", 2, 80).unwrap(),
            [
                0x1D, b'h', 80, 0x1D, b'w', 2, 0x1D, b'H', 0, 0x1D, b'k', 73, 4, b'{', b'C', 1, 23
            ]
        );
        assert!(command("123", 2, 80).is_none());
        assert!(command("12a4", 2, 80).is_none());
        assert!(command("", 2, 80).is_none());
        // A receipt number: 26 digits, 178 modules, 356 dots at 2 dots a
        // module — fits the 384 dots of 58 mm paper.
        let m = modules("99052120120101261123000742").unwrap();
        assert_eq!(m.len(), width_modules(26));
        assert_eq!(m.len(), 178);
    }
}
