//! The audio thread's entry points: one call per period, from the device's raw bytes or from
//! `f32`, into `f32` or the playback device's raw format.

use crate::convert::{deinterleave, encode, RawFormat};
use crate::engine::Mixer;

/// Why a `process` call did nothing: the buffers handed in do not fit the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProcessError {
    /// More frames than one period.
    #[error(
        "{frames} frames in one call, but the mixer's period is {period}: call once per period"
    )]
    TooManyFrames {
        /// Frames asked for.
        frames: usize,
        /// The period the mixer was built for.
        period: usize,
    },
    /// The input buffer is too short for the frames asked for.
    #[error("the input holds {got} bytes or samples, but the frames asked for need {need}")]
    InputTooShort {
        /// What the call needs.
        need: usize,
        /// What it was given.
        got: usize,
    },
    /// The output buffer is too short for the frames asked for.
    #[error("the output holds {got} bytes or samples, but the frames asked for need {need}")]
    OutputTooShort {
        /// What the call needs.
        need: usize,
        /// What it was given.
        got: usize,
    },
}

impl Mixer {
    /// Mixes `frames` interleaved frames of raw captured bytes (in the spec's input format and
    /// channel count) into `output`, interleaved `f32` with the spec's output channel count.
    /// Output channels no bus plays on are silent; samples past `frames` are left alone.
    ///
    /// Changes sent through the [`MixerControl`](crate::MixerControl) before the call take
    /// effect in it, each gain ramping over the call's frames. Given the same calls the output
    /// is the same, bit for bit (see the crate's Determinism section). Call it once per period
    /// with at most `period_frames` frames; on an error nothing is processed.
    ///
    /// This is realtime-safe.
    pub fn process(
        &mut self,
        input: &[u8],
        frames: usize,
        output: &mut [f32],
    ) -> Result<(), ProcessError> {
        self.check(
            frames,
            input.len(),
            self.spec.input_format.bytes(),
            output.len(),
        )?;
        let (ch, p) = (
            usize::from(self.spec.input_channels),
            self.spec.period_frames,
        );
        deinterleave(
            self.spec.input_format,
            input,
            ch,
            frames,
            &mut self.input,
            p,
        );
        self.run(frames, output);
        Ok(())
    }

    /// As [`process`](Self::process), from interleaved `f32` frames (full scale ±1.0) in the
    /// spec's input channel count, whatever the spec's input format: for offline mixing.
    ///
    /// This is realtime-safe.
    pub fn process_f32(
        &mut self,
        input: &[f32],
        frames: usize,
        output: &mut [f32],
    ) -> Result<(), ProcessError> {
        self.check(frames, input.len(), 1, output.len())?;
        let (ch, p) = (
            usize::from(self.spec.input_channels),
            self.spec.period_frames,
        );
        for (c, dst) in self.input.chunks_exact_mut(p).enumerate() {
            for (d, frame) in dst.iter_mut().zip(input.chunks_exact(ch).take(frames)) {
                *d = frame[c];
            }
        }
        self.run(frames, output);
        Ok(())
    }

    /// As [`process`](Self::process), writing the output as raw interleaved bytes in `format`
    /// (rounded and clamped), ready for the monitor playback device.
    ///
    /// This is realtime-safe.
    pub fn process_raw(
        &mut self,
        input: &[u8],
        frames: usize,
        output: &mut [u8],
        format: RawFormat,
    ) -> Result<(), ProcessError> {
        let samples = frames * usize::from(self.spec.output_channels);
        let need = samples * format.bytes();
        if output.len() < need {
            return Err(ProcessError::OutputTooShort {
                need,
                got: output.len(),
            });
        }
        let mut scratch = std::mem::take(&mut self.scratch);
        let result = self.process(input, frames, &mut scratch);
        if result.is_ok() {
            encode(format, &scratch[..samples], output);
        }
        self.scratch = scratch;
        result
    }

    fn check(
        &self,
        frames: usize,
        input_len: usize,
        unit: usize,
        output_len: usize,
    ) -> Result<(), ProcessError> {
        let period = self.spec.period_frames;
        if frames > period {
            return Err(ProcessError::TooManyFrames { frames, period });
        }
        let need = frames * usize::from(self.spec.input_channels) * unit;
        if input_len < need {
            return Err(ProcessError::InputTooShort {
                need,
                got: input_len,
            });
        }
        let need = frames * usize::from(self.spec.output_channels);
        if output_len < need {
            return Err(ProcessError::OutputTooShort {
                need,
                got: output_len,
            });
        }
        Ok(())
    }
}
