//! Reading WAV files from any recorder: RIFF, RF64 and BW64, plain or extensible `fmt `, with
//! whatever chunks and quirks other products write. The reader never panics and never trusts a
//! size: every problem it can live with becomes a warning, only a file that is not WAV at all is
//! an error.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::bext::Bext;
use crate::format::FmtChunk;
use crate::ixml::Ixml;
use crate::markers::{self, Marker};
use crate::riff::{fourcc, DS64_BODY_LEN};

/// The largest chunk body the reader loads into memory (audio is never loaded).
const MAX_META_CHUNK: u64 = 16 << 20;

/// Why a file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Opening or reading failed.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The system's answer.
        #[source]
        source: std::io::Error,
    },
    /// The file does not start like a WAV file.
    #[error("{} is not a WAV file (it starts with {found:?}; a WAV file starts with RIFF, RF64 or BW64 and WAVE)", path.display())]
    NotWav {
        /// The file.
        path: PathBuf,
        /// Its first bytes, escaped.
        found: String,
    },
}

/// The outer container.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Container {
    /// Classic RIFF/WAVE (up to 4 GiB).
    Riff,
    /// EBU Tech 3306 RF64.
    Rf64,
    /// ITU-R BS.2088 BW64.
    Bw64,
}

/// One chunk as found in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChunkInfo {
    /// Its four-character code.
    pub id: String,
    /// Offset of its header in the file.
    pub offset: u64,
    /// Its size (for RF64 `data`, the size from `ds64`).
    pub size: u64,
}

/// The `ds64` chunk of an RF64/BW64 file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Ds64 {
    /// 64-bit RIFF size.
    pub riff_size: u64,
    /// 64-bit data size.
    pub data_size: u64,
    /// Sample (frame) count.
    pub sample_count: u64,
    /// Entries in the size table (Capstan writes 0).
    pub table_length: u32,
}

/// A cue point with its label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cue {
    /// Cue point id.
    pub id: u32,
    /// Position in frames from the start of the data.
    pub position: u32,
    /// Label from `LIST`/`adtl`/`labl`, if any.
    pub label: String,
}

/// Where a file's markers were read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum MarkerSource {
    /// The `cue ` chunk, labels from `LIST`/`adtl` (a finished file).
    Cue,
    /// The iXML SYNC_POINT_LIST (a file without a cue chunk, e.g. one cut by a power failure).
    Ixml,
}

/// The `data` chunk's place in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DataChunk {
    /// Offset of the first audio byte.
    pub offset: u64,
    /// Size the header declares (from ds64 for RF64).
    pub declared: u64,
    /// Bytes actually present in the file from `offset` (at most `declared`).
    pub available: u64,
}

/// Everything the reader learned about a file.
#[derive(Debug, Clone, Serialize)]
pub struct WavFile {
    /// The file.
    pub path: PathBuf,
    /// The container.
    pub container: Container,
    /// The file's length in bytes.
    pub file_len: u64,
    /// The RIFF size the header declares (from ds64 for RF64).
    pub riff_size: u64,
    /// Every chunk, in order.
    pub chunks: Vec<ChunkInfo>,
    /// The `fmt ` chunk.
    pub fmt: Option<FmtChunk>,
    /// The `ds64` chunk.
    pub ds64: Option<Ds64>,
    /// The `fact` sample count.
    pub fact_samples: Option<u32>,
    /// The `bext` chunk.
    pub bext: Option<Bext>,
    /// The `iXML` chunk, parsed.
    pub ixml: Option<Ixml>,
    /// Why the `iXML` chunk could not be parsed, if it could not.
    pub ixml_error: Option<String>,
    /// The `data` chunk.
    pub data: Option<DataChunk>,
    /// Cue points with labels.
    pub cues: Vec<Cue>,
    /// The markers in file order: the cue points if there is a `cue ` chunk, else the iXML's
    /// sync points that mark places in the audio.
    pub markers: Vec<Marker>,
    /// Where [`Self::markers`] came from (`None` when there are none).
    pub marker_source: Option<MarkerSource>,
    /// Bytes past the end of the last whole chunk.
    pub trailing_bytes: u64,
    /// Everything odd the reader noticed.
    pub warnings: Vec<String>,
}

impl WavFile {
    /// Frames of audio present (whole frames of the available data).
    pub fn frames(&self) -> u64 {
        match (&self.fmt, &self.data) {
            (Some(f), Some(d)) if f.block_align > 0 => d.available / u64::from(f.block_align),
            _ => 0,
        }
    }

    /// Duration in seconds.
    pub fn duration_secs(&self) -> f64 {
        match &self.fmt {
            Some(f) if f.sample_rate > 0 => self.frames() as f64 / f64::from(f.sample_rate),
            _ => 0.0,
        }
    }
}

/// Reads a file from disk.
pub fn read(path: &Path) -> Result<WavFile, ReadError> {
    let io = |source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    // Looked at before it is opened: opening a FIFO would wait for a writer for ever.
    let kind = std::fs::metadata(path).map_err(io)?.file_type();
    if !kind.is_file() {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            not_a_file(kind),
        )));
    }
    let mut f = File::open(path).map_err(io)?;
    let len = f.metadata().map_err(io)?.len();
    parse(&mut f, len, path)
}

