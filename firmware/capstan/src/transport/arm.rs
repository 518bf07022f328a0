//! The set of armed tracks: one bit per input, up to [`MAX_TRACKS`].

use std::fmt;

/// The most tracks a take can have.
pub const MAX_TRACKS: u8 = 64;

/// Which tracks are armed (0-based track numbers, shown 1-based to the user).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct ArmedTracks(u64);

impl ArmedTracks {
    /// No track armed.
    pub const NONE: ArmedTracks = ArmedTracks(0);

    /// The first `count` tracks armed (all 64 for 64 or more).
    pub const fn first(count: u8) -> ArmedTracks {
        if count >= MAX_TRACKS {
            ArmedTracks(u64::MAX)
        } else {
            ArmedTracks((1u64 << count) - 1)
        }
    }

    /// From a bit mask: bit n is track n.
    pub const fn from_bits(bits: u64) -> ArmedTracks {
        ArmedTracks(bits)
    }

    /// The bit mask: bit n is track n.
    pub const fn bits(self) -> u64 {
        self.0
    }

    /// Whether `track` is armed (false for a track past [`MAX_TRACKS`]).
    pub const fn contains(self, track: u8) -> bool {
        track < MAX_TRACKS && self.0 & (1 << track) != 0
    }

    /// The set with `track` armed or not; unchanged for a track past [`MAX_TRACKS`].
    #[must_use]
    pub const fn with(self, track: u8, armed: bool) -> ArmedTracks {
        if track >= MAX_TRACKS {
            self
        } else if armed {
            ArmedTracks(self.0 | 1 << track)
        } else {
            ArmedTracks(self.0 & !(1 << track))
        }
    }

    /// How many tracks are armed.
    pub const fn count(self) -> u32 {
        self.0.count_ones()
    }

    /// True when no track is armed.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The armed tracks, lowest first.
    pub fn iter(self) -> impl Iterator<Item = u8> {
        (0..MAX_TRACKS).filter(move |&t| self.contains(t))
    }
}

impl fmt::Display for ArmedTracks {
    /// 1-based runs, as on the display: `1-4, 7`, or `none`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("none");
        }
        let mut first = true;
        let mut tracks = self.iter().peekable();
        while let Some(start) = tracks.next() {
            let mut end = start;
            while tracks.peek() == Some(&(end + 1)) {
                end = tracks.next().unwrap_or(end);
            }
            if !first {
                f.write_str(", ")?;
            }
            first = false;
            if end == start {
                write!(f, "{}", start + 1)?;
            } else {
                write!(f, "{}-{}", start + 1, end + 1)?;
            }
        }
        Ok(())
    }
}
