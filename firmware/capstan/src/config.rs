//! The box's configuration, from a TOML file: names (project, scene, tracks) and the record
//! path's sizes and intervals. Every error names the line and what to write instead.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

mod board;
mod mixer;
pub use board::BoardConfig;
pub use mixer::MixerConfig;

/// Where a box reads its configuration when none is given.
pub const DEFAULT_PATH: &str = "/etc/capstan/capstan.toml";

/// How a take's tracks are laid out in files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// One mono file per track (what DAWs import best).
    #[default]
    Mono,
    /// One interleaved file holding every track.
    Poly,
}

impl Layout {
    /// Parses the command-line spelling.
    pub fn from_cli(s: &str) -> Option<Layout> {
        match s {
            "mono" => Some(Layout::Mono),
            "poly" => Some(Layout::Poly),
            _ => None,
        }
    }

    /// The files a take of `tracks` tracks is written to in this layout.
    pub fn files(self, tracks: usize) -> usize {
        match self {
            Layout::Mono => tracks,
            Layout::Poly => 1,
        }
    }
}

/// One input track.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackConfig {
    /// The track's name, used in file names, bext and iXML.
    pub name: String,
}

/// The record path's settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RecorderConfig {
    /// Seconds between header updates + fdatasync: at most this much audio is lost to a power cut.
    pub commit_interval: f64,
    /// Seconds of audio the ring between the audio thread and the writer holds: the longest
    /// storage stall survived without a drop.
    pub ring_seconds: f64,
    /// File layout.
    pub layout: Layout,
    /// Frames per period of the audio thread.
    pub period_frames: usize,
    /// Timecode rate written in iXML, e.g. "25/1" or "30000/1001".
    pub timecode_rate: String,
    /// Seconds of audio kept while stopped (`capstan run`), 0 to 60: REC starts the take that
    /// far in the past. Costs that many seconds of ring memory.
    pub pre_roll: f64,
    /// A folder on a second medium every take is also written to, e.g.
    /// "/media/capstan2/takes" (none by default). Missing when a take starts: `capstan record`
    /// refuses the take; the box records on the card alone, with an alert and a note.
    pub mirror: Option<std::path::PathBuf>,
}

impl Default for RecorderConfig {
    fn default() -> Self {
        RecorderConfig {
            commit_interval: 1.0,
            ring_seconds: 10.0,
            layout: Layout::Mono,
            period_frames: 256,
            timecode_rate: "25/1".into(),
            pre_roll: 0.0,
            mirror: None,
        }
    }
}

/// The audio interface's settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AudioConfig {
    /// Capture device (`hw:X,Y[,Z]`), used when the command line names none.
    pub device: Option<String>,
    /// Monitor playback device (`hw:X,Y[,Z]`); none: no monitor output.
    pub monitor: Option<String>,
    /// Input channels to record (1 to 64), when the command line gives no `--channels`.
    pub channels: u16,
    /// Sample rate in Hz (44100 to 192000), when the command line gives no `--rate`.
    pub rate: u32,
    /// Wire formats in the order the interface prefers them (ALSA names).
    pub formats: Vec<String>,
    /// Periods in the device buffer.
    pub periods: u32,
    /// SCHED_FIFO priority of the audio thread, 1 to 99; 0 leaves it a normal thread.
    pub priority: i32,
    /// Lock the recorder's memory so the audio path never waits for a page fault.
    pub lock_memory: bool,
}

