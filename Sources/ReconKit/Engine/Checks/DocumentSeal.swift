import Foundation

/// `.recon/documents.seal`: the issued documents, and the archived drops no command reads
/// again and their cache files, a writer has hashed and found as recorded, each with the stamp
/// (``FileStamp``) its file had then, signed with the site key.
///
/// Writers check every issued document and unread drop before they append (``WriterChecks``):
/// years of closed months hold thousands, and hashing them all on every command would make a
/// 10-row drop cost what the whole Outbox and archive weigh. A file that still has the
/// sealed stamp holds the sealed bytes, so it is not read again. A stamp is sealed only when
/// the file's status-change time was already ``settleSeconds`` old when it was hashed: any
/// later change to the file gives it a later time, and so another stamp.
///
/// It is a cache: trusted only under a valid site-key signature, for this site, for a
/// document with the SHA-256 its entry records. A seal that is missing or does not verify is
/// ignored (every document is hashed, and a new seal written); `recon verify` never uses it,
/// hashes every document, and reports a seal that does not verify or names what the ledger
/// did not issue.
public struct DocumentSeal: Equatable {
    /// One sealed document: the SHA-256 it was found with, and its file's stamp then.
    struct Sealed: Equatable {
        let sha256: String
        let stamp: FileStamp
    }

    /// Sealed documents by the path their entry names (`Outbox/2026-10/invoices/INV-….xlsx`).
    var documents: [String: Sealed]

    /// How old a file's status-change time must be when it is hashed for its stamp to be
    /// sealed: more than the file system's time step (ext4 stamps with a clock of a few
    /// milliseconds, FAT to two seconds), so that no later change can carry the same time.
    public static let settleSeconds: Int64 = 3

    /// The first line of the seal's text: no checkpoint (site name, count, head) reads as one.
    static let header = "recon document seal 1"

    static let relativePath = ".recon/documents.seal"

    static func path(_ site: Site) -> String { site.path(relativePath) }

    /// The first sealed file, by path, whose SHA-256 is not the one `recorded` gives for it (the
    /// ledger's documents and archived drops), as the damage that is: a seal holds only what
    /// entries recorded. Writers and `recon verify` alike.
    func unrecordedFile(_ recorded: (String) -> String?) -> LedgerDamage? {
        guard let (file, _) = documents.sorted(by: { $0.key < $1.key }).first(where: { recorded($0.key) != $0.value.sha256 }) else { return nil }
        return LedgerDamage(seq: nil, Self.unrecordedLine(file))
    }

    /// What a seal line no entry records means.
    static func unrecordedLine(_ file: String) -> String {
        "\(relativePath), signed by the site key, seals \(file) with a SHA-256 that no entry of this ledger records for it: "
            + "the seal holds only what entries recorded, so entries were removed since it was written (the ledger's end cut, "
            + "with the checkpoints over it) — compare the ledger with a checkpoint kept outside the site (`recon verify "
            + "--checkpoint FILE`) or restore it from a backup; the seal is the evidence: keep it"
    }

    /// The seal of `site`, nil when there is none.
    /// - Throws: ``SignedCacheProblem`` when it is not signed by `verifier`, is for another site or is malformed.
    static func read(_ site: Site, verifier: VerifierKey, siteName: String) throws -> DocumentSeal? {
        try readIndex(site, verifier: verifier, siteName: siteName)?.seal
    }

    /// The seal of `site` as a writer looks documents up in it (``Index``), nil when there is none.
    /// - Throws: ``SignedCacheProblem`` as ``read(_:verifier:siteName:)``.
    static func readIndex(_ site: Site, verifier: VerifierKey, siteName: String) throws -> Index? {
        guard let bytes = try SignedNote.openCacheBytes(relativePath, of: site, verifier: verifier) else { return nil }
        let lines = try bytes.withUnsafeBufferPointer { try read(text: $0, siteName: siteName) }
        return Index(text: bytes, lines: lines)
    }

