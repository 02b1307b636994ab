//! The engine with the real libespeak-ng: speech that is long enough and
//! not silent, volume and rate, WAV files, typed errors for a missing
//! voice or device, and the `Speaker`'s order, pause, stop and failures.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use speech::{AudioOutput, MemoryOutput, Progress, Speaker, SpeechConfig, SpeechError};

const SENTENCE: &str = "石桥乡2026年防止返贫监测和帮扶工作方案，由村民委员会入户核实。";

/// Within 1% of each other.
fn close(a: usize, b: usize) -> bool {
    a.abs_diff(b) * 100 <= a.max(b)
}

fn syllables(text: &str) -> usize {
    speech::pinyin_of(text)
        .split_whitespace()
        .filter(|s| s.chars().any(|c| c.is_ascii_digit()))
        .count()
}

#[test]
fn a_sentence_becomes_speech_of_plausible_length_and_not_silence() {
    let pcm = speech::synthesize(SENTENCE, &SpeechConfig::default()).unwrap();
    let n = syllables(SENTENCE);
    let secs = pcm.duration().as_secs_f64();
    println!(
        "{n} syllables: {secs:.2} s, {:.0} ms a syllable, RMS {:.3}",
        secs * 1000.0 / n as f64,
        pcm.rms()
    );
    assert_eq!(pcm.sample_rate, 22050);
    assert!(n >= 25, "{n} syllables");
    // At the default rate a syllable takes about 0.3 s with pauses: well
    // above 0.15 s, well below 0.6 s.
    assert!(secs > 0.15 * n as f64, "{secs} s for {n} syllables");
    assert!(secs < 0.6 * n as f64, "{secs} s for {n} syllables");
    assert!(pcm.rms() > 0.03, "RMS {}", pcm.rms());
}

#[test]
fn nothing_to_say_is_no_samples() {
    let pcm = speech::synthesize("，。《》", &SpeechConfig::default()).unwrap();
    assert!(pcm.samples.is_empty());
}

#[test]
fn to_wav_writes_what_synthesize_makes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.wav");
    let d = speech::to_wav("云政办〔2026〕9号", &path).unwrap();
    let back = speech::Pcm::read_wav(&path).unwrap();
    assert_eq!(back.duration(), d);
    assert_eq!(back.sample_rate, 22050);
    // espeak-ng carries a little state from one call to the next, so two
    // syntheses of one text differ by a few samples.
    let again = speech::synthesize("云政办〔2026〕9号", &SpeechConfig::default()).unwrap();
    assert!(
        close(back.samples.len(), again.samples.len()),
        "{} vs {}",
        back.samples.len(),
        again.samples.len()
    );
    assert!(back.rms() > 0.03);
}

#[test]
fn volume_is_a_linear_gain() {
    let at = |volume| {
        speech::synthesize(
            "政务公开",
            &SpeechConfig {
                volume,
                ..SpeechConfig::default()
            },
        )
        .unwrap()
    };
    let (loud, soft, silent) = (at(80), at(40), at(0));
    let ratio = soft.rms() / loud.rms();
    assert!((ratio - 0.5).abs() < 0.01, "ratio {ratio}");
    assert_eq!(silent.rms(), 0.0);
    assert!(close(loud.samples.len(), silent.samples.len()));
}

#[test]
fn a_slower_rate_takes_longer() {
    let at = |rate| {
        speech::synthesize(
            SENTENCE,
            &SpeechConfig {
                rate,
                ..SpeechConfig::default()
            },
        )
        .unwrap()
        .duration()
    };
    let (slow, fast) = (at(120), at(300));
    assert!(
        slow.as_secs_f64() > 1.8 * fast.as_secs_f64(),
        "{slow:?} vs {fast:?}"
    );
}

#[test]
fn a_missing_voice_is_a_typed_error_and_leaves_the_engine_usable() {
    let bad = SpeechConfig {
        voice: "gongkai-no-such-voice".into(),
        ..SpeechConfig::default()
    };
    match speech::synthesize("你好", &bad) {
        Err(SpeechError::VoiceNotFound(v)) => assert_eq!(v, "gongkai-no-such-voice"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        Speaker::new(bad),
        Err(SpeechError::VoiceNotFound(_))
    ));
    let e = speech::synthesize("你好", &SpeechConfig::default()).unwrap();
    assert!(e.rms() > 0.03);
}

