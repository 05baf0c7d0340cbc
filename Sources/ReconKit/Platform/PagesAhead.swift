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
        guard let base = region.baseAddress, region.count >= 8 << 20 else { return nil }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (Int(bitPattern: base) + page - 1) / page * page
        let end = (Int(bitPattern: base) + region.count) / page * page
        guard end > start else { return nil }
        return BackgroundWork { _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, populateWrite) }
    }
}