/// What a path that is not a regular file is, in words.
fn not_a_file(kind: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_dir() {
        "it is a folder, not a file"
    } else if kind.is_fifo() {
        "it is a FIFO (named pipe), not a file"
    } else if kind.is_char_device() {
        "it is a character device, not a file"
    } else if kind.is_block_device() {
        "it is a block device (a disk or partition: mount it and name a file on it), not a file"
    } else if kind.is_socket() {
        "it is a socket, not a file"
    } else {
        "it is not a regular file"
    }
}

fn printable(id: &[u8; 4]) -> bool {
    id.iter().all(|&c| (0x20..0x7F).contains(&c))
}

/// Chunk ids common enough to tell a chunk header from stray bytes that happen to be printable.
fn well_known(id: &[u8; 4]) -> bool {
    matches!(
        id,
        b"data"
            | b"fmt "
            | b"fact"
            | b"ds64"
            | b"bext"
            | b"iXML"
            | b"JUNK"
            | b"PAD "
            | b"LIST"
            | b"list"
            | b"cue "
            | b"smpl"
    )
}

/// Parses a WAV file of `len` bytes from `r`; `path` is only used in messages.
pub fn parse<R: Read + Seek>(r: &mut R, len: u64, path: &Path) -> Result<WavFile, ReadError> {
    let io = |source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut head = [0u8; 12];
    let got = read_at(r, 0, &mut head).map_err(io)?;
    let container = match (&head[0..4], &head[8..12]) {
        (b"RIFF", b"WAVE") if got == 12 => Container::Riff,
        (b"RF64", b"WAVE") if got == 12 => Container::Rf64,
        (b"BW64", b"WAVE") if got == 12 => Container::Bw64,
        _ => {
            let found = head[..got]
                .iter()
                .map(|&c| {
                    if (0x20..0x7F).contains(&c) {
                        c as char
                    } else {
                        '.'
                    }
                })
                .collect();
            return Err(ReadError::NotWav {
                path: path.to_path_buf(),
                found,
            });
        }
    };
    let mut w = WavFile {
        path: path.to_path_buf(),
        container,
        file_len: len,
        riff_size: u64::from(u32::from_le_bytes([head[4], head[5], head[6], head[7]])),
        chunks: Vec::new(),
        fmt: None,
        ds64: None,
        fact_samples: None,
        bext: None,
        ixml: None,
        ixml_error: None,
        data: None,
        cues: Vec::new(),
        markers: Vec::new(),
        marker_source: None,
        trailing_bytes: 0,
        warnings: Vec::new(),
    };
    let mut labels: Vec<(u32, String)> = Vec::new();
    let mut pos = 12u64;
    while pos < len {
        if len - pos < 8 {
            w.trailing_bytes = len - pos;
            w.warnings
                .push(format!("{} stray bytes at the end of the file", len - pos));
            break;
        }
        let mut hdr = [0u8; 8];
        read_at(r, pos, &mut hdr).map_err(io)?;
        let id = [hdr[0], hdr[1], hdr[2], hdr[3]];
        let declared = u32::from_le_bytes([hdr[4], hdr[5], hdr[6], hdr[7]]);
        if !printable(&id) {
            w.trailing_bytes = len - pos;
            w.warnings.push(format!(
                "{} bytes from offset {pos} are not chunks (a header that was not brought up to date? `take recover` rebuilds it)",
                len - pos
            ));
            break;
        }
        let body = pos + 8;
        let mut size = u64::from(declared);
        if &id == b"data" && container != Container::Riff && declared == u32::MAX {
            match w.ds64 {
                Some(d) => size = d.data_size,
                None => w
                    .warnings
                    .push("RF64 data chunk without a ds64 chunk".into()),
            }
        }
        let present = (len - body).min(size);
        if present < size {
            w.warnings.push(format!("chunk '{}' at offset {pos} declares {size} bytes but the file holds only {present}", fourcc(id)));
        }
        w.chunks.push(ChunkInfo {
            id: fourcc(id),
            offset: pos,
            size,
        });
        if &id == b"data" {
            if w.data.is_some() {
                w.warnings
                    .push("more than one data chunk; using the first".into());
            } else {
                w.data = Some(DataChunk {
                    offset: body,
                    declared: size,
                    available: present,
                });
            }
        } else if present <= MAX_META_CHUNK {
            let mut b = vec![0u8; present as usize];
            read_at(r, body, &mut b).map_err(io)?;
            meta_chunk(&mut w, &id, &b, &mut labels);
        } else {
            w.warnings.push(format!(
                "chunk '{}' of {size} bytes skipped (too large to be metadata)",
                fourcc(id)
            ));
        }
        let mut next = body.saturating_add(size);
        // (Past the end of the file there is nothing to peek at, and `next + 1` could overflow.)
        if size % 2 == 1 && next < len {
            // Pad byte, unless the writer forgot it and the next chunk starts right away (when
            // both places look like a chunk id, a well-known id decides).
            let mut peek = [0u8; 4];
            let with_pad = read_at(r, next + 1, &mut peek).map_err(io)? == 4 && printable(&peek);
            let mut peek2 = [0u8; 4];
            let without = read_at(r, next, &mut peek2).map_err(io)? == 4 && printable(&peek2);
            let prefer_without = without && well_known(&peek2) && !well_known(&peek);
            if (with_pad && !prefer_without) || !without {
                next += 1;
            } else {
                w.warnings.push(format!(
                    "chunk '{}' has an odd size and no pad byte",
                    fourcc(id)
                ));
            }
        }
        pos = next;
    }
    for c in &mut w.cues {
        if let Some((_, l)) = labels.iter().find(|(id, _)| *id == c.id) {
            c.label = l.clone();
        }
    }
    collect_markers(&mut w);
    if w.fmt.is_none() {
        w.warnings.push("no fmt chunk".into());
    }
    if w.data.is_none() {
        w.warnings.push("no data chunk".into());
    }
    if container != Container::Riff {
        match w.ds64 {
            Some(d) => w.riff_size = d.riff_size,
            None => w
                .warnings
                .push("RF64/BW64 file without a ds64 chunk".into()),
        }
    }
    Ok(w)
}

