//! 16-bit mono PCM in memory ([`Pcm`]) and as a WAV file (RIFF, `fmt `
//! chunk with format 1, `data` chunk), written and read back.

use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

use crate::SpeechError;

/// Mono 16-bit samples at a sample rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pcm {
    pub sample_rate: u32,
    pub samples: Vec<i16>,
}

impl Pcm {
    /// How long the samples play.
    pub fn duration(&self) -> Duration {
        if self.sample_rate == 0 {
            return Duration::ZERO;
        }
        Duration::from_secs_f64(self.samples.len() as f64 / f64::from(self.sample_rate))
    }

    /// Root mean square of the samples, 0 (silence) to 1 (full scale).
    pub fn rms(&self) -> f64 {
        if self.samples.is_empty() {
            return 0.0;
        }
        let sum: f64 = self
            .samples
            .iter()
            .map(|&s| {
                let x = f64::from(s) / 32768.0;
                x * x
            })
            .sum();
        (sum / self.samples.len() as f64).sqrt()
    }

    /// The file's bytes: a 44-byte header and the samples, little-endian.
    pub fn to_wav_bytes(&self) -> Vec<u8> {
        let data_len = (self.samples.len() * 2) as u32;
        let mut out = Vec::with_capacity(44 + data_len as usize);
        out.extend_from_slice(b"RIFF");
        out.extend_from_slice(&(36 + data_len).to_le_bytes());
        out.extend_from_slice(b"WAVE");
        out.extend_from_slice(b"fmt ");
        out.extend_from_slice(&16u32.to_le_bytes());
        out.extend_from_slice(&1u16.to_le_bytes()); // PCM
        out.extend_from_slice(&1u16.to_le_bytes()); // mono
        out.extend_from_slice(&self.sample_rate.to_le_bytes());
        out.extend_from_slice(&(self.sample_rate * 2).to_le_bytes()); // bytes per second
        out.extend_from_slice(&2u16.to_le_bytes()); // block align
        out.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
        out.extend_from_slice(b"data");
        out.extend_from_slice(&data_len.to_le_bytes());
        for s in &self.samples {
            out.extend_from_slice(&s.to_le_bytes());
        }
        out
    }

    /// Writes the WAV file (replacing any file there).
    pub fn write_wav(&self, path: &Path) -> Result<(), SpeechError> {
        let io = |source| SpeechError::File {
            path: path.to_path_buf(),
            source,
        };
        let mut f = std::fs::File::create(path).map_err(io)?;
        f.write_all(&self.to_wav_bytes()).map_err(io)?;
        f.sync_all().map_err(io)
    }

    /// Reads a 16-bit mono PCM WAV file, as [`Pcm::write_wav`] writes
    /// them (other chunks before `data` are skipped).
    pub fn read_wav(path: &Path) -> Result<Pcm, SpeechError> {
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .map_err(|source| SpeechError::File {
                path: path.to_path_buf(),
                source,
            })?;
        Pcm::from_wav_bytes(&bytes).map_err(|message| SpeechError::BadWav {
            path: path.to_path_buf(),
            message,
        })
    }

    /// Parses WAV bytes; the error says what is wrong, in Chinese.
    pub fn from_wav_bytes(bytes: &[u8]) -> Result<Pcm, String> {
        if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
            return Err("不是 RIFF/WAVE 文件".into());
        }
        let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]);
        let u32_at =
            |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        let mut pos = 12;
        let mut rate = None;
        while pos + 8 <= bytes.len() {
            let id = &bytes[pos..pos + 4];
            let len = u32_at(pos + 4) as usize;
            let body = pos + 8;
            let end = body.checked_add(len).filter(|&e| e <= bytes.len());
            match id {
                b"fmt " => {
                    if len < 16 || end.is_none() {
                        return Err("fmt 块不完整".into());
                    }
                    let (format, channels, bits) =
                        (u16_at(body), u16_at(body + 2), u16_at(body + 14));
                    if format != 1 || channels != 1 || bits != 16 {
                        return Err(format!(
                            "只支持 16 位单声道 PCM（格式 {format}，{channels} 声道，{bits} 位）"
                        ));
                    }
                    rate = Some(u32_at(body + 4));
                }
                b"data" => {
                    let sample_rate = rate.ok_or("data 块在 fmt 块之前")?;
                    let end = end.ok_or("data 块不完整")?;
                    let samples = bytes[body..end]
                        .chunks_exact(2)
                        .map(|b| i16::from_le_bytes([b[0], b[1]]))
                        .collect();
                    return Ok(Pcm {
                        sample_rate,
                        samples,
                    });
                }
                _ => {}
            }
            pos = body + len + (len & 1);
        }
        Err("没有 data 块".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wav_reads_back_as_written() {
        let pcm = Pcm {
            sample_rate: 22050,
            samples: vec![0, 1, -1, i16::MAX, i16::MIN, 1234],
        };
        let bytes = pcm.to_wav_bytes();
        assert_eq!(bytes.len(), 44 + 12);
        assert_eq!(&bytes[36..40], b"data");
        assert_eq!(Pcm::from_wav_bytes(&bytes).unwrap(), pcm);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.wav");
        pcm.write_wav(&p).unwrap();
        assert_eq!(Pcm::read_wav(&p).unwrap(), pcm);
    }

    #[test]
    fn bad_wavs_are_refused_with_a_reason() {
        assert!(Pcm::from_wav_bytes(b"RIFX").is_err());
        let mut stereo = Pcm {
            sample_rate: 8000,
            samples: vec![1, 2],
        }
        .to_wav_bytes();
        stereo[22] = 2;
        assert!(Pcm::from_wav_bytes(&stereo).unwrap_err().contains("单声道"));
        let whole = Pcm {
            sample_rate: 8000,
            samples: vec![1, 2],
        }
        .to_wav_bytes();
        assert!(Pcm::from_wav_bytes(&whole[..42]).is_err());
    }

    #[test]
    fn duration_and_rms() {
        let silent = Pcm {
            sample_rate: 1000,
            samples: vec![0; 1500],
        };
        assert_eq!(silent.duration(), Duration::from_millis(1500));
        assert_eq!(silent.rms(), 0.0);
        let square = Pcm {
            sample_rate: 1000,
            samples: (0..1000)
                .map(|i| if i % 2 == 0 { 16384 } else { -16384 })
                .collect(),
        };
        assert!((square.rms() - 0.5).abs() < 1e-9);
    }
}
