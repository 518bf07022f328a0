//! The `iXML` chunk (gallery.co.uk/ixml): project, scene, take, notes, timestamp, the file set and
//! the track list. Written padded with spaces so it can be rewritten in place during a take.

use serde::Serialize;

use crate::markers::Marker;

/// SYNC_POINT_FUNCTION of the markers Capstan writes.
pub const MARKER_FUNCTION: &str = "SLATE_GENERIC";

/// One entry of the iXML SYNC_POINT_LIST.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct SyncPoint {
    /// SYNC_POINT_TYPE: "RELATIVE" (frames from the file's first frame) or "ABSOLUTE" (samples
    /// since midnight).
    pub kind: String,
    /// SYNC_POINT_FUNCTION, e.g. "SLATE_GENERIC" or "PRE_RECORD_SAMPLECOUNT".
    pub function: String,
    /// SYNC_POINT_COMMENT.
    pub comment: String,
    /// SYNC_POINT_LOW and SYNC_POINT_HIGH joined.
    pub position: u64,
    /// SYNC_POINT_EVENT_DURATION in frames (0 for a point).
    pub duration: u64,
}

impl SyncPoint {
    /// The sync point Capstan writes for a marker.
    pub fn from_marker(m: &Marker) -> SyncPoint {
        SyncPoint {
            kind: "RELATIVE".into(),
            function: MARKER_FUNCTION.into(),
            comment: m.label.clone(),
            position: m.position,
            duration: 0,
        }
    }

    /// The marker this point stands for: a RELATIVE point that marks a place in the file's
    /// audio (not the pre-record length or a group offset, which are not places in it).
    pub fn marker(&self) -> Option<Marker> {
        let place = self.kind.eq_ignore_ascii_case("RELATIVE")
            && !matches!(
                self.function.as_str(),
                "PRE_RECORD_SAMPLECOUNT" | "GROUP_OFFSET"
            );
        place.then(|| Marker {
            position: self.position,
            label: self.comment.clone(),
        })
    }
}

/// One entry of the iXML TRACK_LIST.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct IxmlTrack {
    /// CHANNEL_INDEX: the recorder's input channel, 1-based.
    pub channel_index: u32,
    /// INTERLEAVE_INDEX: position of the track in this file, 1-based.
    pub interleave_index: u32,
    /// NAME: the track's name.
    pub name: String,
    /// FUNCTION (empty when not given).
    pub function: String,
}

/// The iXML fields Capstan writes and reads.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Ixml {
    /// IXML_VERSION.
    pub version: String,
    /// PROJECT.
    pub project: String,
    /// SCENE.
    pub scene: String,
    /// TAKE.
    pub take: String,
    /// TAPE (Capstan writes the recording day, as pro recorders do).
    pub tape: String,
    /// CIRCLED (a good take).
    pub circled: bool,
    /// NOTE: free text; Capstan appends what went wrong (xruns, drops) here.
    pub note: String,
    /// FILE_UID: unique to this file.
    pub file_uid: String,
    /// SPEED/MASTER_SPEED, e.g. "25/1".
    pub master_speed: String,
    /// SPEED/TIMECODE_RATE, e.g. "25/1" or "24000/1001".
    pub timecode_rate: String,
    /// SPEED/TIMECODE_FLAG: "NDF" or "DF".
    pub timecode_flag: String,
    /// SPEED/FILE_SAMPLE_RATE.
    pub file_sample_rate: u32,
    /// SPEED/AUDIO_BIT_DEPTH.
    pub audio_bit_depth: u16,
    /// SPEED/TIMESTAMP_SAMPLE_RATE.
    pub timestamp_sample_rate: u32,
    /// SPEED/TIMESTAMP_SAMPLES_SINCE_MIDNIGHT (HI and LO joined).
    pub timestamp_samples_since_midnight: u64,
    /// FILE_SET/TOTAL_FILES.
    pub total_files: u32,
    /// FILE_SET/FAMILY_UID: shared by all files of one take.
    pub family_uid: String,
    /// FILE_SET/FILE_SET_INDEX (Capstan writes "A", "B", ... like Sound Devices, as a string).
    pub file_set_index: String,
    /// TRACK_LIST.
    pub tracks: Vec<IxmlTrack>,
    /// SYNC_POINT_LIST (written only when not empty).
    pub sync_points: Vec<SyncPoint>,
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if c.is_control() && !matches!(c, '\n' | '\r' | '\t') => {}
            c => o.push(c),
        }
    }
    o
}

