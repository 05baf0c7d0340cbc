import Crypto
import Foundation

/// Parsed usage drops kept in a compact binary form under `.recon/cache/`, so rebuilding the
/// state of a site holding millions of reports does not re-read every CSV.
///
/// A drop accepted by this version records its cache file's format and SHA-256 in its
/// `drop.accepted` entry: the ledger vouches for those bytes, so close, rerun and credit may
/// read them once checked (``loadVouched(sha256:format:cacheSha256:)``), and `recon verify`
/// checks each against its entry. A cache file that fails its check is never read: the
/// archived CSV is parsed instead (checked against its own SHA-256) and the cache written again.
/// Caches of drops accepted before (no SHA-256 in their entry) speed drafts only.
public struct DropCache {
    public let dir: String
    /// The layout new caches are written in, as a `drop.accepted` entry records it
    /// (``DropCacheLayout``; a cache holds the rows a drop added, not those it repeated).
    public static let format = DropCacheLayout.v5.rawValue

    public init(dir: String) { self.dir = dir }

    func path(_ sha: String) -> String { dir + "/" + sha + ".bin" }

    /// The cache file of a drop, as a message names it.
    public func relativePath(_ sha: String) -> String { Self.relativePath(sha) }
    /// Where a drop's cache lies in the site: `.recon/cache/SHA.bin`.
    public static func relativePath(_ sha: String) -> String { ".recon/cache/" + sha + ".bin" }

    /// What reading a vouched cache file gave.
    public enum Vouched {
        case rows([Report])
        /// The rows were appended where ``appendVouched(sha256:format:cacheSha256:to:)`` was asked to put them.
        case appended
        /// No file (never written, or deleted: it is only a speed-up).
        case missing
        /// A file whose bytes are not the ones the ledger recorded, or that does not decode.
        case mismatch
    }

    /// Reads the cache of a drop whose entry recorded `cacheSha256`, hashing the very bytes
    /// decoded as they are read (a few megabytes at a time, never the whole file beside its rows).
    /// `capacity`: room for that many reports in the rows' array (``decode(_:sha256:capacity:)``).
    public func loadVouched(sha256: String, format: String?, cacheSha256: String, capacity: Int = 0) -> Vouched {
        guard hasFile(sha256: sha256, format: format) else { return .missing }
        guard isOwnFile(sha256) else { return .mismatch }
        let layout = DropCacheLayout(rawValue: format ?? "")
        let read = Stages.time("replay-cache-read") {
            try? DropCache.decode(path(sha256), sha256: sha256, layout: layout, capacity: capacity)
        }
        guard let (rows, sha) = read, sha == cacheSha256, let rows else {
            return .mismatch
        }
        return .rows(rows)
    }

    /// ``loadVouched(sha256:format:cacheSha256:capacity:)`` onto the end of `rows`: `.appended`
    /// when the drop's rows were appended there; otherwise `rows` is as it was.
    public func appendVouched(sha256: String, format: String?, cacheSha256: String, to rows: inout [Report]) -> Vouched {
        guard hasFile(sha256: sha256, format: format) else { return .missing }
        guard isOwnFile(sha256) else { return .mismatch }
        let layout = DropCacheLayout(rawValue: format ?? "")
        let read = Stages.time("replay-cache-read") {
            try? DropCache.decode(path(sha256), sha256: sha256, layout: layout, cacheSha256: cacheSha256, appendingTo: &rows)
        }
        return read == true ? .appended : .mismatch
    }

    /// The cache file's place, as a message names it, when something other than a file stands
    /// there (a folder, say): no cache file can be put in place for that drop.
    public func blocker(sha256: String) -> String? {
        let p = path(sha256)
        return FileIO.exists(p) && !FileIO.isRegularFile(p) ? relativePath(sha256) : nil
    }

    /// Whether the cache file is a regular file of the site's own, not a link to one elsewhere:
    /// `recon verify` refuses a link whatever it points at, and writers read through it.
    private func isOwnFile(_ sha256: String) -> Bool { FileStatus.of(path(sha256))?.kind == .regularFile }

    /// Whether there is a cache file of a layout this version reads (``loadVouched(sha256:format:cacheSha256:)`` says `.missing` otherwise).
    public func hasFile(sha256: String, format: String?) -> Bool {
        DropCacheLayout(rawValue: format ?? "") != nil && FileIO.exists(path(sha256))
    }

    /// Writes bytes made by ``encode(sha256:_:)``, synced before the rename (as ``encodePending(sha256:_:)``).
    public func write(sha256: String, _ bytes: [UInt8]) {
        try? FileIO.makeDirectory(dir)
        let temp = FileIO.temporaryName(for: path(sha256))
        guard (try? FileIO.writeSynced(temp, bytes)) != nil else { return }
        try? FileIO.renameQuietly(temp, to: path(sha256))
    }

