//! Tap-to-first-sound: the time from `Speaker::read` to the first sample
//! reaching the output, for a short label and for a long paragraph, and
//! how much faster than real time synthesis runs. Prints figures; asserts
//! nothing about time. The output is a `MemoryOutput` (no device here);
//! on a device ALSA adds its first period (20 ms) before the sound is
//! heard.
//!
//!     cargo bench -p speech --bench latency

use std::sync::mpsc;
use std::time::{Duration, Instant};

use speech::{MemoryOutput, Progress, Speaker, SpeechConfig};

const LABEL: &str = "办理进度";
const PARAGRAPH: &str = "以家庭为单位，将人均纯收入低于县级防止返贫监测范围（2026年为人均年收入8200元）的脱贫不稳定户、边缘易致贫户，以及因病、因残、因灾、因意外事故等刚性支出较大或者收入大幅缩减导致基本生活出现严重困难的突发严重困难户纳入监测范围。";

fn first_sound(text: &str, runs: usize) -> Vec<Duration> {
    let mut out = Vec::with_capacity(runs);
    for _ in 0..runs {
        let output = MemoryOutput::instant();
        let speaker = Speaker::with_output(SpeechConfig::default(), output.opener())
            .expect("espeak-ng and its cmn-latn-pinyin voice");
        let (tx, rx) = mpsc::channel();
        let start = Instant::now();
        speaker.read(vec![text.to_string()], move |p| {
            let _ = tx.send(p);
        });
        loop {
            match rx
                .recv_timeout(Duration::from_secs(30))
                .expect("the read ends")
            {
                Progress::Speaking { .. } => {}
                Progress::Finished => break,
                other => panic!("{other:?}"),
            }
        }
        out.push(output.first_write().expect("something was played") - start);
    }
    out.sort();
    out
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn report(name: &str, times: &[Duration]) {
    println!(
        "{name}: read() → first sample: min {:.1} ms, median {:.1} ms, max {:.1} ms ({} runs)",
        ms(times[0]),
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1]),
        times.len()
    );
}

fn main() {
    let t = Instant::now();
    let _ = speech::synthesize("好", &SpeechConfig::default()).expect("espeak-ng");
    println!(
        "espeak-ng start (first synthesis in the process): {:.1} ms",
        ms(t.elapsed())
    );

    report("label “办理进度”", &first_sound(LABEL, 20));
    report("paragraph of 104 characters", &first_sound(PARAGRAPH, 20));

    for (name, text) in [("label", LABEL), ("paragraph", PARAGRAPH)] {
        let pcm = speech::synthesize(text, &SpeechConfig::default()).expect("synthesis");
        let silent = pcm
            .samples
            .iter()
            .position(|s| s.unsigned_abs() > 1000)
            .unwrap_or(0);
        println!(
            "{name}: the voice is heard {:.0} ms into the audio (espeak-ng's leading silence)",
            silent as f64 * 1000.0 / f64::from(pcm.sample_rate)
        );
    }

    let t = Instant::now();
    let pcm = speech::synthesize(PARAGRAPH, &SpeechConfig::default()).expect("synthesis");
    let took = t.elapsed();
    println!(
        "paragraph: {:.2} s of speech synthesised in {:.0} ms ({:.0}× real time)",
        pcm.duration().as_secs_f64(),
        ms(took),
        pcm.duration().as_secs_f64() / took.as_secs_f64()
    );
}