/// Appends `<name>value</name>` on its own line, indented, with the value escaped.
fn elem(x: &mut String, indent: usize, name: &str, val: &str) {
    x.push_str(&format!("{:indent$}<{name}>{}</{name}>\n", "", esc(val)));
}

impl Ixml {
    /// The XML document, without padding.
    pub fn render(&self) -> String {
        let mut x = String::with_capacity(2048 + self.tracks.len() * 160);
        x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<BWFXML>\n");
        let tc_hi = (self.timestamp_samples_since_midnight >> 32) as u32;
        let tc_lo = self.timestamp_samples_since_midnight as u32;
        elem(&mut x, 2, "IXML_VERSION", &self.version);
        elem(&mut x, 2, "PROJECT", &self.project);
        elem(&mut x, 2, "SCENE", &self.scene);
        elem(&mut x, 2, "TAKE", &self.take);
        elem(&mut x, 2, "TAPE", &self.tape);
        elem(
            &mut x,
            2,
            "CIRCLED",
            if self.circled { "TRUE" } else { "FALSE" },
        );
        elem(&mut x, 2, "FILE_UID", &self.file_uid);
        elem(&mut x, 2, "NOTE", &self.note);
        self.render_sync_points(&mut x);
        x.push_str("  <SPEED>\n");
        elem(&mut x, 4, "MASTER_SPEED", &self.master_speed);
        elem(&mut x, 4, "TIMECODE_RATE", &self.timecode_rate);
        elem(&mut x, 4, "TIMECODE_FLAG", &self.timecode_flag);
        elem(
            &mut x,
            4,
            "FILE_SAMPLE_RATE",
            &self.file_sample_rate.to_string(),
        );
        elem(
            &mut x,
            4,
            "AUDIO_BIT_DEPTH",
            &self.audio_bit_depth.to_string(),
        );
        elem(
            &mut x,
            4,
            "DIGITIZER_SAMPLE_RATE",
            &self.file_sample_rate.to_string(),
        );
        elem(
            &mut x,
            4,
            "TIMESTAMP_SAMPLE_RATE",
            &self.timestamp_sample_rate.to_string(),
        );
        elem(
            &mut x,
            4,
            "TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI",
            &tc_hi.to_string(),
        );
        elem(
            &mut x,
            4,
            "TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO",
            &tc_lo.to_string(),
        );
        x.push_str("  </SPEED>\n  <FILE_SET>\n");
        elem(&mut x, 4, "TOTAL_FILES", &self.total_files.to_string());
        elem(&mut x, 4, "FAMILY_UID", &self.family_uid);
        elem(&mut x, 4, "FILE_SET_INDEX", &self.file_set_index);
        x.push_str("  </FILE_SET>\n  <TRACK_LIST>\n");
        elem(&mut x, 4, "TRACK_COUNT", &self.tracks.len().to_string());
        for tr in &self.tracks {
            x.push_str("    <TRACK>\n");
            elem(&mut x, 6, "CHANNEL_INDEX", &tr.channel_index.to_string());
            elem(
                &mut x,
                6,
                "INTERLEAVE_INDEX",
                &tr.interleave_index.to_string(),
            );
            elem(&mut x, 6, "NAME", &tr.name);
            if !tr.function.is_empty() {
                elem(&mut x, 6, "FUNCTION", &tr.function);
            }
            x.push_str("    </TRACK>\n");
        }
        x.push_str("  </TRACK_LIST>\n</BWFXML>\n");
        x
    }