    /// Reads a cache file without a recorded SHA-256 (drafts only), in whichever layout it says.
    public func load(sha256: String) -> [Report]? {
        (try? DropCache.decode(path(sha256), sha256: sha256, layout: nil))?.rows
    }

    /// The rows of the cache file at `path` (nil when it does not decode, or is not in
    /// `layout` when one is named) and the SHA-256 of its bytes.
    ///
    /// `capacity`: room for that many reports in the array, when more are known to follow. The
    /// first usage drop's rows become the site's report storage: with room for the month's
    /// other drops, a million reports are never moved to a larger array as they are appended.
    /// Room not filled is address space only, never memory resident.
    static func decode(_ path: String, sha256: String, layout: DropCacheLayout?,
                       capacity: Int = 0) throws -> (rows: [Report]?, sha256: String) {
        var file = try HashedFileWindow(path: path, readingAhead: true)
        defer { file.close() }
        let rows = try decode(&file, sha256: sha256, layout: layout, capacity: capacity)
        return (file.atEnd ? rows : nil, file.sha256())
    }

    /// A cache file's header: its layout, its row count and the names its rows refer to by
    /// number; nil when it is not a cache of `sha256` (in `named`, when one is named).
    private static func header(_ c: inout HashedFileWindow, sha256: String,
                               layout named: DropCacheLayout?) throws -> (layout: DropCacheLayout, rows: Int, table: [String])? {
        // The bytes are decoded before their hash is known: counts are bounded by what the file can
        // hold and every value is range-checked, so damage is nil, never a trap.
        guard let magic = try c.bytes(DropCacheLayout.v4.magic.count),
            let layout = DropCacheLayout.allCases.first(where: { $0.magic == magic }), named == nil || named == layout,
            try c.string() == sha256, let n = try c.int64(), let t = try c.int64(), t >= 0, t <= c.remaining / 8,
            n >= 0, n <= c.remaining / layout.smallestRow
        else { return nil }
        var table: [String] = []
        for _ in 0..<t {
            guard let s = try c.string() else { return nil }
            table.append(s)
        }
        return (layout, Int(n), table)
    }

    private static func decode(_ c: inout HashedFileWindow, sha256: String, layout named: DropCacheLayout?,
                               capacity: Int) throws -> [Report]? {
        guard let (layout, n, table) = try header(&c, sha256: sha256, layout: named) else { return nil }
        // Room for a few more drops at least (a command's own drop among them); the rows'
        // pages are faulted in on the second core while they are decoded into them.
        var whole = true
        let out = try [Report](unsafeUninitializedCapacity: max(n + n / 16, capacity)) { room, count in
            let rows = UnsafeMutableRawBufferPointer(start: room.baseAddress, count: n * MemoryLayout<Report>.stride)
            let faulting = PagesAhead.populate(rows)
            defer { faulting?.wait() }
            while count < n {
                guard let row = try layout.decodeRow(&c, table: table) else {
                    whole = false
                    return
                }
                (room.baseAddress! + count).initialize(to: row)
                count += 1
            }
        }
        return whole ? out : nil
    }

    /// Decodes the cache file at `path` onto the end of `rows`, where the month's other drops
    /// already lie: a drop's rows are never built apart and copied over, a million of them
    /// 90 MB twice. Returns whether the file decoded whole and its bytes are `cacheSha256`;
    /// when not, `rows` is as it was.
    static func decode(_ path: String, sha256: String, layout named: DropCacheLayout?, cacheSha256: String,
                       appendingTo rows: inout [Report]) throws -> Bool {
        var c = try HashedFileWindow(path: path, readingAhead: true)
        defer { c.close() }
        let before = rows.count
        var whole = false
        if let (layout, n, table) = try header(&c, sha256: sha256, layout: named) {
            rows.reserveCapacity(before + n)
            // The room the rows go into is faulted in on the second core meanwhile.
            let faulting = rows.withUnsafeMutableBufferPointer { held in
                PagesAhead.populate(UnsafeMutableRawBufferPointer(start: held.baseAddress.map { UnsafeMutableRawPointer($0 + before) },
                                                                  count: n * MemoryLayout<Report>.stride))
            }
            defer { faulting?.wait() }
            whole = true
            for _ in 0..<n {
                guard let row = try layout.decodeRow(&c, table: table) else {
                    whole = false
                    break
                }
                rows.append(row)
            }
        }
        if whole && c.atEnd && c.sha256() == cacheSha256 { return true }
        rows.removeSubrange(before...)
        return false
    }

