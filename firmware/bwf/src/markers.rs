//! Markers: a position in frames from the file's first frame and a label ("XRUN", "DROP 480
//! frames", "M1"). DAWs read them from a `cue ` chunk whose labels sit in a `LIST`/`adtl` chunk
//! of `labl` entries (Sound Devices, Pro Tools, Reaper); Capstan also keeps them in the iXML
//! SYNC_POINT_LIST, which is rewritten at every commit and so survives a power cut.

use serde::Serialize;

use crate::riff;

/// The most markers one file keeps; later ones are only counted.
pub const MAX_MARKERS: usize = 1024;
/// The longest label kept, in bytes (longer ones are cut at a character boundary).
pub const MAX_LABEL_BYTES: usize = 255;

/// One marker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Marker {
    /// Frames from the file's first frame.
    pub position: u64,
    /// What happened there.
    pub label: String,
}

impl Marker {
    /// A marker at `position` with `label` cut to [`MAX_LABEL_BYTES`].
    pub fn new(position: u64, label: &str) -> Marker {
        let mut end = label.len().min(MAX_LABEL_BYTES);
        while !label.is_char_boundary(end) {
            end -= 1;
        }
        Marker {
            position,
            label: label[..end].to_string(),
        }
    }
}

/// The markers of a file being written: at most [`MAX_MARKERS`], the rest counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MarkerList {
    markers: Vec<Marker>,
    over_limit: u64,
}

impl MarkerList {
    /// Adds a marker; returns false (and counts it) when the list is full.
    pub fn push(&mut self, marker: Marker) -> bool {
        if self.markers.len() >= MAX_MARKERS {
            self.over_limit += 1;
            return false;
        }
        self.markers.push(marker);
        true
    }

    /// The markers kept, in the order they were added.
    pub fn as_slice(&self) -> &[Marker] {
        &self.markers
    }

    /// Markers that arrived after the list was full.
    pub fn over_limit(&self) -> u64 {
        self.over_limit
    }
}

/// The `cue ` and `LIST`/`adtl` chunks (headers, bodies and pad bytes) for `markers`, ready to
/// append after the data chunk; empty when no marker fits a cue point's 32-bit position.
/// Cue ids count from 1 in the order given.
pub fn cue_chunks(markers: &[Marker]) -> Vec<u8> {
    let cued: Vec<(u32, &Marker)> = markers
        .iter()
        .filter_map(|m| u32::try_from(m.position).ok().map(|p| (p, m)))
        .collect();
    if cued.is_empty() {
        return Vec::new();
    }
    let mut cue = Vec::with_capacity(4 + 24 * cued.len());
    cue.extend_from_slice(&(cued.len() as u32).to_le_bytes());
    let mut adtl = b"adtl".to_vec();
    for (i, (pos, m)) in cued.iter().enumerate() {
        let id = i as u32 + 1;
        cue.extend_from_slice(&id.to_le_bytes()); // dwName
        cue.extend_from_slice(&pos.to_le_bytes()); // dwPosition
        cue.extend_from_slice(b"data"); // fccChunk
        cue.extend_from_slice(&0u32.to_le_bytes()); // dwChunkStart
        cue.extend_from_slice(&0u32.to_le_bytes()); // dwBlockStart
        cue.extend_from_slice(&pos.to_le_bytes()); // dwSampleOffset
        let mut labl = Vec::with_capacity(5 + m.label.len());
        labl.extend_from_slice(&id.to_le_bytes());
        // A NUL inside the label would end it early for every reader.
        labl.extend(m.label.bytes().filter(|&c| c != 0));
        labl.push(0);
        riff::push_chunk(&mut adtl, b"labl", &labl);
    }
    let mut out = Vec::with_capacity(16 + cue.len() + adtl.len());
    riff::push_chunk(&mut out, b"cue ", &cue);
    riff::push_chunk(&mut out, b"LIST", &adtl);
    out
}

