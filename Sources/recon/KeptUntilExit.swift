/// What a one-shot command built, left to the process's exit instead of torn down piece by
/// piece: freeing a site's state (a million reports, a year of ledger entries) one object at
/// a time takes longer than the kernel takes to drop the whole address space at exit
/// (0.01–0.03 s of a `status`). The watcher, which runs on, never keeps its sessions.
nonisolated(unsafe) private var keptUntilExit: [AnyObject] = []

/// Keeps `object` alive until the process exits.
func keepUntilExit(_ object: AnyObject) { keptUntilExit.append(object) }
