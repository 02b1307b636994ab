//! `kiosk speak`, the real binary: a WAV that is long enough and not
//! silent, the `[speech]` volume applied, and a missing sound device or a
//! bad key reported in Chinese with a failing exit status.

use std::path::Path;
use std::process::Command;

const TEXT: &str = "云政办〔2026〕9号，咨询电话0999-5521234。";

fn kiosk(config: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .arg("--config")
        .arg(config)
        .arg("speak")
        .args(args)
        .output()
        .expect("the kiosk binary runs")
}

fn config(dir: &Path, speech: &str) -> std::path::PathBuf {
    let p = dir.join("kiosk.toml");
    std::fs::write(&p, format!("[speech]\n{speech}\n")).unwrap();
    p
}

#[test]
fn speak_out_writes_speech_of_plausible_length_at_the_configured_volume() {
    let dir = tempfile::tempdir().unwrap();
    let mut rms = Vec::new();
    for volume in [80, 40] {
        let wav = dir.path().join(format!("v{volume}.wav"));
        let out = kiosk(
            &config(dir.path(), &format!("volume = {volume}")),
            &["--out", wav.to_str().unwrap(), "--show", TEXT],
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("读作：云政办二零二六年九号"), "{stdout}");
        assert!(stdout.contains("ling2 jiu3 jiu3 jiu3"), "{stdout}");
        assert!(stdout.contains("语音已写入"), "{stdout}");
        let pcm = speech::Pcm::read_wav(&wav).unwrap();
        let syllables = speech::pinyin_of(TEXT).split_whitespace().count();
        let secs = pcm.duration().as_secs_f64();
        assert_eq!(pcm.sample_rate, 22050);
        assert!(
            secs > 0.15 * syllables as f64,
            "{secs} s, {syllables} syllables"
        );
        assert!(
            secs < 0.6 * syllables as f64,
            "{secs} s, {syllables} syllables"
        );
        rms.push(pcm.rms());
    }
    assert!(rms[1] > 0.02, "{rms:?}");
    let ratio = rms[1] / rms[0];
    assert!((ratio - 0.5).abs() < 0.02, "volume 40 against 80: {ratio}");
}

#[test]
fn speak_without_a_sound_device_fails_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = kiosk(
        &config(dir.path(), "device = \"gongkai_no_such_device\""),
        &["测试"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("无法打开音频设备 gongkai_no_such_device"),
        "{stderr}"
    );
}

#[test]
fn a_bad_speech_key_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("x.wav");
    let out = kiosk(
        &config(dir.path(), "volume = 101"),
        &["--out", wav.to_str().unwrap(), "测试"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("speech.volume"), "{stderr}");
    assert!(!wav.exists());
}
