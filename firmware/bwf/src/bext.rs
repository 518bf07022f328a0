//! The `bext` chunk of EBU Tech 3285 (version 2): who recorded what, when, and where in the day.

use serde::Serialize;

/// Size of the fixed part of a `bext` body (everything before CodingHistory).
pub const BEXT_FIXED_LEN: usize = 602;
/// "Not set" for the loudness fields of version 2.
pub const LOUDNESS_NOT_SET: i16 = 0x7FFF;

/// A Broadcast Audio Extension chunk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bext {
    /// Free text, at most 256 bytes; Capstan writes `key=value` lines (sSCENE, sTAKE, sTRK1...).
    pub description: String,
    /// Who made the file, at most 32 bytes.
    pub originator: String,
    /// A reference unique to this file, at most 32 bytes.
    pub originator_reference: String,
    /// "yyyy-mm-dd".
    pub origination_date: String,
    /// "hh:mm:ss".
    pub origination_time: String,
    /// Samples since midnight at the first sample of the file.
    pub time_reference: u64,
    /// Version of the chunk (2).
    pub version: u16,
    /// SMPTE 330M UMID (basic UMID in the first 32 bytes).
    #[serde(serialize_with = "hex")]
    pub umid: [u8; 64],
    /// Integrated loudness in LUFS x 100 (`0x7FFF` = not set).
    pub loudness_value: i16,
    /// Loudness range in LU x 100.
    pub loudness_range: i16,
    /// Maximum true peak in dBTP x 100.
    pub max_true_peak_level: i16,
    /// Maximum momentary loudness in LUFS x 100.
    pub max_momentary_loudness: i16,
    /// Maximum short-term loudness in LUFS x 100.
    pub max_short_term_loudness: i16,
    /// One line per process the audio went through, CR LF terminated.
    pub coding_history: String,
    /// Text fields that held bytes other than printable text before their terminating NUL
    /// (what some recorders leave uninitialised). Empty for a clean chunk.
    pub garbage_fields: Vec<&'static str>,
}

impl Default for Bext {
    fn default() -> Self {
        Bext {
            description: String::new(),
            originator: String::new(),
            originator_reference: String::new(),
            origination_date: String::new(),
            origination_time: String::new(),
            time_reference: 0,
            version: 2,
            umid: [0; 64],
            loudness_value: LOUDNESS_NOT_SET,
            loudness_range: LOUDNESS_NOT_SET,
            max_true_peak_level: LOUDNESS_NOT_SET,
            max_momentary_loudness: LOUDNESS_NOT_SET,
            max_short_term_loudness: LOUDNESS_NOT_SET,
            coding_history: String::new(),
            garbage_fields: Vec::new(),
        }
    }
}

fn hex<S: serde::Serializer>(b: &[u8; 64], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&b.iter().map(|x| format!("{x:02x}")).collect::<String>())
}

