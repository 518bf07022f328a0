//! Files other recorders and DAWs wrote (shared/corpus/real-recorders): each reads without error
//! or panic, and the reader finds what is really in them (values checked with xxd and Python's
//! standard library, independently of this crate).

mod common;

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use capstan_bwf::format::{WAVE_FORMAT_EXTENSIBLE, WAVE_FORMAT_IEEE_FLOAT, WAVE_FORMAT_PCM};
use capstan_bwf::reader::{Container, Cue, Ds64, ReadError};
use capstan_bwf::recover::recover;
use capstan_bwf::{verify, SampleFormat, WavFile, WavSpec};
use common::ids;

/// The corpus folder, or `None` (with a message) when this checkout has no shared/ beside it.
fn corpus() -> Option<PathBuf> {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/real-recorders"
    ));
    if p.is_dir() {
        Some(p)
    } else {
        println!("skipping: no corpus at {}", p.display());
        None
    }
}

fn read(rel: &str) -> Option<WavFile> {
    let p = corpus()?.join(rel);
    Some(capstan_bwf::read(&p).unwrap_or_else(|e| panic!("{rel}: {e}")))
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn spec(channels: u16, sample_rate: u32, format: SampleFormat) -> WavSpec {
    WavSpec {
        channels,
        sample_rate,
        format,
    }
}

#[test]
fn every_file_reads_and_recovery_leaves_whole_files_whole() {
    let Some(root) = corpus() else { return };
    let mut files = Vec::new();
    files_under(&root, &mut files);
    files.sort();
    let tmp = tempfile::tempdir().unwrap();
    let mut wavs = 0;
    for p in &files {
        let name = p.strip_prefix(&root).unwrap().display().to_string();
        let lower = name.to_lowercase();
        if lower.ends_with(".wav") {
            wavs += 1;
            let w = capstan_bwf::read(p).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(w.fmt.is_some(), "{name}");
            assert!(w.data.is_some(), "{name}");
            assert!(w.frames() > 0, "{name}");
            assert_eq!(w.trailing_bytes, 0, "{name}");
            let d = w.data.unwrap();
            assert_eq!(d.available, d.declared, "{name}: whole files");
            let _ = verify::structure(&w);
            // Recovery of a copy: these files are whole, so it changes at most the missing pad
            // byte of an odd-sized data chunk at the very end.
            let copy = tmp.path().join("copy.wav");
            let _ = std::fs::remove_file(&copy);
            std::fs::copy(p, &copy).unwrap();
            let rep = recover(&copy).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(rep.frames, w.frames(), "{name}");
            for c in &rep.changes {
                assert!(
                    c.contains("pad byte") || c.starts_with("RIFF size"),
                    "{name}: {c}"
                );
            }
            assert!(recover(&copy).unwrap().changes.is_empty(), "{name}");
            let after = capstan_bwf::read(&copy).unwrap();
            assert_eq!(after.frames(), w.frames(), "{name}");
            assert_eq!(ids(&after), ids(&w), "{name}");
        } else if !lower.ends_with(".gz") {
            // README and licence: a clear refusal, not a panic.
            assert!(
                matches!(capstan_bwf::read(p), Err(ReadError::NotWav { .. })),
                "{name}"
            );
        }
    }
    assert_eq!(wavs, 17, "every WAV file of the corpus was found");
}

/// (file, take, time reference, frames, originator reference, file uid)
const SOUND_DEVICES_POLY: [(&str, &str, u64, u64, &str); 4] = [
    (
        "A101_1.WAV",
        "1",
        2_190_940_753,
        240_239,
        "USSDVGR1112089007124001008206301",
    ),
    (
        "A101_2.WAV",
        "2",
        2_191_180_996,
        480_476,
        "USSDVGR1112089007124004008218601",
    ),
    (
        "A101_3.WAV",
        "3",
        2_191_661_476,
        48_044,
        "USSDVGR1112089007124014008228301",
    ),
    (
        "A101_4.WAV",
        "4",
        2_191_709_524,
        144_140,
        "USSDVGR1112089007124015008231001",
    ),
];

#[test]
fn sound_devices_702t() {
    for (file, take, tref, frames, oref) in SOUND_DEVICES_POLY {
        let Some(w) = read(&format!("sounddevices/{file}")) else {
            return;
        };
        assert_eq!(ids(&w), ["bext", "iXML", "fmt ", "data"], "{file}");
        assert_eq!(w.container, Container::Riff);
        let fmt = w.fmt.clone().unwrap();
        assert_eq!(
            fmt.format_tag, WAVE_FORMAT_PCM,
            "plain PCM fmt for 24-bit stereo"
        );
        assert_eq!(fmt.spec(), Some(spec(2, 48000, SampleFormat::I24)));
        assert_eq!(w.data.unwrap().offset, 6144);
        assert_eq!(w.frames(), frames, "{file}");

        let b = w.bext.clone().unwrap();
        assert_eq!(b.originator, "Sound Dev: 702T S#GR1112089007");
        assert_eq!(b.originator_reference, oref);
        assert_eq!(b.origination_date, "2018-12-31");
        assert_eq!(b.time_reference, tref);
        assert_eq!(b.version, 1);
        assert_eq!(
            b.coding_history,
            "A=PCM,F=48000,W=24,M=stereo,R=48000,T=2 Ch\r\n"
        );
        assert_eq!(b.description_value("sSCENE"), Some("A101"));
        assert_eq!(b.description_value("sTAKE"), Some(take));
        assert_eq!(b.description_value("sTRK1"), Some("MKH516 A"));
        assert_eq!(b.description_value("sTRK2"), Some("Boom"));
        assert_eq!(b.description_value("sFILENAME"), Some(file));
        assert!(b.garbage_fields.is_empty());

        let x = w.ixml.clone().unwrap();
        assert_eq!(x.version, "1.5");
        assert_eq!(
            (
                x.project.as_str(),
                x.scene.as_str(),
                x.take.as_str(),
                x.tape.as_str()
            ),
            ("BMH", "A101", take, "18Y12M31")
        );
        assert_eq!(x.file_uid, oref);
        assert_eq!(x.master_speed, "24000/1001");
        assert_eq!(x.timecode_rate, "24000/1001");
        assert_eq!(x.timecode_flag, "NDF");
        assert_eq!(x.file_sample_rate, 48000);
        assert_eq!(x.audio_bit_depth, 24);
        assert_eq!(
            x.timestamp_samples_since_midnight, tref,
            "iXML timestamp agrees with bext"
        );
        assert_eq!(x.total_files, 1);
        assert_eq!(x.file_set_index, "A");
        assert_eq!(x.family_uid, format!("{}0", &oref[..31]));
        let names: Vec<_> = x
            .tracks
            .iter()
            .map(|t| (t.channel_index, t.interleave_index, t.name.as_str()))
            .collect();
        assert_eq!(names, [(1, 1, "MKH516 A"), (2, 2, "Boom")]);

        assert!(w.warnings.is_empty(), "{file}: {:?}", w.warnings);
        assert_eq!(verify::structure(&w), Vec::<String>::new(), "{file}");
    }
}

#[test]
fn sound_devices_split_mono_file_with_odd_data_and_no_pad_byte() {
    let Some(w) = read("sounddevices/A101_1_1.WAV") else {
        return;
    };
    assert_eq!(ids(&w), ["fmt ", "bext", "iXML", "data"]);
    assert_eq!(
        w.fmt.as_ref().unwrap().spec(),
        Some(spec(1, 48000, SampleFormat::I24))
    );
    let d = w.data.unwrap();
    assert_eq!(
        (d.offset, d.declared, d.available),
        (10886, 720_717, 720_717)
    );
    assert_eq!(
        w.file_len,
        d.offset + d.declared,
        "the recorder left out the pad byte"
    );
    assert_eq!(w.frames(), 240_239);
    let b = w.bext.clone().unwrap();
    assert_eq!(b.description_value("sTRK1"), Some("MKH516 A"));
    assert_eq!(b.description_value("sTRK2"), None);
    assert_eq!(b.description_value("sFILENAME"), Some("A101_1_1.WAV"));
    assert_eq!(b.coding_history, "");
    let x = w.ixml.clone().unwrap();
    assert_eq!((x.scene.as_str(), x.take.as_str()), ("A101", "1"));
    assert_eq!(x.total_files, 2);
    assert_eq!(x.file_set_index, "1");
    assert_eq!(x.file_uid, "USSDVGR1112089007124001900715601");
    assert_eq!(x.tracks.len(), 1);
    assert_eq!(x.tracks[0].name, "MKH516 A");
    assert!(w.warnings.is_empty(), "{:?}", w.warnings);
    assert_eq!(verify::structure(&w), Vec::<String>::new());
}

#[test]
fn zoom_f8_pads_audio_to_128_kib() {
    for (file, channels, names, set_index) in [
        ("Scene_1_2AG-T001_Tr1.WAV", 1u16, vec![(3u32, "BOOM")], "3"),
        ("Scene_1_2AG-T001_Tr1_D.WAV", 1, vec![(7, "BOOM_D")], "7"),
        (
            "Scene_1_2AG-T001_TrL_R.WAV",
            2,
            vec![(1, "Mix-L"), (2, "Mix-R")],
            "A",
        ),
    ] {
        let Some(w) = read(&format!("zoom_F8/{file}")) else {
            return;
        };
        assert_eq!(ids(&w), ["bext", "iXML", "fmt ", "PAD ", "data"], "{file}");
        let pad = &w.chunks[3];
        assert_eq!((pad.offset, pad.size), (6392, 124_664));
        assert_eq!(w.data.unwrap().offset, 128 * 1024, "{file}");
        assert_eq!(
            w.fmt.as_ref().unwrap().spec(),
            Some(spec(channels, 48000, SampleFormat::I24))
        );
        assert_eq!(w.frames(), 528_000, "{file}: 11 s at 48 kHz");
        let b = w.bext.clone().unwrap();
        assert_eq!(b.originator, "ZOOM F8");
        assert_eq!(b.origination_date, "2019-02-13");
        assert_eq!(b.origination_time, "22:40:18");
        assert_eq!(b.time_reference, 3_917_280_000);
        assert_eq!(b.description_value("SCENE"), Some("Scene_1_2AG"));
        assert_eq!(b.description_value("TAKE"), Some("001"));
        assert_eq!(b.description_value("NOTE"), Some("Test 01 wavinfo"));
        assert!(
            b.coding_history.starts_with("A=PCM,F=48000,W=24,M="),
            "{}",
            b.coding_history
        );
        let x = w.ixml.clone().unwrap();
        assert_eq!(
            (x.scene.as_str(), x.take.as_str(), x.tape.as_str()),
            ("Scene_1_2AG", "001", "WINFO")
        );
        assert_eq!(x.note, "Test 01 wavinfo");
        assert!(!x.circled);
        assert_eq!(x.version, "1.62");
        assert_eq!(x.total_files, 9);
        assert_eq!(x.family_uid, "ZOOM F8    201902132240180180000");
        assert_eq!(x.file_set_index, set_index);
        assert_eq!(x.timestamp_samples_since_midnight, 3_917_280_000);
        let got: Vec<_> = x
            .tracks
            .iter()
            .map(|t| (t.channel_index, t.name.as_str()))
            .collect();
        assert_eq!(got, names, "{file}");
        assert!(w.warnings.is_empty(), "{file}: {:?}", w.warnings);
        assert_eq!(verify::structure(&w), Vec::<String>::new(), "{file}");
    }
}

#[test]
fn nuendo_extensible_quad_and_5_1_and_plain_stereo() {
    for (layout, channels, tag, mask, fmt_len, data_offset) in [
        ("5.1", 6u16, WAVE_FORMAT_EXTENSIBLE, Some(0x3F), 40, 924u64),
        ("Quad", 4, WAVE_FORMAT_EXTENSIBLE, Some(0x33), 40, 924),
        ("Stereo", 2, WAVE_FORMAT_PCM, None, 16, 900),
    ] {
        let file = format!("nuendo/wavinfo Test Project - Audio - {layout}.wav");
        let Some(w) = read(&file) else { return };
        assert_eq!(
            ids(&w),
            ["JUNK", "bext", "Fake", "fmt ", "data", "iXML"],
            "{file}"
        );
        assert_eq!(
            (w.chunks[0].offset, w.chunks[0].size),
            (12, 28),
            "JUNK 28 reserved for ds64"
        );
        assert_eq!(w.chunks[3].size, fmt_len);
        let fmt = w.fmt.clone().unwrap();
        assert_eq!(fmt.format_tag, tag, "{file}");
        assert_eq!(fmt.channel_mask, mask, "{file}");
        assert_eq!(
            fmt.spec(),
            Some(spec(channels, 48000, SampleFormat::I24)),
            "{file}"
        );
        if tag == WAVE_FORMAT_EXTENSIBLE {
            assert_eq!(fmt.valid_bits, Some(24));
            assert_eq!(fmt.sub_format, Some(WAVE_FORMAT_PCM));
            assert_eq!(fmt.describe(), "PCM 24-bit (extensible)");
        }
        assert_eq!(w.data.unwrap().offset, data_offset);
        assert_eq!(w.frames(), 48_000, "{file}: one second");
        assert_eq!(w.duration_secs(), 1.0);

        let b = w.bext.clone().unwrap();
        assert_eq!(w.chunks[1].size, 802);
        assert_eq!(b.version, 2);
        assert_eq!(b.description, "wavinfo Test Project Nuendo output");
        assert_eq!(b.originator, "Nuendo");
        assert_eq!(b.originator_reference, "USJPHNNNNNNNNN202829RRRRRRRRR");
        assert_eq!(
            (b.origination_date.as_str(), b.origination_time.as_str()),
            ("2022-12-02", "10:21:06")
        );
        assert_eq!(b.time_reference, 172_800_000);
        assert_eq!(
            (
                b.loudness_value,
                b.loudness_range,
                b.max_true_peak_level,
                b.max_momentary_loudness,
                b.max_short_term_loudness
            ),
            (-8000, 0, -12000, -8000, -8000)
        );
        assert_eq!(b.coding_history, "A=PCM,F=48000,W=24,T=Nuendo\r\n");

        let x = w.ixml.clone().unwrap();
        assert_eq!(x.project, "wavinfo Test Project");
        assert_eq!(x.family_uid, "E5DDE719B9484A758162FF7B652383A3");
        assert_eq!(x.master_speed, "24/1");
        assert_eq!(x.tracks.len(), usize::from(channels));
        assert!(x
            .tracks
            .iter()
            .enumerate()
            .all(|(i, t)| t.channel_index == i as u32 + 1 && t.interleave_index == i as u32 + 1));
        if layout == "5.1" {
            let f: Vec<_> = x.tracks.iter().map(|t| t.function.as_str()).collect();
            assert_eq!(
                f,
                ["L-5.1", "R-5.1", "C-5.1", "LFE-5.1", "Ls-5.1", "Rs-5.1"]
            );
        }
        assert!(w.warnings.is_empty(), "{file}: {:?}", w.warnings);
        assert_eq!(verify::structure(&w), Vec::<String>::new(), "{file}");
        assert_eq!(
            verify::source_channels(&w),
            (0..u32::from(channels)).collect::<Vec<_>>()
        );
    }
}

#[test]
fn cue_points_with_labels() {
    let cue = |id, position, label: &str| Cue {
        id,
        position,
        label: label.into(),
    };
    // iZotope RX: LIST/adtl with labl, note and ltxt entries; float mono without a fact chunk.
    let Some(w) = read("cue_chunks/izotoperx_cues_test.wav") else {
        return;
    };
    assert_eq!(ids(&w), ["fmt ", "data", "cue ", "LIST"]);
    assert_eq!(
        w.cues,
        [
            cue(1, 1000, "Marker 1"),
            cue(2, 5000, "Marker 2"),
            cue(3, 10000, "Marker 3")
        ]
    );
    let fmt = w.fmt.clone().unwrap();
    assert_eq!(fmt.format_tag, WAVE_FORMAT_IEEE_FLOAT);
    assert_eq!(fmt.spec(), Some(spec(1, 48000, SampleFormat::F32)));
    assert_eq!(w.frames(), 48_000);
    assert_eq!(w.fact_samples, None);
    assert_eq!(verify::structure(&w), ["float audio without a fact chunk"]);

    // Zoom H4n (Sound Devices-style bext): a lower-case `list` chunk holds the labels.
    let Some(w) = read("cue_chunks/STE-000.wav") else {
        return;
    };
    assert_eq!(ids(&w), ["bext", "fmt ", "data", "cue ", "list"]);
    assert_eq!(
        w.cues,
        [
            cue(1, 29616, "01"),
            cue(2, 74592, "02"),
            cue(3, 121_200, "03")
        ]
    );
    assert_eq!(
        w.fmt.as_ref().unwrap().spec(),
        Some(spec(2, 48000, SampleFormat::I16))
    );
    assert_eq!(w.frames(), 242_624);
    let b = w.bext.clone().unwrap();
    assert_eq!(b.originator, "ZOOM Handy Recorder H4n");
    assert_eq!(
        (b.origination_date.as_str(), b.origination_time.as_str()),
        ("2023-11-05", "17:54:35")
    );
    assert_eq!(b.time_reference, 3_094_800_000);
    assert!(b
        .coding_history
        .starts_with("A=PCM,F=48000,W=16,M=stereo,T=ZOOM Handy Recorder H4n"));
    assert!(w.warnings.is_empty(), "{:?}", w.warnings);
    assert_eq!(verify::structure(&w), Vec::<String>::new());
}

#[test]
fn metacorder_garbage_is_a_warning_not_an_error() {
    let Some(w) = read("metacorder/Sr001-2C-01_01.WAV") else {
        return;
    };
    assert_eq!(ids(&w), ["bext", "fmt ", "data", "iXML", "iXTC"]);
    let b = w.bext.clone().unwrap();
    assert_eq!(
        b.garbage_fields,
        [
            "Description",
            "Originator",
            "OriginatorReference",
            "CodingHistory"
        ]
    );
    assert_eq!(
        w.warnings,
        ["bext fields hold non-text bytes: Description, Originator, OriginatorReference, CodingHistory"]
    );
    // The text before the garbage is still read.
    assert_eq!(b.originator, "Metacorder Demo");
    assert_eq!(b.originator_reference, "");
    assert_eq!(b.description_value("gSCENE"), Some("2C"));
    assert_eq!(b.description_value("gNOTE"), Some("Tail Slate Cloth noise"));
    assert_eq!(
        b.origination_date, "2019:01:01",
        "as written, colons and all"
    );
    assert_eq!(b.time_reference, 2_354_414_956);
    assert_eq!(b.coding_history, "");
    let x = w.ixml.clone().unwrap();
    assert_eq!(
        (
            x.project.as_str(),
            x.scene.as_str(),
            x.take.as_str(),
            x.tape.as_str()
        ),
        ("WAVINFO Test", "2C", "01", "Sr001")
    );
    assert_eq!(x.note, "Tail Slate Cloth noise");
    assert_eq!(x.version, "1.41");
    assert_eq!(
        (
            x.total_files,
            x.file_set_index.as_str(),
            x.family_uid.as_str()
        ),
        (5, "01", "1360855285")
    );
    assert_eq!(x.tracks.len(), 1);
    assert_eq!(x.tracks[0].name, "Boom");
    assert_eq!(
        w.fmt.as_ref().unwrap().spec(),
        Some(spec(1, 48000, SampleFormat::I24))
    );
    assert_eq!(w.frames(), 336_000);
    assert_eq!(verify::structure(&w), Vec::<String>::new());
}

#[test]
fn pro_tools_umid_and_export() {
    let Some(w) = read("protools/umid.wav") else {
        return;
    };
    assert_eq!(
        ids(&w),
        ["JUNK", "bext", "fmt ", "minf", "elm1", "data", "FLLR", "regn", "umid", "DGDA"]
    );
    assert_eq!(w.data.unwrap().offset, 16384);
    let fmt = w.fmt.clone().unwrap();
    assert_eq!(w.chunks[2].size, 40, "a 40-byte fmt with tag 1");
    assert_eq!(fmt.format_tag, WAVE_FORMAT_PCM);
    assert_eq!(fmt.spec(), Some(spec(1, 44100, SampleFormat::I24)));
    assert_eq!(w.frames(), 44_100);
    let b = w.bext.clone().unwrap();
    assert_eq!(b.originator, "Pro Tools");
    assert_eq!(b.originator_reference, "aay5Lx9WcOQk");
    assert_eq!(
        (b.origination_date.as_str(), b.origination_time.as_str()),
        ("2020-01-05", "07:56:18")
    );
    assert_eq!(b.time_reference, 676_200);
    assert_eq!(b.version, 1);
    let umid_hex: String = b.umid[..32].iter().map(|c| format!("{c:02x}")).collect();
    assert_eq!(
        umid_hex,
        "060a2b340101010501010f1013000000aa02c3d5e5e5800033754f71bfe13e00"
    );
    assert!(b.umid[32..].iter().all(|&c| c == 0), "a basic UMID");
    assert!(w.warnings.is_empty(), "{:?}", w.warnings);
    assert_eq!(verify::structure(&w), Vec::<String>::new());

    let Some(w) = read("protools/PT A101_4.A1.wav") else {
        return;
    };
    assert_eq!(
        ids(&w),
        ["bext", "iXML", "fmt ", "data", "umid", "minf", "regn"]
    );
    let b = w.bext.clone().unwrap();
    assert_eq!(b.originator, "Sound Dev: 702T S#GR1112089007");
    assert_eq!(b.originator_reference, "aa4CKtcd13Vk");
    assert_eq!(b.version, 0);
    assert_eq!(b.description_value("dSCENE"), Some("A101"));
    assert_eq!(b.description_value("dTAKE"), Some("4"));
    assert_eq!(b.description_value("dTRK1"), Some("MKH516 A"));
    let x = w.ixml.clone().unwrap();
    assert_eq!((x.scene.as_str(), x.take.as_str()), ("A101", "4"));
    assert_eq!(w.frames(), 144_140);
    assert_eq!(verify::structure(&w), Vec::<String>::new());
}

#[test]
fn smpl_file_reads() {
    let Some(w) = read("smpl/alarm_citizen_loop1.wav") else {
        return;
    };
    assert_eq!(ids(&w), ["fmt ", "data", "LIST", "smpl"]);
    let smpl = &w.chunks[3];
    assert_eq!((smpl.offset, smpl.size), (199_156, 60));
    assert_eq!(
        w.fmt.as_ref().unwrap().spec(),
        Some(spec(1, 22050, SampleFormat::I16))
    );
    assert_eq!(w.frames(), 99_510);
    assert!(w.bext.is_none() && w.ixml.is_none());
    assert!(w.warnings.is_empty(), "{:?}", w.warnings);
    assert_eq!(verify::structure(&w), Vec::<String>::new());
    // hound agrees on this plain file.
    let h = hound::WavReader::open(corpus().unwrap().join("smpl/alarm_citizen_loop1.wav")).unwrap();
    assert_eq!(h.duration(), 99_510);
}

/// Decompresses `gz` into `out`, streaming, leaving runs of zeros as holes (the file is mostly
/// silence: 2.4 GB on disk would otherwise be written).
fn gunzip_sparse(gz: &Path, out: &Path) -> u64 {
    let mut dec =
        flate2::read::GzDecoder::new(std::io::BufReader::new(std::fs::File::open(gz).unwrap()));
    let mut f = std::fs::File::create(out).unwrap();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let mut n = 0;
        while n < buf.len() {
            match dec.read(&mut buf[n..]).unwrap() {
                0 => break,
                k => n += k,
            }
        }
        if n == 0 {
            break;
        }
        if buf[..n].iter().all(|&c| c == 0) {
            f.seek(SeekFrom::Current(n as i64)).unwrap();
        } else {
            f.write_all(&buf[..n]).unwrap();
        }
        total += n as u64;
    }
    f.set_len(total).unwrap();
    total
}

