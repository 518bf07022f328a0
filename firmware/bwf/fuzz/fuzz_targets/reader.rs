//! Any bytes through the reader: no panic, and an error only for what does not start like WAV.
#![no_main]

use std::io::Cursor;
use std::path::Path;

use capstan_bwf::reader::{parse, ReadError};
use capstan_bwf::verify;
use libfuzzer_sys::fuzz_target;

fn wav_start(b: &[u8]) -> bool {
    b.len() >= 12 && matches!(&b[0..4], b"RIFF" | b"RF64" | b"BW64") && &b[8..12] == b"WAVE"
}

fuzz_target!(|data: &[u8]| {
    match parse(&mut Cursor::new(data), data.len() as u64, Path::new("fuzz.wav")) {
        Ok(w) => {
            assert!(wav_start(data), "accepted bytes that do not start like WAV");
            if let Some(d) = w.data {
                assert!(d.available <= d.declared);
                assert!(d.offset + d.available <= data.len() as u64);
            }
            let _ = verify::structure(&w);
            let _ = verify::source_channels(&w);
            let _ = w.frames();
            let _ = w.duration_secs();
        }
        Err(ReadError::NotWav { .. }) => assert!(!wav_start(data), "refused a WAV start"),
        Err(e) => panic!("reading from memory failed other than NotWav: {e}"),
    }
});
