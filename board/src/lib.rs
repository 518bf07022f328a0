//! The hardware of a Capstan box, each part behind a trait with a real implementation and a sim
//! one beside it. So far: audio capture ([`audio`]), with the sim source that stands in for an
//! interface on a desktop and in tests.

pub mod alloc_guard;
pub mod audio;
pub mod buttons;
pub mod display;
pub mod leds;
pub mod memory;
pub mod profile;
pub mod realtime;
pub mod rusage;
pub mod syscall_guard;
