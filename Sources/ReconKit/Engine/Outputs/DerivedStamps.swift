import Foundation
import Glibc

/// The size and modification time of each derived workbook as recon last wrote it
/// (`.recon/derived.stamps`), so a writer can tell a closed period's review, or the margin
/// summary, that is no longer the one it wrote: an older copy put back with a restore of
/// `Outbox/` (the open month's draft review, a flag undecided and "blocks close: yes", standing
/// for a month closed since) passed every check, as only a missing one was looked for.
///
/// Nothing the ledger vouches for rests on it: a lost or forged file only costs a workbook
/// written again, or one written by a recon that kept no stamps taken as it is. So it is
/// written without a sync (a few lines, once a workbook is written). Not the inode or the
/// status-change time: a site copied whole (`cp -a`, a backup put back whole) keeps sizes and
/// times, and its workbooks are the ones recon wrote; an older copy has an older time.
public struct DerivedStamps {
    let site: Site

    var path: String { site.path(".recon/derived.stamps") }

    /// Relative path → the stamp recorded for it.
    func recorded() -> [String: String] {
        guard let bytes = try? FileIO.read(path, followingLinks: false) else { return [:] }
        var out: [String: String] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            guard let tab = line.firstIndex(of: "\t") else { continue }
            out[String(line[..<tab])] = String(line[line.index(after: tab)...])
        }
        return out
    }

    /// Whether the workbook at `relative` is there and is not the one recon last wrote (or,
    /// with no stamp kept for it, never: the first writer keeps its stamp, ``keep(_:entries:)``).
    func isReplaced(_ relative: String, recorded: [String: String]) -> Bool {
        guard let kept = recorded[relative], Self.isOwnForm(kept) else { return false }
        // A link, FIFO or folder in its place is not what recon wrote: one to a forged review passed.
        guard let now = Self.mark(site.path(relative)) else { return FileStatus.of(site.path(relative)) != nil }
        return now != Self.sizeAndTime(kept)
    }

    /// Whether a closed period's review at `relative`, there, was written before the entry that
    /// last settled its period (`settledAt`: its `period.closed`, or its latest `rerun`), by the
    /// ledger's length its stamp records — or has no stamp at all: a draft review restored with
    /// `.recon/` from a backup taken before the close, or kept when the stamps were lost, stood
    /// for the final one for good ("blocks close: yes" for a flag the ledger decided). A stamp of
    /// an earlier build, which kept no length, is taken as it is.
    func isStaleReview(_ relative: String, settledAt: Int, recorded: [String: String]) -> Bool {
        guard FileStatus.of(site.path(relative)) != nil else { return false }
        guard let kept = recorded[relative] else { return true }
        let parts = kept.split(separator: " ")
        guard parts.count == 3, let entries = Int(parts[2]) else { return false }
        return entries < settledAt
    }

    /// The size and time of a kept stamp, without the ledger length a review's carries.
    static func sizeAndTime(_ stamp: String) -> String {
        stamp.split(separator: " ").prefix(2).joined(separator: " ")
    }

    /// The closed periods' review workbooks, the open periods' drafts and draft reviews, and the
    /// margin summary that are not the ones recon last wrote (``isReplaced(_:recorded:)``): what
    /// the next writing command writes again.
    /// Nothing when this user cannot record stamps: those kept are then stale after every write.
    /// `settledAt`: each closed period's settling entry, whose review must have been written after it.
    public static func replaced(in site: Site, closed: [Period], open: [Period], settledAt: [Period: Int] = [:]) -> [String] {
        let stamps = DerivedStamps(site: site), kept = stamps.recorded()
        guard stamps.canKeep else { return [] }
        let staleReviews = closed.sorted().filter { period in
            settledAt[period].map { stamps.isStaleReview(DerivedOutput.reviewPath(period), settledAt: $0, recorded: kept) } ?? false
        }.map(DerivedOutput.reviewPath)
        return (closed.sorted().map(DerivedOutput.reviewPath) + open.sorted().flatMap(DerivedOutput.draftPaths)
                + [MarginSummaryWriter.relative])
            .filter { stamps.isReplaced($0, recorded: kept) || staleReviews.contains($0) }
    }

    /// Whether any workbook with a stamp kept is no longer the one recon last wrote: `status`
    /// then takes the long way, which names it (its kept figures held, and said nothing).
    /// Stamps lost (no file) send it the long way too: a closed review with no stamp may be a draft.
    static func anyReplaced(in site: Site) -> Bool {
        let stamps = DerivedStamps(site: site), kept = stamps.recorded()
        guard stamps.canKeep else { return false }
        return FileStatus.of(stamps.path) == nil || kept.keys.contains { stamps.isReplaced($0, recorded: kept) }
    }

    /// The open periods' drafts and draft reviews to write again: those not the ones recon last
    /// wrote (when this user can record what it writes: else every command wrote them again),
    /// and those missing. An older copy put back with `Outbox/` alone left out the month's
    /// latest drops and decisions until the next ingest or decision.
    static func staleDrafts(in site: Site, open: [Period]) -> (replaced: [String], missing: [String]) {
        let stamps = DerivedStamps(site: site), kept = stamps.recorded(), canKeep = stamps.canKeep
        let paths = open.sorted().flatMap(DerivedOutput.draftPaths)
        let missing = missingDrafts(in: site, open: open)
        return (canKeep ? paths.filter { !missing.contains($0) && stamps.isReplaced($0, recorded: kept) } : [], missing)
    }

    /// The open periods' drafts and draft reviews not there (deleted, or left out of a restore):
    /// the next writer writes them again, and `status` says so meanwhile.
    public static func missingDrafts(in site: Site, open: [Period]) -> [String] {
        open.sorted().flatMap(DerivedOutput.draftPaths).filter { FileStatus.of(site.path($0)) == nil }
    }

    /// Whether a recorded stamp is in the form this build keeps, `SIZE SECONDS`: one an earlier
    /// build kept otherwise (its times to the nanosecond) had every workbook it wrote taken for
    /// an older copy put back, on the first command after the upgrade. Such a one is kept anew.
    static func isOwnForm(_ stamp: String) -> Bool {
        let parts = stamp.split(separator: " ", omittingEmptySubsequences: false)
        return (parts.count == 2 || parts.count == 3) && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
    }

    /// `SIZE MTIME` of the regular file at `path`, the time in whole seconds (`tar` keeps no
    /// more, and a site restored whole from one was taken for older copies), nil when there is none.
    static func mark(_ path: String) -> String? {
        FileStamp.of(path).map { "\($0.size) \($0.modified.seconds)" }
    }

    /// Whether this user can record stamps: one that cannot (a `.recon/` left root's) found every
    /// closed review "replaced" on every command, and wrote them all again each time.
    var canKeep: Bool {
        let folder = FileIO.parent(of: path)
        guard access(folder, W_OK | X_OK) == 0 || !FileIO.exists(folder) else { return false }
        return !FileIO.exists(path) || access(path, W_OK) == 0
    }

    /// One keeper at a time: a close writes its review and the margin summary on two threads,
    /// and each read the file, changed its line and wrote it back through one temporary name —
    /// one thread's stamp was lost, and the next command took that workbook as put back.
    private static let keeping = NSLock()

    /// Records the stamps the workbooks at `relatives` have now (one gone is forgotten), with
    /// the ledger's length `entries` when given (what a review was written after); best effort.
    func keep(_ relatives: [String], entries: Int? = nil) {
        guard !relatives.isEmpty else { return }
        Self.keeping.lock()
        defer { Self.keeping.unlock() }
        var all = recorded()
        for relative in relatives { all[relative] = Self.mark(site.path(relative)).map { mark in entries.map { "\(mark) \($0)" } ?? mark } }
        let text = all.keys.sorted().map { "\($0)\t\(all[$0]!)\n" }.joined()
        let temp = FileIO.temporaryName(for: path)
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { return }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        if written == bytes.count, rename(temp, path) == 0 { return }
        unlink(temp)
    }
}
