//! A small rig around the mixer for the tests: interleaved `f32` in, interleaved `f32` out.
#![allow(dead_code)] // Each test binary uses part of it.

use capstan_mixer::{Command, Mixer, MixerControl, MixerSpec, MixerState, RawFormat};

/// Test period: short enough to read whole periods in a failure message.
pub const PERIOD: usize = 16;
/// Test rate.
pub const RATE: u32 = 48_000;

/// A mixer with its control, fed interleaved `f32` frames.
pub struct Rig {
    pub mixer: Mixer,
    pub control: MixerControl,
    pub inputs: usize,
    pub outputs: usize,
}

impl Rig {
    /// A rig for `state` with `inputs` capture channels and `outputs` monitor channels.
    pub fn new(state: &MixerState, inputs: u16, outputs: u16) -> Rig {
        let spec = MixerSpec {
            input_channels: inputs,
            input_format: RawFormat::FloatLe,
            output_channels: outputs,
            rate: RATE,
            period_frames: PERIOD,
        };
        let (mixer, control) = Mixer::new(state, spec).expect("mixer");
        Rig {
            mixer,
            control,
            inputs: inputs.into(),
            outputs: outputs.into(),
        }
    }

    /// Sends a command, which must be accepted.
    pub fn send(&mut self, cmd: Command) {
        self.control.send(cmd).expect("command accepted");
    }

    /// Runs one period with every input channel `c` at `level(c)`; returns the interleaved
    /// output.
    pub fn period(&mut self, level: impl Fn(usize) -> f32) -> Vec<f32> {
        let input: Vec<f32> = (0..PERIOD * self.inputs)
            .map(|i| level(i % self.inputs))
            .collect();
        self.run(&input)
    }

    /// Runs one period of interleaved input; returns the interleaved output.
    pub fn run(&mut self, input: &[f32]) -> Vec<f32> {
        let frames = input.len() / self.inputs;
        let mut out = vec![f32::NAN; frames * self.outputs];
        self.mixer
            .process_f32(input, frames, &mut out)
            .expect("process");
        out
    }

    /// Output channel `c` of interleaved `out`.
    pub fn channel(&self, out: &[f32], c: usize) -> Vec<f32> {
        out.iter().skip(c).step_by(self.outputs).copied().collect()
    }
}

/// True when every sample of `xs` is `v`.
pub fn all(xs: &[f32], v: f32) -> bool {
    xs.iter().all(|&x| x == v)
}