    /// Appends the SYNC_POINT_LIST, if there are sync points.
    fn render_sync_points(&self, x: &mut String) {
        if self.sync_points.is_empty() {
            return;
        }
        x.push_str("  <SYNC_POINT_LIST>\n");
        elem(
            x,
            4,
            "SYNC_POINT_COUNT",
            &self.sync_points.len().to_string(),
        );
        for p in &self.sync_points {
            x.push_str("    <SYNC_POINT>\n");
            elem(x, 6, "SYNC_POINT_TYPE", &p.kind);
            elem(x, 6, "SYNC_POINT_FUNCTION", &p.function);
            elem(x, 6, "SYNC_POINT_COMMENT", &p.comment);
            elem(x, 6, "SYNC_POINT_LOW", &(p.position as u32).to_string());
            elem(
                x,
                6,
                "SYNC_POINT_HIGH",
                &((p.position >> 32) as u32).to_string(),
            );
            elem(x, 6, "SYNC_POINT_EVENT_DURATION", &p.duration.to_string());
            x.push_str("    </SYNC_POINT>\n");
        }
        x.push_str("  </SYNC_POINT_LIST>\n");
    }

    /// The markers among the sync points, in file order.
    pub fn markers(&self) -> Vec<Marker> {
        let mut m: Vec<Marker> = self
            .sync_points
            .iter()
            .filter_map(SyncPoint::marker)
            .collect();
        m.sort_by_key(|m| m.position);
        m
    }

    /// The document padded with spaces to exactly `len` bytes, or `None` if it does not fit.
    pub fn render_padded(&self, len: usize) -> Option<Vec<u8>> {
        let mut b = self.render().into_bytes();
        if b.len() > len {
            return None;
        }
        b.resize(len, b' ');
        Some(b)
    }

