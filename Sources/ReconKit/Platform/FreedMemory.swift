import Glibc

/// Memory a phase freed, handed back to the system before the next phase allocates its own.
///
/// glibc keeps what a thread frees in that thread's arena: after the pricing's two threads
/// end, their freed working memory still counts as resident, and the index encoder's and the
/// workbooks' threads allocate beside it rather than in it. `malloc_trim` returns the free
/// pages of every arena (a few milliseconds). It is not in the Glibc module's headers, so it
/// is found by name; where the C library has none, nothing is done.
enum FreedMemory {
    private typealias Trim = @convention(c) (Int) -> Int32
    private static let trim: Trim? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim")
        .map { unsafeBitCast($0, to: Trim.self) }

    /// Whether the C library has `malloc_trim` (glibc does).
    static var isAvailable: Bool { trim != nil }

    static func giveBack() {
        _ = trim?(0)
    }
}