#[test]
fn out_of_range_settings_are_typed_errors() {
    let c = SpeechConfig {
        rate: 20,
        ..SpeechConfig::default()
    };
    assert!(matches!(
        speech::synthesize("你好", &c),
        Err(SpeechError::BadSetting(_))
    ));
    assert!(matches!(Speaker::new(c), Err(SpeechError::BadSetting(_))));
}

fn no_device() -> SpeechConfig {
    SpeechConfig {
        device: "gongkai_no_such_device".into(),
        ..SpeechConfig::default()
    }
}

#[test]
fn a_missing_sound_device_is_a_typed_error_not_a_hang() {
    let e = speech::check_output(&no_device()).unwrap_err();
    assert!(
        matches!(&e, SpeechError::NoAudioDevice { device, .. } if device == "gongkai_no_such_device"),
        "{e:?}"
    );
    assert!(e.to_string().contains("无法打开音频设备"), "{e}");

    let speaker = Speaker::new(no_device()).unwrap();
    let (tx, rx) = mpsc::channel();
    speaker.read(vec!["你好".into()], move |p| tx.send(p).unwrap());
    match rx.recv_timeout(Duration::from_secs(10)).unwrap() {
        Progress::Failed(SpeechError::NoAudioDevice { .. }) => {}
        other => panic!("{other:?}"),
    }
    // Nothing more for that read, and the speaker still takes reads.
    assert!(rx.recv_timeout(Duration::from_millis(200)).is_err());
    let (tx, rx) = mpsc::channel();
    speaker.read(vec!["你好".into()], move |p| tx.send(p).unwrap());
    assert!(matches!(
        rx.recv_timeout(Duration::from_secs(10)).unwrap(),
        Progress::Failed(_)
    ));
}

/// Collects a read's events until its terminal one.
fn events(rx: &mpsc::Receiver<Progress>, within: Duration) -> Vec<Progress> {
    let deadline = Instant::now() + within;
    let mut out = Vec::new();
    while let Ok(p) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        let end = !matches!(p, Progress::Speaking { .. });
        out.push(p);
        if end {
            break;
        }
    }
    out
}

fn speaking(events: &[Progress]) -> Vec<usize> {
    events
        .iter()
        .filter_map(|p| match p {
            Progress::Speaking { paragraph } => Some(*paragraph),
            _ => None,
        })
        .collect()
}

#[test]
fn paragraphs_are_read_in_order_and_said_as_synthesize_says_them() {
    let out = MemoryOutput::instant();
    let speaker = Speaker::with_output(SpeechConfig::default(), out.opener()).unwrap();
    let (tx, rx) = mpsc::channel();
    let paragraphs = vec![
        "第一段。".to_string(),
        "，".to_string(),
        "第三段".to_string(),
    ];
    speaker.read(paragraphs, move |p| tx.send(p).unwrap());
    let ev = events(&rx, Duration::from_secs(20));
    assert_eq!(speaking(&ev), vec![0, 2], "{ev:?}");
    assert!(matches!(ev.last(), Some(Progress::Finished)), "{ev:?}");
    let expected = speech::synthesize("第一段。", &SpeechConfig::default())
        .unwrap()
        .samples
        .len()
        + speech::synthesize("第三段", &SpeechConfig::default())
            .unwrap()
            .samples
            .len();
    assert!(close(out.len(), expected), "{} vs {expected}", out.len());
}

fn long_text() -> String {
    "为巩固拓展脱贫攻坚成果，守住不发生规模性返贫的底线，结合我乡实际，制定本方案。".repeat(8)
}

#[test]
fn stop_ends_a_long_utterance_quickly() {
    let out = MemoryOutput::real_time(22050);
    let speaker = Speaker::with_output(SpeechConfig::default(), out.opener()).unwrap();
    let (tx, rx) = mpsc::channel();
    speaker.read(vec![long_text()], move |p| tx.send(p).unwrap());
    assert!(matches!(
        rx.recv_timeout(Duration::from_secs(10)).unwrap(),
        Progress::Speaking { paragraph: 0 }
    ));
    std::thread::sleep(Duration::from_millis(300));
    let t = Instant::now();
    speaker.stop();
    let ev = events(&rx, Duration::from_secs(5));
    let took = t.elapsed();
    println!("stop() to Stopped: {took:?}");
    assert!(matches!(ev.last(), Some(Progress::Stopped)), "{ev:?}");
    // The whole text is about a minute; stopping takes a slice or two.
    assert!(took < Duration::from_millis(500), "{took:?}");
    let played = out.len() as f64 / 22050.0;
    assert!(played < 2.0, "{played} s played");
    let after = out.len();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(out.len(), after, "still playing after Stopped");
}

