//! The idle rules, as plain logic: when nobody has touched the screen for
//! a while the kiosk goes home (search cleared, 大字/高对比 back to the
//! defaults), later to the attract loop whose slides turn. Whatever is
//! left of someone is wiped only after a countdown on the screen: a
//! half-filled application gets its own warning, any other page
//! 还剩 N 秒 before it goes home.

use std::time::{Duration, Instant};

use crate::config::{ApplicationsConfig, KioskConfig};

/// How often the attract loop turns a slide.
pub const SLIDE_SECS: u64 = 8;

/// Seconds of countdown shown before an idle page goes home (at most half
/// the idle time, so a short `idle.reset_after_secs` still leaves a
/// stretch with nothing on the screen).
pub const RESET_WARNING_SECS: u64 = 30;

/// Where the citizen is, as far as the idle rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whereabouts {
    /// The attract loop is showing.
    Attract,
    /// A half-filled application is open.
    Form(FormIdle),
    /// Home, with nothing of the last person left on it.
    CleanHome,
    /// Anywhere else (home with a search typed or 大字 on included).
    Elsewhere,
}

/// The clocks of a half-filled form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormIdle {
    pub warn_after_secs: u64,
    pub wipe_after_secs: u64,
    /// Whether the warning is on the screen now.
    pub warning_shown: bool,
}

impl FormIdle {
    /// The form's clocks: staff filling it in for someone get longer, and
    /// the warning comes as long before the wipe as it does for citizens.
    pub fn of(config: &ApplicationsConfig, staff_assisted: bool, warning_shown: bool) -> FormIdle {
        let wipe = if staff_assisted {
            config.staff_wipe_after_secs
        } else {
            config.wipe_after_secs
        };
        let lead = config
            .wipe_after_secs
            .saturating_sub(config.warn_after_secs)
            .min(wipe);
        FormIdle {
            warn_after_secs: wipe - lead,
            wipe_after_secs: wipe,
            warning_shown,
        }
    }
}

/// What the idle rules ask for at this tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdleAction {
    Nothing,
    /// The attract loop's next slide.
    TurnSlide,
    /// "您还在填写吗？" with the seconds left.
    WarnForm {
        secs_left: u64,
    },
    /// Someone touched the screen: the warning goes.
    HideWarning,
    /// "还剩 N 秒，点击任意处继续": the page is about to go home.
    WarnReset {
        secs_left: u64,
    },
    /// The half-filled form is wiped and the kiosk goes home.
    WipeForm,
    /// Home for the next person.
    ResetHome,
    /// The next person is not here yet: the attract loop.
    Attract,
}

/// The time of the last touch and of the last slide.
#[derive(Debug, Clone)]
pub struct IdleClock {
    reset_after: Duration,
    attract_after: Duration,
    last_touch: Instant,
    last_slide: Instant,
}

impl IdleClock {
    pub fn new(config: &KioskConfig, now: Instant) -> IdleClock {
        IdleClock {
            reset_after: Duration::from_secs(config.reset_after_secs),
            attract_after: Duration::from_secs(config.attract_after_secs),
            last_touch: now,
            last_slide: now,
        }
    }

    /// How long before going home the countdown shows.
    fn reset_warning(&self) -> Duration {
        Duration::from_secs(RESET_WARNING_SECS).min(self.reset_after / 2)
    }

    /// A touch: the idle time starts again.
    pub fn touched(&mut self, now: Instant) {
        self.last_touch = now;
    }

