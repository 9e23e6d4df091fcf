//! Bytes to text: byte-order marks, UTF-8 with a fallback, and binary detection.

/// What decoding found out about the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// Clean text (a BOM, if any, removed; UTF-16 converted).
    Text(String),
    /// Not valid UTF-8 from `offset` on: the text was decoded anyway, as `how` says.
    Repaired {
        /// The decoded text.
        text: String,
        /// Byte offset of the first invalid sequence.
        offset: usize,
        /// How the bytes were read: "UTF-8 with replacement characters" or "Windows-1252".
        how: &'static str,
    },
    /// A NUL byte where text cannot have one: a binary file.
    Binary {
        /// Byte offset of the first NUL.
        offset: usize,
    },
}

/// How far into a file to look for NUL bytes before calling it text.
const BINARY_SNIFF: usize = 8192;

/// [`decode`], reusing the buffer when the bytes are clean UTF-8 (the common case): a large file
/// is then held once, not twice.
pub fn decode_owned(bytes: Vec<u8>) -> Decoded {
    let plain = !bytes.starts_with(b"\xEF\xBB\xBF")
        && !bytes.starts_with(b"\xFF\xFE")
        && !bytes.starts_with(b"\xFE\xFF")
        && !bytes[..bytes.len().min(BINARY_SNIFF)].contains(&0);
    if plain {
        match String::from_utf8(bytes) {
            Ok(text) => Decoded::Text(text),
            Err(error) => decode(error.as_bytes()),
        }
    } else {
        decode(&bytes)
    }
}

/// Decodes a file's bytes.
pub fn decode(bytes: &[u8]) -> Decoded {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return decode_utf8(rest, 3);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return decode_utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return decode_utf16(rest, u16::from_be_bytes);
    }
    if let Some(offset) = bytes[..bytes.len().min(BINARY_SNIFF)]
        .iter()
        .position(|&b| b == 0)
    {
        return Decoded::Binary { offset };
    }
    decode_utf8(bytes, 0)
}

fn decode_utf8(bytes: &[u8], bom: usize) -> Decoded {
    match std::str::from_utf8(bytes) {
        Ok(text) => Decoded::Text(text.to_string()),
        Err(error) => {
            let offset = bom + error.valid_up_to();
            // A file that is mostly valid UTF-8 with a stray bad byte keeps its UTF-8; one whose
            // high bytes are nearly all invalid is a legacy 8-bit file (Latin-1 or Windows-1252).
            let (valid, invalid) = count_utf8(bytes);
            if invalid > valid {
                Decoded::Repaired {
                    text: bytes.iter().map(|&b| windows_1252(b)).collect(),
                    offset,
                    how: "Windows-1252",
                }
            } else {
                Decoded::Repaired {
                    text: String::from_utf8_lossy(bytes).into_owned(),
                    offset,
                    how: "UTF-8 with replacement characters",
                }
            }
        }
    }
}

/// Counts valid multi-byte UTF-8 characters and invalid sequences.
fn count_utf8(mut bytes: &[u8]) -> (usize, usize) {
    let (mut valid, mut invalid) = (0, 0);
    loop {
        match std::str::from_utf8(bytes) {
            Ok(text) => {
                valid += text.chars().filter(|c| !c.is_ascii()).count();
                return (valid, invalid);
            }
            Err(error) => {
                let good = &bytes[..error.valid_up_to()];
                valid += std::str::from_utf8(good)
                    .map(|t| t.chars().filter(|c| !c.is_ascii()).count())
                    .unwrap_or(0);
                invalid += 1;
                let skip = error
                    .error_len()
                    .unwrap_or(bytes.len() - error.valid_up_to());
                bytes = &bytes[error.valid_up_to() + skip..];
            }
        }
    }
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Decoded {
    let units = bytes.chunks(2).map(|pair| match pair {
        [a, b] => unit([*a, *b]),
        _ => 0xFFFD,
    });
    let mut text = String::with_capacity(bytes.len() / 2);
    let mut first_bad = None;
    for (index, decoded) in char::decode_utf16(units).enumerate() {
        match decoded {
            Ok(c) => text.push(c),
            Err(_) => {
                first_bad.get_or_insert(2 + index * 2);
                text.push('\u{FFFD}');
            }
        }
    }
    match first_bad {
        None if bytes.len().is_multiple_of(2) => Decoded::Text(text),
        offset => Decoded::Repaired {
            text,
            offset: offset.unwrap_or(bytes.len() + 1),
            how: "UTF-16 with replacement characters",
        },
    }
}

/// Windows-1252, which agrees with Latin-1 outside 0x80..=0x9F.
fn windows_1252(byte: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    match byte {
        0x80..=0x9F => HIGH[(byte - 0x80) as usize],
        _ => byte as char,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bom_is_dropped() {
        assert_eq!(decode(b"\xEF\xBB\xBFhello"), Decoded::Text("hello".into()));
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("héllo".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&le), Decoded::Text("héllo".into()));
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("héllo".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode(&be), Decoded::Text("héllo".into()));
    }

    #[test]
    fn latin1_is_read_as_windows_1252_and_flagged() {
        let Decoded::Repaired { text, offset, how } = decode(b"caf\xe9 \x93quoted\x94") else {
            panic!("expected a repaired decode");
        };
        assert_eq!(text, "café “quoted”");
        assert_eq!(offset, 3);
        assert_eq!(how, "Windows-1252");
    }

    #[test]
    fn a_stray_bad_byte_keeps_utf8() {
        let mut bytes = "naïve café — ok".as_bytes().to_vec();
        bytes.push(0xFF);
        let Decoded::Repaired { text, offset, how } = decode(&bytes) else {
            panic!("expected a repaired decode");
        };
        assert_eq!(text, "naïve café — ok\u{FFFD}");
        assert_eq!(offset, "naïve café — ok".len());
        assert_eq!(how, "UTF-8 with replacement characters");
    }

    #[test]
    fn owned_decoding_agrees_with_borrowed() {
        let cases: [&[u8]; 5] = [
            b"plain",
            b"\xEF\xBB\xBFbom",
            b"caf\xe9",
            b"\xFF\xFEh\x00i\x00",
            b"a\x00b",
        ];
        for bytes in cases {
            assert_eq!(decode_owned(bytes.to_vec()), decode(bytes), "{bytes:?}");
        }
    }

    #[test]
    fn nul_bytes_mean_binary() {
        assert_eq!(
            decode(b"\x7fELF\x02\x01\x00\x00"),
            Decoded::Binary { offset: 6 }
        );
    }
}
