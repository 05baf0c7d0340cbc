import Foundation
import Testing

@testable import ReconKit

/// Writers check every issued document before they append (SPEC §6, issue 9), but a year of
/// closed months is thousands of workbooks: a document whose file still has the stamp the
/// site's signed seal records is not read again (`DocumentSeal`). These tests try to get a
/// changed document past that shortcut, and a forged or foreign seal past the writers and
/// `recon verify`. Each runs on a real site, with the real file system's times.
@Suite("The document seal: writers skip only documents that cannot have changed")
struct DocumentSealTests {
    static let aprilMore = """
        report_id,reported_at,client_id,radiologist_id,modality,image_count
        R8,2026-04-05T10:00:00Z,C1,D1,CT,1
        """

    static let documents = ["INV-2026-000001", "INV-2026-000002", "PAY-2026-000001", "PAY-2026-000002"]

    /// March closed (four documents), then left until every document's status-change time is
    /// older than the seal's settling time — the condition for sealing it, waited on itself.
    static func settledSite() throws -> TestSite {
        let site = try TestSite.marchSite()
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 0, "\(close.err)")
        let files = try documents.map { number in try #require(try site.document(number)?["file"] as? String) }
        let settled = ProcessRunner.wait(upTo: Double(DocumentSeal.settleSeconds) + 10) {
            let before = FileStamp.Instant.now().minus(seconds: DocumentSeal.settleSeconds)
            return files.allSatisfy { FileStamp.of(site.path($0)).map { $0.changed < before } ?? false }
        }
        #expect(settled)
        return site
    }

    func checks(_ site: TestSite) throws -> WriterChecks.Outcome {
        let ledger = LedgerFile(path: site.path("Ledger/ledger.jsonl"))
        try ledger.load()
        return try WriterChecks(site: Site(root: site.root), ledger: ledger).run()
    }

    /// The first writer hashes the four documents and seals them; the next hashes none. A
    /// document touched since (its times change, its bytes do not) is hashed again, and left
    /// out of the seal while its change is recent.
    @Test func aSealedDocumentIsNotReadAgainUntilItsFileChanges() throws {
        let site = try Self.settledSite()
        #expect(try checks(site).documentsHashed == 4)
        let seal = try #require(try DocumentSeal.read(Site(root: site.root), verifier: siteVerifier(site), siteName: "trust-site"))
        // The four documents, and the settled March drop and its cache (``SettledDropSealTests``).
        #expect(seal.documents.count == 6)
        let invoice = try #require(try site.document("INV-2026-000001"))
        #expect(seal.documents[try #require(invoice["file"] as? String)]?.sha256 == invoice["sha256"] as? String)
        #expect(try checks(site).documentsHashed == 0)

        let file = try #require(invoice["file"] as? String)
        #expect(utimes(site.path(file), nil) == 0)
        #expect(try checks(site).documentsHashed == 1)
        // Hashed just after it changed: a change within the same tick of the clock would keep
        // its times, so it is not sealed again until it has settled.
        let after = try #require(try DocumentSeal.read(Site(root: site.root), verifier: siteVerifier(site), siteName: "trust-site"))
        #expect(after.documents[file] == nil)
        #expect(after.documents.count == 5)
        #expect(try checks(site).documentsHashed == 1)
    }

