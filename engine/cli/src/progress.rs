//! A progress line on standard error for long scans, when it is a terminal: silent in CI,
//! in pipes and with `--quiet`, and on scans that finish before it would appear.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// Nothing is shown for scans shorter than this.
const DELAY: Duration = Duration::from_millis(400);
const TICK: Duration = Duration::from_millis(100);

pub struct Progress {
    done: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts showing progress over `total` files when `show` (stderr is a terminal and
    /// the user did not ask for quiet); otherwise only counts.
    pub fn start(total: usize, show: bool) -> Progress {
        let done = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = show.then(|| {
            let (done, stop) = (Arc::clone(&done), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut waited = Duration::ZERO;
                let mut shown = false;
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(TICK);
                    waited += TICK;
                    if waited >= DELAY {
                        let n = done.load(Ordering::Relaxed).min(total);
                        let _ = write!(std::io::stderr(), "\r\x1b[2Kscanning: {n}/{total} files");
                        shown = true;
                    }
                }
                if shown {
                    let _ = write!(std::io::stderr(), "\r\x1b[2K");
                }
            })
        });
        Progress { done, stop, thread }
    }

    /// What the scan increments per file it finishes.
    pub fn counter(&self) -> &AtomicUsize {
        &self.done
    }

    /// Stops and clears the line, before any report is written.
    pub fn finish(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