impl Default for AudioConfig {
    fn default() -> Self {
        AudioConfig {
            device: None,
            monitor: None,
            channels: 2,
            rate: 48_000,
            formats: ["S32_LE", "S24_3LE", "S24_LE", "S16_LE", "FLOAT_LE"]
                .map(String::from)
                .to_vec(),
            periods: 3,
            priority: 70,
            lock_memory: true,
        }
    }
}

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Project name (iXML PROJECT).
    pub project: String,
    /// Scene name: the first part of every take's name.
    pub scene: String,
    /// Record path settings.
    pub recorder: RecorderConfig,
    /// Audio interface settings.
    pub audio: AudioConfig,
    /// Track names, in input order; inputs beyond the list are named `In<NN>`.
    pub tracks: Vec<TrackConfig>,
    /// The monitor mixer (`None`: the monitor plays a plain sum of every input).
    pub mixer: Option<MixerConfig>,
    /// The board, its display and where takes go (`capstan run`).
    pub board: BoardConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            project: "Capstan".into(),
            scene: "S01".into(),
            recorder: RecorderConfig::default(),
            audio: AudioConfig::default(),
            tracks: Vec::new(),
            mixer: None,
            board: BoardConfig::default(),
        }
    }
}

/// A configuration that cannot be used, with where and why.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read the config file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The system's answer.
        #[source]
        source: std::io::Error,
    },
    /// The TOML is malformed or has a wrong key or type (the message names the line).
    #[error("config file {path}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// A value is out of range.
    #[error("config file {path}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong and what to write instead.
        message: String,
    },
}

impl Config {
    /// Reads and checks a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let read_error = |source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        };
        // Reading a FIFO would wait for a writer for ever. (/dev/null reads as an empty config.)
        if std::fs::metadata(path).is_ok_and(|m| {
            use std::os::unix::fs::FileTypeExt;
            m.file_type().is_fifo()
        }) {
            return Err(read_error(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "it is a FIFO (named pipe), not a file",
            )));
        }
        // A config is a few lines: reading is cut at 1 MiB, so a device that never ends
        // (/dev/zero) or a wrong file of gigabytes is refused instead of read into memory.
        const MAX_BYTES: u64 = 1 << 20;
        let mut text = String::new();
        std::fs::File::open(path)
            .and_then(|f| {
                use std::io::Read;
                f.take(MAX_BYTES + 1).read_to_string(&mut text)
            })
            .map_err(read_error)?;
        if text.len() as u64 > MAX_BYTES {
            return Err(read_error(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "it is larger than 1 MiB: a config is a few lines of text (is it the right file?)",
            )));
        }
        Config::parse(&text, &path.display().to_string())
    }

    /// Parses and checks config text; `origin` names it in messages.
    pub fn parse(text: &str, origin: &str) -> Result<Config, ConfigError> {
        let c: Config = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| {
                text.as_bytes()[..s.start.min(text.len())]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count()
                    + 1
            });
            let message = match line {
                Some(l) => format!("line {l}: {}", e.message()),
                None => e.message().to_string(),
            };
            ConfigError::Parse {
                path: origin.to_string(),
                message,
            }
        })?;
        c.check().map_err(|message| ConfigError::Invalid {
            path: origin.to_string(),
            message,
        })?;
        Ok(c)
    }

    /// Checks ranges and names.
    pub fn check(&self) -> Result<(), String> {
        let r = &self.recorder;
        if !(0.05..=60.0).contains(&r.commit_interval) {
            return Err(format!(
                "recorder.commit_interval = {}: use 0.05 to 60 seconds (1 is the default)",
                shown(r.commit_interval)
            ));
        }
        if !(0.5..=600.0).contains(&r.ring_seconds) {
            return Err(format!(
                "recorder.ring_seconds = {}: use 0.5 to 600 seconds (10 is the default)",
                shown(r.ring_seconds)
            ));
        }
        if !(0.0..=60.0).contains(&r.pre_roll) {
            return Err(format!(
                "recorder.pre_roll = {}: use 0 to 60 seconds (0, the default, records from REC on)",
                shown(r.pre_roll)
            ));
        }
        // iXML's TIMECODE_RATE is a fraction of whole numbers.
        let fraction = r.timecode_rate.split_once('/').and_then(|(n, d)| {
            Some((n.trim().parse::<u32>().ok()?, d.trim().parse::<u32>().ok()?))
        });
        if !matches!(fraction, Some((n, d)) if n > 0 && d > 0) {
            return Err(format!(
                "recorder.timecode_rate = \"{}\": write the frame rate as a fraction such as \
                 25/1, 24000/1001 or 30000/1001 (25/1 is the default)",
                r.timecode_rate
            ));
        }
        if !(16..=8192).contains(&r.period_frames) {
            return Err(format!(
                "recorder.period_frames = {}: use 16 to 8192 frames (256 is the default)",
                r.period_frames
            ));
        }
        let a = &self.audio;
        if !(2..=32).contains(&a.periods) {
            return Err(format!(
                "audio.periods = {}: use 2 to 32 (3 is the default)",
                a.periods
            ));
        }
        if !(0..=99).contains(&a.priority) {
            return Err(format!(
                "audio.priority = {}: use 1 to 99 for SCHED_FIFO, or 0 for a normal thread",
                a.priority
            ));
        }
        check_channels(&format!("audio.channels = {}", a.channels), a.channels)?;
        check_rate(&format!("audio.rate = {}", a.rate), a.rate)?;
        if a.formats.is_empty() {
            return Err("audio.formats is empty: list at least one, e.g. [\"S32_LE\"]".into());
        }
        for f in &a.formats {
            if capstan_board::audio::DeviceFormat::from_name(f).is_none() {
                return Err(format!(
                    "audio.formats: '{f}' is not a format Capstan records: use S32_LE, S24_3LE, S24_LE, S16_LE or FLOAT_LE"
                ));
            }
        }
        if self.board.takes.as_os_str().is_empty() {
            // Refused at start: the box would otherwise only find out when REC is pressed.
            return Err(
                "board.takes is empty: name the folder takes go in, such as \
                 /media/capstan/takes (the card's mount point or a folder on it)"
                    .into(),
            );
        }
        check_name("scene", &self.scene)?;
        if self.scene.starts_with('.') {
            // The take folders are named after it: `.-T001` is hidden in every file browser.
            return Err(format!(
                "scene = {:?} starts with a dot, which hides its take folders: start it with a \
                 letter or a digit",
                self.scene
            ));
        }
        for (i, t) in self.tracks.iter().enumerate() {
            check_name(&format!("tracks[{i}].name"), &t.name)?;
        }
        if let Some(m) = &self.mixer {
            m.check()?;
        }
        Ok(())
    }

    /// The name of input track `i` (0-based).
    pub fn track_name(&self, i: usize) -> String {
        self.tracks
            .get(i)
            .map(|t| t.name.clone())
            .unwrap_or_else(|| format!("In{:02}", i + 1))
    }

    /// The commit interval as a duration.
    pub fn commit_interval(&self) -> Duration {
        Duration::from_secs_f64(self.recorder.commit_interval)
    }
}