    /// Parses an iXML body leniently: trailing NULs and padding are ignored, unknown elements are
    /// skipped, missing ones stay empty. Fails only when the text is not well-formed XML.
    pub fn parse(body: &[u8]) -> Result<Ixml, String> {
        let end = body.iter().position(|&c| c == 0).unwrap_or(body.len());
        let text = String::from_utf8_lossy(&body[..end]);
        let doc = roxmltree::Document::parse(text.trim()).map_err(|e| e.to_string())?;
        let root = doc.root_element();
        let child = |n: roxmltree::Node, name: &str| -> String {
            n.children()
                .find(|c| c.has_tag_name(name))
                .and_then(|c| c.text())
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let num = |s: String| s.parse::<u64>().unwrap_or(0);
        let mut x = Ixml {
            version: child(root, "IXML_VERSION"),
            project: child(root, "PROJECT"),
            scene: child(root, "SCENE"),
            take: child(root, "TAKE"),
            tape: child(root, "TAPE"),
            circled: child(root, "CIRCLED").eq_ignore_ascii_case("true"),
            note: child(root, "NOTE"),
            file_uid: child(root, "FILE_UID"),
            ..Default::default()
        };
        if let Some(sp) = root.children().find(|c| c.has_tag_name("SPEED")) {
            x.master_speed = child(sp, "MASTER_SPEED");
            x.timecode_rate = child(sp, "TIMECODE_RATE");
            x.timecode_flag = child(sp, "TIMECODE_FLAG");
            x.file_sample_rate = num(child(sp, "FILE_SAMPLE_RATE")) as u32;
            x.audio_bit_depth = num(child(sp, "AUDIO_BIT_DEPTH")) as u16;
            x.timestamp_sample_rate = num(child(sp, "TIMESTAMP_SAMPLE_RATE")) as u32;
            let hi = num(child(sp, "TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI")) & 0xFFFF_FFFF;
            let lo = num(child(sp, "TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO")) & 0xFFFF_FFFF;
            x.timestamp_samples_since_midnight = (hi << 32) | lo;
        }
        if let Some(fs) = root.children().find(|c| c.has_tag_name("FILE_SET")) {
            x.total_files = num(child(fs, "TOTAL_FILES")) as u32;
            x.family_uid = child(fs, "FAMILY_UID");
            x.file_set_index = child(fs, "FILE_SET_INDEX");
        }
        if let Some(tl) = root.children().find(|c| c.has_tag_name("TRACK_LIST")) {
            for tr in tl.children().filter(|c| c.has_tag_name("TRACK")) {
                x.tracks.push(IxmlTrack {
                    channel_index: num(child(tr, "CHANNEL_INDEX")) as u32,
                    interleave_index: num(child(tr, "INTERLEAVE_INDEX")) as u32,
                    name: child(tr, "NAME"),
                    function: child(tr, "FUNCTION"),
                });
            }
        }
        if let Some(sl) = root.children().find(|c| c.has_tag_name("SYNC_POINT_LIST")) {
            for p in sl.children().filter(|c| c.has_tag_name("SYNC_POINT")) {
                let hi = num(child(p, "SYNC_POINT_HIGH")) & 0xFFFF_FFFF;
                let lo = num(child(p, "SYNC_POINT_LOW")) & 0xFFFF_FFFF;
                x.sync_points.push(SyncPoint {
                    kind: child(p, "SYNC_POINT_TYPE"),
                    function: child(p, "SYNC_POINT_FUNCTION"),
                    comment: child(p, "SYNC_POINT_COMMENT"),
                    position: (hi << 32) | lo,
                    duration: num(child(p, "SYNC_POINT_EVENT_DURATION")),
                });
            }
        }
        Ok(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_padding_and_escapes() {
        let x = Ixml {
            version: "2.10".into(),
            project: "Gig <at> Joe's".into(),
            scene: "S01".into(),
            take: "7".into(),
            note: "2 xruns & 1 drop".into(),
            timestamp_samples_since_midnight: (5u64 << 32) | 9,
            total_files: 2,
            tracks: vec![IxmlTrack {
                channel_index: 3,
                interleave_index: 1,
                name: "Kick".into(),
                function: String::new(),
            }],
            sync_points: vec![
                SyncPoint::from_marker(&Marker::new((7u64 << 32) | 480, "DROP 480 frames")),
                SyncPoint::from_marker(&Marker::new(96_000, "XRUN <&>")),
                SyncPoint {
                    kind: "RELATIVE".into(),
                    function: "PRE_RECORD_SAMPLECOUNT".into(),
                    position: 240_000,
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let padded = x.render_padded(8192).unwrap();
        assert_eq!(padded.len(), 8192);
        assert_eq!(*padded.last().unwrap(), b' ');
        assert_eq!(Ixml::parse(&padded).unwrap(), x);
        assert!(x.render_padded(10).is_none());
        assert_eq!(
            x.markers(),
            [
                Marker::new(96_000, "XRUN <&>"),
                Marker::new((7u64 << 32) | 480, "DROP 480 frames")
            ],
            "sorted, the pre-record length left out"
        );
        let r = x.render();
        assert!(r.contains("<SYNC_POINT_COUNT>3</SYNC_POINT_COUNT>"), "{r}");
        assert!(r.contains("<SYNC_POINT_LOW>480</SYNC_POINT_LOW>"), "{r}");
        assert!(r.contains("<SYNC_POINT_HIGH>7</SYNC_POINT_HIGH>"), "{r}");
        assert!(r.contains("<SYNC_POINT_FUNCTION>SLATE_GENERIC</SYNC_POINT_FUNCTION>"));
        assert!(!Ixml::default().render().contains("SYNC_POINT"));
    }

    #[test]
    fn broken_xml_is_an_error_not_a_panic() {
        assert!(Ixml::parse(b"<BWFXML><SCENE>").is_err());
        assert!(Ixml::parse(&[0xFF, 0xFE, 0x00]).is_err());
    }
}
