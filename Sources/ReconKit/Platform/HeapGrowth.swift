import Foundation
import Glibc

/// How far the C library's heaps grow at a time, set once as a command starts, and the main
/// heap's first growth faulted in on another core.
///
/// By default glibc grows a heap by 128 KB past what is asked: a 10-row drop after a year,
/// whose threads decode six thousand ledger entries into small allocations, grew its heaps
/// in some 1,800 `mprotect` and 160 `brk` calls. Grown 16 MB at a time (address space only:
/// a page counts once it is written), it makes some 200 and 6: a median 0.10 s against
/// 0.11 s, ten drops each in turns, the same peak give or take 2 MB, and the big commands'
/// peaks as they were (1M: 172 MB; 4M: 632 MB). `mallopt` is found by name, as
/// `malloc_trim` is (``FreedMemory``): where the C library has none, nothing is done.
///
/// The pages of those first 16 MB were then faulted in one at a time by the thread that
/// reads the ledger and replays it, the kernel zeroing each: half of that drop's 10,000 page
/// faults, on its busiest core. A command starts on one core with the other idle, so the
/// main heap is grown by its pad at once and the other core faults the pad in
/// (``PagesAhead``): some 5,500 faults, a median 0.095 s against 0.103 s (sixteen drops
/// each, in turns); the drop's peak 2–3 MB higher, a `status`'s 10 MB (the pad is resident
/// whether it is used or not).
public enum HeapGrowth {
    private typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
    private static let mallopt: MallOpt? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt")
        .map { unsafeBitCast($0, to: MallOpt.self) }
    /// glibc's `M_TOP_PAD` (`malloc.h`): how much more than asked a heap grows by.
    private static let topPad: Int32 = -2
    private static let pad = 16 << 20

    /// Grows heaps 16 MB at a time; whether the C library has `mallopt` (glibc takes any value).
    /// `faultingIn`: grow the main heap now, and fault the growth in on another core.
    @discardableResult
    public static func setUp(faultingIn: Bool = true) -> Bool {
        guard mallopt?(topPad, Int32(pad)) == 1 else { return false }
        if faultingIn { _ = growMainHeap() }
        return true
    }

    /// Grows the main heap by its pad (blocks taken from it until it grows, then given back:
    /// they join its free top, which glibc keeps up to the pad) and starts faulting in what it
    /// grew by. The region returned, with the work, is the heap's own: never written here.
    /// Only the main thread allocates from the main heap: on any other, nothing is done.
    static func growMainHeap() -> (region: UnsafeMutableRawBufferPointer, faulting: BackgroundWork<Void>?)? {
        guard Thread.isMainThread, let before = sbrk(0), before != UnsafeMutableRawPointer(bitPattern: -1) else { return nil }
        // Below glibc's smallest threshold for a block of its own mapping (128 KB): from the heap.
        let block = 64 << 10
        var blocks: [UnsafeMutableRawPointer] = []
        blocks.reserveCapacity(pad / block + 2)
        while sbrk(0) == before && blocks.count <= pad / block + 1, let b = malloc(block) {
            blocks.append(b)
        }
        // Given back last first, each joins the free top as it goes.
        for b in blocks.reversed() { free(b) }
        guard let after = sbrk(0), after > before else { return nil }
        let region = UnsafeMutableRawBufferPointer(start: before, count: after - before)
        return (region, PagesAhead.populate(region))
    }
}
