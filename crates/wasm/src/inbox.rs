//! The runtime's inbox: everything that happens to a running instance (a bridge's
//! event, a bridge call's result, a timer, a message from another tab) is an [`Input`]
//! (the tab's own, `omnisync::tabs`) queued here and handled one at a time.
//!
//! Re-entrancy: a bridge may emit events synchronously while we call it. The state is
//! borrowed only while one input is handled, never while JavaScript runs; an input
//! pushed meanwhile waits in the queue and the pump that is running takes it next.
//!
//! Generic over the state ([`Machine`]) so that the modules that push inputs
//! (`leadership`, `effects`) and the one that handles them (`runtime`) need not import each other.

pub(crate) use omnisync::tabs::Input;
use std::cell::{Cell, RefCell, RefMut};
use std::collections::VecDeque;
use std::rc::Rc;

/// The state an inbox feeds.
pub(crate) trait Machine: Sized {
    /// Handles one input. `state` is the one borrow of the state: release it before
    /// calling JavaScript (a bridge, a listener).
    fn handle(shared: &Rc<Shared<Self>>, state: RefMut<'_, Self>, input: Input);
    /// Whether this instance acts for the agent now.
    fn leads(&self) -> bool;
    /// Whether `stop()` was called.
    fn stopped(&self) -> bool;
}

/// The state and its inbox, shared by the instance, its timers and its callbacks.
pub(crate) struct Shared<S> {
    pub(crate) inner: RefCell<S>,
    inbox: RefCell<VecDeque<Input>>,
    /// A pump is running further up the stack: an input pushed now (from `onUpdate`,
    /// from a bridge called while handling) waits for it, never starts a pump inside
    /// it, so a listener that pushes on every update makes a loop, not a recursion
    /// that exhausts the stack.
    pumping: Cell<bool>,
}

impl<S: Machine> Shared<S> {
    pub(crate) fn new(state: S) -> Rc<Shared<S>> {
        Rc::new(Shared {
            inner: RefCell::new(state),
            inbox: RefCell::new(VecDeque::new()),
            pumping: Cell::new(false),
        })
    }

    /// Whether `stop()` was called (a busy state counts as running).
    pub(crate) fn is_stopped(&self) -> bool {
        self.inner.try_borrow().is_ok_and(|s| s.stopped())
    }

    /// Whether this tab acts for the agent now (a busy state counts as not leading).
    pub(crate) fn is_leading(&self) -> bool {
        self.inner.try_borrow().is_ok_and(|s| s.leads())
    }

    /// Queues an input for the pump that is running (the caller holds the state).
    pub(crate) fn queue(&self, input: Input) {
        self.inbox.borrow_mut().push_back(input);
    }

    /// Drops every queued input (the instance stopped).
    pub(crate) fn clear(&self) {
        self.inbox.borrow_mut().clear();
    }
}

/// Queues an input and handles the queue, unless a pump is already running.
pub(crate) fn push<S: Machine>(shared: &Rc<Shared<S>>, input: Input) {
    shared.queue(input);
    pump(shared);
}

/// Handles queued inputs one at a time, unless a pump is already running.
fn pump<S: Machine>(shared: &Rc<Shared<S>>) {
    if shared.pumping.replace(true) {
        return;
    }
    drain(shared);
    shared.pumping.set(false);
}

fn drain<S: Machine>(shared: &Rc<Shared<S>>) {
    loop {
        let Some(input) = shared.inbox.borrow_mut().pop_front() else {
            break;
        };
        let Ok(state) = shared.inner.try_borrow_mut() else {
            // Called from inside a bridge call: the outer pump handles it next.
            shared.inbox.borrow_mut().push_front(input);
            return;
        };
        S::handle(shared, state, input);
    }
}