/// The cue points of a `cue ` chunk body: (id, dwSampleOffset), as many as are whole.
pub fn parse_cue(b: &[u8]) -> Vec<(u32, u32)> {
    let n = u32_at(b, 0).unwrap_or(0) as usize;
    (0..n.min(b.len().saturating_sub(4) / 24))
        .filter_map(|i| {
            let o = 4 + i * 24;
            Some((u32_at(b, o)?, u32_at(b, o + 20)?))
        })
        .collect()
}

/// The labels of a `LIST` body of type `adtl`: (cue id, text) for each `labl`; `None` for a
/// list of another type.
pub fn parse_adtl(b: &[u8]) -> Option<Vec<(u32, String)>> {
    if b.get(0..4) != Some(b"adtl") {
        return None;
    }
    let mut labels = Vec::new();
    let mut p = 4usize;
    while p + 8 <= b.len() {
        let sub = &b[p..p + 4];
        let sz = u32_at(b, p + 4).unwrap_or(0) as usize;
        let end = (p + 8).saturating_add(sz).min(b.len());
        if sub == b"labl" && end >= p + 12 {
            let id = u32_at(b, p + 8).unwrap_or(0);
            let t = &b[p + 12..end];
            let t = &t[..t.iter().position(|&c| c == 0).unwrap_or(t.len())];
            labels.push((id, String::from_utf8_lossy(t).into_owned()));
        }
        p = end.saturating_add(sz & 1);
    }
    Some(labels)
}

fn u32_at(b: &[u8], o: usize) -> Option<u32> {
    b.get(o..o.checked_add(4)?)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_round_trip_with_odd_and_even_labels() {
        let ms = [
            Marker::new(0, "XRUN"),
            Marker::new(480, "DROP 480 frames"),
            Marker::new(u64::from(u32::MAX) + 1, "past 32 bits"),
            Marker::new(96_000, "M1"),
        ];
        let b = cue_chunks(&ms);
        assert_eq!(&b[0..4], b"cue ");
        let cue_len = u32_at(&b, 4).unwrap() as usize;
        assert_eq!(cue_len, 4 + 3 * 24, "the marker past 32 bits is left out");
        assert_eq!(
            parse_cue(&b[8..8 + cue_len]),
            [(1, 0), (2, 480), (3, 96_000)]
        );
        assert_eq!(&b[8 + 24 + 12..8 + 24 + 16], b"data", "fccChunk");
        let list = &b[8 + cue_len..];
        assert_eq!(&list[0..4], b"LIST");
        let list_len = u32_at(list, 4).unwrap() as usize;
        assert_eq!(list.len(), 8 + list_len, "nothing after the LIST");
        assert_eq!(list_len % 2, 0, "every labl is padded to even");
        let labels = parse_adtl(&list[8..]).unwrap();
        assert_eq!(
            labels,
            [
                (1, "XRUN".to_string()),
                (2, "DROP 480 frames".to_string()),
                (3, "M1".to_string())
            ]
        );
        // "XRUN" + NUL + id = 9 bytes: odd size, one pad byte.
        assert_eq!(&list[12..16], b"labl");
        assert_eq!(u32_at(list, 16), Some(9));
        assert_eq!(&list[20..30], b"\x01\0\0\0XRUN\0\0");
        assert!(cue_chunks(&[]).is_empty());
    }

    #[test]
    fn the_list_is_bounded_and_labels_are_cut() {
        let mut l = MarkerList::default();
        for i in 0..MAX_MARKERS as u64 + 5 {
            l.push(Marker::new(i, "M"));
        }
        assert_eq!(l.as_slice().len(), MAX_MARKERS);
        assert_eq!(l.over_limit(), 5);
        let long = "é".repeat(200);
        let m = Marker::new(1, &long);
        assert!(m.label.len() <= MAX_LABEL_BYTES && m.label.len() % 2 == 0);
    }

    #[test]
    fn broken_bodies_do_not_panic() {
        assert!(parse_cue(&[0xFF, 0xFF, 0xFF, 0xFF, 1]).is_empty());
        assert_eq!(parse_adtl(b"INFO"), None);
        assert_eq!(
            parse_adtl(b"adtllabl\xFF\xFF\xFF\xFF\x01\0\0\0ab"),
            Some(vec![(1, "ab".to_string())])
        );
    }
}
