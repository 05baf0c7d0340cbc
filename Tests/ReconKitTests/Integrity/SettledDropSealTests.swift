import Foundation
import Testing

@testable import ReconKit

/// A closed month's usage drops are not read again by later commands: its reports are looked
/// up in the checked closed-period index; nor are decisions drops, each decision being an
/// entry of its own. Writers still check those archived drops before they
/// append, as they check issued documents (`WriterChecks`): an auditor's product does not sign
/// new entries over a site whose archive was changed. Like documents, a drop whose file still
/// has the stamp the site's signed seal records is not read again.
@Suite("Archived drops no command reads again: checked by writers through the seal")
struct SettledDropSealTests {
    /// The March usage drop's path, as `drop.accepted` records it.
    static func marchDrop(_ site: TestSite) throws -> String {
        let usage = try site.bodies("drop.accepted").filter { $0["kind"] as? String == "usage" }
        #expect(usage.count == 1)
        return try #require(usage.first?["path"] as? String)
    }

    /// The April drop's ingest refused for damage (exit 4), saying `message`, the ledger as it
    /// was; returns the run for what else it must say.
    @discardableResult
    func expectAprilIngestRefused(_ site: TestSite, saying message: String) throws -> TestSite.Run {
        try site.drop("usage-2026-04.csv", TestSite.april)
        let before = try site.ledgerBytes()
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 4, "\(ingest.err)")
        #expect(ingest.err.contains(message), "\(ingest.err)")
        #expect(try site.ledgerBytes() == before)
        return ingest
    }

    /// The writer checks run on the site, as a writing command runs them first.
    func checks(_ site: TestSite) throws -> WriterChecks.Outcome { try DocumentSealTests().checks(site) }

    /// One byte of the closed March drop flipped in place (same size, same inode): the April
    /// ingest, which reads nothing of March's drop, refuses and appends nothing.
    @Test func aSettledDropChangedInPlaceStopsWriters() throws {
        let site = try DocumentSealTests.settledSite()
        let drop = try Self.marchDrop(site)
        let handle = try #require(FileHandle(forUpdatingAtPath: site.path(drop)))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size - 3)
        let byte = try #require(try handle.read(upToCount: 1)?.first)
        try handle.seek(toOffset: size - 3)
        try handle.write(contentsOf: Data([byte == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")]))
        try handle.close()

        let ingest = try expectAprilIngestRefused(site, saying: "archived drop \(drop) does not match its recorded SHA-256")
        #expect(ingest.err.contains("restore it from a backup"), "\(ingest.err)")
    }

    /// The closed March drop's cache, which no command reads until a rerun of March, is sealed
    /// beside the drop; one byte of it flipped in place with its modification time put back
    /// (`touch -r`) stops the April ingest, as it stops `recon verify`: the ingest signed over a
    /// cache its own verify named.
    @Test func aSettledDropsCacheChangedWithItsTimePutBackStopsWriters() throws {
        let site = try DocumentSealTests.settledSite()
        let cache = try SettledHistoryTests().marchCache(site)
        let first = try checks(site)
        #expect(first.settledCachesHashed == 1)
        let seal = try #require(try DocumentSeal.read(Site(root: site.root), verifier: SiteKeyFile.load(Site(root: site.root)).verifierKey,
                                                      siteName: "trust-site"))
        let recorded = try #require(try site.bodies("drop.accepted").first { $0["kind"] as? String == "usage" }?["cache_sha256"] as? String)
        #expect(seal.documents[cache]?.sha256 == recorded)
        #expect(try checks(site).settledCachesHashed == 0)
        let verify = try site.recon(["verify"])
        #expect(verify.code == 0, "\(verify.out)")

        try StatusCacheTests().flipKeepingTimes(site, cache, at: 100)
        let ingest = try expectAprilIngestRefused(site, saying: "the cache file \(cache) does not match the cache_sha256")
        #expect(ingest.err.contains("delete it"), "\(ingest.err)")
        let audit = try site.recon(["verify"])
        #expect(audit.code == 4 && audit.out.contains(cache), "\(audit.out)")
    }

    /// A settled drop's cache is a cache: deleted, the writers go on without it (nothing reads
    /// it until a rerun, which writes it again), and leave it out of the seal.
    @Test func aMissingSettledCacheStopsNoWriter() throws {
        let site = try DocumentSealTests.settledSite()
        let cache = try SettledHistoryTests().marchCache(site)
        try FileManager.default.removeItem(atPath: site.path(cache))
        try site.drop("usage-2026-04.csv", TestSite.april)
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 0, "\(ingest.err)")
        #expect(!site.exists(cache))
        let seal = try #require(try DocumentSeal.read(Site(root: site.root), verifier: SiteKeyFile.load(Site(root: site.root)).verifierKey,
                                                      siteName: "trust-site"))
        #expect(seal.documents[cache] == nil && seal.documents.count == 5)
    }

    /// A FIFO in the settled cache's place: the writer names it (it once would have had to
    /// wait on it to hash it), exit 4.
    @Test func aFifoInASettledCachesPlaceStopsWriters() throws {
        let site = try DocumentSealTests.settledSite()
        let cache = try SettledHistoryTests().marchCache(site)
        try FileManager.default.removeItem(atPath: site.path(cache))
        #expect(mkfifo(site.path(cache), 0o644) == 0)
        try expectAprilIngestRefused(site, saying: "the cache file \(cache) is")
    }

    /// The closed March drop removed: nothing can put an archived input back, so writers refuse.
    @Test func aMissingSettledDropStopsWriters() throws {
        let site = try DocumentSealTests.settledSite()
        let drop = try Self.marchDrop(site)
        try FileManager.default.removeItem(atPath: site.path(drop))
        try expectAprilIngestRefused(site, saying: "archived drop \(drop) is missing")
    }

    /// The first writer hashes the settled drop and seals it beside the documents; the next
    /// hashes neither, until the drop's file is touched. `recon verify` accepts the seal.
    @Test func aSettledDropIsSealedAndNotReadAgainUntilItChanges() throws {
        let site = try DocumentSealTests.settledSite()
        let drop = try Self.marchDrop(site)
        let first = try checks(site)
        #expect(first.documentsHashed == 4 && first.archivedDropsHashed == 1)
        let seal = try #require(try DocumentSeal.read(Site(root: site.root), verifier: SiteKeyFile.load(Site(root: site.root)).verifierKey,
                                                      siteName: "trust-site"))
        #expect(seal.documents[drop]?.sha256 == drop.split(separator: "/").last.map { String($0.prefix(64)) })
        let again = try checks(site)
        #expect(again.documentsHashed == 0 && again.archivedDropsHashed == 0)
        let verify = try site.recon(["verify"])
        #expect(verify.code == 0, "\(verify.out)")
        if let audit = try site.auditorVerify() { #expect(audit.code == 0, "\(audit.out)") }

        #expect(utimes(site.path(drop), nil) == 0)
        let touched = try checks(site)
        #expect(touched.documentsHashed == 0 && touched.archivedDropsHashed == 1)
    }

    /// A decisions drop is never read again either (each decision became an entry of its own):
    /// one changed after it was accepted stops the next writer, in an open month too.
    @Test func aChangedDecisionsDropStopsWriters() throws {
        let site = try TestSite.marchSite()
        try site.drop("decisions-march.csv", "subject,decision,by,note\nR1,approve,asha,checked with C1\n")
        let decided = try site.recon(["ingest"], env: TestSite.closeDay)
        #expect(decided.code == 0, "\(decided.err)")
        let decisions = try #require(try site.bodies("drop.accepted").first { $0["kind"] as? String == "decisions" }?["path"] as? String)
        let text = try site.read(decisions)
        try text.replacingOccurrences(of: "approve", with: "exclude").write(toFile: site.path(decisions), atomically: false, encoding: .utf8)

        try expectAprilIngestRefused(site, saying: "archived drop \(decisions) does not match its recorded SHA-256")
    }

    /// A usage drop that only repeats reports already taken adds no rows, so no period: the
    /// replay does not read it once a period is settled. The writer checks must then check it
    /// through the seal like any unread drop; one changed afterwards stops the next writer.
    @Test func aChangedDropOfOnlyRepeatedReportsStopsWriters() throws {
        let site = try DocumentSealTests.settledSite()
        // March's rows again, with a blank line: other bytes, the same reports.
        try site.drop("usage-again.csv", try site.read(try Self.marchDrop(site)) + "\n")
        let again = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(again.code == 0, "\(again.err)")
        let repeated = try #require(try site.bodies("drop.accepted").last { $0["name"] as? String == "usage-again.csv" })
        #expect((repeated["periods"] as? [Any])?.isEmpty == true, "\(repeated)")
        let drop = try #require(repeated["path"] as? String)
        let text = try site.read(drop)
        try (text + "\n").write(toFile: site.path(drop), atomically: false, encoding: .utf8)

        try expectAprilIngestRefused(site, saying: "archived drop \(drop) does not match its recorded SHA-256")
    }

    /// An open month's drop is hashed by the replay as it is read, not by the writer checks too.
    @Test func anOpenMonthsDropIsLeftToTheReplay() throws {
        let site = try TestSite.marchSite()
        let outcome = try checks(site)
        #expect(outcome.archivedDropsHashed == 0)
    }
}
