//! `capstan run`: the whole box. With `--sim`, on a desktop: keys for buttons, the display in
//! the terminal, the sim board's signal; without, the board profile, display and audio device
//! of the config.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use capstan_board::audio::Signal;
use capstan_board::buttons::DebounceConfig;
use capstan_board::leds::SimLeds;
use capstan_board::profile::BoardProfile;
use capstan_ui::{LARGE_PANEL, SMALL_PANEL};
use clap::Args;

use crate::app::{App, AppOptions, AudioInput, Board, TerminalScreen};
use crate::config::Config;
use crate::recorder::AudioOptions;
use crate::transport::RecAgain;

/// The keys of the sim board, as the terminal shows them.
pub const KEYS_HELP: &str =
    "keys (then Enter): r REC  p PLAY  s STOP  S hold STOP  m MARK/ARM  (Ctrl-C quits)";

/// Options of `capstan run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Run on the desktop: keys for buttons, the display in the terminal, the sim signal.
    #[arg(long)]
    pub sim: bool,
    /// The audio input: device or sim, channels, rate, sample format.
    #[command(flatten)]
    pub input: super::args::InputArgs,
    /// The sim board's signal: counter, sine or silence.
    #[arg(long, default_value = "sine", value_parser = super::args::parse_signal)]
    pub signal: Signal,
    /// Folder takes go in (default: the config's board.takes; with --sim and no config file,
    /// ./takes).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Generate the sim signal as fast as the writer takes it instead of in real time.
    #[arg(long)]
    pub fast: bool,
    /// Scene name (overrides the config).
    #[arg(long)]
    pub scene: Option<String>,
    /// Show the 240x240 colour screen instead of the 128x64 one (sim).
    #[arg(long)]
    pub large: bool,
    /// Also write each new frame of the sim display to this PNG file.
    #[arg(long)]
    pub snapshot: Option<PathBuf>,
    /// What REC does while recording: marker (adds one) or new-take (closes the take and opens
    /// the next).
    #[arg(long, default_value = "marker", value_parser = parse_rec_again)]
    pub rec_again: RecAgain,
    /// Quit after this many seconds (default: run until Ctrl-C).
    #[arg(long)]
    pub seconds: Option<f64>,
    /// A config to run with when the one given cannot be read or names parts the box does not
    /// have (a mistake in the card's capstan.toml): the box starts on it and shows the error,
    /// instead of staying dark.
    #[arg(long)]
    pub fallback_config: Option<PathBuf>,
}

fn parse_rec_again(s: &str) -> Result<RecAgain, String> {
    match s {
        "marker" => Ok(RecAgain::Marker),
        "new-take" => Ok(RecAgain::NewTake),
        _ => Err(format!("'{s}': use marker or new-take")),
    }
}