    /// Issue 9, high 6, with the seal in place: one byte of a sealed invoice flipped in place
    /// (same size, same inode). Its status-change time moves, so the writer reads it and refuses.
    @Test func aSealedDocumentChangedInPlaceStillStopsWriters() throws {
        let site = try Self.settledSite()
        try site.drop("usage-2026-04.csv", TestSite.april)
        let first = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(first.code == 0, "\(first.err)")
        #expect(site.exists(DocumentSeal.relativePath))

        let file = try #require(try site.document("INV-2026-000001")?["file"] as? String)
        let handle = try #require(FileHandle(forUpdatingAtPath: site.path(file)))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size / 2)
        let byte = try #require(try handle.read(upToCount: 1)?.first)
        try handle.seek(toOffset: size / 2)
        try handle.write(contentsOf: Data([byte ^ 0x01]))
        try handle.close()

        try site.drop("usage-2026-04-more.csv", Self.aprilMore)
        let before = try site.ledgerBytes()
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 4, "\(ingest.err)")
        #expect(ingest.err.contains("document \(file) does not match its recorded SHA-256"), "\(ingest.err)")
        #expect(try site.ledgerBytes() == before)
    }

    /// A changed invoice whose seal line was rewritten to its new stamp: the seal's signature
    /// no longer verifies, so the writer ignores it (and says so), hashes the invoice and refuses.
    /// The same seal signed by another key than the site's is ignored the same way.
    @Test func aRewrittenSealGetsNoChangedDocumentPastAWriter() throws {
        let site = try Self.settledSite()
        #expect(try checks(site).documentsHashed == 4)
        let file = try #require(try site.document("INV-2026-000001")?["file"] as? String)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: site.path(file)))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: site.path(file)))
        let now = try #require(FileStamp.of(site.path(file)))
        let sealPath = site.path(DocumentSeal.relativePath)
        let note = try String(contentsOfFile: sealPath, encoding: .utf8)
        let forged = note.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.hasSuffix(" " + file) else { return String(line) }
            let f = line.split(separator: " ")
            func t(_ i: FileStamp.Instant) -> String { String(format: "%lld.%09lld", i.seconds, i.nanoseconds) }
            return "\(f[0]) \(now.device) \(now.inode) \(now.size) \(t(now.modified)) \(t(now.changed)) \(file)"
        }.joined(separator: "\n")
        #expect(forged != note)
        try forged.write(toFile: sealPath, atomically: true, encoding: .utf8)

        try site.drop("usage-2026-04.csv", TestSite.april)
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 4, "\(ingest.err)")
        #expect(ingest.err.contains("ignored .recon/documents.seal"), "\(ingest.err)")
        #expect(ingest.err.contains("document \(file) does not match its recorded SHA-256"), "\(ingest.err)")

        // Signed again, with a key that is not the site's.
        let text = String(forged[..<(try #require(forged.range(of: "\n\n"))).upperBound].dropLast())
        let stranger = try SigningKey.generate(name: "trust-site")
        try SignedNote.sign(text: text, with: stranger).write(toFile: sealPath, atomically: true, encoding: .utf8)
        let again = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(again.code == 4, "\(again.err)")
        #expect(again.err.contains("ignored .recon/documents.seal"), "\(again.err)")
    }

    /// `recon verify` never skips a document, and checks the seal as it checks every cache:
    /// one whose signature fails, or that seals a SHA-256 no entry records, is reported (exit 4).
    /// The next writer writes a good one again over one whose signature fails; one signed by the
    /// site key naming what no entry records is a cut ledger's trace, and it refuses.
    @Test func verifyReportsASealThatDoesNotVerify() throws {
        let site = try Self.settledSite()
        #expect(try checks(site).documentsHashed == 4)
        #expect(try site.recon(["verify"]).code == 0)
        let sealPath = site.path(DocumentSeal.relativePath)
        let good = try String(contentsOfFile: sealPath, encoding: .utf8)
        let sha = try #require(try site.document("INV-2026-000002")?["sha256"] as? String)
        try good.replacingOccurrences(of: sha, with: String(repeating: "0", count: 64))
            .write(toFile: sealPath, atomically: true, encoding: .utf8)
        let broken = try site.recon(["verify"])
        #expect(broken.code == 4, "\(broken.out)")
        #expect(broken.out.contains(".recon/documents.seal"), "\(broken.out)")

        // Signed by the site key but naming a SHA-256 the ledger never recorded.
        let text = String(good[..<(try #require(good.range(of: "\n\n"))).upperBound].dropLast())
            .replacingOccurrences(of: sha, with: String(repeating: "0", count: 64))
        let siteKey = try SiteKeyFile.load(Site(root: site.root))
        try SignedNote.sign(text: text, with: siteKey).write(toFile: sealPath, atomically: true, encoding: .utf8)
        let foreign = try site.recon(["verify"])
        #expect(foreign.code == 4, "\(foreign.out)")
        #expect(foreign.out.contains("seals Outbox/2026-03/invoices/INV-2026-000002.xlsx with a SHA-256 that no entry of this ledger records"),
                "\(foreign.out)")
        // Signed by the site key, it is what a cut ledger leaves: writers refuse it as verify does.
        #expect(throws: LedgerDamage.self) { try checks(site) }
        // Once someone has looked and removed it, the next writer hashes every document and seals again.
        try FileManager.default.removeItem(atPath: sealPath)
        #expect(try checks(site).documentsHashed == 4)
        #expect(try site.recon(["verify"]).code == 0)
    }

    /// A ledger rolled back past a close: its last entries cut, the checkpoint over them and the
    /// close's workbooks deleted. Only the seal (signed by the site key over what the ledger
    /// issued) still shows that those entries were there, and `recon verify` named it; the next
    /// writer appended, issued again under the cut numbers and wrote a new seal, erasing the
    /// evidence. A writer refuses what `recon verify` names.
    @Test func aLedgerCutBehindItsSealStopsWriters() throws {
        let site = try Self.settledSite()
        #expect(try checks(site).documentsHashed == 4)
        let lines = try site.ledgerLines()
        let entries = try site.entries()
        let firstDocument = try #require(entries.firstIndex { ($0["kind"] as? String)?.hasSuffix(".issued") == true })
        var cut = Data()
        for line in lines[..<firstDocument] { cut.append(line); cut.append(10) }
        try cut.write(to: URL(fileURLWithPath: site.path("Ledger/ledger.jsonl")))
        for name in try FileManager.default.contentsOfDirectory(atPath: site.path("Ledger/checkpoints")) {
            if let count = Int(name.dropLast(4)), count > firstDocument { try FileManager.default.removeItem(atPath: site.path("Ledger/checkpoints/" + name)) }
        }
        for number in Self.documents {
            let file = try #require(entries.compactMap { $0["body"] as? [String: Any] }.first { $0["number"] as? String == number }?["file"] as? String)
            try FileManager.default.removeItem(atPath: site.path(file))
        }
        let expected = "seals Outbox/2026-03/invoices/INV-2026-000001.xlsx with a SHA-256 that no entry of this ledger records"
        let verify = try site.recon(["verify"])
        #expect(verify.code == 4 && verify.out.contains(expected), "\(verify.out)")

        try site.drop("usage-2026-04.csv", TestSite.april)
        let before = try site.ledgerBytes()
        let sealBefore = try site.read(DocumentSeal.relativePath)
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 4, "\(ingest.err)")
        #expect(ingest.err.contains(expected), "\(ingest.err)")
        #expect(try site.ledgerBytes() == before)
        #expect(try site.read(DocumentSeal.relativePath) == sealBefore, "the evidence is kept")
    }

    /// `status` served its cached figures while a sealed invoice had been changed since (every
    /// writer and `statement` refused it). A sealed document whose stamp moved sends `status`
    /// the long way, which refuses as a writer does.
    @Test func aChangedSealedDocumentSendsStatusTheLongWay() throws {
        let site = try Self.settledSite()
        #expect(try checks(site).documentsHashed == 4)
        #expect(try site.recon(["status"], env: TestSite.closeDay).code == 0)
        #expect(try site.recon(["status"], env: TestSite.closeDay).code == 0)  // from its cache
        let file = try flipAByteOfTheFirstInvoice(site)
        let status = try site.recon(["status"], env: TestSite.closeDay)
        #expect(status.code == 4, "\(status.out)\(status.err)")
        #expect(status.err.contains("document \(file) does not match its recorded SHA-256"), "\(status.err)")
    }

    /// Documents just issued are not sealed yet (their change is too recent): a `status` right
    /// after the close cached its figures, and an invoice changed after that was never looked
    /// at from the cache. Every document in the Outbox must be a sealed one for the cache to
    /// serve; an unsealed one sends `status` the long way.
    @Test func anUnsealedDocumentChangedSinceSendsStatusTheLongWay() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        #expect(try site.recon(["status"], env: TestSite.closeDay).code == 0)
        #expect(site.exists(StatusCache.relativePath))
        let file = try flipAByteOfTheFirstInvoice(site)
        let status = try site.recon(["status"], env: TestSite.closeDay)
        #expect(status.code == 4, "\(status.out)\(status.err)")
        // A stray copy named like a document, the same way.
        _ = try flipAByteOfTheFirstInvoice(site)
        #expect(try site.recon(["status"], env: TestSite.closeDay).code == 0)
        try FileManager.default.copyItem(atPath: site.path(file), toPath: site.path(file.replacingOccurrences(of: "000001", with: "000009")))
        #expect(try site.recon(["status"], env: TestSite.closeDay).code == 4)
    }

    /// Flips the middle byte of INV-2026-000001's workbook (again, to put it back); its path.
    func flipAByteOfTheFirstInvoice(_ site: TestSite) throws -> String {
        let file = try #require(try site.document("INV-2026-000001")?["file"] as? String)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: site.path(file)))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: site.path(file)))
        return file
    }

    /// A seal damaged while its documents were too new to seal again (just after a close): the
    /// writers ignored it and kept it, so `recon verify` failed until someone deleted it by hand.
    /// The next writer removes a seal it cannot use when it has none to put in its place.
    @Test func anUnreadableSealIsRemovedWhenNoneCanReplaceIt() throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let sealPath = site.path(DocumentSeal.relativePath)
        try "not a seal\n".write(toFile: sealPath, atomically: true, encoding: .utf8)
        #expect(try site.recon(["verify"]).code == 4)
        // At once: the four documents changed less than the settling time ago, so none is sealed.
        let outcome = try checks(site)
        #expect(outcome.documentsHashed == 4)
        let left = FileIO.exists(sealPath) ? try String(contentsOfFile: sealPath, encoding: .utf8) : nil
        #expect(left != "not a seal\n", "the unreadable seal is still there")
        let verify = try site.recon(["verify"])
        #expect(verify.code == 0, "\(verify.out)")
    }

    /// The seal's text read back as written (a path with spaces, nanoseconds with leading
    /// zeros), and every line that is not `SHA256 DEVICE INODE SIZE MTIME CTIME PATH` named by
    /// its number, even under a good signature: a seal is read on bytes, field by field.
    @Test func aSealReadsAsWrittenAndNamesALineThatIsNotOne() throws {
        try withTemporaryFolder { folder in
            let site = Site(root: folder)
            let key = try SigningKey.generate(name: "s")
            let stamp = FileStamp(device: 65024, inode: 5906481, size: 10912,
                                  modified: .init(seconds: 1796387149, nanoseconds: 220539253),
                                  changed: .init(seconds: 1796406012, nanoseconds: 58460871))
            let sha = String(repeating: "0a", count: 32)
            let seal = DocumentSeal(documents: [
                "Outbox/2026-10/invoices/INV-2026-000001.xlsx": .init(sha256: sha, stamp: stamp),
                "Outbox/2026-10/a folder/with spaces.xlsx": .init(sha256: String(repeating: "f", count: 64), stamp: stamp),
            ])
            try seal.write(site, key: key, siteName: "s")
            let text = try String(contentsOfFile: site.path(DocumentSeal.relativePath), encoding: .utf8)
            #expect(text.contains("\(sha) 65024 5906481 10912 1796387149.220539253 1796406012.058460871 "
                + "Outbox/2026-10/invoices/INV-2026-000001.xlsx\n"))
            #expect(try DocumentSeal.read(site, verifier: key.verifierKey, siteName: "s") == seal)
            #expect(throws: SignedCacheProblem.self) { try DocumentSeal.read(site, verifier: key.verifierKey, siteName: "other") }

            let good = "\(sha) 65024 5906481 10912 1796387149.220539253 1796406012.058460871 Outbox/x.xlsx"
            let bad = [
                String(good.dropFirst()),  // 63 hex digits
                "A" + good.dropFirst(),  // not lowercase hex
                good.replacingOccurrences(of: " 65024 ", with: " 65x24 "),
                good.replacingOccurrences(of: " 5906481 ", with: " 99999999999999999999 "),  // past 64 bits
                good.replacingOccurrences(of: " 10912 ", with: " 18446744073709551615 "),  // a size past Int64
                good.replacingOccurrences(of: ".220539253", with: ".22053925"),  // eight digits of nanoseconds
                good.replacingOccurrences(of: "1796406012.058460871", with: "1796406012058460871"),
                good.replacingOccurrences(of: " Outbox/x.xlsx", with: " "),  // no path
                good.replacingOccurrences(of: " Outbox/x.xlsx", with: ""),  // a field short
                good.replacingOccurrences(of: " 10912 ", with: "  10912 "),  // an empty field
                "",
            ]
            for line in bad {
                let note = try SignedNote.sign(text: "recon document seal 1\ns\n\(good)\n\(line)\n\(good)\n", with: key)
                try note.write(toFile: site.path(DocumentSeal.relativePath), atomically: true, encoding: .utf8)
                let problem = #expect(throws: SignedCacheProblem.self, "\(line)") {
                    try DocumentSeal.read(site, verifier: key.verifierKey, siteName: "s")
                }
                #expect("\(problem.map { "\($0)" } ?? "")".contains("line 4 is not `SHA256 DEVICE INODE SIZE MTIME CTIME PATH`"),
                        "\(line)")
            }
            for text in ["recon document seal 2\ns\n", "recon document seal 1\n"] {
                try SignedNote.sign(text: text, with: key).write(toFile: site.path(DocumentSeal.relativePath), atomically: true,
                                                                  encoding: .utf8)
                #expect(throws: SignedCacheProblem.self, "\(text)") {
                    try DocumentSeal.read(site, verifier: key.verifierKey, siteName: "s")
                }
            }
        }
    }

    func siteVerifier(_ site: TestSite) throws -> VerifierKey {
        try SiteKeyFile.load(Site(root: site.root)).verifierKey
    }

    /// A writer looks each document up in the seal by its path's bytes (a binary search): it
    /// finds every sealed path, also in a seal whose lines are not in byte order (one only a
    /// holder of the site key could sign) and with paths beyond ASCII, and a SHA-256 that is
    /// not the sealed one, or a path not sealed, finds nothing.
    @Test func aWriterFindsEverySealedPathByItsBytes() throws {
        try withTemporaryFolder { folder in
            let site = Site(root: folder)
            let key = try SigningKey.generate(name: "s")
            let stamp = "65024 5906481 10912 1796387149.220539253 1796406012.058460871"
            let paths = ["Outbox/2026-10/invoices/INV-2026-000002.xlsx", "Outbox/2026-10/Ärzte/é.xlsx",
                         "Outbox/2026-10/invoices/INV-2026-000001.xlsx", "Outbox/2026-09/payouts/PAY-2026-000001.xlsx",
                         "Outbox/2026-10/a folder/with spaces.xlsx"]
            let shas = paths.indices.map { String(repeating: String(format: "%02x", $0 + 1), count: 32) }
            let text = "recon document seal 1\ns\n" + zip(shas, paths).map { "\($0) \(stamp) \($1)\n" }.joined()
            try FileIO.makeDirectory(site.path(".recon"))
            try SignedNote.sign(text: text, with: key).write(toFile: site.path(DocumentSeal.relativePath), atomically: true,
                                                             encoding: .utf8)
            let index = try #require(try DocumentSeal.readIndex(site, verifier: key.verifierKey, siteName: "s"))
            #expect(index.count == 5)
            let expected = FileStamp(device: 65024, inode: 5906481, size: 10912,
                                     modified: .init(seconds: 1796387149, nanoseconds: 220539253),
                                     changed: .init(seconds: 1796406012, nanoseconds: 58460871))
            for (path, sha) in zip(paths, shas) {
                #expect(index.stamp(of: path, sha256: sha) == expected, "\(path)")
                #expect(index.stamp(of: path, sha256: String(repeating: "0", count: 64)) == nil, "\(path)")
            }
            #expect(index.stamp(of: "Outbox/2026-10/invoices/INV-2026-000003.xlsx", sha256: shas[0]) == nil)
            #expect(index.stamp(of: "", sha256: shas[0]) == nil)
            #expect(index.holds(index.seal))
            var fewer = index.seal
            fewer.documents[paths[0]] = nil
            #expect(!index.holds(fewer))
        }
    }
}
