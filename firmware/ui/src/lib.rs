//! Capstan's screens, drawn with embedded-graphics as a function of the box's state.
#![forbid(unsafe_code)]
