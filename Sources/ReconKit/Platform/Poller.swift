import Glibc

/// Blocking until one of a few descriptors has something to read.
public enum Poller {
    /// Returns when one of `descriptors` is readable, after `milliseconds` (-1: no limit),
    /// or when a signal interrupts the wait; the caller looks again in every case (`poll`).
    public static func waitForInput(on descriptors: [Int32], milliseconds: Int32) {
        var entries = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        _ = poll(&entries, nfds_t(entries.count), milliseconds)
    }
}
