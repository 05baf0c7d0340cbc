import Glibc

/// Fresh memory about to be written front to back, faulted in on another core first. A
/// million reports decoded from a cache fill some 90 MB of new pages, and the kernel
/// zeroing them one fault at a time was a quarter of the decoding's time, on the one core
/// that decodes.
enum PagesAhead {
    /// Linux's `MADV_POPULATE_WRITE` (5.14 and later): the range is faulted in as if written.
    /// An older kernel refuses it, which leaves the faults to the writer, as without it.
    private static let populateWrite: Int32 = 23

    /// Starts faulting in the whole pages of `region` (8 MB or more; less is not worth a
    /// thread). The region must outlive the work: wait for it before freeing the region.
    ///
    /// The pages stay the kernel's small ones. Advised as 2 MB pages, the month's rows were
    /// faulted in faster by commands run back to back, but a command run after 20 seconds
    /// idle took three times as long for them: on a virtual machine, the large free blocks a
    /// huge page comes from are the ones handed back to the host, which must find and zero
    /// them again.
    static func populate(_ region: UnsafeMutableRawBufferPointer) -> BackgroundWork<Void>? {
        guard region.count >= 8 << 20, let pages = wholePages(in: region, of: Int(sysconf(Int32(_SC_PAGESIZE)))) else { return nil }
        return BackgroundWork { _ = madvise(UnsafeMutableRawPointer(bitPattern: pages.lowerBound), pages.count, populateWrite) }
    }

    /// The addresses of the whole pages of `size` bytes (a power of two) that lie inside
    /// `region`: advice given for a page covers all of it; nil when there is none.
    private static func wholePages(in region: UnsafeMutableRawBufferPointer, of size: Int) -> Range<Int>? {
        guard let base = region.baseAddress else { return nil }
        let start = (Int(bitPattern: base) + size - 1) / size * size
        let end = (Int(bitPattern: base) + region.count) / size * size
        return end > start ? start..<end : nil
    }
}
