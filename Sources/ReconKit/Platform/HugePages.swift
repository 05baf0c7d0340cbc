import Glibc

/// Large fresh memory backed by 2 MB pages where the kernel allows it (Linux's transparent huge
/// pages in `madvise` mode, Debian's default). A million reports fill some 90 MB: in 4 KB pages
/// that is 22,000 page faults, each taken, zeroed and put on the kernel's lists one at a time,
/// and 22,000 translations for the passes that read the rows out of order.
enum HugePages {
    /// Linux's `MADV_HUGEPAGE`. A kernel without transparent huge pages refuses it, and the
    /// memory stays in small pages, as without it.
    private static let hugePage: Int32 = 14
    private static let size = 2 << 20

    /// Asks for the whole 2 MB pages inside `region` (4 MB or more) to be huge ones when they
    /// are first written. Advice only: nothing is written and nothing fails.
    static func advise(_ region: UnsafeMutableRawBufferPointer) {
        guard region.count >= 2 * size, let pages = PagesAhead.wholePages(in: region, of: size) else { return }
        _ = madvise(UnsafeMutableRawPointer(bitPattern: pages.lowerBound), pages.count, hugePage)
    }

    static func advise<T>(_ buffer: UnsafeMutableBufferPointer<T>) {
        advise(UnsafeMutableRawBufferPointer(buffer))
    }
}
