//! Checking a take file: its structure (sizes, format, alignment) and, for test recordings, that
//! the counter signal came through gapless and bit-exact.

use std::fs::File;

use crate::counter::Checker;
use crate::reader::{Container, WavFile};

/// True for a problem [`structure`] reports about the fmt chunk's own contents (an unsupported
/// format, an inconsistent block align or byte rate, float without a fact chunk): the kind that
/// recovery does not claim to repair, since it never rewrites the format.
pub fn is_fmt_problem(problem: &str) -> bool {
    [
        "unsupported sample format",
        "block align ",
        "byte rate ",
        "float audio without a fact chunk",
        "fmt chunk has zero",
    ]
    .iter()
    .any(|p| problem.starts_with(p))
}

/// The structural problems of a file; empty when it is sound.
pub fn structure(w: &WavFile) -> Vec<String> {
    let mut p = Vec::new();
    let Some(fmt) = &w.fmt else {
        p.push("no fmt chunk".into());
        return p;
    };
    if fmt.channels == 0 || fmt.block_align == 0 {
        p.push("fmt chunk has zero channels or zero block size".into());
        return p;
    }
    if fmt.sample_rate == 0 {
        // (Its byte rate then looks wrong too, but the rate is what is missing.)
        p.push(
            "fmt chunk has zero sample rate: what rate the audio was recorded at is lost".into(),
        );
        return p;
    }
    match fmt.spec() {
        Some(spec) => {
            if usize::from(fmt.block_align) != spec.block_align() {
                p.push(format!(
                    "block align {} should be {}",
                    fmt.block_align,
                    spec.block_align()
                ));
            }
            if u64::from(fmt.byte_rate) != spec.byte_rate() {
                p.push(format!(
                    "byte rate {} should be {}",
                    fmt.byte_rate,
                    spec.byte_rate()
                ));
            }
            if fmt.sample_format().is_some_and(|f| f.is_float()) && w.fact_samples.is_none() {
                p.push("float audio without a fact chunk".into());
            }
        }
        None => p.push(format!("unsupported sample format: {}", fmt.describe())),
    }
    let Some(data) = &w.data else {
        p.push("no data chunk".into());
        return p;
    };
    if data.available < data.declared {
        p.push(format!(
            "data chunk declares {} bytes but the file holds {} (cut short: `take recover` repairs it)",
            data.declared, data.available
        ));
    }
    if data.declared % u64::from(fmt.block_align) != 0 {
        p.push(format!(
            "data size {} is not a whole number of {}-byte frames",
            data.declared, fmt.block_align
        ));
    }
    if w.trailing_bytes > 0 {
        p.push(format!(
            "{} bytes after the last chunk (a stale header: `take recover` repairs it)",
            w.trailing_bytes
        ));
    }
    if w.riff_size != w.file_len - 8 {
        p.push(format!(
            "RIFF size {} should be {} (file length - 8)",
            w.riff_size,
            w.file_len - 8
        ));
    }
    match (w.container, &w.ds64) {
        (Container::Riff, _) => {}
        (_, None) => p.push("RF64 file without ds64".into()),
        (_, Some(d)) => {
            if d.table_length != 0 {
                p.push(format!(
                    "ds64 table length {} (Capstan and BWF MetaEdit expect 0)",
                    d.table_length
                ));
            }
            if d.sample_count != w.frames() {
                p.push(format!(
                    "ds64 sample count {} should be {}",
                    d.sample_count,
                    w.frames()
                ));
            }
        }
    }
    if let (Some(n), Container::Riff) = (w.fact_samples, w.container) {
        if u64::from(n) != w.frames() {
            p.push(format!("fact sample count {n} should be {}", w.frames()));
        }
    }
    p
}

