import Crypto
import Foundation
import Testing

@testable import ReconKit

/// A close keeps the entries before its period.closed (those it opened on, and the documents it
/// appends before it) as later commands read them (`.recon/ledger-prefix.jsonl`)
/// and records the file's SHA-256 in its `period.closed`; a later command takes them from there
/// only while the ledger's first bytes hash to what the file says and an entry after them
/// vouches for the file. Each test runs the built binary on the March site.
@Suite("The ledger's entries before a close are kept, vouched for by it", .serialized)
struct LedgerPrefixTests {
    static let prefix = LedgerPrefix.relativePath

    func bytes(_ site: TestSite, _ relative: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: URL(fileURLWithPath: site.path(relative))))
    }

    func write(_ bytes: [UInt8], _ site: TestSite, _ relative: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: site.path(relative)))
    }

    func sha(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

    /// March (site.init, four master-data and card drops, the usage drop: six entries) closed
    /// on 2 April: four documents, then its period.closed.
    static func closedMarch() throws -> TestSite {
        let site = try TestSite.marchSite()
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 0, "\(close.err)")
        return site
    }

    /// The ledger as a writer reads it, with the prefix file offered.
    func load(_ site: TestSite) throws -> LedgerFile {
        let ledger = LedgerFile(path: site.path("Ledger/ledger.jsonl"))
        try ledger.load(prefix: site.path(Self.prefix))
        return ledger
    }

    /// Its bytes with the first occurrence of `old` replaced by `new` (as long).
    func replacing(_ old: String, with new: String, in bytes: [UInt8]) throws -> [UInt8] {
        precondition(old.utf8.count == new.utf8.count)
        let text = try #require(String(bytes: bytes, encoding: .utf8))
        let range = try #require(text.range(of: old), "\(old) is not there")
        return Array(text.replacingCharacters(in: range, with: new).utf8)
    }

    @Test func theCloseKeepsTheEntriesBeforeItAndRecordsTheFile() throws {
        let site = try Self.closedMarch()
        let file = try bytes(site, Self.prefix)
        let closed = try #require(try site.bodies("period.closed").first)
        #expect(closed["ledger_prefix_sha256"] as? String == sha(file))
        // Every entry before its period.closed: the six the close opened on and the four
        // documents it appended before it (two invoices, two payout statements); the bytes of
        // the ledger they are.
        let lines = try site.ledgerLines()
        let seqOfClose = try #require(try site.entries().first { $0["kind"] as? String == "period.closed" }?["seq"] as? Int)
        #expect(seqOfClose == 11)
        #expect(try site.entries().prefix(10).filter { ($0["kind"] as? String)?.hasSuffix(".issued") == true }.count == 4)
        let length = lines.prefix(10).reduce(0) { $0 + $1.count + 1 }
        let header = try #require(try JSONSerialization.jsonObject(with: Data(file.prefix { $0 != 10 })) as? [String: Any])
        #expect(header["entries"] as? Int == 10)
        #expect(header["length"] as? Int == length)
        #expect(header["ledger_sha256"] as? String == sha(Array(try bytes(site, "Ledger/ledger.jsonl").prefix(length))))
        #expect(!site.exists(LedgerPrefix.nextRelativePath))
        #expect(try site.recon(["verify"]).code == 0)
        site.expectAuditorAccepts()
    }

    /// The entries taken from the file are the ledger's: each as a whole read gives it, the
    /// documents' deferred members read back from the ledger.
    @Test func aLaterReadingTakesTheSameEntriesFromTheFile() throws {
        let site = try Self.closedMarch()
        let taken = try load(site)
        #expect(taken.entriesFromPrefix == 10)
        #expect(taken.prefixPassedBy == nil)
        let whole = LedgerFile(path: site.path("Ledger/ledger.jsonl"))
        try whole.load(deferringLines: false)
        #expect(whole.entriesFromPrefix == 0)
        #expect(taken.entries.count == whole.entries.count && taken.ends == whole.ends)
        #expect(taken.contentSha256 == whole.contentSha256)
        for (a, b) in zip(taken.entries, whole.entries) {
            #expect(a.seq == b.seq && a.at == b.at && a.kind == b.kind && a.prev == b.prev && a.hash == b.hash)
            #expect(JCS.canonical(.object(try a.whole().body)) == JCS.canonical(.object(b.body)), "seq \(a.seq)")
        }
        // A later command reads it and says nothing of it.
        try site.drop("usage-2026-04.csv", TestSite.april)
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 0 && !ingest.err.contains(Self.prefix), "\(ingest.err)")
    }

    /// The attack: a byte of an entry before the close changed in the ledger. The file still
    /// holds the entry as it was, but the ledger's first bytes no longer hash to what it says:
    /// the whole ledger is read, and the writer refuses, naming the entry.
    @Test func aChangedEntryBeforeTheCloseIsRefusedNotTakenFromTheFile() throws {
        let site = try Self.closedMarch()
        try write(try replacing("\"rows\":2", with: "\"rows\":3", in: try bytes(site, "Ledger/ledger.jsonl")), site, "Ledger/ledger.jsonl")
        #expect(throws: LedgerDamage.self) { try load(site) }
        try site.drop("usage-2026-04.csv", TestSite.april)
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 4, "\(ingest.out)\(ingest.err)")
        #expect(ingest.err.contains("seq 2") || ingest.err.contains("seq 3"), "\(ingest.err)")
        #expect(try site.bodies("drop.accepted").count == 5)
    }

    /// The file changed (an entry's member in it): no entry records its SHA-256 any more, so
    /// it is not read — the ledger's entries are. `recon verify` names the file (exit 4), and
    /// writers refuse as it does: a writer went on, and a ledger cut back past a close (its
    /// documents and checkpoints taken too) was written over, the next close erasing the trace.
    /// Deleted, as the message says, the file is a cache no more: the writer goes on.
    @Test func aChangedFileIsNotReadAndStopsWriters() throws {
        let site = try Self.closedMarch()
        try write(try replacing("\"rows\":2", with: "\"rows\":7", in: try bytes(site, Self.prefix)), site, Self.prefix)
        let ledger = try load(site)
        #expect(ledger.entriesFromPrefix == 0)
        #expect(ledger.prefixPassedBy?.contains("ledger_prefix_sha256") == true)
        #expect(!ledger.entries.contains { $0.body["rows"]?.intValue == 7 })
        try site.drop("usage-2026-04.csv", TestSite.april)
        let verify = try site.recon(["verify"])
        #expect(verify.code == 4 && verify.out.contains(Self.prefix), "\(verify.out)")
        let refused = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(refused.code == 4 && refused.err.contains("\(Self.prefix) is not the ledger prefix") && refused.err.contains("delete it"),
                "\(refused.err)")
        try FileManager.default.removeItem(atPath: site.path(Self.prefix))
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 0, "\(ingest.err)")
        #expect(try site.recon(["verify"]).code == 0)
    }

    /// The file and the ledger changed together, the file's record of the ledger's bytes made
    /// to match: the file is then one no entry vouches for, and the writer refuses the ledger.
    @Test func aFileMadeToMatchAChangedLedgerIsNotVouchedFor() throws {
        let site = try Self.closedMarch()
        let changed = try replacing("\"rows\":2", with: "\"rows\":3", in: try bytes(site, "Ledger/ledger.jsonl"))
        try write(changed, site, "Ledger/ledger.jsonl")
        let file = try bytes(site, Self.prefix)
        let headerEnd = try #require(file.firstIndex(of: 10))
        var header = try #require(try JSONSerialization.jsonObject(with: Data(file[..<headerEnd])) as? [String: Any])
        let length = try #require(header["length"] as? Int)
        header["ledger_sha256"] = sha(Array(changed.prefix(length)))
        let forged = Array(try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])) + file[headerEnd...]
        try write(try replacing("\"rows\":2", with: "\"rows\":3", in: forged), site, Self.prefix)
        #expect(throws: LedgerDamage.self) { try load(site) }
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 4, "\(ingest.out)\(ingest.err)")
    }

    /// The file changed and a `period.closed` appended by hand to vouch for it, chained and
    /// hashed as anyone with write access to the folder can: an entry no checkpoint signs vouches
    /// for nothing, so the entries before the close are read from the ledger, not from the file.
    @Test func aFileVouchedForOnlyByAnEntryNoCheckpointSignsIsNotRead() throws {
        let site = try Self.closedMarch()
        let forged = try replacing("\"rows\":2", with: "\"rows\":7", in: try bytes(site, Self.prefix))
        try write(forged, site, Self.prefix)
        try site.appendEntry(kind: "period.closed", body: ["period": .string("2026-04"), "documents": .array([]),
                                                          "ledger_prefix_sha256": .string(sha(forged))],
                             at: "2026-04-10T10:00:00Z")
        let ledger = try load(site)
        #expect(ledger.entriesFromPrefix == 0)
        #expect(ledger.prefixPassedBy?.contains("checkpoint") == true, "\(ledger.prefixPassedBy ?? "taken")")
        #expect(!ledger.entries.contains { $0.body["rows"]?.intValue == 7 })
        #expect(ledger.entries.contains { $0.body["rows"]?.intValue == 2 })
    }

    /// What stands in the file's place and cannot be one — a symbolic link (to the very file
    /// the close wrote), a file larger than twice the ledger — is not read: the whole ledger is.
    /// A writer refuses it as `recon verify` does, until it is taken away.
    @Test func aLinkOrAnOversizedFileInItsPlaceIsNotRead() throws {
        let site = try Self.closedMarch()
        let kept = site.path(Self.prefix) + ".kept"
        try FileManager.default.moveItem(atPath: site.path(Self.prefix), toPath: kept)
        try FileManager.default.createSymbolicLink(atPath: site.path(Self.prefix), withDestinationPath: kept)
        let linked = try load(site)
        #expect(linked.entriesFromPrefix == 0 && linked.prefixPassedBy == "it is not a regular file")
        try FileManager.default.removeItem(atPath: site.path(Self.prefix))
        let ledgerSize = try bytes(site, "Ledger/ledger.jsonl").count
        try write(try bytes(site, Self.prefix + ".kept") + [UInt8](repeating: 32, count: 2 * ledgerSize + (1 << 20)), site, Self.prefix)
        let oversized = try load(site)
        #expect(oversized.entriesFromPrefix == 0 && oversized.prefixPassedBy?.contains("larger") == true)
        try site.drop("usage-2026-04.csv", TestSite.april)
        let refused = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(refused.code == 4 && refused.err.contains("\(Self.prefix) is not the ledger prefix"), "\(refused.err)")
        #expect(try site.recon(["verify"]).code == 4)
        try FileManager.default.removeItem(atPath: site.path(Self.prefix))
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 0, "\(ingest.err)")
    }

    /// The file gone: the next command reads the whole ledger, as before any close, and says nothing.
    @Test func aMissingFileCostsOnlyTheWholeReading() throws {
        let site = try Self.closedMarch()
        try FileManager.default.removeItem(atPath: site.path(Self.prefix))
        let ledger = try load(site)
        #expect(ledger.entriesFromPrefix == 0 && ledger.prefixPassedBy == nil)
        try site.drop("usage-2026-04.csv", TestSite.april)
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 0 && !ingest.err.contains(Self.prefix), "\(ingest.err)")
        #expect(try site.recon(["verify"]).code == 0)
    }

    /// A second close keeps the entries before it, the first close's among them.
    @Test func theNextCloseKeepsTheLongerPrefix() throws {
        let site = try Self.closedMarch()
        try site.drop("usage-2026-04.csv", TestSite.april)
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 0)
        let close = try site.recon(["close", "2026-04"], env: ["RECON_NOW": "2026-05-02T09:00:00Z"])
        #expect(close.code == 0, "\(close.err)")
        let closes = try site.bodies("period.closed")
        let kept = sha(try bytes(site, Self.prefix))
        #expect(closes.count == 2 && closes[1]["ledger_prefix_sha256"] as? String == kept)
        let seqOfFirstClose = try #require(try site.entries().first { $0["kind"] as? String == "period.closed" }?["seq"] as? Int)
        let ledger = try load(site)
        #expect(ledger.entriesFromPrefix > seqOfFirstClose)
        #expect(try site.recon(["verify"]).code == 0)
        site.expectAuditorAccepts()
    }

    /// March and April closed: March's `period.closed` is in the prefix of April's close,
    /// its margins left in the ledger (version 2) and read back, checked, only where shown.
    static func closedMarchAndApril() throws -> TestSite {
        let site = try Self.closedMarch()
        try site.drop("usage-2026-04.csv", TestSite.april)
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 0)
        let close = try site.recon(["close", "2026-04"], env: ["RECON_NOW": "2026-05-02T09:00:00Z"])
        #expect(close.code == 0, "\(close.err)")
        return site
    }

    @Test func aCloseInThePrefixLeavesItsMarginsInTheLedger() throws {
        let site = try Self.closedMarchAndApril()
        let file = try bytes(site, Self.prefix)
        let header = try #require(try JSONSerialization.jsonObject(with: Data(file.prefix { $0 != 10 })) as? [String: Any])
        #expect(header["format"] as? String == "recon ledger prefix 2")
        let taken = try load(site), whole = LedgerFile(path: site.path("Ledger/ledger.jsonl"))
        try whole.load(deferringLines: false)
        let march = try #require(taken.entries.first { $0.kind == "period.closed" })
        #expect(march.seq <= taken.entriesFromPrefix)
        #expect(march.body["margins"] == nil && march.body["stats"] != nil && march.body["period"]?.stringValue == "2026-03")
        let recorded = try #require(whole.entries[march.seq - 1].body["margins"])
        #expect(recorded.arrayValue?.isEmpty == false)
        #expect(try march.whole().body["margins"] == recorded)
        // The state holds March's margins undecoded, and decodes them from the ledger's line as recorded.
        let state = try LedgerReplay.state(site: Site(root: site.root), ledger: taken).state
        let margins = try #require(state.closedMargins[Period(year: 2026, month: 3)])
        #expect(margins.seq == march.seq && margins.hash == march.hash)
        #expect(try margins.rows() == MarginCodec.decode(recorded))
        #expect(try site.recon(["verify"]).code == 0)
        site.expectAuditorAccepts()
    }

    /// A prefix file of version 1 (an earlier program's: only documents' members left in the
    /// ledger) reads as one, its closes' margins held in their bodies.
    @Test func aPrefixOfTheEarlierVersionIsStillRead() throws {
        let site = try Self.closedMarchAndApril()
        let whole = LedgerFile(path: site.path("Ledger/ledger.jsonl"))
        try whole.load(deferringLines: false)
        let n = try #require(whole.entries.lastIndex { $0.kind == "period.closed" })
        let earlier = LedgerPrefix.text(entries: whole.entries[..<n], ends: whole.ends[..<n], ledgerSha256: "x", version: 1)
        #expect(earlier != LedgerPrefix.text(entries: whole.entries[..<n], ends: whole.ends[..<n], ledgerSha256: "x"))
        try earlier.withUnsafeBufferPointer { bytes in
            let lines = try #require(LedgerPrefix.lineRanges(bytes))
            let header = try #require(LedgerPrefix.header(UnsafeBufferPointer(rebasing: bytes[lines[0]])))
            #expect(header.version == 1 && header.entries == n)
            let read = try #require(LedgerPrefix.entries(bytes, lines: Array(lines.dropFirst()), header: header,
                                                         ledgerPath: whole.path, alongside: []))
            let march = try #require(read.entries.first { $0.kind == "period.closed" })
            #expect(march.body["margins"] == whole.entries[march.seq - 1].body["margins"] && march.body["margins"] != nil)
        }
    }
}
