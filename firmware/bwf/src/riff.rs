//! RIFF chunk plumbing shared by the writer, the reader and recovery.

/// Bytes of a `ds64` body with an empty table (riffSize, dataSize, sampleCount, tableLength).
pub const DS64_BODY_LEN: usize = 28;

/// Appends a chunk (id, little-endian size, body, pad byte for an odd size).
pub fn push_chunk(out: &mut Vec<u8>, id: &[u8; 4], body: &[u8]) {
    out.extend_from_slice(id);
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(body);
    if body.len() % 2 == 1 {
        out.push(0);
    }
}

/// A `ds64` body for the given sizes, with no table.
pub fn ds64_body(riff_size: u64, data_size: u64, sample_count: u64) -> [u8; DS64_BODY_LEN] {
    let mut b = [0u8; DS64_BODY_LEN];
    b[0..8].copy_from_slice(&riff_size.to_le_bytes());
    b[8..16].copy_from_slice(&data_size.to_le_bytes());
    b[16..24].copy_from_slice(&sample_count.to_le_bytes());
    b
}

/// A four-character code as text, with non-printable bytes escaped.
pub fn fourcc(id: [u8; 4]) -> String {
    id.iter()
        .map(|&c| {
            if (0x20..0x7F).contains(&c) {
                (c as char).to_string()
            } else {
                format!("\\x{c:02x}")
            }
        })
        .collect()
}