/// The source channel of each interleave position, from the iXML track list when it has one
/// entry per channel, else the interleave position itself.
pub fn source_channels(w: &WavFile) -> Vec<u32> {
    let channels = w.fmt.as_ref().map_or(0, |f| u32::from(f.channels));
    if let Some(x) = &w.ixml {
        if x.tracks.len() == channels as usize && x.tracks.iter().all(|t| t.channel_index > 0) {
            let mut t = x.tracks.clone();
            t.sort_by_key(|t| t.interleave_index);
            return t.iter().map(|t| t.channel_index - 1).collect();
        }
    }
    (0..channels).collect()
}

/// Checks that the whole data chunk carries the counter signal without a gap; returns the number
/// of frames checked and the counter position of the first frame.
pub fn counter(w: &WavFile) -> Result<(u64, Option<u16>), String> {
    counter_run(w, false).map(|r| (r.frames, r.start))
}

/// A break in the counter signal that a loss marker accounts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkedGap {
    /// Frame of the file where the signal jumps.
    pub frame: u64,
    /// The marker's label (`XRUN`, `DROP n frames`).
    pub label: String,
}

/// What [`counter_with_losses`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterRun {
    /// Frames checked.
    pub frames: u64,
    /// Counter position of the first frame.
    pub start: Option<u16>,
    /// Breaks accounted for by loss markers, in order.
    pub gaps: Vec<MarkedGap>,
}

/// Like [`counter`], but a break exactly where the file has a loss marker (`XRUN`, `DROP ...`)
/// is accepted and listed: the recorder said there what it lost. Any other break is an error.
pub fn counter_with_losses(w: &WavFile) -> Result<CounterRun, String> {
    counter_run(w, true)
}

fn loss_marker(w: &WavFile, frame: u64) -> Option<&str> {
    w.markers
        .iter()
        .find(|m| m.position == frame && m.loss().is_some())
        .map(|m| m.label.as_str())
}

fn counter_run(w: &WavFile, accept_losses: bool) -> Result<CounterRun, String> {
    let fmt = w.fmt.as_ref().ok_or("no fmt chunk")?;
    let format = fmt
        .sample_format()
        .ok_or_else(|| format!("unsupported sample format: {}", fmt.describe()))?;
    let data = w.data.ok_or("no data chunk")?;
    let channels = source_channels(w);
    let mut checker = Checker::new(format, &channels);
    let align = u64::from(fmt.block_align);
    let file = File::open(&w.path).map_err(|e| format!("cannot read {}: {e}", w.path.display()))?;
    let total = data.available - data.available % align;
    let block = (1 << 20) / align * align;
    let mut buf = vec![0u8; block as usize];
    let mut pos = 0u64;
    let mut start = None;
    let mut offset = 0u64; // file frame where the current checker began
    let mut gaps = Vec::new();
    while pos < total {
        let n = block.min(total - pos) as usize;
        crate::reader::read_exact_at(&file, data.offset + pos, &mut buf[..n])
            .map_err(|e| format!("cannot read {}: {e}", w.path.display()))?;
        let mut from = 0usize;
        loop {
            match checker.check(&buf[from..n]) {
                Ok(()) => break,
                Err(m) => {
                    let at = offset + m.frame;
                    if start.is_none() {
                        start = checker.start_position();
                    }
                    match loss_marker(w, at).filter(|_| accept_losses && m.frame > 0) {
                        Some(label) => {
                            gaps.push(MarkedGap {
                                frame: at,
                                label: label.to_string(),
                            });
                            offset = at;
                            from = (at * align - pos) as usize;
                            checker = Checker::new(format, &channels);
                        }
                        None => {
                            let found = match m.found {
                                Some(d) => format!("frame {} channel {:?}", d.frame, d.channel),
                                None => "a sample that is not part of the counter signal".into(),
                            };
                            return Err(format!(
                                "frame {at} (channel {}): expected frame {} channel {:?}, found {found}",
                                m.channel, m.expected.frame, m.expected.channel
                            ));
                        }
                    }
                }
            }
        }
        pos += n as u64;
    }
    if start.is_none() {
        start = checker.start_position();
    }
    Ok(CounterRun {
        frames: offset + checker.frames(),
        start,
        gaps,
    })
}
