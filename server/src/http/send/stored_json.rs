//! The stored form of a send's payload, recognised without building a `serde_json::Value`.
//!
//! A payload is stored (and delivered, and signed) as the compact JSON that serde_json writes for
//! the parsed object: no whitespace between tokens, keys in the order given (the last of
//! duplicated keys wins, at the place of the first), strings with only the escapes serde_json
//! writes, numbers as serde_json prints them. Most senders (every HookBridge SDK) already send
//! exactly that, so the send handler keeps those bytes as received and only re-encodes the
//! payloads for which [`is_stored_form`] says no.

/// Nesting deeper than this is left to the full parser, whose recursion limit and error apply.
const MAX_DEPTH: usize = 64;
/// An object with more keys than this is left to the full parser (duplicate keys are looked
/// for by comparing each key with the keys before it).
const MAX_KEYS_PER_OBJECT: usize = 64;
/// Integers with at most this many digits print back unchanged (they fit in an `i64`).
const PLAIN_INTEGER_DIGITS: usize = 18;

/// Whether `raw` (the text of one JSON value) is a JSON object whose bytes are exactly what
/// parsing it into a `serde_json::Value` and serialising that again with `serde_json::to_vec`
/// would give. `false` means "not known to be": the caller re-encodes, which also reports any
/// error (a lone surrogate, a number out of range, too deep a nesting) as before.
pub fn is_stored_form(raw: &str) -> bool {
    let b = raw.as_bytes();
    if b.first() != Some(&b'{') {
        return false;
    }
    Scanner { b, i: 0, keys: Vec::new() }.object_document().unwrap_or(false)
}

/// What comes next in the scan.
enum Expect {
    /// A value (after `[`, `,` in an array, or `:`).
    Value,
    /// A key (after `{` or `,` in an object).
    Key,
    /// `,` or the end of the enclosing container (after a value).
    AfterValue,
}

/// An open container: an object (with the index in `keys` of its first key) or an array.
#[derive(Clone, Copy)]
struct Frame {
    object: bool,
    keys_start: usize,
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
    /// The raw keys of the open objects, outermost first.
    keys: Vec<&'a [u8]>,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Walks the whole document; `None` or `Some(false)` when it is not in the stored form.
    fn object_document(&mut self) -> Option<bool> {
        let mut frames = [Frame { object: false, keys_start: 0 }; MAX_DEPTH];
        let mut depth = 0usize;
        let mut expect = Expect::Value;
        loop {
            match expect {
                Expect::Value => {
                    expect = Expect::AfterValue;
                    match self.peek()? {
                        open @ (b'{' | b'[') => {
                            let frame = frames.get_mut(depth)?;
                            *frame = Frame { object: open == b'{', keys_start: self.keys.len() };
                            depth += 1;
                            self.i += 1;
                            let close = if open == b'{' { b'}' } else { b']' };
                            if self.peek()? != close {
                                expect = if open == b'{' { Expect::Key } else { Expect::Value };
                            }
                            // An empty container is closed by the `AfterValue` step.
                        }
                        b'"' => {
                            self.string()?;
                        }
                        b't' => self.literal(b"true")?,
                        b'f' => self.literal(b"false")?,
                        b'n' => self.literal(b"null")?,
                        b'-' | b'0'..=b'9' => {
                            if !self.number()? {
                                return Some(false);
                            }
                        }
                        _ => return None,
                    }
                }
                Expect::Key => {
                    if self.peek()? != b'"' {
                        return None;
                    }
                    let key = self.string()?;
                    let frame = frames.get(depth.checked_sub(1)?)?;
                    let siblings = self.keys.get(frame.keys_start..)?;
                    if siblings.len() >= MAX_KEYS_PER_OBJECT || siblings.contains(&key) {
                        return Some(false);
                    }
                    self.keys.push(key);
                    if self.peek()? != b':' {
                        return None;
                    }
                    self.i += 1;
                    expect = Expect::Value;
                }
                Expect::AfterValue => {
                    let Some(top) = depth.checked_sub(1) else {
                        return Some(self.i == self.b.len());
                    };
                    let frame = *frames.get(top)?;
                    match self.peek()? {
                        b',' => {
                            self.i += 1;
                            expect = if frame.object { Expect::Key } else { Expect::Value };
                        }
                        b'}' if frame.object => {
                            self.keys.truncate(frame.keys_start);
                            depth = top;
                            self.i += 1;
                        }
                        b']' if !frame.object => {
                            depth = top;
                            self.i += 1;
                        }
                        _ => return None,
                    }
                }
            }
        }
    }

