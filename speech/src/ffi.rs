//! The only unsafe code of the crate: the few libespeak-ng functions the
//! engine calls, declared by hand from `/usr/include/espeak-ng/speak_lib.h`
//! (API revision 12, Debian's `libespeak-ng-dev`), behind one process-wide
//! lock.
//!
//! libespeak-ng keeps its state in globals (one voice, one set of
//! parameters, one synthesis callback), so every call goes through
//! [`with_espeak`], which holds [`ESPEAK`] for the whole call. It is
//! initialised once, in `AUDIO_OUTPUT_SYNCHRONOUS` mode: `espeak_Synth`
//! then synthesises on the calling thread and hands the samples to the
//! callback before it returns, and the callback's return value aborts it.
//! That is all the engine needs, so `espeak_Synchronize`, `espeak_Cancel`
//! (for the asynchronous modes) and `espeak_Terminate` (the library lives
//! as long as the process) are not declared.

use std::cell::RefCell;
use std::ffi::{CString, c_char, c_int, c_short, c_uint, c_void};
use std::sync::Mutex;

/// `espeak_AUDIO_OUTPUT::AUDIO_OUTPUT_SYNCHRONOUS`.
const AUDIO_OUTPUT_SYNCHRONOUS: c_int = 2;
/// `espeakINITIALIZE_DONT_EXIT`: return instead of `exit(1)` when the data
/// folder is missing.
const INITIALIZE_DONT_EXIT: c_int = 0x8000;
/// `espeakCHARS_UTF8`.
const CHARS_UTF8: c_uint = 1;
/// `espeakENDPAUSE`: a sentence pause at the end of the text.
const ENDPAUSE: c_uint = 0x1000;
/// `espeak_POSITION_TYPE::POS_CHARACTER`.
const POS_CHARACTER: c_int = 1;
/// `espeak_PARAMETER::espeakRATE`.
const PARAMETER_RATE: c_int = 1;
/// `espeak_PARAMETER::espeakVOLUME`.
const PARAMETER_VOLUME: c_int = 2;
/// `espeak_ERROR::EE_OK`.
const EE_OK: c_int = 0;
/// Length in milliseconds of the buffers handed to the callback.
const BUFFER_MS: c_int = 40;

/// `t_espeak_callback`: `int SynthCallback(short *wav, int numsamples,
/// espeak_EVENT *events)`. The events are not read, so they stay opaque.
type SynthCallback = unsafe extern "C" fn(*mut c_short, c_int, *mut c_void) -> c_int;

#[link(name = "espeak-ng")]
unsafe extern "C" {
    fn espeak_Initialize(
        output: c_int,
        buflength: c_int,
        path: *const c_char,
        options: c_int,
    ) -> c_int;
    fn espeak_SetSynthCallback(callback: SynthCallback);
    fn espeak_SetVoiceByName(name: *const c_char) -> c_int;
    fn espeak_SetParameter(parameter: c_int, value: c_int, relative: c_int) -> c_int;
    fn espeak_Synth(
        text: *const c_void,
        size: usize,
        position: c_uint,
        position_type: c_int,
        end_position: c_uint,
        flags: c_uint,
        unique_identifier: *mut c_uint,
        user_data: *mut c_void,
    ) -> c_int;
}

/// What the engine asked of espeak-ng and could not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EspeakFailure {
    /// `espeak_Initialize` failed (no data folder).
    Initialise,
    /// `espeak_SetVoiceByName` found no voice of that name.
    Voice,
    /// `espeak_SetParameter` refused the value.
    Parameter,
    /// `espeak_Synth` returned this error code.
    Synth(i32),
    /// The text holds a NUL byte.
    Nul,
}

/// The library's state as far as this process has set it.
struct Espeak {
    sample_rate: u32,
    voice: Option<String>,
    rate: Option<u16>,
}

static ESPEAK: Mutex<Option<Espeak>> = Mutex::new(None);

/// Takes a buffer of samples; returns `true` to abort the synthesis.
pub(crate) type SampleSink<'a> = Box<dyn FnMut(&[i16]) -> bool + 'a>;

thread_local! {
    /// The receiver of the samples of the `espeak_Synth` call running on
    /// this thread; set only for the duration of that call.
    static SINK: RefCell<Option<SampleSink<'static>>> = const { RefCell::new(None) };
}

/// The synthesis callback espeak-ng calls on the thread running
/// `espeak_Synth`. Returns 1 to abort the synthesis.
unsafe extern "C" fn on_samples(wav: *mut c_short, count: c_int, _events: *mut c_void) -> c_int {
    if wav.is_null() || count <= 0 {
        // NULL marks the end of the synthesis; zero samples may occur at
        // any time and mean nothing.
        return 0;
    }
    // SAFETY: espeak-ng passes `count` valid samples at `wav`, alive for
    // the duration of this call; they are only read here.
    let samples = unsafe { std::slice::from_raw_parts(wav, count as usize) };
    let abort = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        SINK.with(|sink| match sink.borrow_mut().as_mut() {
            Some(f) => f(samples),
            None => true,
        })
    }));
    // A panic must not unwind into C: it aborts the synthesis instead.
    c_int::from(abort.unwrap_or(true))
}

