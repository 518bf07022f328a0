//! The `[board]` section: which board the box runs on, its display, and where takes go.

use std::path::PathBuf;

use serde::Deserialize;

/// The board's settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BoardConfig {
    /// The board profile: `pi4`, `cm4-io` or `sim`.
    pub profile: String,
    /// The display: `none`, `ssd1306` (I2C, 128x64), `st7789` (SPI, 240x240) or a framebuffer
    /// device such as `fb0`.
    pub display: String,
    /// The folder takes go in (the card's mount point or a folder on it).
    pub takes: PathBuf,
    /// Also write each new frame of the display as a PNG drawn by the sim, one PNG pixel per
    /// screen pixel (for tests that compare a real display with the sim's render); unset: no
    /// snapshot.
    pub snapshot: Option<PathBuf>,
    /// How long a button's contact must hold still before its level counts, in milliseconds
    /// (default 5: enough for the usual tactile switch; raise it for a worn or noisy contact).
    pub debounce_ms: u64,
}

impl Default for BoardConfig {
    fn default() -> Self {
        BoardConfig {
            profile: "pi4".into(),
            display: "ssd1306".into(),
            takes: PathBuf::from("/media/capstan/takes"),
            snapshot: None,
            debounce_ms: 5,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    #[test]
    fn board_section_reads_and_defaults() {
        let c = Config::parse(
            "[board]\nprofile = \"cm4-io\"\ndisplay = \"none\"\ntakes = \"/mnt/card\"\n",
            "test",
        )
        .unwrap();
        assert_eq!(c.board.profile, "cm4-io");
        assert_eq!(c.board.display, "none");
        assert_eq!(c.board.takes, std::path::PathBuf::from("/mnt/card"));
        let c = Config::parse("[board]\nprofile = \"sim\"\n", "test").unwrap();
        assert_eq!(c.board.display, "ssd1306", "unset keys keep their defaults");
        assert_eq!(c.board.snapshot, None);
        assert_eq!(c.board.debounce_ms, 5);
        let c = Config::parse("[board]\ndebounce_ms = 40\n", "test").unwrap();
        assert_eq!(c.board.debounce_ms, 40);
        let c = Config::parse("[board]\nsnapshot = \"/tmp/screen.png\"\n", "test").unwrap();
        assert_eq!(
            c.board.snapshot,
            Some(std::path::PathBuf::from("/tmp/screen.png"))
        );
        let e = Config::parse("[board]\npanel = \"x\"\n", "test").unwrap_err();
        assert!(e.to_string().contains("panel"), "{e}");
    }
}