impl Bext {
    /// The chunk body: 602 fixed bytes then the coding history (text fields are written as
    /// ASCII and cut to their width).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = vec![0u8; BEXT_FIXED_LEN];
        put_str(&mut b[0..256], &self.description);
        put_str(&mut b[256..288], &self.originator);
        put_str(&mut b[288..320], &self.originator_reference);
        put_str(&mut b[320..330], &self.origination_date);
        put_str(&mut b[330..338], &self.origination_time);
        b[338..342].copy_from_slice(&(self.time_reference as u32).to_le_bytes());
        b[342..346].copy_from_slice(&((self.time_reference >> 32) as u32).to_le_bytes());
        b[346..348].copy_from_slice(&self.version.to_le_bytes());
        b[348..412].copy_from_slice(&self.umid);
        let loud = [
            self.loudness_value,
            self.loudness_range,
            self.max_true_peak_level,
            self.max_momentary_loudness,
            self.max_short_term_loudness,
        ];
        for (i, v) in loud.iter().enumerate() {
            b[412 + 2 * i..414 + 2 * i].copy_from_slice(&v.to_le_bytes());
        }
        b.extend_from_slice(self.coding_history.as_bytes());
        b
    }

    /// Parses a `bext` body leniently: short bodies are padded with zeros, text fields are cut at
    /// their first NUL and decoded lossily, and fields holding non-text bytes are listed in
    /// [`Bext::garbage_fields`]. Never fails.
    pub fn parse(body: &[u8]) -> Bext {
        let mut fixed = [0u8; BEXT_FIXED_LEN];
        let n = body.len().min(BEXT_FIXED_LEN);
        fixed[..n].copy_from_slice(&body[..n]);
        let b = &fixed;
        let mut garbage = Vec::new();
        let mut text = |name: &'static str, r: std::ops::Range<usize>| {
            let (s, bad) = get_str(&b[r]);
            if bad {
                garbage.push(name);
            }
            s
        };
        let description = text("Description", 0..256);
        let originator = text("Originator", 256..288);
        let originator_reference = text("OriginatorReference", 288..320);
        let origination_date = text("OriginationDate", 320..330);
        let origination_time = text("OriginationTime", 330..338);
        let u32_at = |o: usize| u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
        let i16_at = |o: usize| i16::from_le_bytes([b[o], b[o + 1]]);
        let mut umid = [0u8; 64];
        umid.copy_from_slice(&b[348..412]);
        let history = body.get(BEXT_FIXED_LEN..).unwrap_or(&[]);
        let (coding_history, bad) = get_str(history);
        if bad {
            garbage.push("CodingHistory");
        }
        Bext {
            description,
            originator,
            originator_reference,
            origination_date,
            origination_time,
            time_reference: u64::from(u32_at(338)) | (u64::from(u32_at(342)) << 32),
            version: u16::from_le_bytes([b[346], b[347]]),
            umid,
            loudness_value: i16_at(412),
            loudness_range: i16_at(414),
            max_true_peak_level: i16_at(416),
            max_momentary_loudness: i16_at(418),
            max_short_term_loudness: i16_at(420),
            coding_history,
            garbage_fields: garbage,
        }
    }

    /// The value of a `key=value` line of the description (Sound Devices' convention, which
    /// Capstan follows: `sSCENE=`, `sTAKE=`, `sTRK1=`...).
    pub fn description_value(&self, key: &str) -> Option<&str> {
        self.description.lines().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == key).then(|| v.trim_end_matches(['\r', '\0']))
        })
    }
}

/// `s` as a text field of `bext` holds it: in ASCII, which EBU Tech 3285 asks for and readers
/// that take the field as Latin-1 or a code page show right. Letters with accents lose them
/// ("Café" becomes "Cafe"), other scripts are spelled in Latin letters (`deunicode`), and
/// control characters other than CR, LF and tab are left out.
pub fn ascii(s: &str) -> String {
    ascii_bytes(s).map(char::from).collect()
}

fn ascii_bytes(s: &str) -> impl Iterator<Item = u8> + '_ {
    let spelled = s.char_indices().flat_map(|(i, c)| {
        let spelled = match c.is_ascii() {
            true => &s[i..=i],
            false => deunicode::deunicode_char(c).unwrap_or("?"),
        };
        spelled.bytes()
    });
    spelled.filter(|&c| (0x20..0x7F).contains(&c) || matches!(c, b'\r' | b'\n' | b'\t'))
}

/// Copies `s` into the fixed-width field `dst` in [`ascii`], cut to the field's width; the
/// rest stays NUL.
fn put_str(dst: &mut [u8], s: &str) {
    for (d, c) in dst.iter_mut().zip(ascii_bytes(s)) {
        *d = c;
    }
}

/// Reads a NUL-terminated field; the flag says whether it held bytes that are not text.
fn get_str(field: &[u8]) -> (String, bool) {
    let end = field.iter().position(|&c| c == 0).unwrap_or(field.len());
    let raw = &field[..end];
    // After the terminating NUL, only NULs (or a recorder's printable padding) belong: other
    // bytes are uninitialised memory (MetaCorder writes such).
    let bad = raw
        .iter()
        .any(|&c| c < 0x20 && !matches!(c, b'\r' | b'\n' | b'\t'))
        || std::str::from_utf8(raw).is_err()
        || field[end..]
            .iter()
            .any(|&c| c != 0 && !(0x20..0x7F).contains(&c));
    let s = String::from_utf8_lossy(raw);
    let s: String = s
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\r' | '\n' | '\t'))
        .collect();
    (s, bad)
}

