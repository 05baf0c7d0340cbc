import Crypto
import Foundation
import Testing

@testable import ReconKit

/// A usage drop's cache file is vouched for by its `drop.accepted` entry (`cache_format`,
/// `cache_sha256`): later commands read it, checked, instead of parsing the CSV again; one that
/// fails its check is never read, and `recon verify` names it. Each test runs the built binary.
@Suite("The ledger vouches for the cache", .serialized)
struct VouchedCacheTests {
    func cacheBody(_ site: TestSite) throws -> (sha: String, cacheSha: String) {
        let body = try #require(try site.bodies("drop.accepted").first { $0["kind"] as? String == "usage" })
        #expect(body["cache_format"] as? String == "RCNU5")
        return (try #require(body["sha256"] as? String), try #require(body["cache_sha256"] as? String))
    }

    func sha256(ofFile path: String) throws -> String {
        SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))).map { String(format: "%02x", $0) }.joined()
    }

    @Test func theUsageEntryRecordsItsCacheFile() throws {
        let site = try WriterCheckTests.perImageSite()
        let (sha, cacheSha) = try cacheBody(site)
        #expect(try sha256(ofFile: site.path(".recon/cache/\(sha).bin")) == cacheSha)
        site.expectAuditorAccepts()
    }

    /// Anyone may write `.recon/`: a folder planted where the next drop's cache goes used to
    /// let the ingest vouch for a cache it could not put in place, and `recon verify` then
    /// failed on it for good. The drop is accepted without a cache, said in the log, and the
    /// site verifies; later commands read the archived drop.
    @Test func aFolderWhereADropsCacheGoesLeavesTheDropWithoutOne() throws {
        let site = try WriterCheckTests.perImageSite()
        let text = "report_id,reported_at,client_id,radiologist_id,modality,image_count\nR7,2026-03-07T10:00:00Z,C1,D1,CT,1\n"
        let sha = SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
        try FileManager.default.createDirectory(atPath: site.path(".recon/cache/\(sha).bin/planted"), withIntermediateDirectories: true)
        try site.drop("usage-planted.csv", text)
        let ingest = try site.recon(["ingest"])
        #expect(ingest.code == 0, "\(ingest.err)")
        #expect(ingest.err.contains(".recon/cache/\(sha).bin is not a file"), "\(ingest.err)")
        let body = try #require(try site.bodies("drop.accepted").first { $0["sha256"] as? String == sha })
        #expect(body["cache_sha256"] == nil)
        let verify = try site.recon(["verify"])
        #expect(verify.code == 0, "\(verify.out)\(verify.err)")
        #expect(try site.recon(["status"]).out.contains("billable"))
        site.expectAuditorAccepts()
    }

    /// A usage drop's cache is encoded while the drop is checked. One that repeats rows
    /// already held gets a cache of the rows it added; one rejected leaves no file; and the
    /// close reads both accepted drops' caches, checked:
    ///   PAY D1 = (3 + 1) × 50.00 + (2 + 2 + 3 + 4) × 1.50 = 216.50.
    @Test func onlyAcceptedRowsLeaveACacheFile() throws {
        let site = try WriterCheckTests.perImageSite()
        // R1 and R2 again with the same values (skipped), R5 new.
        try site.drop("usage-more.csv", """
            report_id,reported_at,client_id,radiologist_id,modality,image_count
            R1,2026-03-02T10:00:00Z,C1,D1,CT,2
            R2,2026-03-03T10:00:00Z,C1,D1,CT,2
            R5,2026-03-06T10:00:00Z,C1,D1,XR,4
            """)
        // An unknown client: rejected whole after its rows parsed.
        try site.drop("usage-bad.csv", """
            report_id,reported_at,client_id,radiologist_id,modality,image_count
            R6,2026-03-07T10:00:00Z,C9,D1,CT,1
            """)
        let ingest = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(ingest.code == 2, "\(ingest.err)")
        let usage = try site.bodies("drop.accepted").filter { $0["kind"] as? String == "usage" }
        #expect(usage.count == 2)
        var expected = Set<String>()
        for body in usage {
            let sha = try #require(body["sha256"] as? String), cacheSha = try #require(body["cache_sha256"] as? String)
            #expect(try sha256(ofFile: site.path(".recon/cache/\(sha).bin")) == cacheSha)
            expected.insert("\(sha).bin")
        }
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: site.path(".recon/cache")))
        #expect(files == expected, "\(files)")
        #expect(try site.recon(["verify"]).code == 0)
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay.merging(["RECON_STAGES": "1"]) { a, _ in a })
        #expect(close.code == 0, "\(close.err)")
        #expect(!close.err.contains("replay-parse-usage="), "\(close.err)")
        #expect(try site.document("PAY-2026-000001")?["total"] as? String == "216.50")
        site.expectAuditorAccepts()
    }

    /// The close takes a usage drop's rows from its cache only on the site key's word: the
    /// ingest that encoded the cache signed the drop's and the cache's SHA-256 into the entry
    /// (`cache_signature`), which no checkpoint covers yet. Signed, the close reads the cache
    /// (no usage CSV parsed: the stages line says so); without the signature (a key kept
    /// outside the site and not at hand when the drop came), it parses the drop and confirms
    /// the cache it gives is the one recorded. Either way it pays exactly what the drop says:
    ///   PAY D1 = 3 × 50.00 + (2 + 2 + 3) × 1.50 = 160.50, PAY D2 = 50.00 + 1.50 = 51.50.
    @Test(arguments: [true, false]) func theCloseReadsACacheOnlyOnTheSiteKeysWord(signed: Bool) throws {
        let site = try WriterCheckTests.perImageSite()
        #expect(try site.bodies("drop.accepted").first { $0["kind"] as? String == "usage" }?["cache_signature"] is String)
        if !signed {
            try site.rewriteLedger { _, kind, body in if kind == "drop.accepted" { body["cache_signature"] = nil } }
        }
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay.merging(["RECON_STAGES": "1"]) { a, _ in a })
        #expect(close.code == 0, "\(close.err)")
        let stages = try #require(close.err.split(separator: "\n").first { $0.contains("stages: ") })
        #expect(stages.contains("replay-cache-read=") == signed, "\(stages)")
        #expect(stages.contains("replay-parse-usage=") != signed && stages.contains("replay-confirm=") != signed, "\(stages)")
        // The memory line beside it: megabytes resident after each stage, and the peak.
        let memory = try #require(close.err.split(separator: "\n").first { $0.hasPrefix("memory: ") })
        #expect(memory.contains(" peak="), "\(memory)")
        #expect(memory.dropFirst("memory: ".count).split(separator: " ").allSatisfy { Int($0.split(separator: "=").last ?? "") ?? 0 > 0 },
                "\(memory)")
        #expect(try site.document("PAY-2026-000001")?["total"] as? String == "160.50")
        #expect(try site.document("PAY-2026-000002")?["total"] as? String == "51.50")
        site.expectAuditorAccepts()
    }

    /// Someone who can write the site folder, but holds no key, adds rows to a usage drop's
    /// cache file and records its new SHA-256 in the drop's entry, hashes redone: the entry
    /// comes after the last checkpoint, so nothing signed says otherwise. The close billed the
    /// extra reports (no archived drop holds them) and `recon verify` said ok. Both now parse the
    /// drop and find it gives another cache: exit 4, nothing appended, no document written.
    @Test func aCacheForgedTogetherWithItsEntryIsRefusedByTheCloseAndVerify() throws {
        let site = try WriterCheckTests.perImageSite()
        let (sha, _) = try cacheBody(site)
        let cache = DropCache(dir: site.path(".recon/cache"))
        var rows = try #require(cache.load(sha256: sha))
        var extra = rows[0]
        extra.id = "FORGED-1"
        extra.imageCount = 3
        rows.append(extra)
        let forged = DropCache.encode(sha256: sha, rows, layout: .v5)
        try Data(forged).write(to: URL(fileURLWithPath: site.path(".recon/cache/\(sha).bin")))
        let forgedSha = SHA256.hash(data: forged).map { String(format: "%02x", $0) }.joined()
        try site.rewriteLedger { _, kind, body in
            guard kind == "drop.accepted", body["sha256"]?.stringValue == sha else { return }
            body["cache_sha256"] = .string(forgedSha)
        }
        let verify = try site.recon(["verify"], env: TestSite.closeDay)
        #expect(verify.code == 4, "\(verify.out)\(verify.err)")
        // The signature the ingest made no longer covers the recorded cache: named first.
        #expect(verify.out.contains("cache_signature is not the site key's"), "\(verify.out)")
        let before = try site.ledgerBytes()
        // An ingest raised hard flags from such rows: it too confirms an entry's cache when the
        // site key's signature does not cover it, and refuses.
        try site.drop("fx_rates-more.csv", "date,currency,rate\n2026-03-20,USD,84\n")
        let ingest = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(ingest.code == 4, "\(ingest.out)\(ingest.err)")
        #expect(try site.ledgerBytes() == before)
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 4, "\(close.out)\(close.err)")
        // Named as verify names it: the signature no longer covers the recorded cache.
        #expect(close.err.contains("cache_signature is not the site key's"), "\(close.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(!site.exists("Outbox/2026-03/invoices"))
    }

    /// A month in two drops: the second's rows are decoded onto the end of the first's. Both come
    /// from their caches (no usage CSV parsed); the second's cache tampered, a reader (`status`)
    /// reads its checked CSV with a warning, and a writer refuses (exit 4) until the file is
    /// deleted. Either way the close pays what the drops say:
    ///   PAY D1 = 160.50 as above; PAY D2 = 2 × 50.00 + (1 + 4) × 1.50 = 107.50.
    @Test(arguments: [false, true]) func aMonthInTwoDropsIsReadWholeFromItsCaches(tampered: Bool) throws {
        let site = try WriterCheckTests.perImageSite()
        try site.drop("usage-2026-03-b.csv", """
            report_id,reported_at,client_id,radiologist_id,modality,image_count
            R5,2026-03-20T10:00:00Z,C2,D2,CT,4
            """)
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 0)
        let second = try #require(try site.bodies("drop.accepted").last { $0["kind"] as? String == "usage" }?["sha256"] as? String)
        let path = site.path(".recon/cache/\(second).bin")
        if tampered {
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            bytes[bytes.count - 1] ^= 1  // the last row's line number: it still decodes
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
        // A command that may read caches reads both, the tampered one not at all (`status`
        // rebuilding its figures); the close parses both drops.
        try? FileManager.default.removeItem(atPath: site.path(".recon/status.cache"))
        let status = try site.recon(["status"], env: TestSite.closeDay.merging(["RECON_STAGES": "1"]) { a, _ in a })
        #expect(status.code == 0, "\(status.err)")
        let stages = try #require(status.err.split(separator: "\n").first { $0.contains("stages: ") })
        #expect(stages.contains("replay-cache-read=") && stages.contains("replay-parse-usage=") == tampered, "\(stages)")
        #expect(status.err.contains(".recon/cache/\(second).bin") == tampered, "\(status.err)")
        let ingest = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(ingest.code == (tampered ? 4 : 0), "\(ingest.err)")
        #expect(ingest.err.contains(".recon/cache/\(second).bin") == tampered, "\(ingest.err)")
        if tampered { try FileManager.default.removeItem(atPath: path) }
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 0, "\(close.err)")
        #expect(try site.document("PAY-2026-000001")?["total"] as? String == "160.50")
        #expect(try site.document("PAY-2026-000002")?["total"] as? String == "107.50")
        site.expectAuditorAccepts()
    }

    /// A site whose drops were accepted by the earlier version has caches in the earlier
    /// layout, vouched as `RCNU4`: the close reads such a cache (it parses no usage CSV) and pays
    /// what the drop says; one deleted is put back in that layout, byte for byte what its entry
    /// records. The ledger is made so by rewriting it, hashes redone, as that version wrote it.
    @Test(arguments: [false, true]) func cachesInTheEarlierLayoutAreStillRead(deleted: Bool) throws {
        let site = try WriterCheckTests.perImageSite()
        let (sha, _) = try cacheBody(site)
        let path = site.path(".recon/cache/\(sha).bin")
        let rows = try #require(DropCache(dir: site.path(".recon/cache")).load(sha256: sha))
        let earlier = DropCache.encode(sha256: sha, rows, layout: .v4)
        try Data(earlier).write(to: URL(fileURLWithPath: path))
        let earlierSha = SHA256.hash(data: earlier).map { String(format: "%02x", $0) }.joined()
        try site.rewriteLedger { _, kind, body in
            guard kind == "drop.accepted", body["cache_format"] != nil else { return }
            body["cache_format"] = .string("RCNU4")
            body["cache_sha256"] = .string(earlierSha)
            body["cache_signature"] = nil  // that version signed no cache
        }
        #expect(try site.recon(["verify"]).code == 0)
        if deleted { try FileManager.default.removeItem(atPath: path) }
        // A reader reads it (a writer confirms an unsigned cache against its drop, as that version signed none).
        let ingest = try site.recon(["status"], env: TestSite.closeDay.merging(["RECON_STAGES": "1"]) { a, _ in a })
        #expect(ingest.code == 0, "\(ingest.err)")
        let stages = try #require(ingest.err.split(separator: "\n").first { $0.contains("stages: ") })
        #expect(stages.contains("replay-cache-read=") != deleted && stages.contains("replay-parse-usage=") == deleted, "\(stages)")
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 0, "\(close.err)")
        #expect(try site.document("PAY-2026-000001")?["total"] as? String == "160.50")
        #expect(try site.document("PAY-2026-000002")?["total"] as? String == "51.50")
        #expect(try sha256(ofFile: path) == earlierSha)
        #expect(try site.recon(["verify"]).code == 0)
        site.expectAuditorAccepts()
    }

    /// A cache that cannot be written (`.recon/cache` is a file) is only slower: the entry still
    /// records the SHA-256 of the cache's bytes, never of nothing, so once the obstacle is gone
    /// the next command writes the very file the ledger vouches for.
    @Test func aCacheThatCannotBeWrittenIsStillRecordedAsEncoded() throws {
        let site = try WriterCheckTests.perImageSite()
        try FileManager.default.removeItem(atPath: site.path(".recon/cache"))
        try "not a folder".write(toFile: site.path(".recon/cache"), atomically: true, encoding: .utf8)
        try site.drop("usage-2026-03b.csv", "report_id,reported_at,client_id,radiologist_id,modality,image_count\n"
                      + "R8,2026-03-20T10:00:00Z,C1,D1,CT,2\n")
        let ingest = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(ingest.code == 0, "\(ingest.err)")
        let body = try #require(try site.bodies("drop.accepted").last)
        let cacheSha = try #require(body["cache_sha256"] as? String)
        #expect(cacheSha != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "the SHA-256 of nothing")
        site.expectAuditorAccepts()
        try FileManager.default.removeItem(atPath: site.path(".recon/cache"))
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 0, "\(close.err)")
        let sha = try #require(body["sha256"] as? String)
        #expect(try sha256(ofFile: site.path(".recon/cache/\(sha).bin")) == cacheSha)
        site.expectAuditorAccepts()
    }

    /// A deleted cache is only slower: the close parses the checked CSV, and puts the cache
    /// back byte for byte the one the ledger recorded.
    @Test func aMissingCacheIsRebuiltAsTheLedgerRecordedIt() throws {
        let site = try WriterCheckTests.perImageSite()
        let (sha, cacheSha) = try cacheBody(site)
        try FileManager.default.removeItem(atPath: site.path(".recon/cache/\(sha).bin"))
        #expect(try site.recon(["verify"]).code == 0)
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 0, "\(close.err)")
        #expect(try site.document("PAY-2026-000001")?["total"] as? String == "160.50")
        #expect(try sha256(ofFile: site.path(".recon/cache/\(sha).bin")) == cacheSha)
        site.expectAuditorAccepts()
    }

    /// A tampered cache is never read and never written over: the close refuses (exit 4),
    /// leaving the file for `recon verify`, which goes on naming it until it is deleted; then
    /// the close computes from the archived drop and the cache comes back as recorded.
    @Test func aTamperedCacheStaysNamedUntilDeleted() throws {
        let site = try WriterCheckTests.perImageSite()
        let (sha, _) = try cacheBody(site)
        let path = site.path(".recon/cache/\(sha).bin")
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count - 9] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let before = try site.ledgerBytes()
        let refused = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(refused.code == 4, "\(refused.err)")
        #expect(refused.err.contains(".recon/cache/\(sha).bin"), "\(refused.err)")
        #expect(try site.ledgerBytes() == before)
        let verify = try site.recon(["verify"])
        #expect(verify.code == 4 && verify.out.contains(".recon/cache/\(sha).bin"), "\(verify.out)")
        try FileManager.default.removeItem(atPath: path)
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 0, "\(close.err)")
        #expect(try site.document("PAY-2026-000001")?["total"] as? String == "160.50")
        #expect(try site.recon(["verify"]).code == 0)
        site.expectAuditorAccepts()
    }

    /// A cache replaced by a link to an exact copy elsewhere: `recon verify` refuses a link in
    /// a cache's place whatever it points at, and writers read through it and appended. They
    /// refuse it too now (exit 4), naming it as a link.
    @Test func aCacheThatIsALinkToACopyStopsWriters() throws {
        let site = try WriterCheckTests.perImageSite()
        let (sha, _) = try cacheBody(site)
        let path = site.path(".recon/cache/\(sha).bin"), copy = site.path("copy.bin")
        try FileManager.default.moveItem(atPath: path, toPath: copy)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: copy)
        let before = try site.ledgerBytes()
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 4 && close.err.contains(".recon/cache/\(sha).bin is a symbolic link"), "\(close.err)")
        #expect(try site.ledgerBytes() == before)
        let verify = try site.recon(["verify"])
        #expect(verify.code == 4, "\(verify.out)")
    }

    /// A `drop.accepted` whose cache is recorded in a layout no recon writes (or with no layout):
    /// nothing compared its `cache_sha256` with anything, and `recon verify` said ok while a
    /// close sealed it. Refused by verify and writers (exit 4).
    @Test(arguments: ["RCNU9", "none"]) func aCacheRecordedInNoLayoutReconWritesIsRefused(_ format: String) throws {
        let site = try WriterCheckTests.perImageSite()
        let (sha, _) = try cacheBody(site)
        try site.rewriteLedger { _, kind, body in
            guard kind == "drop.accepted", body["sha256"]?.stringValue == sha else { return }
            body["cache_format"] = format == "none" ? nil : .string(format)
            body["cache_sha256"] = .string(String(repeating: "0", count: 63) + "1")
            body["cache_signature"] = nil
        }
        let verify = try site.recon(["verify"])
        #expect(verify.code == 4 && verify.out.contains("which are not a cache recon writes"), "\(verify.out)")
        let before = try site.ledgerBytes()
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 4, "\(close.err)")
        #expect(try site.ledgerBytes() == before)
    }

    /// An edited archived usage CSV stops a writer even though its rows come from the cache.
    @Test func anEditedArchivedUsageDropStopsTheCloseThoughTheCacheIsIntact() throws {
        let site = try WriterCheckTests.perImageSite()
        let (sha, _) = try cacheBody(site)
        let csv = site.path("Ledger/drops/\(sha).csv")
        try (String(contentsOfFile: csv, encoding: .utf8) + " ").write(toFile: csv, atomically: false, encoding: .utf8)
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 4, "\(close.err)")
        #expect(close.err.contains("does not match its recorded SHA-256"), "\(close.err)")
        #expect(!site.exists("Outbox/2026-03/invoices/INV-2026-000001.xlsx"))
    }
}
