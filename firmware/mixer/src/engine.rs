//! The realtime mixer: tracks into groups, auxes and the master, out to the monitor channels.
//!
//! Each period runs in a fixed order: drain the commands; convert the captured frames; meter
//! each track's input and sum the tracks, in track order, into their destination and aux buses
//! (a block of frames at a time, each block's sum held in registers);
//! apply each group's gains, meter it and add it to the master, in group order; apply the auxes'
//! and the master's gains and meter them; write the master and then the auxes, in aux order, to
//! their output pairs.

use std::sync::Arc;

use crate::ballistics::MeterBank;
use crate::bus::Bus;
use crate::command::{Command, MixerControl, COMMAND_CAPACITY};
use crate::feeds::Feeds;
use crate::gain::{fill_ramp, mix_ramped};
use crate::meter::Meters;
use crate::spec::{MixerError, MixerSpec};
use crate::state::MixerState;
use crate::strip::{Gains, Strip};
use crate::{MAX_AUXES, MAX_GROUPS, MAX_TRACKS};

/// The monitor mixer as the audio thread runs it. Everything it needs is allocated by
/// [`Mixer::new`]; processing never allocates, locks or blocks.
pub struct Mixer {
    pub(crate) spec: MixerSpec,
    strips: heapless::Vec<Strip, MAX_TRACKS>,
    groups: heapless::Vec<Bus, MAX_GROUPS>,
    auxes: heapless::Vec<Bus, MAX_AUXES>,
    master: Bus,
    commands: rtrb::Consumer<Command>,
    /// Captured channels, channel-major, `period` frames each.
    pub(crate) input: Vec<f32>,
    /// Bus buffers, `period` frames per side: master L, R, then each group's, then each aux's.
    buses: Vec<f32>,
    /// What feeds each bus side this period.
    feeds: Feeds,
    ramp: Vec<f32>,
    ramp_len: usize,
    /// Interleaved output for [`process_raw`](Mixer::process_raw).
    pub(crate) scratch: Vec<f32>,
    meters: MeterBank,
    dirty: bool,
}

impl Mixer {
    /// Builds the mixer for `state` and `spec`, with the control the UI thread uses to change it
    /// while it runs. Not realtime-safe: this is where everything is allocated.
    pub fn new(state: &MixerState, spec: MixerSpec) -> Result<(Mixer, MixerControl), MixerError> {
        spec.check_state(state)?;
        let p = spec.period_frames;
        let (tx, rx) = rtrb::RingBuffer::new(COMMAND_CAPACITY);
        let strips: heapless::Vec<Strip, MAX_TRACKS> =
            state.tracks.iter().map(Strip::new).collect();
        let shared = Arc::new(Meters::new(
            state.tracks.iter().map(|t| t.input.is_stereo()),
            state.groups.len(),
            state.auxes.len(),
        ));
        let mut mixer = Mixer {
            spec,
            strips,
            groups: state.groups.iter().map(Bus::new).collect(),
            auxes: state.auxes.iter().map(Bus::new).collect(),
            master: Bus::new(&state.master),
            commands: rx,
            input: vec![0.0; usize::from(spec.input_channels) * p],
            buses: vec![0.0; 2 * (1 + state.groups.len() + state.auxes.len()) * p],
            feeds: Feeds::new(state.groups.len(), state.auxes.len()),
            ramp: vec![0.0; p],
            ramp_len: 0,
            scratch: vec![0.0; usize::from(spec.output_channels) * p],
            meters: MeterBank::new(shared, spec.rate, p),
            dirty: true,
        };
        mixer.update_targets();
        for s in mixer.strips.iter_mut() {
            s.current = s.target;
        }
        Ok((mixer, MixerControl::new(tx, state.clone(), spec)))
    }

    /// The meters, for any thread to read.
    pub fn meters(&self) -> Arc<Meters> {
        self.meters.shared().clone()
    }

    /// What the mixer was built for.
    pub fn spec(&self) -> &MixerSpec {
        &self.spec
    }

    fn update_targets(&mut self) {
        let soloing = self.strips.iter().any(|s| s.solo);
        for s in self.strips.iter_mut() {
            s.update_target(soloing);
        }
        self.dirty = false;
    }