/// Fills in the markers: from the cue chunk when the file has one, else from the iXML.
fn collect_markers(w: &mut WavFile) {
    if w.chunks.iter().any(|c| c.id == "cue ") {
        w.markers = w
            .cues
            .iter()
            .map(|c| Marker {
                position: u64::from(c.position),
                label: c.label.clone(),
            })
            .collect();
        w.markers.sort_by_key(|m| m.position);
        w.marker_source = Some(MarkerSource::Cue);
    } else if let Some(x) = &w.ixml {
        w.markers = x.markers();
        w.marker_source = Some(MarkerSource::Ixml);
    }
    if w.markers.is_empty() {
        w.marker_source = None;
    }
}

fn meta_chunk(w: &mut WavFile, id: &[u8; 4], b: &[u8], labels: &mut Vec<(u32, String)>) {
    let u32_at = |o: usize| {
        b.get(o..o + 4)
            .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    };
    let u64_at = |o: usize| {
        b.get(o..o + 8)
            .map(|s| u64::from_le_bytes(s.try_into().unwrap_or([0; 8])))
    };
    match id {
        b"fmt " => match FmtChunk::parse(b) {
            Some(f) => {
                if f.block_align == 0 || f.channels == 0 {
                    w.warnings
                        .push("fmt chunk has zero channels or zero block size".into());
                }
                if w.fmt.is_none() {
                    w.fmt = Some(f);
                }
            }
            None => w
                .warnings
                .push(format!("fmt chunk too short ({} bytes)", b.len())),
        },
        b"ds64" => {
            if b.len() < DS64_BODY_LEN - 4 {
                w.warnings
                    .push(format!("ds64 chunk too short ({} bytes)", b.len()));
            } else if w.ds64.is_some() {
                w.warnings
                    .push("more than one ds64 chunk; using the first".into());
            } else {
                w.ds64 = Some(Ds64 {
                    riff_size: u64_at(0).unwrap_or(0),
                    data_size: u64_at(8).unwrap_or(0),
                    sample_count: u64_at(16).unwrap_or(0),
                    table_length: u32_at(24).unwrap_or(0),
                });
            }
        }
        // The first fact chunk that holds a count, as recovery updates it.
        b"fact" if w.fact_samples.is_none() => w.fact_samples = u32_at(0),
        b"bext" => {
            let bext = Bext::parse(b);
            if !bext.garbage_fields.is_empty() {
                w.warnings.push(format!(
                    "bext fields hold non-text bytes: {}",
                    bext.garbage_fields.join(", ")
                ));
            }
            w.bext = Some(bext);
        }
        b"iXML" => match Ixml::parse(b) {
            Ok(x) => w.ixml = Some(x),
            Err(e) => {
                w.warnings
                    .push(format!("iXML chunk is not readable XML: {e}"));
                w.ixml_error = Some(e);
            }
        },
        b"cue " => w
            .cues
            .extend(markers::parse_cue(b).into_iter().map(|(id, position)| Cue {
                id,
                position,
                label: String::new(),
            })),
        // Some recorders (Zoom's H4n) write the list id in lower case.
        b"LIST" | b"list" => labels.extend(markers::parse_adtl(b).unwrap_or_default()),
        _ => {}
    }
}

/// Reads as many bytes as are there at `pos` (fewer at the end of the file).
fn read_at<R: Read + Seek>(r: &mut R, pos: u64, buf: &mut [u8]) -> std::io::Result<usize> {
    r.seek(SeekFrom::Start(pos))?;
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Reads `buf.len()` bytes of a file at `pos` (used by verify and recovery to stream audio).
pub fn read_exact_at(f: &File, pos: u64, buf: &mut [u8]) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt;
    f.read_exact_at(buf, pos)
}
