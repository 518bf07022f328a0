//! The device survey behind `capstan devices`: every card and PCM with the formats, rates,
//! channel ranges and period sizes it accepts (like `arecord --dump-hw-params`, for all at once).

use std::ffi::CString;
use std::fmt::Write as _;

use ::alsa::ctl::Ctl;
use ::alsa::pcm::{Access, HwParams, PCM};
use ::alsa::Direction;

use super::hw::DeviceFormat;

/// Rates a recorder may be asked for, tested one by one.
const RATES: &[u32] = &[44_100, 48_000, 88_200, 96_000, 176_400, 192_000];

/// One card.
#[derive(Debug, Clone)]
pub struct CardReport {
    /// Card index (the X of hw:X,Y).
    pub index: i32,
    /// Short id (usable as hw:ID,Y).
    pub id: String,
    /// Name.
    pub name: String,
    /// Its PCM devices.
    pub pcms: Vec<PcmReport>,
}

/// One PCM device in one direction.
#[derive(Debug, Clone)]
pub struct PcmReport {
    /// The name to open it by (`hw:X,Y`).
    pub device: String,
    /// The PCM's name.
    pub name: String,
    /// Capture or playback.
    pub capture: bool,
    /// Subdevices.
    pub subdevices: u32,
    /// What it accepts, or why it could not be asked.
    pub caps: Result<PcmCaps, String>,
}

/// What a PCM accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PcmCaps {
    /// Formats Capstan speaks that it accepts.
    pub formats: Vec<DeviceFormat>,
    /// Channel range.
    pub channels: (u32, u32),
    /// Rate range.
    pub rates: (u32, u32),
    /// Common rates it accepts.
    pub common_rates: Vec<u32>,
    /// Period size range in frames.
    pub period_frames: (u64, u64),
    /// Period count range.
    pub periods: (u32, u32),
    /// Buffer size range in frames.
    pub buffer_frames: (u64, u64),
    /// Whether it offers mmap interleaved access (Capstan needs it).
    pub mmap: bool,
}

/// Surveys every card. An empty list means the system has no sound card at all.
pub fn survey() -> Vec<CardReport> {
    let mut cards = Vec::new();
    for card in ::alsa::card::Iter::new().flatten() {
        let index = card.get_index();
        let Ok(ctl) = Ctl::from_card(&card, false) else {
            continue;
        };
        let (id, name) = match ctl.card_info() {
            Ok(info) => (
                info.get_id().unwrap_or("").to_string(),
                info.get_name().unwrap_or("").to_string(),
            ),
            Err(_) => (String::new(), card.get_name().unwrap_or_default()),
        };
        let mut pcms = Vec::new();
        for dev in ::alsa::ctl::DeviceIter::new(&ctl) {
            for (dir, capture) in [(Direction::Capture, true), (Direction::Playback, false)] {
                let Ok(info) = ctl.pcm_info(dev as u32, 0, dir) else {
                    continue;
                };
                let device = format!("hw:{index},{dev}");
                pcms.push(PcmReport {
                    name: info.get_name().unwrap_or("").to_string(),
                    subdevices: info.get_subdevices_count(),
                    caps: caps(&device, dir),
                    device,
                    capture,
                });
            }
        }
        cards.push(CardReport {
            index,
            id,
            name,
            pcms,
        });
    }
    cards
}

fn caps(device: &str, dir: Direction) -> Result<PcmCaps, String> {
    let cname = CString::new(device).map_err(|_| "bad name".to_string())?;
    let pcm = PCM::open(&cname, dir, true).map_err(|e| match e.errno() {
        libc::EBUSY => "busy: another program has it open".to_string(),
        libc::EACCES | libc::EPERM => "no permission (join the 'audio' group)".to_string(),
        _ => format!("cannot open: {e}"),
    })?;
    let hwp = HwParams::any(&pcm).map_err(|e| format!("cannot read its capabilities: {e}"))?;
    let mmap = hwp.test_access(Access::MMapInterleaved).is_ok();
    let formats = DeviceFormat::ALL
        .iter()
        .copied()
        .filter(|f| hwp.test_format(f.alsa()).is_ok())
        .collect();
    let common_rates = RATES
        .iter()
        .copied()
        .filter(|r| hwp.test_rate(*r).is_ok())
        .collect();
    Ok(PcmCaps {
        formats,
        channels: (
            hwp.get_channels_min().unwrap_or(0),
            hwp.get_channels_max().unwrap_or(0),
        ),
        rates: (
            hwp.get_rate_min().unwrap_or(0),
            hwp.get_rate_max().unwrap_or(0),
        ),
        common_rates,
        period_frames: (
            hwp.get_period_size_min().unwrap_or(0) as u64,
            hwp.get_period_size_max().unwrap_or(0) as u64,
        ),
        periods: (
            hwp.get_periods_min().unwrap_or(0),
            hwp.get_periods_max().unwrap_or(0),
        ),
        buffer_frames: (
            hwp.get_buffer_size_min().unwrap_or(0) as u64,
            hwp.get_buffer_size_max().unwrap_or(0) as u64,
        ),
        mmap,
    })
}