/// A voice, rate and text for one synthesis.
pub(crate) struct SynthRequest<'a> {
    pub voice: &'a str,
    /// Words (here: pinyin syllables) per minute, 80–450.
    pub rate: u16,
    /// espeak-ng's input: tone-numbered pinyin for `cmn-latn-pinyin`.
    pub text: &'a str,
}

/// The sample rate espeak-ng synthesises at (22050 Hz for its voices),
/// initialising the library if needed.
pub(crate) fn sample_rate() -> Result<u32, EspeakFailure> {
    let mut guard = ESPEAK.lock().unwrap_or_else(|e| e.into_inner());
    Ok(initialised(&mut guard)?.sample_rate)
}

fn initialised(slot: &mut Option<Espeak>) -> Result<&mut Espeak, EspeakFailure> {
    if slot.is_none() {
        // SAFETY: called once per process under the lock, with a null
        // path (the default data folder); DONT_EXIT keeps a missing
        // folder from ending the process.
        let rate = unsafe {
            espeak_Initialize(
                AUDIO_OUTPUT_SYNCHRONOUS,
                BUFFER_MS,
                std::ptr::null(),
                INITIALIZE_DONT_EXIT,
            )
        };
        if rate <= 0 {
            return Err(EspeakFailure::Initialise);
        }
        // SAFETY: `on_samples` has the callback's signature and lives for
        // the whole program.
        unsafe { espeak_SetSynthCallback(on_samples) };
        // Full volume from espeak-ng; the engine applies its own gain.
        // SAFETY: plain integer parameters.
        if unsafe { espeak_SetParameter(PARAMETER_VOLUME, 100, 0) } != EE_OK {
            return Err(EspeakFailure::Parameter);
        }
        *slot = Some(Espeak {
            sample_rate: rate as u32,
            voice: None,
            rate: None,
        });
    }
    Ok(slot.as_mut().expect("initialised above"))
}

/// Synthesises `request.text`, handing each buffer of samples to `sink` as
/// it is produced (on this thread, before this returns). `sink` returns
/// `true` to abort; the result is then `Ok(false)`. `Ok(true)` means the
/// whole text was synthesised.
pub(crate) fn synthesize(
    request: &SynthRequest<'_>,
    sink: SampleSink<'_>,
) -> Result<bool, EspeakFailure> {
    let text = CString::new(request.text).map_err(|_| EspeakFailure::Nul)?;
    let voice = CString::new(request.voice).map_err(|_| EspeakFailure::Voice)?;
    let mut guard = ESPEAK.lock().unwrap_or_else(|e| e.into_inner());
    let espeak = initialised(&mut guard)?;
    if espeak.voice.as_deref() != Some(request.voice) {
        espeak.voice = None;
        // SAFETY: `voice` is a NUL-terminated UTF-8 string alive for the call.
        if unsafe { espeak_SetVoiceByName(voice.as_ptr()) } != EE_OK {
            return Err(EspeakFailure::Voice);
        }
        espeak.voice = Some(request.voice.to_string());
        // A new voice resets the rate.
        espeak.rate = None;
    }
    if espeak.rate != Some(request.rate) {
        // SAFETY: plain integer parameters.
        if unsafe { espeak_SetParameter(PARAMETER_RATE, c_int::from(request.rate), 0) } != EE_OK {
            return Err(EspeakFailure::Parameter);
        }
        espeak.rate = Some(request.rate);
    }
    let aborted = std::rc::Rc::new(std::cell::Cell::new(false));
    let flag = aborted.clone();
    let mut sink = sink;
    let tracking: SampleSink<'_> = Box::new(move |s| {
        let abort = sink(s);
        if abort {
            flag.set(true);
        }
        abort
    });
    // SAFETY: the sink only lives in SINK for the duration of espeak_Synth
    // below (it is taken out again before this function returns), so
    // stretching its lifetime to 'static is never observed.
    let tracking: SampleSink<'static> = unsafe { std::mem::transmute(tracking) };
    SINK.with(|s| *s.borrow_mut() = Some(tracking));
    let bytes = text.as_bytes_with_nul();
    // SAFETY: `text` is NUL-terminated UTF-8 of `bytes.len()` bytes, alive
    // for the call; in synchronous mode espeak-ng does not keep it. The
    // identifier and user data are not wanted (null).
    let status = unsafe {
        espeak_Synth(
            text.as_ptr().cast(),
            bytes.len(),
            0,
            POS_CHARACTER,
            0,
            CHARS_UTF8 | ENDPAUSE,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    };
    SINK.with(|s| s.borrow_mut().take());
    drop(guard);
    if aborted.get() {
        return Ok(false);
    }
    if status != EE_OK {
        return Err(EspeakFailure::Synth(status));
    }
    Ok(true)
}
