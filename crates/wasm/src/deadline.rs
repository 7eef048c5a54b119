//! Deadlines for the bridge calls in flight, all served by one timer.
//!
//! A timer of its own per call (a promise, two closures and a `setTimeout` per command)
//! was most of what a command allocated in JavaScript, and so most of the garbage
//! collector's pauses on the event-to-command path. Here a call's deadline is an entry
//! in a list; one `setTimeout`, armed for the earliest entry, marks the overdue ones and
//! wakes their tasks. A call answered in time removes its entry when dropped.

use crate::interop::timer_ms;
use gloo_timers::callback::Timeout;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

struct Entry {
    id: u64,
    at: f64,
    expired: bool,
    waker: Option<Waker>,
}

struct Deadlines {
    entries: Vec<Entry>,
    /// The timer and the time it is armed for.
    armed: Option<(f64, Timeout)>,
    next_id: u64,
}

thread_local! {
    static DEADLINES: RefCell<Deadlines> = const {
        RefCell::new(Deadlines {
            entries: Vec::new(),
            armed: None,
            next_id: 0,
        })
    };
}

/// Ready once `ms` milliseconds have passed since it was made.
pub(crate) struct Deadline {
    id: u64,
}

impl Deadline {
    pub(crate) fn after(ms: u32) -> Deadline {
        let now = js_sys::Date::now();
        let at = now + f64::from(ms);
        let (id, next) = DEADLINES.with_borrow_mut(|d| {
            d.next_id += 1;
            let id = d.next_id;
            d.entries.push(Entry {
                id,
                at,
                expired: false,
                waker: None,
            });
            (id, due(d))
        });
        // The timer is made with the list released: a call into JavaScript cut off
        // there (an exhausted stack) must not leave the list borrowed for ever.
        if let Some(next) = next {
            let timeout = Timeout::new(timer_ms(next - now), fire);
            DEADLINES.with_borrow_mut(|d| d.armed = Some((next, timeout)));
        }
        Deadline { id }
    }
}

impl Future for Deadline {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        DEADLINES.with_borrow_mut(|d| match d.entries.iter_mut().find(|e| e.id == self.id) {
            Some(entry) if !entry.expired => {
                entry.waker = Some(cx.waker().clone());
                Poll::Pending
            }
            _ => Poll::Ready(()),
        })
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        // Never while the list is borrowed: drops happen in tasks, not in `fire`.
        let _ = DEADLINES.try_with(|cell| {
            if let Ok(mut d) = cell.try_borrow_mut() {
                d.entries.retain(|e| e.id != self.id);
                if d.entries.is_empty() {
                    d.armed = None;
                }
            }
        });
    }
}

/// When the timer must be armed for, if it is not armed for that already.
fn due(d: &mut Deadlines) -> Option<f64> {
    let next = d
        .entries
        .iter()
        .filter(|e| !e.expired)
        .fold(f64::INFINITY, |next, e| next.min(e.at));
    if next == f64::INFINITY {
        d.armed = None;
        return None;
    }
    if d.armed.as_ref().is_some_and(|(at, _)| *at <= next) {
        return None;
    }
    Some(next)
}

/// Arms the timer for the earliest waiting entry, unless it is armed for it already.
fn arm(d: &mut Deadlines) {
    if let Some(next) = due(d) {
        let delay = timer_ms(next - js_sys::Date::now());
        d.armed = Some((next, Timeout::new(delay, fire)));
    }
}

/// Marks what is overdue, re-arms for the rest, then wakes the overdue tasks (after the
/// list is released: a woken task may make or drop a deadline).
fn fire() {
    let wakers: Vec<Waker> = DEADLINES.with_borrow_mut(|d| {
        d.armed = None;
        let now = js_sys::Date::now();
        let wakers = d
            .entries
            .iter_mut()
            .filter(|e| !e.expired && e.at <= now)
            .filter_map(|e| {
                e.expired = true;
                e.waker.take()
            })
            .collect();
        arm(d);
        wakers
    });
    wakers.into_iter().for_each(Waker::wake);
}