/// Checks a channel count against what Capstan records (1 to 64); the message starts with
/// `named`, where the count came from (`audio.channels = 0`, `--channels 0`).
pub fn check_channels(named: &str, channels: u16) -> Result<(), String> {
    match (1..=64).contains(&channels) {
        true => Ok(()),
        false => Err(format!("{named}: Capstan records 1 to 64 channels")),
    }
}

/// Checks a sample rate against what Capstan records (44100 to 192000 Hz); the message starts
/// with `named`, where the rate came from.
pub fn check_rate(named: &str, rate: u32) -> Result<(), String> {
    match (44_100..=192_000).contains(&rate) {
        true => Ok(()),
        false => Err(format!("{named}: Capstan records at 44100 to 192000 Hz")),
    }
}

/// A number from the config as an error echoes it: as typed for the usual sizes, in exponent
/// form for the very large or small (Rust writes 1e300 out in 301 digits).
fn shown(x: f64) -> String {
    if x == 0.0 || (1e-4..1e9).contains(&x.abs()) {
        x.to_string()
    } else {
        format!("{x:e}")
    }
}

/// Names go into file names on FAT/exFAT cards: no path separators or characters Windows refuses.
fn check_name(what: &str, name: &str) -> Result<(), String> {
    const BAD: &[char] = &['/', '\\', ':', '*', '?', '"', '<', '>', '|'];
    if name.trim().is_empty() {
        return Err(format!("{what} is empty: give it a name"));
    }
    if name.len() > 64 {
        return Err(format!(
            "{what} = {name:?} is longer than 64 bytes: shorten it"
        ));
    }
    if let Some(c) = name.chars().find(|c| BAD.contains(c) || c.is_control()) {
        return Err(format!(
            "{what} = {name:?} contains {c:?}, which cannot be in a file name: remove it"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_mixer_key_is_named_with_every_key_the_section_takes() {
        let e = Config::parse("[mixer]\nfoo = 1\n", "box.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("unknown field `foo`") && e.contains("`board_mix`, `tracks`"),
            "{e}"
        );
    }

    #[test]
    fn a_scene_that_would_hide_its_take_folders_is_refused() {
        for scene in [".", ".hidden", "..x"] {
            let e = Config::parse(&format!("scene = {scene:?}\n"), "box.toml")
                .unwrap_err()
                .to_string();
            assert!(e.contains("starts with a dot"), "{scene}: {e}");
        }
        assert!(Config::parse("scene = \"Live.1\"\n", "box.toml").is_ok());
    }

    #[test]
    fn audio_settings_are_checked_with_the_fix() {
        let c = Config::parse(
            "[audio]\ndevice = \"hw:1,0\"\nformats = [\"S24_3LE\"]\npriority = 80\n",
            "box.toml",
        )
        .unwrap();
        assert_eq!(c.audio.device.as_deref(), Some("hw:1,0"));
        assert_eq!(c.audio.formats, vec!["S24_3LE"]);
        let e = Config::parse("[audio]\nformats = [\"S20_LE\"]\n", "box.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("'S20_LE' is not a format") && e.contains("S24_3LE"),
            "{e}"
        );
        let e = Config::parse("[audio]\npriority = 120\n", "box.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("use 1 to 99"), "{e}");
    }

    #[test]
    fn the_config_the_image_ships_reads_as_documented() {
        let text = include_str!("../../../image/rootfs/etc/capstan/capstan.toml");
        let c = Config::parse(text, "image capstan.toml").unwrap();
        assert_eq!((c.audio.channels, c.audio.rate), (2, 48_000));
        assert_eq!(c.board.takes, Path::new("/media/capstan/takes"));
    }

    #[test]
    fn defaults_when_empty() {
        let c = Config::parse("", "test").unwrap();
        assert_eq!(c, Config::default());
        assert_eq!(c.track_name(2), "In03");
    }

    #[test]
    fn full_config_reads() {
        let c = Config::parse(
            "project = \"Gig\"\nscene = \"Live\"\n[recorder]\ncommit_interval = 0.5\nlayout = \"poly\"\n[[tracks]]\nname = \"Kick\"\n",
            "t",
        )
        .unwrap();
        assert_eq!(c.recorder.layout, Layout::Poly);
        assert_eq!(c.track_name(0), "Kick");
        assert_eq!(c.track_name(1), "In02");
    }

    #[test]
    fn errors_name_the_line_and_the_fix() {
        let e = Config::parse("scene = \"A\"\n[recorder]\nring_secs = 4\n", "box.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3") && e.contains("ring_secs"), "{e}");
        let e = Config::parse("[recorder]\npre_roll = 90\n", "box.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("recorder.pre_roll = 90: use 0 to 60"), "{e}");
        let c = Config::parse("[recorder]\npre_roll = 5\n", "box.toml").unwrap();
        assert_eq!(c.recorder.pre_roll, 5.0);
        let e = Config::parse("[recorder]\ncommit_interval = 0\n", "box.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("0.05 to 60"), "{e}");
        let e = Config::parse("[recorder]\nring_seconds = 1e300\n", "box.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("recorder.ring_seconds = 1e300: use 0.5 to 600"),
            "{e}"
        );
        let e = Config::parse("[recorder]\ncommit_interval = -1e-9\n", "box.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("recorder.commit_interval = -1e-9: use"), "{e}");
        for bad in ["abc", "", "25/0", "0/0", "25"] {
            let text = format!("[recorder]\ntimecode_rate = \"{bad}\"\n");
            let e = Config::parse(&text, "box.toml").unwrap_err().to_string();
            assert!(
                e.contains(&format!(
                    "recorder.timecode_rate = \"{bad}\": write the frame rate"
                )),
                "{e}"
            );
        }
        for good in ["25/1", "30000/1001", "24000/1001"] {
            let text = format!("[recorder]\ntimecode_rate = \"{good}\"\n");
            assert_eq!(
                Config::parse(&text, "box.toml")
                    .unwrap()
                    .recorder
                    .timecode_rate,
                good
            );
        }
        let e = Config::parse("[[tracks]]\nname = \"a/b\"\n", "box.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("tracks[0].name") && e.contains("remove it"),
            "{e}"
        );
    }

    #[test]
    fn the_mixer_section_reads_with_its_board_mix_switch() {
        let c = Config::parse(
            "scene = \"A\"\n[mixer]\nboard_mix = true\n\
             tracks = [{ name = \"Kick\", input = 0, output = { group = 0 } },\n\
             { name = \"Vox\", input = 1, pan = -0.5, fader_db = -6.0 }]\n\
             groups = [{ name = \"Drums\" }]\n",
            "box.toml",
        )
        .unwrap();
        let m = c.mixer.unwrap();
        assert!(m.board_mix);
        assert_eq!(m.state.tracks.len(), 2);
        assert_eq!(m.state.tracks[1].pan, -0.5);
        assert_eq!(m.state.groups[0].name, "Drums");
        assert_eq!(
            m.state.master.output,
            Some([0, 1]),
            "the master keeps its outputs"
        );
        let plain = Config::parse("[mixer]\ntracks = [{ input = 0 }]\n", "box.toml").unwrap();
        assert!(
            !plain.mixer.unwrap().board_mix,
            "board_mix is off unless asked for"
        );
        assert_eq!(Config::parse("", "t").unwrap().mixer, None);
    }

    #[test]
    fn mixer_errors_name_the_line_and_the_fix() {
        let e = Config::parse(
            "scene = \"A\"\n[mixer]\nboard_mix = true\n\n[[mixer.tracks]]\ninput = 0\nfadr_db = -3.0\n",
            "box.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("box.toml") && e.contains("line 7") && e.contains("fadr_db"),
            "{e}"
        );
        let e = Config::parse("[mixer]\nboard_mix = \"yes\"\n", "box.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2") && e.contains("bool"), "{e}");
        let e = Config::parse(
            "[mixer]\nboard_mix = true\nmaster = { output = [0, 1] }\nfader = 3\n",
            "box.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("fader") && e.contains("tracks"), "{e}");
        // Gains and pans a mixer cannot use, or would hold at its range's end unsaid.
        for (track, says) in [
            (
                "fader_db = nan",
                "track 1 \"A\": fader_db = NaN: use a level in dB up to +12",
            ),
            (
                "fader_db = 20.0",
                "track 1 \"A\": fader_db = 20: use a level in dB up to +12",
            ),
            (
                "trim_db = 19.0",
                "trim_db = 19: use a level in dB up to +18",
            ),
            (
                "pan = 5.0",
                "track 1 \"A\": pan = 5: use -1 (left) to +1 (right)",
            ),
        ] {
            let text = format!("[mixer]\ntracks = [{{ name = \"A\", input = 0, {track} }}]\n");
            let e = Config::parse(&text, "box.toml").unwrap_err().to_string();
            assert!(e.contains(says), "{e}");
        }
        let e = Config::parse("[mixer]\nmaster = { pan = -2.0 }\n", "box.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("the master: pan = -2"), "{e}");
        let ok = "[mixer]\ntracks = [{ name = \"A\", input = 0, fader_db = -inf, pan = -1.0 }]\n";
        assert!(Config::parse(ok, "box.toml").is_ok());
    }
}
