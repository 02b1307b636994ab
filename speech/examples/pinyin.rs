//! Prints, for each line of standard input, what is said (hanzi) and the
//! pinyin espeak-ng is given: for checking the word table
//! (`data/polyphones.txt`) against real content.
//!
//!     cargo run -p speech --example pinyin < document.md

use std::io::BufRead;

fn main() {
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        if line.trim().is_empty() {
            continue;
        }
        println!(
            "{}\n  {}\n  {}",
            line,
            speech::spoken_text(&line),
            speech::pinyin_of(&line)
        );
    }
}