    /// `true`, `false` or `null`.
    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.i.checked_add(word.len())?;
        if self.b.get(self.i..end)? != word {
            return None;
        }
        self.i = end;
        Some(())
    }

    /// A string at `"`: its raw contents, if every escape in it is one serde_json writes.
    fn string(&mut self) -> Option<&'a [u8]> {
        let start = self.i + 1;
        let mut i = start;
        loop {
            i += self.b.get(i..).map_or(0, plain_run);
            match *self.b.get(i)? {
                b'"' => {
                    self.i = i + 1;
                    return self.b.get(start..i);
                }
                b'\\' => i += canonical_escape_len(self.b.get(i + 1..)?)?,
                0x00..=0x1f => return None,
                _ => i += 1,
            }
        }
    }

    /// A number token: whether it prints back unchanged.
    fn number(&mut self) -> Option<bool> {
        let start = self.i;
        while matches!(self.peek(), Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')) {
            self.i += 1;
        }
        let token = self.b.get(start..self.i)?;
        let digits = token.strip_prefix(b"-").unwrap_or(token);
        let plain_integer = !digits.is_empty()
            && digits.len() <= PLAIN_INTEGER_DIGITS
            && digits.iter().all(u8::is_ascii_digit)
            && (digits[0] != b'0' || token == b"0");
        if plain_integer {
            return Some(true);
        }
        // Anything else (fractions, exponents, -0, long integers) goes through serde_json's own
        // number parsing and printing, the code that re-encoding runs.
        let token = std::str::from_utf8(token).ok()?;
        let number: serde_json::Number = token.parse().ok()?;
        Some(serde_json::to_string(&number).ok()? == token)
    }
}

/// How many bytes at the start of `bytes` are plain string content (none of `"`, `\\` or a
/// control character), counted 8 at a time; the caller looks at the rest byte by byte.
fn plain_run(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // A high bit per byte of `v` that is zero (exact when at least one byte is).
    let zero_byte = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let mut n = 0;
    while let Some(Ok(chunk)) = bytes.get(n..n + 8).map(<[u8; 8]>::try_from) {
        let x = u64::from_le_bytes(chunk);
        let control = x.wrapping_sub(ONES * 0x20) & !x & HIGHS;
        if zero_byte(x ^ (ONES * u64::from(b'"'))) | zero_byte(x ^ (ONES * u64::from(b'\\'))) | control != 0 {
            break;
        }
        n += 8;
    }
    n
}

