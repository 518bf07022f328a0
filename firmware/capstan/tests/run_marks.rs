//! User markers asked for while a take records reach every file: in the iXML at a commit and
//! as labelled cue points at the end, where they were asked for.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use capstan::config::Config;
use capstan::recorder::{record_take_live, LiveTake, TakeRequest};
use capstan_board::audio::{Signal, SimSource, StreamSpec};
use capstan_bwf::reader::{self, MarkerSource};
use capstan_bwf::{verify, Marker, SampleFormat};

const SPEC: StreamSpec = StreamSpec {
    channels: 3,
    rate: 48_000,
    format: SampleFormat::I24,
};

#[test]
fn markers_asked_for_during_a_take_land_in_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.recorder.commit_interval = 0.1;
    let req = TakeRequest {
        config,
        out: dir.path().to_path_buf(),
        frames: Some(48_000),
        writer: Default::default(),
        audio: Default::default(),
        tracks: None,
        mirror_missing: Default::default(),
    };
    let live = LiveTake::new();
    // One asked for before the first frame, one while the take runs.
    live.mark(6_000, "M1");
    let ui = live.clone();
    let marker = std::thread::spawn(move || {
        let start = Instant::now();
        while ui.stats.frames_captured.load(Ordering::Relaxed) < 12_000 {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "the take stalled"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        ui.mark(36_000, "M2");
        ui.take.get().map(|t| t.stem())
    });
    let source = SimSource::new(SPEC, Signal::Counter, 256, false).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let report = record_take_live(source, None, &req, stop, &live).unwrap();
    let stem = marker.join().unwrap();
    assert_eq!(
        stem.as_deref(),
        Some("S01-T001"),
        "the name is known while recording"
    );
    assert_eq!(report.frames, 48_000);
    assert_eq!(report.files.len(), 3);
    let want = vec![Marker::new(6_000, "M1"), Marker::new(36_000, "M2")];
    for f in &report.files {
        let w = reader::read(&f.path).unwrap();
        assert_eq!(verify::structure(&w), Vec::<String>::new(), "{:?}", f.path);
        assert_eq!(w.marker_source, Some(MarkerSource::Cue));
        assert_eq!(w.markers, want, "{:?}", f.path);
        assert_eq!(w.ixml.as_ref().unwrap().markers(), want, "iXML agrees");
        assert_eq!(verify::counter(&w).unwrap().0, 48_000);
    }
}