    /// The idle rules at `now` for a citizen `at` somewhere.
    pub fn tick(&mut self, now: Instant, at: Whereabouts) -> IdleAction {
        let idle = now.saturating_duration_since(self.last_touch);
        match at {
            Whereabouts::Attract => {
                if now.saturating_duration_since(self.last_slide) >= Duration::from_secs(SLIDE_SECS)
                {
                    self.last_slide = now;
                    IdleAction::TurnSlide
                } else {
                    IdleAction::Nothing
                }
            }
            Whereabouts::Form(f) => {
                let secs = idle.as_secs();
                if secs >= f.wipe_after_secs {
                    IdleAction::WipeForm
                } else if secs >= f.warn_after_secs {
                    IdleAction::WarnForm {
                        secs_left: f.wipe_after_secs - secs,
                    }
                } else if f.warning_shown {
                    IdleAction::HideWarning
                } else {
                    IdleAction::Nothing
                }
            }
            Whereabouts::CleanHome | Whereabouts::Elsewhere if idle >= self.attract_after => {
                self.last_slide = now;
                IdleAction::Attract
            }
            Whereabouts::Elsewhere if idle >= self.reset_after => IdleAction::ResetHome,
            Whereabouts::Elsewhere if idle >= self.reset_after - self.reset_warning() => {
                IdleAction::WarnReset {
                    secs_left: (self.reset_after - idle).as_secs_f64().ceil() as u64,
                }
            }
            _ => IdleAction::Nothing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock() -> (IdleClock, Instant) {
        let now = Instant::now();
        (IdleClock::new(&KioskConfig::default(), now), now)
    }

    /// The action after `secs` without a touch, somewhere.
    fn check(secs: u64, at: Whereabouts, expected: IdleAction) {
        let (mut c, t0) = clock();
        assert_eq!(
            c.tick(t0 + Duration::from_secs(secs), at),
            expected,
            "{secs}s at {at:?}"
        );
    }

    fn form(staff: bool, warning_shown: bool) -> Whereabouts {
        Whereabouts::Form(FormIdle::of(
            &ApplicationsConfig::default(),
            staff,
            warning_shown,
        ))
    }

    #[test]
    fn home_then_the_attract_loop() {
        // Defaults: home after 120 s (a countdown from 90 s), the attract
        // loop after 300 s.
        check(89, Whereabouts::Elsewhere, IdleAction::Nothing);
        check(
            90,
            Whereabouts::Elsewhere,
            IdleAction::WarnReset { secs_left: 30 },
        );
        check(
            119,
            Whereabouts::Elsewhere,
            IdleAction::WarnReset { secs_left: 1 },
        );
        check(119, Whereabouts::CleanHome, IdleAction::Nothing);
        check(120, Whereabouts::Elsewhere, IdleAction::ResetHome);
        check(120, Whereabouts::CleanHome, IdleAction::Nothing);
        check(299, Whereabouts::CleanHome, IdleAction::Nothing);
        check(300, Whereabouts::CleanHome, IdleAction::Attract);
        check(300, Whereabouts::Elsewhere, IdleAction::Attract);
    }

    #[test]
    fn the_countdown_before_going_home_is_at_most_half_the_idle_time() {
        let now = Instant::now();
        let config = KioskConfig {
            reset_after_secs: 20,
            attract_after_secs: 300,
            ..KioskConfig::default()
        };
        let at = |secs| {
            let mut c = IdleClock::new(&config, now);
            c.tick(now + Duration::from_secs(secs), Whereabouts::Elsewhere)
        };
        assert_eq!(at(9), IdleAction::Nothing);
        assert_eq!(at(10), IdleAction::WarnReset { secs_left: 10 });
        assert_eq!(at(20), IdleAction::ResetHome);
        // Part seconds round up: 0.5 s left still shows 1.
        let mut c = IdleClock::new(&config, now);
        assert_eq!(
            c.tick(now + Duration::from_millis(19_500), Whereabouts::Elsewhere),
            IdleAction::WarnReset { secs_left: 1 }
        );
    }

    #[test]
    fn a_touch_starts_the_clock_again() {
        let (mut c, t0) = clock();
        c.touched(t0 + Duration::from_secs(100));
        assert_eq!(
            c.tick(t0 + Duration::from_secs(189), Whereabouts::Elsewhere),
            IdleAction::Nothing
        );
        assert_eq!(
            c.tick(t0 + Duration::from_secs(220), Whereabouts::Elsewhere),
            IdleAction::ResetHome
        );
    }

    #[test]
    fn slides_turn_every_few_seconds() {
        let (mut c, t0) = clock();
        let at = |s| t0 + Duration::from_secs(s);
        assert_eq!(
            c.tick(at(SLIDE_SECS - 1), Whereabouts::Attract),
            IdleAction::Nothing
        );
        assert_eq!(
            c.tick(at(SLIDE_SECS), Whereabouts::Attract),
            IdleAction::TurnSlide
        );
        assert_eq!(
            c.tick(at(SLIDE_SECS + 1), Whereabouts::Attract),
            IdleAction::Nothing
        );
        assert_eq!(
            c.tick(at(2 * SLIDE_SECS), Whereabouts::Attract),
            IdleAction::TurnSlide
        );
        // Entering the loop starts the slide clock.
        let (mut c, t0) = clock();
        assert_eq!(
            c.tick(t0 + Duration::from_secs(400), Whereabouts::Elsewhere),
            IdleAction::Attract
        );
        assert_eq!(
            c.tick(
                t0 + Duration::from_secs(400 + SLIDE_SECS - 1),
                Whereabouts::Attract
            ),
            IdleAction::Nothing
        );
    }

    #[test]
    fn a_half_filled_form_is_warned_then_wiped() {
        // Defaults: the warning at 90 s, the wipe at 120 s; for staff 600 s
        // with the warning the same 30 s before.
        check(89, form(false, false), IdleAction::Nothing);
        check(89, form(false, true), IdleAction::HideWarning);
        check(
            90,
            form(false, false),
            IdleAction::WarnForm { secs_left: 30 },
        );
        check(
            119,
            form(false, true),
            IdleAction::WarnForm { secs_left: 1 },
        );
        check(120, form(false, true), IdleAction::WipeForm);
        check(569, form(true, false), IdleAction::Nothing);
        check(
            570,
            form(true, false),
            IdleAction::WarnForm { secs_left: 30 },
        );
        check(600, form(true, true), IdleAction::WipeForm);
        // The form's clocks replace the page's: no attract loop over a form.
        check(400, form(true, false), IdleAction::Nothing);
    }

    #[test]
    fn a_warning_longer_than_the_wipe_starts_at_once() {
        let cfg = ApplicationsConfig {
            warn_after_secs: 0,
            wipe_after_secs: 120,
            staff_wipe_after_secs: 60,
            ..ApplicationsConfig::default()
        };
        let f = FormIdle::of(&cfg, true, false);
        assert_eq!((f.warn_after_secs, f.wipe_after_secs), (0, 60));
    }
}
