//! Characters written stroke by stroke, as a finger would on a 300×300
//! pad (x to the right, y down), recognised by the real Zinnia model.

use std::path::Path;

use handwriting::{DEFAULT_MODEL, GUESSES, Ink, Point, Recognizer, known_first};

/// Ink from strokes written as `x,y x,y …`, strokes separated by `;`.
fn ink(strokes: &str) -> Ink {
    let mut ink = Ink::new(300.0, 300.0);
    for stroke in strokes.split(';') {
        let points: Vec<Point> = stroke
            .split_whitespace()
            .map(|xy| {
                let (x, y) = xy.split_once(',').expect("x,y");
                Point {
                    x: x.parse().unwrap(),
                    y: y.parse().unwrap(),
                }
            })
            .collect();
        let (first, rest) = points.split_first().expect("a point");
        ink.pen_down(*first, 300.0, 300.0);
        for p in rest {
            ink.pen_move(*p);
        }
    }
    ink
}

fn recognizer() -> Recognizer {
    Recognizer::open(Path::new(DEFAULT_MODEL)).expect("the model (scripts/setup.sh installs it)")
}

#[test]
fn characters_written_stroke_by_stroke_are_recognised_first() {
    let r = recognizer();
    // (character, its strokes in writing order)
    let written = [
        ("一", "40,150 150,148 260,150"),
        ("二", "80,100 220,100;40,210 260,210"),
        ("三", "70,70 230,70;90,150 210,150;40,240 260,240"),
        ("十", "40,140 150,140 260,140;150,30 150,150 150,280"),
        (
            "大",
            "40,120 150,120 260,120;150,40 145,130 120,200 50,270;150,130 200,200 270,260",
        ),
        (
            "王",
            "60,60 150,60 240,60;80,150 150,150 220,150;150,60 150,160 150,250;40,250 150,250 260,250",
        ),
        (
            "土",
            "70,120 150,120 230,120;150,30 150,150 150,250;40,250 150,250 260,250",
        ),
        (
            "工",
            "70,60 150,60 230,60;150,60 150,150 150,250;40,250 150,250 260,250",
        ),
        (
            "日",
            "80,40 80,150 80,270;80,40 220,40 220,270;80,150 220,150;80,265 220,265",
        ),
        (
            "木",
            "40,110 150,110 260,110;150,30 150,150 150,290;145,115 100,200 40,260;155,115 200,200 260,250",
        ),
        (
            "小",
            "150,30 150,150 150,270 130,255;80,120 50,210;210,110 260,200",
        ),
        (
            "上",
            "130,40 130,150 130,250;130,140 180,140 230,140;40,250 150,250 260,250",
        ),
        (
            "下",
            "40,60 150,60 260,60;150,60 150,160 150,280;160,130 220,180",
        ),
        (
            "月",
            "90,40 90,150 80,250 40,280;90,40 210,40 210,150 210,260 190,280;90,120 210,120;90,190 210,190",
        ),
    ];
    let mut wrong = Vec::new();
    for (want, strokes) in written {
        let guesses = r.recognize(&ink(strokes), GUESSES);
        assert!(!guesses.is_empty(), "{want}: no guess");
        assert!(
            guesses.windows(2).all(|w| w[0].score >= w[1].score),
            "{want}: guesses not by likeness"
        );
        if guesses[0].text != want {
            let got: Vec<&str> = guesses.iter().take(5).map(|g| g.text.as_str()).collect();
            wrong.push(format!("{want}: {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "not first:\n{}", wrong.join("\n"));
}

#[test]
fn a_shape_two_characters_share_goes_to_the_one_the_terminal_uses() {
    let r = recognizer();
    // 口 and the enclosure radical 囗 look alike; the model prefers 囗.
    let guesses = r.recognize(
        &ink("90,90 90,150 90,210;90,90 150,90 210,90 210,150 210,210;90,205 210,205"),
        GUESSES,
    );
    let texts: Vec<&str> = guesses.iter().map(|g| g.text.as_str()).collect();
    assert_eq!(texts.first(), Some(&"囗"), "{texts:?}");
    assert!(texts.contains(&"口"), "{texts:?}");
    // A vocabulary that has 口 (人口, 出口) and not 囗 puts 口 first.
    let ranked = known_first(guesses, |t| "人口出口户口".contains(t));
    assert_eq!(ranked[0].text, "口");
}

#[test]
fn an_empty_pad_guesses_nothing() {
    let r = recognizer();
    assert!(r.recognize(&Ink::new(300.0, 300.0), GUESSES).is_empty());
    assert!(r.recognize(&ink("10,10 20,20"), 0).is_empty());
}
