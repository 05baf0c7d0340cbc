/// How `recon watch` watches the Inbox.
///
/// The defaults are the product's: a drop is taken once its size and modification
/// time have held still for one second (SPEC §2), the folder is re-checked every
/// 250 ms while a drop is settling or when inotify is unavailable (every 2 s with it, for
/// drops written from another machine into a shared Inbox), and SIGINT or
/// SIGTERM stop the watch after the batch in hand.
public struct WatchOptions: Sendable {
    /// How long a drop's size and modification time must hold still, by the
    /// watcher's own observations, before it is handed over.
    public var stableFor: Duration
    /// The polling period when inotify is unavailable (or `forcePolling` is set),
    /// and the re-check period while a drop is still settling.
    public var pollInterval: Duration
    /// Handle what is in the Inbox (waiting for each drop to settle), then return
    /// instead of waiting for new drops.
    public var once: Bool
    /// Poll the folder even where inotify is available.
    public var forcePolling: Bool
    /// Turn SIGINT and SIGTERM into a stop request (see ``StopSignal``) while
    /// ``InboxWatcher/run(process:)`` runs.
    public var stopOnSignals: Bool
    /// After a batch whose processing failed as a whole (a `recon.toml` being edited, the
    /// writer lock held, damage), how long before its files still in the Inbox are tried
    /// again though unchanged; doubled after each further failure, up to 16 times as long.
    /// The cause is usually fixed outside the Inbox, where no event says so.
    public var retryAfterFailure: Duration
    /// With ``once``: how long a run waits, from its start, for files that keep changing. A
    /// file still being written then is left for the next run: runs from cron never pile up
    /// behind one that waits on a file forever.
    public var onceSettleLimit: Duration = .seconds(10)
    /// With inotify, how often the Inbox is looked at all the same: a drop another machine
    /// writes into a shared Inbox (an NFS or SMB mount) raises no event on this one, and waited
    /// until something happened locally — a month's drops unseen by a running watcher.
    public var sweepInterval: Duration = .seconds(2)

    /// Creates watch options; every argument defaults to the product's setting.
    public init(
        stableFor: Duration = .seconds(1),
        pollInterval: Duration = .milliseconds(250),
        once: Bool = false,
        forcePolling: Bool = false,
        stopOnSignals: Bool = true,
        retryAfterFailure: Duration = .seconds(30)
    ) {
        self.stableFor = stableFor
        self.pollInterval = pollInterval
        self.once = once
        self.forcePolling = forcePolling
        self.stopOnSignals = stopOnSignals
        self.retryAfterFailure = retryAfterFailure
    }
}
