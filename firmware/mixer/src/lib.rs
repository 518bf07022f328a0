//! Capstan's monitor mixer and meters.
#![forbid(unsafe_code)]