/// The length of the escape at the start of `after_backslash` (the bytes after a `\`), counting
/// the backslash, if serde_json writes that character with that very escape.
fn canonical_escape_len(after_backslash: &[u8]) -> Option<usize> {
    match *after_backslash.first()? {
        b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't' => Some(2),
        b'u' => {
            // serde_json writes `\u00xx` (lowercase hex) for the control characters that have
            // no short escape, and nothing else.
            let hex = after_backslash.get(1..5)?;
            let lower_hex = |c: u8| matches!(c, b'0'..=b'9' | b'a'..=b'f');
            if hex[0] != b'0' || hex[1] != b'0' || !matches!(hex[2], b'0' | b'1') || !lower_hex(hex[3]) {
                return None;
            }
            let code = (hex[2] - b'0') * 16 + if hex[3] <= b'9' { hex[3] - b'0' } else { hex[3] - b'a' + 10 };
            (!matches!(code, 0x08 | 0x09 | 0x0a | 0x0c | 0x0d)).then_some(6)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the send handler stored before this fast path: parse, then serialise.
    fn reencoded(raw: &str) -> Option<String> {
        match serde_json::from_str::<serde_json::Value>(raw) {
            Ok(serde_json::Value::Object(map)) => serde_json::to_string(&map).ok(),
            _ => None,
        }
    }

    /// `is_stored_form` never says yes to bytes that re-encoding would change.
    fn agrees(raw: &str) -> bool {
        let fast = is_stored_form(raw);
        if fast {
            assert_eq!(reencoded(raw).as_deref(), Some(raw), "claimed stored form: {raw}");
        }
        fast
    }

    #[test]
    fn compact_payloads_are_recognised() {
        for raw in [
            r#"{}"#,
            r#"{"a":1}"#,
            r#"{"zeta":1,"alpha":[true,null,"é"],"mid":{"b":2,"a":1}}"#,
            r#"{"a":[],"b":{},"c":[[],{}],"d":-12,"e":0,"f":1.5,"g":"x\"y\\z\n\t\r\b\f"}"#,
            r#"{"ctl":"\u0000\u001f\u000b","emoji":"😀","slash":"a/b","sep":" "}"#,
            "{\"del\":\"\x7f\"}",
            r#"{"f":0.1,"g":-2.5,"i":123456789012345678,"a":{"a":{"a":1}}}"#,
            r#"{"same key in":{"k":1},"other objects":{"k":2}}"#,
        ] {
            assert!(agrees(raw), "{raw}");
        }
    }

    #[test]
    fn anything_reencoding_would_change_is_left_to_the_parser() {
        for raw in [
            r#"{ "a":1}"#,
            "{\"a\":1\n}",
            r#"{"a" :1}"#,
            r#"{"a":[1, 2]}"#,
            r#"{"a":"\u00e9"}"#,
            r#"{"a":"\u0041"}"#,
            r#"{"a":"\u001F"}"#,
            r#"{"a":"\u000a"}"#,
            r#"{"a":"\/"}"#,
            r#"{"a":"\ud83d\ude00"}"#,
            r#"{"a":"\ud800"}"#,
            r#"{"a":1.0e2}"#,
            r#"{"a":1E2}"#,
            r#"{"a":1.50}"#,
            r#"{"a":-0}"#,
            r#"{"a":-0.0e0}"#,
            r#"{"a":12345678901234567890123}"#,
            r#"{"a":1e400}"#,
            r#"{"a":1,"a":2}"#,
            r#"{"b":{"a":1,"c":2,"a":3}}"#,
            r#"[1]"#,
            r#""text""#,
            r#"{"a":1}x"#,
            r#"{"a":1"#,
            r#"{"a"}"#,
            r#"{"a":tru}"#,
            r#"{"a":[1,]}"#,
            r#"{,}"#,
        ] {
            assert!(!agrees(raw), "{raw}");
        }
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(!is_stored_form(&deep));
        let shallow = format!("{{\"a\":{}1{}}}", "[".repeat(MAX_DEPTH - 2), "]".repeat(MAX_DEPTH - 2));
        assert!(agrees(&shallow));
        let wide: String =
            format!("{{{}}}", (0..=MAX_KEYS_PER_OBJECT).map(|i| format!("\"k{i}\":{i}")).collect::<Vec<_>>().join(","));
        assert!(!is_stored_form(&wide));
    }

    #[test]
    fn long_strings_are_scanned_in_chunks_without_missing_a_special_byte() {
        let plain = "abcdefghijklmnopqrstuvwxyz0123456789é😀";
        assert_eq!(plain_run(plain.as_bytes()), plain.len() / 8 * 8);
        for special in ["\"", "\\", "\u{1}", "\u{1f}", "\n"] {
            for at in 0..plain.len() {
                if !plain.is_char_boundary(at) {
                    continue;
                }
                let text = format!("{}{special}{}", &plain[..at], &plain[at..]);
                assert!(plain_run(text.as_bytes()) <= at, "{text:?}");
            }
        }
        let long = format!("{{\"a\":\"{}\",\"b\":\"{}\\n{}\"}}", "x".repeat(100), "y".repeat(37), "z".repeat(9));
        assert!(agrees(&long));
        assert!(!is_stored_form(&format!("{{\"a\":\"{}\\/{}\"}}", "x".repeat(19), "y".repeat(5))));
    }

    #[test]
    fn floats_agree_with_serde_json_printing() {
        for f in [0.1f64, 1.0 / 3.0, 1e21, 1e-7, 123456.789, f64::MAX, f64::MIN_POSITIVE, 5e-324, -1e16] {
            let printed = serde_json::to_string(&f).unwrap();
            assert!(agrees(&format!("{{\"f\":{printed}}}")), "{printed}");
        }
        for odd in ["1E16", "1e16", "1e21", "0.10", "100e-2", "1.0E+2", "2e0", "0e0", "18446744073709551616"] {
            assert!(!agrees(&format!("{{\"f\":{odd}}}")), "{odd}");
        }
    }
}