#[test]
fn sequoia_rf64_of_2_4_gb() {
    let Some(root) = corpus() else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Testfile_SEQ_RF64_Big.wav");
    let len = gunzip_sparse(&root.join("rf64/Testfile_SEQ_RF64_Big.wav.gz"), &path);
    assert_eq!(len, 2_399_487_884);
    let w = capstan_bwf::read(&path).unwrap();
    assert_eq!(w.container, Container::Rf64);
    assert_eq!(w.file_len, len);
    assert_eq!(
        w.ds64,
        Some(Ds64 {
            riff_size: 2_399_487_876,
            data_size: 2_399_486_814,
            sample_count: 399_914_469,
            table_length: 0
        })
    );
    assert_eq!(w.riff_size, len - 8);
    assert_eq!(
        ids(&w),
        ["ds64", "fmt ", "data", "cue ", "LIST", "MXrt", "LIST", "muma", "chrp", "bext"]
    );
    let d = w.data.unwrap();
    assert_eq!(
        (d.offset, d.declared, d.available),
        (80, 2_399_486_814, 2_399_486_814)
    );
    assert_eq!(
        w.fmt.as_ref().unwrap().spec(),
        Some(spec(2, 96000, SampleFormat::I24))
    );
    assert_eq!(w.frames(), 399_914_469, "the ds64 sample count");
    assert!(w.cues.is_empty());
    let b = w.bext.clone().unwrap();
    assert_eq!(
        (b.origination_date.as_str(), b.origination_time.as_str()),
        ("2019-06-24", "14:29:31")
    );
    assert_eq!(b.time_reference, 6_580_870);
    assert_eq!(b.version, 2);
    assert_eq!(
        b.coding_history,
        "A=PCM,F=96000,W=24,M=stereo,T=Sequoia software\r\n"
    );
    assert!(w.warnings.is_empty(), "{:?}", w.warnings);
    assert_eq!(verify::structure(&w), Vec::<String>::new());
    // A whole RF64 file: recovery has nothing to do.
    let rep = recover(&path).unwrap();
    assert_eq!(rep.changes, Vec::<String>::new());
    assert_eq!(rep.frames, 399_914_469);
}
