//! The encoding of a text file: UTF-8 (with or without a BOM), UTF-16 with a
//! BOM, or Shift_JIS — which on Windows means CP932, with its NEC and IBM
//! extensions (①, Ⅰ, ㈱), the form `encoding_rs` decodes as Shift_JIS.

use encoding_rs::{Encoding, SHIFT_JIS, UTF_8};

/// Decodes `bytes`, returning the text and the name of the encoding found.
pub fn decode(bytes: &[u8]) -> Result<(String, &'static str), String> {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom..]);
        if had_errors {
            return Err(format!(
                "the file starts with a {} byte-order mark but is not {}",
                encoding.name(),
                encoding.name()
            ));
        }
        return Ok((text.into_owned(), encoding.name()));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.to_string(), UTF_8.name()));
    }
    if let Some(text) = SHIFT_JIS.decode_without_bom_handling_and_without_replacement(bytes) {
        return Ok((text.into_owned(), "Shift_JIS (CP932)"));
    }
    let (line, byte) = first_bad_utf8(bytes);
    Err(format!(
        "the text is neither UTF-8 nor Shift_JIS (byte 0x{byte:02X} on line {line} is not valid in either)"
    ))
}

/// Line and value of the first byte that is not valid UTF-8.
fn first_bad_utf8(bytes: &[u8]) -> (usize, u8) {
    let at = match std::str::from_utf8(bytes) {
        Ok(_) => return (1, 0),
        Err(e) => e.valid_up_to(),
    };
    let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
    (line, bytes[at])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(
            decode("令和５年".as_bytes()).unwrap(),
            ("令和５年".into(), "UTF-8")
        );
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice("各位".as_bytes());
        assert_eq!(decode(&bom).unwrap().0, "各位");
    }

    #[test]
    fn shift_jis_with_cp932_characters() {
        let text = "１．（１）① 総務部長　伊藤　寿一\r\n";
        let (bytes, _, unmappable) = SHIFT_JIS.encode(text);
        assert!(!unmappable);
        assert!(std::str::from_utf8(&bytes).is_err());
        let (decoded, name) = decode(&bytes).unwrap();
        assert_eq!(decoded, text);
        assert!(name.starts_with("Shift_JIS"), "{name}");
    }

    #[test]
    fn utf16_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "以上".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode(&bytes).unwrap().0, "以上");
    }

    #[test]
    fn neither_encoding_is_an_error_with_its_line() {
        let err = decode(b"ok\n\x80\x80\xff").unwrap_err();
        assert!(err.contains("line 2"), "{err}");
    }
}