    /// The seal in `text` (the note's signed text): each line's path and SHA-256 as where they
    /// lie in it, and its stamp. Read on bytes, a line at a time, each field found by its
    /// space: six thousand lines after a year, read on every command, where splitting each
    /// line into an array of fields — or making each path and SHA-256 a string, and a table
    /// of them — cost more than the signature's check.
    private static func read(text: UnsafeBufferPointer<UInt8>, siteName: String) throws -> [Index.Line] {
        func unreadable(_ reason: String) -> SignedCacheProblem { SignedCacheProblem(file: relativePath, reason: reason) }
        guard text.last == 0x0A else { throw unreadable("its text does not end with a newline") }
        var start = 0, number = 0
        /// The next line, without its newline (the text ends with one).
        func nextLine() -> Slice<UnsafeBufferPointer<UInt8>>? {
            guard start < text.count else { return nil }
            let end = text[start...].firstIndex(of: 0x0A)!
            defer { start = end + 1 }
            number += 1
            return text[start..<end]
        }
        guard let first = nextLine(), first.elementsEqual(header.utf8), let second = nextLine() else {
            throw unreadable("its first line is not `\(header)`")
        }
        let sealedSite = String(decoding: second, as: UTF8.self)
        guard sealedSite == siteName else { throw unreadable("it seals the documents of \(sealedSite), not of \(siteName)") }
        var lines: [Index.Line] = []
        lines.reserveCapacity(text.count / 160)
        while let line = nextLine() {
            guard let sealed = parse(line) else {
                throw unreadable("line \(number) is not `SHA256 DEVICE INODE SIZE MTIME CTIME PATH`")
            }
            lines.append(sealed)
        }
        return lines
    }

    /// Writes the seal signed with `key` (through a temporary file and a rename: a reader
    /// sees the old seal or the new one), synced first (``SignedNote/writeFile(_:text:key:)``).
    func write(_ site: Site, key: SigningKey, siteName: String) throws {
        var text = DocumentSeal.header + "\n" + siteName + "\n"
        for file in documents.keys.sorted() {
            let s = documents[file]!
            text += "\(s.sha256) \(s.stamp.text) \(file)\n"
        }
        try SignedNote.writeFile(DocumentSeal.path(site), text: Array(text.utf8), key: key)
    }

    /// `SECONDS.NANOSECONDS`, the nanoseconds as nine digits.
    private static func instant(_ field: Slice<UnsafeBufferPointer<UInt8>>) -> FileStamp.Instant? {
        guard let dot = field.firstIndex(of: UInt8(ascii: ".")), field.endIndex - dot == 10,
              let seconds = number(field[..<dot]).flatMap(Int64.init(exactly:)),
              let nanoseconds = number(field[(dot + 1)...]).flatMap(Int64.init(exactly:))
        else { return nil }
        return FileStamp.Instant(seconds: seconds, nanoseconds: nanoseconds)
    }

    /// A decimal number that fits in 64 bits.
    private static func number(_ field: Slice<UnsafeBufferPointer<UInt8>>) -> UInt64? {
        guard !field.isEmpty else { return nil }
        var n: UInt64 = 0
        for byte in field {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            let (times, over) = n.multipliedReportingOverflow(by: 10)
            let (sum, carry) = times.addingReportingOverflow(UInt64(byte - 0x30))
            guard !over, !carry else { return nil }
            n = sum
        }
        return n
    }

    /// `SHA256 DEVICE INODE SIZE MTIME CTIME PATH`: six fields each ended by a space, then the
    /// path (which may hold spaces) to the end of the line.
    private static func parse(_ line: Slice<UnsafeBufferPointer<UInt8>>) -> Index.Line? {
        var at = line.startIndex
        func field() -> Slice<UnsafeBufferPointer<UInt8>>? {
            guard let space = line[at...].firstIndex(of: UInt8(ascii: " ")) else { return nil }
            defer { at = space + 1 }
            return line[at..<space]
        }
        guard let sha = field(), sha.count == 64,
              sha.allSatisfy({ (0x30...0x39).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }),
              let device = field().flatMap(number), let inode = field().flatMap(number),
              let size = field().flatMap(number).flatMap(Int64.init(exactly:)),
              let modified = field().flatMap(instant), let changed = field().flatMap(instant), at < line.endIndex
        else { return nil }
        let stamp = FileStamp(device: device, inode: inode, size: size, modified: modified, changed: changed)
        return Index.Line(path: at..<line.endIndex, sha: sha.startIndex..<sha.endIndex, stamp: stamp)
    }

    /// A seal as read, in which a writer looks up each issued document by the bytes of its
    /// path (a binary search of its lines in byte order), comparing SHA-256s as bytes.
    struct Index {
        /// The signed text the lines lie in (its ranges count from its first byte).
        let text: ArraySlice<UInt8>
        /// In byte order of their paths.
        let lines: [Line]