#[test]
fn pause_holds_the_reading_and_resume_goes_on() {
    let out = MemoryOutput::real_time(22050);
    let speaker = Speaker::with_output(SpeechConfig::default(), out.opener()).unwrap();
    let (tx, rx) = mpsc::channel();
    speaker.read(vec![long_text()], move |p| tx.send(p).unwrap());
    assert!(matches!(
        rx.recv_timeout(Duration::from_secs(10)).unwrap(),
        Progress::Speaking { paragraph: 0 }
    ));
    std::thread::sleep(Duration::from_millis(200));
    speaker.pause();
    assert!(speaker.is_paused());
    std::thread::sleep(Duration::from_millis(100));
    let held = out.len();
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(out.len(), held, "samples written while paused");
    assert_eq!(out.pauses(), 1);
    speaker.resume();
    std::thread::sleep(Duration::from_millis(300));
    assert!(out.len() > held + 22050 / 10, "nothing played after resume");
    speaker.stop();
    assert!(matches!(
        events(&rx, Duration::from_secs(5)).last(),
        Some(Progress::Stopped)
    ));
}

#[test]
fn a_new_read_stops_the_one_before_and_drop_stops_the_last() {
    let out = MemoryOutput::real_time(22050);
    let speaker = Speaker::with_output(SpeechConfig::default(), out.opener()).unwrap();
    let (tx1, rx1) = mpsc::channel();
    speaker.read(vec![long_text()], move |p| tx1.send(p).unwrap());
    assert!(matches!(
        rx1.recv_timeout(Duration::from_secs(10)).unwrap(),
        Progress::Speaking { .. }
    ));
    let (tx2, rx2) = mpsc::channel();
    speaker.read(vec!["好".into()], move |p| tx2.send(p).unwrap());
    assert!(matches!(
        events(&rx1, Duration::from_secs(5)).last(),
        Some(Progress::Stopped)
    ));
    assert!(matches!(
        events(&rx2, Duration::from_secs(10)).last(),
        Some(Progress::Finished)
    ));

    let (tx3, rx3) = mpsc::channel();
    speaker.read(vec![long_text()], move |p| tx3.send(p).unwrap());
    assert!(matches!(
        rx3.recv_timeout(Duration::from_secs(10)).unwrap(),
        Progress::Speaking { .. }
    ));
    let t = Instant::now();
    drop(speaker);
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
    assert!(matches!(
        events(&rx3, Duration::from_secs(1)).last(),
        Some(Progress::Stopped)
    ));
}

/// An output that fails after some samples, as an unplugged USB speaker.
struct Unplugged {
    left: usize,
}

impl AudioOutput for Unplugged {
    fn write(&mut self, samples: &[i16]) -> Result<(), SpeechError> {
        if self.left < samples.len() {
            return Err(SpeechError::Audio {
                device: "usb".into(),
                message: "设备已拔出".into(),
            });
        }
        self.left -= samples.len();
        Ok(())
    }
    fn pause(&mut self) {}
    fn resume(&mut self) {}
    fn discard(&mut self) {}
    fn drain(&mut self) -> Result<(), SpeechError> {
        Ok(())
    }
}

#[test]
fn a_device_failing_mid_read_ends_it_with_the_error() {
    let speaker = Speaker::with_output(
        SpeechConfig::default(),
        Box::new(|_, _| Ok(Box::new(Unplugged { left: 22050 }) as Box<dyn AudioOutput>)),
    )
    .unwrap();
    let (tx, rx) = mpsc::channel();
    speaker.read(vec![long_text()], move |p| tx.send(p).unwrap());
    let ev = events(&rx, Duration::from_secs(20));
    assert!(
        matches!(ev.last(), Some(Progress::Failed(SpeechError::Audio { .. }))),
        "{ev:?}"
    );
    // The speaker is still usable (the synthesis thread did not hang).
    let (tx, rx) = mpsc::channel();
    speaker.read(vec!["好".into()], move |p| tx.send(p).unwrap());
    assert!(matches!(
        events(&rx, Duration::from_secs(10)).last(),
        Some(Progress::Finished)
    ));
}
