//! The few functions of Zinnia's C API (`zinnia.h`) the recognizer calls.

use std::ffi::{c_char, c_int};

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

#[link(name = "zinnia")]
unsafe extern "C" {
    pub fn zinnia_recognizer_new() -> *mut ZinniaRecognizer;
    pub fn zinnia_recognizer_destroy(r: *mut ZinniaRecognizer);
    pub fn zinnia_recognizer_open(r: *mut ZinniaRecognizer, filename: *const c_char) -> c_int;
    pub fn zinnia_recognizer_strerror(r: *mut ZinniaRecognizer) -> *const c_char;
    pub fn zinnia_recognizer_classify(
        r: *mut ZinniaRecognizer,
        c: *const ZinniaCharacter,
        nbest: usize,
    ) -> *mut ZinniaResult;

    pub fn zinnia_character_new() -> *mut ZinniaCharacter;
    pub fn zinnia_character_destroy(c: *mut ZinniaCharacter);
    pub fn zinnia_character_set_width(c: *mut ZinniaCharacter, width: usize);
    pub fn zinnia_character_set_height(c: *mut ZinniaCharacter, height: usize);
    pub fn zinnia_character_add(c: *mut ZinniaCharacter, id: usize, x: c_int, y: c_int) -> c_int;

    pub fn zinnia_result_value(r: *mut ZinniaResult, i: usize) -> *const c_char;
    pub fn zinnia_result_score(r: *mut ZinniaResult, i: usize) -> f32;
    pub fn zinnia_result_size(r: *mut ZinniaResult) -> usize;
    pub fn zinnia_result_destroy(r: *mut ZinniaResult);
}
