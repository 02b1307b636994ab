//! Where a [`Speaker`](crate::Speaker) sends its samples: the
//! [`AudioOutput`] trait, ALSA playback ([`AlsaOutput`], the `alsa`
//! crate over libasound) and [`MemoryOutput`], which keeps the samples and
//! takes as long as playing them would.
//!
//! ALSA rather than espeak-ng's own playback (pcaudiolib): espeak-ng's
//! playback mode gives no error the caller can see when there is no
//! device (it prints to stderr and goes on), cannot pause, and holds the
//! library's global state for as long as it plays; with the samples in
//! hand the same path serves WAV files, playback and tests, and a missing
//! device is a typed error.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use alsa::pcm::{Access, Format, HwParams, PCM};
use alsa::{Direction, ValueOr};

use crate::{SpeechConfig, SpeechError};

/// A sink for mono 16-bit samples at the rate it was opened with.
pub trait AudioOutput: Send {
    /// Plays `samples`, blocking until the device has taken them (a few
    /// milliseconds for a short slice).
    fn write(&mut self, samples: &[i16]) -> Result<(), SpeechError>;
    /// Stops sounding, keeping what is buffered where possible.
    fn pause(&mut self);
    /// Goes on after `pause`.
    fn resume(&mut self);
    /// Drops whatever is buffered, at once.
    fn discard(&mut self);
    /// Waits until everything written has been played.
    fn drain(&mut self) -> Result<(), SpeechError>;
}

/// Opens `config.device` for playback and closes it again: whether
/// reading aloud can be heard on this machine.
pub fn check_output(config: &SpeechConfig) -> Result<(), SpeechError> {
    let rate = crate::engine::sample_rate()?;
    AlsaOutput::open(&config.device, rate).map(drop)
}

/// ALSA playback on one PCM device, 100 ms of buffer in 20 ms periods.
pub struct AlsaOutput {
    device: String,
    pcm: PCM,
    can_pause: bool,
    paused: bool,
}

impl AlsaOutput {
    /// Opens `device` for mono 16-bit playback at `rate`. A device that
    /// cannot play at exactly that rate is refused (use a `plughw:` or
    /// the `default` device, which convert).
    pub fn open(device: &str, rate: u32) -> Result<AlsaOutput, SpeechError> {
        let no_device = |e: alsa::Error| SpeechError::NoAudioDevice {
            device: device.to_string(),
            message: alsa_message(&e),
        };
        let pcm = PCM::new(device, Direction::Playback, false).map_err(no_device)?;
        let can_pause = {
            let hwp = HwParams::any(&pcm).map_err(no_device)?;
            hwp.set_access(Access::RWInterleaved).map_err(no_device)?;
            hwp.set_format(Format::s16()).map_err(no_device)?;
            hwp.set_channels(1).map_err(no_device)?;
            hwp.set_rate(rate, ValueOr::Nearest).map_err(no_device)?;
            hwp.set_buffer_time_near(100_000, ValueOr::Nearest)
                .map_err(no_device)?;
            hwp.set_period_time_near(20_000, ValueOr::Nearest)
                .map_err(no_device)?;
            pcm.hw_params(&hwp).map_err(no_device)?;
            let got = hwp.get_rate().map_err(no_device)?;
            if got != rate {
                return Err(SpeechError::NoAudioDevice {
                    device: device.to_string(),
                    message: format!(
                        "设备只能以 {got} Hz 播放，需要 {rate} Hz（请改用 default 或 plughw: 设备）"
                    ),
                });
            }
            hwp.can_pause()
        };
        pcm.prepare().map_err(no_device)?;
        tracing::debug!(device, rate, can_pause, "ALSA playback opened");
        Ok(AlsaOutput {
            device: device.to_string(),
            pcm,
            can_pause,
            paused: false,
        })
    }

    fn error(&self, e: &alsa::Error) -> SpeechError {
        SpeechError::Audio {
            device: self.device.clone(),
            message: alsa_message(e),
        }
    }
}

/// What went wrong, in words for the technician, with ALSA's function.
fn alsa_message(e: &alsa::Error) -> String {
    let what = match e.errno() {
        2 | 19 => "没有这个设备".to_string(),
        16 => "设备正被其他程序占用".to_string(),
        1 | 13 => "没有使用该设备的权限（运行用户应在 audio 组中）".to_string(),
        32 => "播放中断（缓冲区欠载）".to_string(),
        n => std::io::Error::from_raw_os_error(n).to_string(),
    };
    format!("{what}（{}）", e.func())
}

