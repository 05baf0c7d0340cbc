import Glibc

/// How far the C library's heaps grow at a time, set once as a command starts.
///
/// By default glibc grows a heap by 128 KB past what is asked: a 10-row drop after a year,
/// whose threads decode six thousand ledger entries into small allocations, grew its heaps
/// in some 1,800 `mprotect` and 160 `brk` calls. Grown 16 MB at a time (address space only:
/// a page counts once it is written), it makes some 200 and 6: a median 0.10 s against
/// 0.11 s, ten drops each in turns, the same peak give or take 2 MB, and the big commands'
/// peaks as they were (1M: 172 MB; 4M: 632 MB). `mallopt` is found by name, as
/// `malloc_trim` is (``FreedMemory``): where the C library has none, nothing is done.
public enum HeapGrowth {
    private typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
    private static let mallopt: MallOpt? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt")
        .map { unsafeBitCast($0, to: MallOpt.self) }
    /// glibc's `M_TOP_PAD` (`malloc.h`): how much more than asked a heap grows by.
    private static let topPad: Int32 = -2

    /// Grows heaps 16 MB at a time; whether the C library has `mallopt` (glibc takes any value).
    @discardableResult
    public static func setUp() -> Bool {
        mallopt?(topPad, 16 << 20) == 1
    }
}
