//! The few functions of Zinnia's C API (`zinnia.h`) the recognizer calls,
//! found in `libzinnia.so.0` when 手写 is first used: the kiosk starts and
//! runs without the library (手写 is then not offered), and the library and
//! the C++ runtime it brings are mapped only once someone writes.

use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::sync::OnceLock;

#[repr(C)]
pub struct ZinniaRecognizer {
    _private: [u8; 0],
}

#[repr(C)]
pub struct ZinniaCharacter {
    _private: [u8; 0],
}

#[repr(C)]
pub struct ZinniaResult {
    _private: [u8; 0],
}

/// The library Debian's `libzinnia0` installs.
pub const LIBRARY: &str = "libzinnia.so.0";

/// Zinnia's functions, looked up once.
pub struct Zinnia {
    pub recognizer_new: unsafe extern "C" fn() -> *mut ZinniaRecognizer,
    pub recognizer_destroy: unsafe extern "C" fn(*mut ZinniaRecognizer),
    pub recognizer_open: unsafe extern "C" fn(*mut ZinniaRecognizer, *const c_char) -> c_int,
    pub recognizer_strerror: unsafe extern "C" fn(*mut ZinniaRecognizer) -> *const c_char,
    pub recognizer_classify: unsafe extern "C" fn(
        *mut ZinniaRecognizer,
        *const ZinniaCharacter,
        usize,
    ) -> *mut ZinniaResult,
    pub character_new: unsafe extern "C" fn() -> *mut ZinniaCharacter,
    pub character_destroy: unsafe extern "C" fn(*mut ZinniaCharacter),
    pub character_set_width: unsafe extern "C" fn(*mut ZinniaCharacter, usize),
    pub character_set_height: unsafe extern "C" fn(*mut ZinniaCharacter, usize),
    pub character_add: unsafe extern "C" fn(*mut ZinniaCharacter, usize, c_int, c_int) -> c_int,
    pub result_value: unsafe extern "C" fn(*mut ZinniaResult, usize) -> *const c_char,
    pub result_score: unsafe extern "C" fn(*mut ZinniaResult, usize) -> f32,
    pub result_size: unsafe extern "C" fn(*mut ZinniaResult) -> usize,
    pub result_destroy: unsafe extern "C" fn(*mut ZinniaResult),
}

/// The last `dlerror`, as text.
fn dl_error() -> String {
    // SAFETY: dlerror returns null or a C string valid until the next call.
    let e = unsafe { libc::dlerror() };
    if e.is_null() {
        "未知原因".into()
    } else {
        // SAFETY: non-null, NUL-terminated, copied at once.
        unsafe { CStr::from_ptr(e) }.to_string_lossy().into_owned()
    }
}

/// Looks `name` up in `handle` as a function of type `F` (a function
/// pointer type of the same size as a pointer).
///
/// # Safety
/// `F` must be the C signature of `name` as `zinnia.h` declares it.
unsafe fn symbol<F: Copy>(handle: *mut c_void, name: &str) -> Result<F, String> {
    let c = CString::new(name).map_err(|e| e.to_string())?;
    // SAFETY: a live handle from dlopen and a C string.
    let p = unsafe { libc::dlsym(handle, c.as_ptr()) };
    if p.is_null() {
        return Err(format!("{name}：{}", dl_error()));
    }
    assert_eq!(std::mem::size_of::<F>(), std::mem::size_of::<*mut c_void>());
    // SAFETY: the caller names the symbol's true signature; sizes match.
    Ok(unsafe { std::mem::transmute_copy::<*mut c_void, F>(&p) })
}

fn load() -> Result<Zinnia, String> {
    let name = CString::new(LIBRARY).map_err(|e| e.to_string())?;
    // SAFETY: dlopen with a C string; the handle is kept for the process.
    let handle = unsafe { libc::dlopen(name.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
    if handle.is_null() {
        return Err(dl_error());
    }
    // SAFETY: each type below is the function's declaration in zinnia.h.
    unsafe {
        Ok(Zinnia {
            recognizer_new: symbol(handle, "zinnia_recognizer_new")?,
            recognizer_destroy: symbol(handle, "zinnia_recognizer_destroy")?,
            recognizer_open: symbol(handle, "zinnia_recognizer_open")?,
            recognizer_strerror: symbol(handle, "zinnia_recognizer_strerror")?,
            recognizer_classify: symbol(handle, "zinnia_recognizer_classify")?,
            character_new: symbol(handle, "zinnia_character_new")?,
            character_destroy: symbol(handle, "zinnia_character_destroy")?,
            character_set_width: symbol(handle, "zinnia_character_set_width")?,
            character_set_height: symbol(handle, "zinnia_character_set_height")?,
            character_add: symbol(handle, "zinnia_character_add")?,
            result_value: symbol(handle, "zinnia_result_value")?,
            result_score: symbol(handle, "zinnia_result_score")?,
            result_size: symbol(handle, "zinnia_result_size")?,
            result_destroy: symbol(handle, "zinnia_result_destroy")?,
        })
    }
}

/// Zinnia, loaded at the first call; the reason it could not be.
pub fn zinnia() -> Result<&'static Zinnia, String> {
    static ZINNIA: OnceLock<Result<Zinnia, String>> = OnceLock::new();
    ZINNIA.get_or_init(load).as_ref().map_err(Clone::clone)
}