impl AudioOutput for AlsaOutput {
    fn write(&mut self, samples: &[i16]) -> Result<(), SpeechError> {
        let mut rest = samples;
        let mut recoveries = 0;
        while !rest.is_empty() {
            let io = self.pcm.io_i16().map_err(|e| self.error(&e))?;
            match io.writei(rest) {
                Ok(n) => rest = &rest[n..],
                Err(e) if recoveries < 3 => {
                    // An underrun (EPIPE) after a slow start or a pause
                    // without hardware pause: prepare and go on.
                    recoveries += 1;
                    self.pcm.try_recover(e, true).map_err(|e| self.error(&e))?;
                }
                Err(e) => return Err(self.error(&e)),
            }
        }
        Ok(())
    }

    fn pause(&mut self) {
        if self.paused {
            return;
        }
        self.paused = true;
        if self.can_pause && self.pcm.pause(true).is_ok() {
            return;
        }
        // No hardware pause: drop the buffer (at most 100 ms of speech).
        let _ = self.pcm.drop();
    }

    fn resume(&mut self) {
        if !self.paused {
            return;
        }
        self.paused = false;
        if self.can_pause && self.pcm.pause(false).is_ok() {
            return;
        }
        let _ = self.pcm.prepare();
    }

    fn discard(&mut self) {
        let _ = self.pcm.drop();
        let _ = self.pcm.prepare();
        self.paused = false;
    }

    fn drain(&mut self) -> Result<(), SpeechError> {
        self.pcm.drain().map_err(|e| self.error(&e))
    }
}

/// An output that keeps every sample it is given, either at once or
/// taking as long as playing them would (so that stop and pause behave as
/// on a device). Clones share the samples.
#[derive(Debug, Clone)]
pub struct MemoryOutput {
    /// Samples per second to pace writes at; 0: no pacing.
    rate: u32,
    inner: Arc<Mutex<MemoryState>>,
}

#[derive(Debug, Default)]
struct MemoryState {
    samples: Vec<i16>,
    first_write: Option<Instant>,
    pauses: usize,
}

impl MemoryOutput {
    /// Takes samples as fast as they come.
    pub fn instant() -> MemoryOutput {
        MemoryOutput {
            rate: 0,
            inner: Arc::default(),
        }
    }

    /// Takes samples at `rate` a second, as a device would.
    pub fn real_time(rate: u32) -> MemoryOutput {
        MemoryOutput {
            rate,
            inner: Arc::default(),
        }
    }

    /// An opener for [`Speaker::with_output`](crate::Speaker::with_output)
    /// that hands out clones of this output.
    pub fn opener(&self) -> crate::engine::OutputOpener {
        let me = self.clone();
        Box::new(move |_, _| Ok(Box::new(me.clone()) as Box<dyn AudioOutput>))
    }

    fn state(&self) -> std::sync::MutexGuard<'_, MemoryState> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every sample written so far.
    pub fn samples(&self) -> Vec<i16> {
        self.state().samples.clone()
    }

    /// How many samples have been written so far.
    pub fn len(&self) -> usize {
        self.state().samples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// When the first sample arrived.
    pub fn first_write(&self) -> Option<Instant> {
        self.state().first_write
    }

    /// How many times `pause` was called.
    pub fn pauses(&self) -> usize {
        self.state().pauses
    }
}

impl AudioOutput for MemoryOutput {
    fn write(&mut self, samples: &[i16]) -> Result<(), SpeechError> {
        {
            let mut s = self.state();
            s.first_write.get_or_insert_with(Instant::now);
            s.samples.extend_from_slice(samples);
        }
        if self.rate > 0 {
            std::thread::sleep(Duration::from_secs_f64(
                samples.len() as f64 / f64::from(self.rate),
            ));
        }
        Ok(())
    }

    fn pause(&mut self) {
        self.state().pauses += 1;
    }

    fn resume(&mut self) {}

    fn discard(&mut self) {}

    fn drain(&mut self) -> Result<(), SpeechError> {
        Ok(())
    }
}