/// Runs `capstan run`.
pub fn run(config_path: Option<&Path>, a: RunArgs) -> ExitCode {
    let (mut cfg, mut config_error) = match super::record::load_config(config_path) {
        Ok(c) => (c, None),
        Err(e) => match a.fallback_config.as_deref() {
            Some(fallback) => match super::record::load_config(Some(fallback)) {
                Ok(c) => {
                    let e = format!(
                        "{e}; the box runs on {} until the file is mended",
                        fallback.display()
                    );
                    errln!("capstan: {e}");
                    (c, Some(e))
                }
                Err(f) => {
                    errln!("capstan: {e}");
                    errln!("capstan: and the fallback: {f}");
                    return ExitCode::from(2);
                }
            },
            None => {
                errln!("capstan: {e}");
                return ExitCode::from(2);
            }
        },
    };
    if let Err(e) = prepare(&mut cfg, &a) {
        errln!("capstan: {e}");
        return ExitCode::from(2);
    }
    let (board, input) = match open(&cfg, &a) {
        Ok(x) => x,
        Err(missing) => {
            errln!(
                "capstan: cannot run the box on the {} board:",
                cfg.board.profile
            );
            for m in &missing {
                errln!("  - {m}");
            }
            // A config naming parts the box does not have: its fallback may name the right
            // ones (the card image's default names the box's own).
            let fallback = (a.fallback_config.as_deref())
                .filter(|_| config_error.is_none())
                .and_then(|f| open_fallback(f, &a).map(|x| (f, x)));
            match fallback {
                Some((f, (fallback_cfg, opened))) => {
                    let e = format!(
                        "the config names parts the box does not have ({}); the box runs on {} \
                         until the config is mended",
                        missing.join("; "),
                        f.display()
                    );
                    errln!("capstan: {e}");
                    config_error = Some(e);
                    cfg = fallback_cfg;
                    opened
                }
                None => {
                    errln!("(on a desktop, `capstan run --sim` runs the box without hardware)");
                    return ExitCode::from(2);
                }
            }
        }
    };
    let until = a.seconds.map(Duration::from_secs_f64);
    let config_given = config_path.is_some() || Path::new(crate::config::DEFAULT_PATH).exists();
    let out = match &a.out {
        Some(o) => o.clone(),
        None if a.sim && !config_given => PathBuf::from("takes"),
        None => cfg.board.takes.clone(),
    };
    // After a power cut: bring the takes left behind up to date before recording anything.
    crate::recorder::recovery::recover_at_start(&out);
    let quit = Arc::new(AtomicBool::new(false));
    for sig in [
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ] {
        if let Err(e) = signal_hook::flag::register(sig, quit.clone()) {
            tracing::warn!(
                "cannot catch signal {sig}: {e}; Ctrl-C will not close the take cleanly"
            );
        }
    }
    tracing::info!(
        "running the box: {}, takes into {}",
        input.describe(),
        out.display()
    );
    let audio = AudioOptions {
        priority: (!a.sim && cfg.audio.priority > 0).then_some(cfg.audio.priority),
        lock_memory: !a.sim && cfg.audio.lock_memory,
        stall: None,
        syscall_guard: false,
    };
    let options = AppOptions {
        config: cfg,
        out,
        input,
        audio,
        rec_again: a.rec_again,
        until,
        pace: false,
        quit,
        config_error,
    };
    match App::new(options, board).run() {
        Ok(takes) => {
            for t in &takes {
                outln!("{}", t.dir.display());
            }
            if takes.iter().any(|t| t.failure.is_some()) {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            errln!("capstan: {e}");
            ExitCode::from(1)
        }
    }
}

/// Puts the command line over `cfg` (scene, channels, rate) and checks both.
fn prepare(cfg: &mut Config, a: &RunArgs) -> Result<(), String> {
    if let Some(s) = a.scene.clone() {
        cfg.scene = s;
    }
    cfg.check()?;
    a.input.check()?;
    a.input.apply(cfg);
    super::args::check_seconds(a.seconds)
}

/// Opens the board `cfg` names (or the sim board): its parts, or the list of those missing.
fn open(cfg: &Config, a: &RunArgs) -> Result<(Board, AudioInput), Vec<String>> {
    if a.sim {
        Ok(sim_board(a, cfg))
    } else {
        crate::app::open_board(
            cfg,
            a.input.device.clone(),
            a.input.monitor.clone(),
            a.input.hw_request(cfg),
        )
    }
}

/// The fallback config at `path` and the board it names, when both are there (what is wrong
/// with them is said on standard error).
fn open_fallback(path: &Path, a: &RunArgs) -> Option<(Config, (Board, AudioInput))> {
    let read = super::record::load_config(Some(path)).map_err(|e| e.to_string());
    let cfg = read
        .and_then(|mut c| prepare(&mut c, a).map(|()| c))
        .inspect_err(|e| errln!("capstan: the fallback: {e}"))
        .ok()?;
    let opened = open(&cfg, a)
        .inspect_err(|missing| {
            errln!(
                "capstan: the fallback {} cannot run the box either: {}",
                path.display(),
                missing.join("; ")
            )
        })
        .ok()?;
    Some((cfg, opened))
}

/// The sim board: keys on standard input, LEDs on standard error, the display on standard
/// output.
fn sim_board(a: &RunArgs, cfg: &Config) -> (Board, AudioInput) {
    let profile = BoardProfile::by_name("sim").expect("the sim profile exists");
    let buttons = profile
        .open_buttons(DebounceConfig::default())
        .expect("the sim board's keys always open");
    let size = if a.large { LARGE_PANEL } else { SMALL_PANEL };
    let mut screen = TerminalScreen::new(size, a.large, std::io::stdout(), KEYS_HELP);
    if let Some(p) = &a.snapshot {
        screen = screen.with_snapshot(p.clone());
    }
    let board = Board {
        buttons,
        leds: Box::new(SimLeds::echoing()),
        screen: Some(Box::new(screen)),
    };
    let input = AudioInput::Sim {
        spec: a.input.sim_spec(cfg),
        signal: a.signal,
        period_frames: cfg.recorder.period_frames,
        fast: a.fast,
    };
    (board, input)
}