/// Renders the survey for people. Says plainly when there is no card.
pub fn render(cards: &[CardReport]) -> String {
    let mut s = String::new();
    if cards.is_empty() {
        s.push_str(
            "no sound card found: plug the audio interface in (USB) or enable its I2S overlay, \
             then check `cat /proc/asound/cards`\n",
        );
        return s;
    }
    for c in cards {
        let _ = writeln!(s, "card {} [{}]: {}", c.index, c.id, c.name);
        if c.pcms.is_empty() {
            s.push_str("  no PCM devices\n");
        }
        for p in &c.pcms {
            let dir = if p.capture { "capture " } else { "playback" };
            let _ = writeln!(
                s,
                "  {} {dir} \"{}\" ({} subdevices)",
                p.device, p.name, p.subdevices
            );
            match &p.caps {
                Err(why) => {
                    let _ = writeln!(s, "      {why}");
                }
                Ok(k) => {
                    let f: Vec<_> = k.formats.iter().map(|f| f.name()).collect();
                    let _ = writeln!(
                        s,
                        "      formats  {}{}",
                        if f.is_empty() {
                            "none Capstan speaks".to_string()
                        } else {
                            f.join(" ")
                        },
                        if k.mmap {
                            ""
                        } else {
                            "  (no mmap access: Capstan cannot use it)"
                        }
                    );
                    let _ = writeln!(s, "      channels {}..{}", k.channels.0, k.channels.1);
                    let r: Vec<_> = k.common_rates.iter().map(u32::to_string).collect();
                    let _ = writeln!(
                        s,
                        "      rates    {}..{} Hz ({})",
                        k.rates.0,
                        k.rates.1,
                        r.join(" ")
                    );
                    let _ = writeln!(
                        s,
                        "      period   {}..{} frames, {}..{} periods, buffer {}..{} frames",
                        k.period_frames.0,
                        k.period_frames.1,
                        k.periods.0,
                        k.periods.1,
                        k.buffer_frames.0,
                        k.buffer_frames.1
                    );
                }
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_card_says_what_to_do() {
        let s = render(&[]);
        assert!(s.contains("no sound card found"), "{s}");
        assert!(s.contains("/proc/asound/cards"), "{s}");
    }

    #[test]
    fn a_card_lists_its_pcms_and_ranges() {
        let cards = vec![CardReport {
            index: 1,
            id: "Loopback".into(),
            name: "Loopback".into(),
            pcms: vec![
                PcmReport {
                    device: "hw:1,0".into(),
                    name: "Loopback PCM".into(),
                    capture: true,
                    subdevices: 8,
                    caps: Ok(PcmCaps {
                        formats: vec![DeviceFormat::S32Le, DeviceFormat::S16Le],
                        channels: (1, 32),
                        rates: (8000, 192_000),
                        common_rates: vec![44_100, 48_000],
                        period_frames: (16, 65536),
                        periods: (1, 1024),
                        buffer_frames: (32, 131_072),
                        mmap: true,
                    }),
                },
                PcmReport {
                    device: "hw:1,1".into(),
                    name: "Loopback PCM".into(),
                    capture: false,
                    subdevices: 8,
                    caps: Err("busy: another program has it open".into()),
                },
            ],
        }];
        let s = render(&cards);
        assert!(s.contains("card 1 [Loopback]"), "{s}");
        assert!(s.contains("hw:1,0 capture"), "{s}");
        assert!(s.contains("formats  S32_LE S16_LE"), "{s}");
        assert!(s.contains("channels 1..32"), "{s}");
        assert!(s.contains("44100 48000"), "{s}");
        assert!(s.contains("busy"), "{s}");
    }
}