    fn apply(&mut self, cmd: Command) {
        match cmd {
            Command::Track(i, change) => {
                if let Some(s) = self.strips.get_mut(usize::from(i)) {
                    s.apply(change);
                }
            }
            Command::Group(g, change) => {
                if let Some(b) = self.groups.get_mut(usize::from(g)) {
                    b.apply(change);
                }
            }
            Command::Aux(a, change) => {
                if let Some(b) = self.auxes.get_mut(usize::from(a)) {
                    b.apply(change);
                }
            }
            Command::Master(change) => self.master.apply(change),
        }
        self.dirty = true;
    }

    /// One period on the converted input, into interleaved `f32` output.
    pub(crate) fn run(&mut self, frames: usize, output: &mut [f32]) {
        if frames == 0 {
            return;
        }
        while let Ok(cmd) = self.commands.pop() {
            self.apply(cmd);
        }
        if self.dirty {
            self.update_targets();
        }
        if self.ramp_len != frames {
            fill_ramp(&mut self.ramp, frames);
            self.ramp_len = frames;
        }
        self.meters.begin(frames);
        self.mix_tracks(frames);
        self.mix_buses(frames);
        self.write_outputs(frames, output);
        self.meters.end();
    }

    fn mix_tracks(&mut self, frames: usize) {
        let p = self.spec.period_frames;
        self.feeds.clear();
        for (i, strip) in self.strips.iter_mut().enumerate() {
            let want = strip.wanted_route();
            let m = self.meters.shared().track_channel(i);
            let meter_channels = self.meters.shared().track_channel(i + 1) - m;
            for (k, &c) in want.src.iter().take(meter_channels).enumerate() {
                self.meters
                    .update(m + k, &self.input[usize::from(c) * p..][..frames]);
            }
            if want == strip.route {
                self.feeds.add(strip.route, &strip.current, &strip.target);
            } else {
                // A new input or destination: fade the old route out as the new one fades in.
                self.feeds.add(strip.route, &strip.current, &Gains::SILENT);
                self.feeds.add(want, &Gains::SILENT, &strip.target);
                strip.route = want;
            }
            strip.current = strip.target;
        }
        let ramp = &self.ramp[..frames];
        self.feeds.sum(&self.input, &mut self.buses, p, ramp);
    }

    fn mix_buses(&mut self, frames: usize) {
        let p = self.spec.period_frames;
        let ramp = &self.ramp[..frames];
        let (master, rest) = self.buses.split_at_mut(2 * p);
        let (ml, mr) = master.split_at_mut(p);
        let (ml, mr) = (&mut ml[..frames], &mut mr[..frames]);
        let mut sides = rest.chunks_exact_mut(p);
        for (g, bus) in self.groups.iter_mut().enumerate() {
            let (l, r) = (sides.next().unwrap(), sides.next().unwrap());
            let (l, r) = (&mut l[..frames], &mut r[..frames]);
            bus.scale(l, r, ramp);
            let m = self.meters.shared().group_channel(g);
            self.meters.update(m, l);
            self.meters.update(m + 1, r);
            mix_ramped(ml, l, 1.0, 1.0, ramp);
            mix_ramped(mr, r, 1.0, 1.0, ramp);
        }
        for (a, bus) in self.auxes.iter_mut().enumerate() {
            let (l, r) = (sides.next().unwrap(), sides.next().unwrap());
            let (l, r) = (&mut l[..frames], &mut r[..frames]);
            bus.scale(l, r, ramp);
            let m = self.meters.shared().aux_channel(a);
            self.meters.update(m, l);
            self.meters.update(m + 1, r);
        }
        self.master.scale(ml, mr, ramp);
        let m = self.meters.shared().master_channel();
        self.meters.update(m, ml);
        self.meters.update(m + 1, mr);
    }

    fn write_outputs(&mut self, frames: usize, output: &mut [f32]) {
        let (p, n) = (
            self.spec.period_frames,
            usize::from(self.spec.output_channels),
        );
        let output = &mut output[..frames * n];
        output.fill(0.0);
        let first_aux = 1 + self.groups.len();
        let outputs = std::iter::once((0, self.master.output)).chain(
            self.auxes
                .iter()
                .enumerate()
                .map(|(a, b)| (first_aux + a, b.output)),
        );
        for (bus, pair) in outputs {
            let Some([cl, cr]) = pair else { continue };
            let (cl, cr) = (usize::from(cl), usize::from(cr));
            let l = &self.buses[2 * bus * p..][..frames];
            let r = &self.buses[(2 * bus + 1) * p..][..frames];
            for ((frame, &l), &r) in output.chunks_exact_mut(n).zip(l).zip(r) {
                frame[cl] += l;
                frame[cr] += r;
            }
        }
    }
}