        /// One line: where its path and SHA-256 lie in ``text``, and its stamp.
        struct Line {
            let path: Range<Int>
            let sha: Range<Int>
            let stamp: FileStamp
        }

        init(text: ArraySlice<UInt8>, lines: [Line]) {
            self.text = text
            // A writer writes them sorted by path; a seal in any other order is sorted here.
            let sorted = text.withUnsafeBufferPointer { t in
                zip(lines, lines.dropFirst()).allSatisfy { Self.order(t, $0.path, $1.path) <= 0 }
            }
            self.lines = sorted ? lines : text.withUnsafeBufferPointer { t in
                lines.sorted { Self.order(t, $0.path, $1.path) < 0 }
            }
        }

        var count: Int { lines.count }

        /// How many sealed paths start with `prefix` (`Outbox/`: the documents, not the drops).
        func count(under prefix: String) -> Int {
            let p = Array(prefix.utf8)
            return text.withUnsafeBufferPointer { t in lines.lazy.filter { t[$0.path].starts(with: p) }.count }
        }

        /// Whether every sealed file under `root` still has its sealed stamp: an `lstat` each,
        /// its path made from the seal's bytes (no string a line), on both cores.
        func allStampsHold(under root: String) -> Bool {
            let prefix = Array((root + "/").utf8)
            let lines = lines, runs = Swift.min(lines.count, 16)
            guard runs > 0 else { return true }
            var held = [Bool](repeating: true, count: runs)
            text.withUnsafeBufferPointer { t in
                held.withUnsafeMutableBufferPointer { held in
                    DispatchQueue.concurrentPerform(iterations: runs) { k in
                        var path = prefix
                        for i in (lines.count * k / runs)..<(lines.count * (k + 1) / runs) {
                            path.removeLast(path.count - prefix.count)
                            path.append(contentsOf: t[lines[i].path])
                            path.append(0)
                            var info = stat()
                            let ok = path.withUnsafeBufferPointer { p in
                                p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: p.count) { lstat($0, &info) == 0 }
                            }
                            guard ok, info.st_mode & S_IFMT == S_IFREG, FileStamp(info) == lines[i].stamp else {
                                held[k] = false
                                return
                            }
                        }
                    }
                }
            }
            return held.allSatisfy { $0 }
        }

        /// The stamp sealed for `file` with `sha256`, if there is one.
        func stamp(of file: String, sha256: String) -> FileStamp? {
            var file = file, sha256 = sha256
            return text.withUnsafeBufferPointer { t in
                file.withUTF8 { path in
                    var low = 0, high = lines.count
                    while low < high {
                        let mid = (low + high) / 2
                        let order = Self.order(t, lines[mid].path, path)
                        if order == 0 {
                            let line = lines[mid]
                            return sha256.withUTF8 { sha in Self.order(t, line.sha, sha) == 0 } ? line.stamp : nil
                        }
                        if order < 0 { low = mid + 1 } else { high = mid }
                    }
                    return nil
                }
            }
        }

        /// Whether `seal` seals exactly the documents and stamps this one does.
        func holds(_ seal: DocumentSeal) -> Bool {
            seal.documents.count == lines.count && seal.documents.allSatisfy { stamp(of: $0.key, sha256: $0.value.sha256) == $0.value.stamp }
        }

        /// The seal's documents by path, as strings (for `recon verify` and tests).
        var seal: DocumentSeal {
            var documents: [String: Sealed] = [:]
            text.withUnsafeBufferPointer { t in
                for line in lines {
                    documents[String(decoding: UnsafeBufferPointer(rebasing: t[line.path]), as: UTF8.self)] =
                        Sealed(sha256: String(decoding: UnsafeBufferPointer(rebasing: t[line.sha]), as: UTF8.self), stamp: line.stamp)
                }
            }
            return DocumentSeal(documents: documents)
        }

        /// Byte order of `range` of `text` against `bytes`: negative, zero or positive.
        private static func order(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ bytes: UnsafeBufferPointer<UInt8>) -> Int {
            let common = min(range.count, bytes.count)
            let c = common == 0 ? 0 : memcmp(text.baseAddress! + range.lowerBound, bytes.baseAddress!, common)
            return c != 0 ? Int(c) : range.count - bytes.count
        }

        private static func order(_ text: UnsafeBufferPointer<UInt8>, _ a: Range<Int>, _ b: Range<Int>) -> Int {
            order(text, a, UnsafeBufferPointer(rebasing: text[b]))
        }
    }
}
