//! The SSD1306 and ST7789 backends on mock buses: what a flush sends to the panel.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use embedded_graphics::pixelcolor::{BinaryColor, Rgb565};
use embedded_graphics::prelude::*;
use embedded_hal::digital::{self, OutputPin};
use embedded_hal::i2c::{self, I2c};
use embedded_hal::spi::{self, SpiDevice};

use super::{Display, Ssd1306Display, St7789Display};

/// Bytes sent, each run with the address or command byte it went to.
type Sent = Arc<Mutex<Vec<(u8, Vec<u8>)>>>;

/// An I2C bus that keeps every write with its address.
#[derive(Clone, Default)]
struct I2cLog(Sent);

impl i2c::ErrorType for I2cLog {
    type Error = Infallible;
}

impl I2c for I2cLog {
    fn transaction(
        &mut self,
        address: u8,
        operations: &mut [i2c::Operation<'_>],
    ) -> Result<(), Infallible> {
        for op in operations {
            if let i2c::Operation::Write(bytes) = op {
                self.0.lock().unwrap().push((address, bytes.to_vec()));
            }
        }
        Ok(())
    }
}

impl I2cLog {
    /// Display-RAM bytes written since the last call (writes led by the 0x40 data byte).
    fn take_data_bytes(&self) -> usize {
        let writes = std::mem::take(&mut *self.0.lock().unwrap());
        assert!(writes.iter().all(|(address, _)| *address == 0x3C));
        writes
            .iter()
            .filter(|(_, bytes)| bytes.first() == Some(&0x40))
            .map(|(_, bytes)| bytes.len() - 1)
            .sum()
    }
}

#[test]
fn ssd1306_sends_only_the_pages_that_changed() {
    let bus = I2cLog::default();
    let mut display = Ssd1306Display::with_bus(bus.clone(), 0x3C, false, "mock".into()).unwrap();
    bus.take_data_bytes();
    display.flush().unwrap();
    assert_eq!(
        bus.take_data_bytes(),
        128 * 64 / 8,
        "the first flush sends everything"
    );
    display.flush().unwrap();
    assert_eq!(bus.take_data_bytes(), 0, "nothing changed, nothing sent");
    Pixel(Point::new(40, 20), BinaryColor::On)
        .draw(display.canvas())
        .unwrap();
    display.flush().unwrap();
    let sent = bus.take_data_bytes();
    assert!((1..=8).contains(&sent), "one pixel sent {sent} bytes");
}

/// What the ST7789 received: each command byte with the data bytes after it.
#[derive(Clone, Default)]
struct SpiLog {
    data_line_high: Arc<Mutex<bool>>,
    commands: Sent,
}

impl spi::ErrorType for SpiLog {
    type Error = Infallible;
}

impl SpiDevice for SpiLog {
    fn transaction(&mut self, operations: &mut [spi::Operation<'_, u8>]) -> Result<(), Infallible> {
        let data = *self.data_line_high.lock().unwrap();
        let mut commands = self.commands.lock().unwrap();
        for op in operations {
            if let spi::Operation::Write(bytes) = op {
                match (data, commands.last_mut()) {
                    (true, Some((_, after))) => after.extend_from_slice(bytes),
                    _ => commands.extend(bytes.iter().map(|&c| (c, Vec::new()))),
                }
            }
        }
        Ok(())
    }
}

/// The data/command line, sharing its level with the bus.
struct DcPin(Arc<Mutex<bool>>);

impl digital::ErrorType for DcPin {
    type Error = Infallible;
}

impl OutputPin for DcPin {
    fn set_low(&mut self) -> Result<(), Infallible> {
        *self.0.lock().unwrap() = false;
        Ok(())
    }
    fn set_high(&mut self) -> Result<(), Infallible> {
        *self.0.lock().unwrap() = true;
        Ok(())
    }
}

impl SpiLog {
    /// The column window, row window and pixel bytes of the last memory write since the
    /// last call.
    fn take_window(&self) -> Option<(Vec<u8>, Vec<u8>, Vec<u8>)> {
        let commands = std::mem::take(&mut *self.commands.lock().unwrap());
        let last = |cmd: u8| {
            commands
                .iter()
                .rev()
                .find(|(c, _)| *c == cmd)
                .map(|(_, d)| d.clone())
        };
        Some((last(0x2A)?, last(0x2B)?, last(0x2C)?))
    }
}

#[test]
fn st7789_sends_the_rectangle_that_changed() {
    let bus = SpiLog::default();
    let dc = DcPin(bus.data_line_high.clone());
    let mut display = St7789Display::with_bus(bus.clone(), dc, true, "mock".into()).unwrap();
    bus.take_window();
    display.flush().unwrap();
    let (columns, rows, pixels) = bus.take_window().expect("a full frame");
    assert_eq!((columns, rows), (vec![0, 0, 0, 239], vec![0, 0, 0, 239]));
    assert_eq!(pixels.len(), 240 * 240 * 2);
    display.flush().unwrap();
    assert_eq!(bus.take_window(), None, "nothing changed, nothing sent");

    Pixel(Point::new(10, 20), Rgb565::RED)
        .draw(display.canvas())
        .unwrap();
    Pixel(Point::new(12, 21), Rgb565::BLUE)
        .draw(display.canvas())
        .unwrap();
    display.flush().unwrap();
    let (columns, rows, pixels) = bus.take_window().expect("the changed rectangle");
    assert_eq!((columns, rows), (vec![0, 10, 0, 12], vec![0, 20, 0, 21]));
    assert_eq!(pixels.len(), 3 * 2 * 2);
    assert_eq!(pixels[..2], [0xF8, 0x00], "red first, big-endian RGB565");
    assert_eq!(pixels[10..], [0x00, 0x1F], "blue last");
}