/// Builds a basic SMPTE 330M UMID (32 bytes, rest zero) around 16 unique material bytes.
pub fn basic_umid(material: [u8; 16]) -> [u8; 64] {
    let mut u = [0u8; 64];
    // Universal label for a UMID: audio material, no defined instance creation method.
    u[..12].copy_from_slice(&[
        0x06, 0x0A, 0x2B, 0x34, 0x01, 0x01, 0x01, 0x05, 0x01, 0x01, 0x02, 0x20,
    ]);
    u[12] = 0x13; // length of what follows in a basic UMID
                  // u[13..16]: instance number 0 (original material)
    u[16..32].copy_from_slice(&material);
    u
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_sit_at_their_offsets_and_round_trip() {
        let b = Bext {
            description: "sSCENE=S01\r\nsTAKE=3\r\n".into(),
            originator: "Capstan".into(),
            originator_reference: "XXCAP000000000001123456123456789".into(),
            origination_date: "2026-11-23".into(),
            origination_time: "14:30:00".into(),
            time_reference: 0x1_0000_0002,
            version: 2,
            umid: basic_umid([7; 16]),
            loudness_value: LOUDNESS_NOT_SET,
            loudness_range: LOUDNESS_NOT_SET,
            max_true_peak_level: LOUDNESS_NOT_SET,
            max_momentary_loudness: LOUDNESS_NOT_SET,
            max_short_term_loudness: LOUDNESS_NOT_SET,
            coding_history: "A=PCM,F=48000,W=24,M=mono,T=Capstan\r\n".into(),
            garbage_fields: vec![],
        };
        let bytes = b.to_bytes();
        assert_eq!(&bytes[256..263], b"Capstan");
        assert_eq!(&bytes[320..330], b"2026-11-23");
        assert_eq!(&bytes[338..342], &2u32.to_le_bytes());
        assert_eq!(&bytes[342..346], &1u32.to_le_bytes());
        assert_eq!(&bytes[346..348], &2u16.to_le_bytes());
        assert_eq!(&bytes[412..414], &0x7FFFi16.to_le_bytes());
        assert_eq!(&bytes[602..606], b"A=PC");
        assert_eq!(Bext::parse(&bytes), b);
        assert_eq!(b.description_value("sTAKE"), Some("3"));
    }

    #[test]
    fn garbage_and_short_bodies_are_reported_not_fatal() {
        let mut body = vec![0xFFu8; 700];
        body[..4].copy_from_slice(b"ok\0\0");
        let b = Bext::parse(&body);
        assert_eq!(b.description, "ok");
        assert!(b.garbage_fields.contains(&"Originator"));
        let short = Bext::parse(b"hello");
        assert_eq!(short.description, "hello");
        assert_eq!(short.time_reference, 0);
    }

    #[test]
    fn text_is_written_as_ascii_and_cut_to_its_field() {
        let b = Bext {
            description: "sSCENE=Café\r\nsTRK1=Gesang Über\r\nsTRK2=ギター\u{7}\r\n".into(),
            originator: "é".repeat(40),
            ..Default::default()
        };
        let bytes = b.to_bytes();
        assert!(
            bytes[..338].iter().all(|&c| c == 0 || c.is_ascii()),
            "ASCII only"
        );
        let p = Bext::parse(&bytes);
        assert_eq!(p.description_value("sSCENE"), Some("Cafe"));
        assert_eq!(p.description_value("sTRK1"), Some("Gesang Uber"));
        assert_eq!(p.description_value("sTRK2"), Some("gita"));
        assert_eq!(p.originator, "e".repeat(32));
        assert!(p.garbage_fields.is_empty());
    }
}