    public func store(sha256: String, _ reports: [Report]) { write(sha256: sha256, DropCache.encode(sha256: sha256, reports)) }

    /// The cache file's bytes for the rows a drop added, in `layout` (by default the newest
    /// that holds them): the same rows always give the same bytes.
    public static func encode(sha256: String, _ reports: [Report], layout: DropCacheLayout? = nil) -> [UInt8] {
        var out: [UInt8] = []
        let size = 6 + 24 + sha256.utf8.count + reports.count * 84
        out.reserveCapacity(size)
        encode(sha256: sha256, reports, layout: layout, chunk: min(size, 1 << 20)) { out.append(contentsOf: $0) }
        return out
    }

    /// ``encode(sha256:_:layout:)`` handed to `sink` a megabyte at a time, so a million rows
    /// need no second copy of their bytes in memory.
    /// Returns the layout written: `layout`, or the newest one the reports fit.
    @discardableResult
    public static func encode(sha256: String, _ reports: [Report], layout: DropCacheLayout? = nil, chunk: Int = 1 << 20,
                              to sink: (UnsafeRawBufferPointer) throws -> Void) rethrows -> DropCacheLayout {
        // Client, radiologist and modality ids are stored once, in a table, and referred to by number.
        // Ids and codes are ASCII, so names equal as bytes are the names equal as text. The longest
        // report id, which decides the newest layout they fit, is found in the same pass.
        var numbers = NameNumbers()
        var longestId = 0
        let codes = reports.withUnsafeBufferPointer { rows in
            rows.indices.map {
                longestId = max(longestId, rows[$0].id.utf8.count)
                return (UInt32(numbers.number(rows[$0].clientId)), UInt32(numbers.number(rows[$0].radiologistId)),
                        UInt32(numbers.number(rows[$0].modality)))
            }
        }
        let layout = layout ?? DropCacheLayout.newest(forLongestId: longestId)
        try ChunkWriter.writing(to: sink, chunk: chunk) { out in
            try out.put(layout.magic)
            try out.put(sha256)
            try out.put(Int64(reports.count))
            try out.put(Int64(numbers.table.count))
            for entry in numbers.table.entries { try out.put(entry.id) }
            try layout.encodeRows(reports, codes: codes, to: &out)
        }
        return layout
    }

    /// A cache file encoded into a temporary file beside its place, and the SHA-256 of the
    /// encoding (known even when the file could not be written: a cache is only a speed-up).
    public struct Pending: Sendable {
        /// The temporary file, or nil when it could not be written.
        let temporary: String?
        /// The layout it is written in (``DropCacheLayout``), as the entry records it.
        public let format: String
        public let sha256: String
    }

    /// Encodes the rows a drop added into a temporary file, hashing as it goes, and syncs it.
    /// Nothing reads it until ``commit(_:sha256:)`` puts it in place, after the entry that
    /// vouches for it: a power cut then leaves the file whole or missing (rebuilt), never torn
    /// (which `recon verify` would report as a cache that is not the one recorded).
    public func encodePending(sha256: String, _ reports: [Report]) -> Pending {
        try? FileIO.makeDirectory(dir)
        var layout = DropCacheLayout.v5
        var hasher = SHA256()
        let temp = FileIO.temporaryName(for: path(sha256))
        var written = true, encoded = false
        do {
            try FileIO.writeStreaming(temp, synced: true) { write in
                layout = DropCache.encode(sha256: sha256, reports) { piece in
                    hasher.update(bufferPointer: piece)
                    if written {
                        do { try write(piece) } catch { written = false }
                    }
                }
                encoded = true
            }
        } catch {
            written = false
        }
        if !written { FileIO.remove(temp) }
        // A file that could not even be opened (the folder is a file) leaves the hash to take
        // here: the entry records the SHA-256 of the cache's bytes, never of nothing.
        if !encoded {
            hasher = SHA256()
            layout = DropCache.encode(sha256: sha256, reports) { hasher.update(bufferPointer: $0) }
        }
        return Pending(temporary: written ? temp : nil, format: layout.rawValue, sha256: Hex.string(hasher.finalize()))
    }

    /// Puts a pending cache file in place (a failure leaves it missing: it is rebuilt).
    public func commit(_ pending: Pending, sha256: String) {
        guard let temp = pending.temporary else { return }
        if (try? FileIO.renameQuietly(temp, to: path(sha256))) == nil { FileIO.remove(temp) }
    }

    /// Removes a pending cache file whose drop was not accepted as encoded.
    public func discard(_ pending: Pending) {
        if let temp = pending.temporary { FileIO.remove(temp) }
    }
}
