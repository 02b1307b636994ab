//! Drivers the receipt is sent through: [`SerialDriver`] over the
//! `serialport` crate (port, baud and flow control from the config) and
//! [`MemoryDriver`], which keeps the bytes (`print-test --out`, benchmarks)
//! and answers status queries like a ready printer.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use escpos::driver::Driver;
use escpos::errors::{PrinterError, Result as EscposResult};

use crate::status::{PrinterState, StatusLink};

/// How the printer is connected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerialSettings {
    /// `/dev/ttyS1`, `/dev/ttyUSB0`…
    pub path: String,
    pub baud: u32,
    /// `none`, `software` (XON/XOFF) or `hardware` (RTS/CTS).
    pub flow_control: FlowControl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowControl {
    None,
    Software,
    Hardware,
}

impl FlowControl {
    pub fn parse(s: &str) -> Option<FlowControl> {
        match s {
            "none" => Some(Self::None),
            "software" => Some(Self::Software),
            "hardware" => Some(Self::Hardware),
            _ => None,
        }
    }
}

/// The printer on a serial port. Clones share the port.
#[derive(Clone)]
pub struct SerialDriver {
    name: String,
    port: Arc<Mutex<Box<dyn serialport::SerialPort>>>,
}

impl std::fmt::Debug for SerialDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SerialDriver({})", self.name)
    }
}

impl SerialDriver {
    pub fn open(s: &SerialSettings) -> Result<SerialDriver, serialport::Error> {
        let port = serialport::new(&s.path, s.baud)
            .flow_control(match s.flow_control {
                FlowControl::None => serialport::FlowControl::None,
                FlowControl::Software => serialport::FlowControl::Software,
                FlowControl::Hardware => serialport::FlowControl::Hardware,
            })
            .timeout(Duration::from_secs(5))
            .open()?;
        Ok(SerialDriver {
            name: s.path.clone(),
            port: Arc::new(Mutex::new(port)),
        })
    }

    fn port(&self) -> std::sync::MutexGuard<'_, Box<dyn serialport::SerialPort>> {
        self.port.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Driver for SerialDriver {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn write(&self, data: &[u8]) -> EscposResult<()> {
        self.port()
            .write_all(data)
            .map_err(|e| PrinterError::Io(e.to_string()))
    }

    fn read(&self, buf: &mut [u8]) -> EscposResult<usize> {
        self.port()
            .read(buf)
            .map_err(|e| PrinterError::Io(e.to_string()))
    }

    fn flush(&self) -> EscposResult<()> {
        self.port()
            .flush()
            .map_err(|e| PrinterError::Io(e.to_string()))
    }
}

impl StatusLink for SerialDriver {
    fn discard_input(&self) -> std::io::Result<()> {
        self.port()
            .clear(serialport::ClearBuffer::Input)
            .map_err(std::io::Error::other)
    }

    fn send(&self, bytes: &[u8]) -> std::io::Result<()> {
        let mut p = self.port();
        p.write_all(bytes)?;
        p.flush()
    }

    fn read_byte(&self, timeout: Duration) -> std::io::Result<Option<u8>> {
        let mut p = self.port();
        p.set_timeout(timeout).map_err(std::io::Error::other)?;
        let mut b = [0u8; 1];
        let r = match p.read(&mut b) {
            Ok(1) => Ok(Some(b[0])),
            Ok(_) => Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => Ok(None),
            Err(e) => Err(e),
        };
        p.set_timeout(Duration::from_secs(5))
            .map_err(std::io::Error::other)?;
        r
    }
}

/// Keeps what is written; answers `DLE EOT n` from a [`PrinterState`].
#[derive(Clone, Default)]
pub struct MemoryDriver {
    inner: Arc<Mutex<MemoryInner>>,
}

#[derive(Default)]
struct MemoryInner {
    written: Vec<u8>,
    state: PrinterState,
    pending: std::collections::VecDeque<u8>,
}

impl MemoryDriver {
    pub fn new(state: PrinterState) -> MemoryDriver {
        let d = MemoryDriver::default();
        d.lock().state = state;
        d
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MemoryInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Everything written so far, status queries excluded.
    pub fn bytes(&self) -> Vec<u8> {
        self.lock().written.clone()
    }

    pub fn take_bytes(&self) -> Vec<u8> {
        std::mem::take(&mut self.lock().written)
    }
}

impl Driver for MemoryDriver {
    fn name(&self) -> String {
        "memory".into()
    }

    fn write(&self, data: &[u8]) -> EscposResult<()> {
        self.lock().written.extend_from_slice(data);
        Ok(())
    }

    fn read(&self, buf: &mut [u8]) -> EscposResult<usize> {
        let mut g = self.lock();
        let mut n = 0;
        while n < buf.len() {
            match g.pending.pop_front() {
                Some(b) => {
                    buf[n] = b;
                    n += 1;
                }
                None => break,
            }
        }
        Ok(n)
    }

    fn flush(&self) -> EscposResult<()> {
        Ok(())
    }
}

impl StatusLink for MemoryDriver {
    fn discard_input(&self) -> std::io::Result<()> {
        self.lock().pending.clear();
        Ok(())
    }

    fn send(&self, bytes: &[u8]) -> std::io::Result<()> {
        let mut g = self.lock();
        if let [0x10, 0x04, n @ 1..=4] = bytes {
            let r = g.state.replies()[*n as usize - 1];
            g.pending.push_back(r);
        }
        Ok(())
    }

    fn read_byte(&self, _timeout: Duration) -> std::io::Result<Option<u8>> {
        Ok(self.lock().pending.pop_front())
    }
}
