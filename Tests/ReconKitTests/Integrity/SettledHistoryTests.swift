import Crypto
import Foundation
import Testing

@testable import ReconKit

/// A closed month is settled: its close writes the month's reports to
/// `.recon/closed/YYYY-MM.idx` and records the index table's SHA-256 in `period.closed`, and
/// later commands look its report ids up there instead of reading the month's drops again. The
/// index is checked against the ledger before anything is built on it. Each test runs the built binary.
@Suite("Settled months are looked up, not reloaded", .serialized)
struct SettledHistoryTests {
    static let indexPath = ".recon/closed/2026-03.idx"

    /// March (R1–R4) closed on 2 April.
    static func closedMarch() throws -> TestSite {
        let site = try TestSite.marchSite()
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 0, "\(close.err)")
        return site
    }

    func bytes(_ site: TestSite, _ relative: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: URL(fileURLWithPath: site.path(relative))))
    }

    func write(_ bytes: [UInt8], _ site: TestSite, _ relative: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: site.path(relative)))
    }

    /// The SHA-256 of the index's table: the file ends with the table and its length.
    func tableSha(_ file: [UInt8]) -> String {
        let length = file[(file.count - 8)...].withUnsafeBytes { Int(Int64(littleEndian: $0.loadUnaligned(as: Int64.self))) }
        return SHA256.hash(data: file[(file.count - 8 - length)..<(file.count - 8)]).map { String(format: "%02x", $0) }.joined()
    }

    func ledger(_ site: TestSite) throws -> [UInt8] { try bytes(site, "Ledger/ledger.jsonl") }

    func marchCache(_ site: TestSite) throws -> String {
        let body = try #require(try site.bodies("drop.accepted").first { $0["kind"] as? String == "usage" })
        return ".recon/cache/\(try #require(body["sha256"] as? String)).bin"
    }

    /// April: R1 again exactly as March had it, and R6 new.
    static let aprilRepeatingR1 = """
        report_id,reported_at,client_id,radiologist_id,modality,image_count
        R1,2026-03-02T10:00:00Z,C1,D1,CT,2
        R6,2026-04-03T10:00:00Z,C1,D1,CT,1
        """

    /// April: R1 again with other values (C2 instead of C1), and R6 new.
    static let aprilRepeatingR1Changed = """
        report_id,reported_at,client_id,radiologist_id,modality,image_count
        R1,2026-03-02T10:00:00Z,C2,D1,CT,2
        R6,2026-04-03T10:00:00Z,C1,D1,CT,1
        """

    @Test func theCloseRecordsTheIndexOfItsReports() throws {
        let site = try Self.closedMarch()
        let closed = try #require(try site.bodies("period.closed").first)
        let file = try bytes(site, Self.indexPath)
        #expect(closed["report_index_sha256"] as? String == tableSha(file))
        let usage = try #require(try site.bodies("drop.accepted").first { $0["kind"] as? String == "usage" })
        #expect(usage["periods"] as? [String] == ["2026-03"])
        #expect(try site.recon(["verify"]).code == 0)
        site.expectAuditorAccepts()
    }

    /// The settled month's drop is not read again: its cache deleted, the ingest (which writes
    /// back any cache it reads from the drop) leaves it missing, yet a report id of that month
    /// repeated with other values is still refused — found in the index. (A damaged one stops
    /// the writers before they read anything: ``SettledDropSealTests``.)
    @Test func aSettledMonthsReportIdsAreFoundWithoutReadingItsDrops() throws {
        let site = try Self.closedMarch()
        let cache = try marchCache(site)
        try FileManager.default.removeItem(atPath: site.path(cache))
        try site.drop("usage-2026-04.csv", Self.aprilRepeatingR1Changed)
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 2, "\(ingest.out)\(ingest.err)")
        let errors = try String(contentsOfFile: site.path("Inbox/rejected/usage-2026-04.csv.errors.txt"), encoding: .utf8)
        #expect(errors.contains("report R1 was ingested before with other values"), "\(errors)")
        #expect(!site.exists(cache))
        let verify = try site.recon(["verify"])
        #expect(verify.code == 0, "\(verify.out)")
    }

    /// R1 repeated with the same values is skipped, not billed twice: April's close bills C1
    /// for R6 alone, 1 × 100.00 = 100.00 + 18 % tax 18.00 = 118.00; D1 is paid 1 × 50.00.
    @Test func aSettledReportRepeatedAsItWasIsNotBilledAgain() throws {
        let site = try Self.closedMarch()
        try site.drop("usage-2026-04.csv", Self.aprilRepeatingR1)
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 0, "\(ingest.out)\(ingest.err)")
        let april = try #require(try site.bodies("drop.accepted").last)
        #expect(april["periods"] as? [String] == ["2026-04"])
        let close = try site.recon(["close", "2026-04"], env: ["RECON_NOW": "2026-05-02T09:00:00Z"])
        #expect(close.code == 0, "\(close.err)")
        let invoice = try #require(try site.bodies("invoice.issued").first { $0["period"] as? String == "2026-04" })
        #expect(invoice["client_id"] as? String == "C1" && invoice["subtotal"] as? String == "100.00" && invoice["total"] as? String == "118.00")
        let payout = try #require(try site.bodies("payout.issued").first { $0["period"] as? String == "2026-04" })
        #expect(payout["radiologist_id"] as? String == "D1" && payout["total"] as? String == "50.00")
        #expect(try site.recon(["verify"]).code == 0)
        site.expectAuditorAccepts()
    }

    /// A decision naming a settled report is found through the index and waits for a rerun.
    @Test func aDecisionNamingASettledReportWaitsForARerun() throws {
        let site = try Self.closedMarch()
        let decide = try site.recon(["decide", "R3", "approve", "--by", "Asha"], env: TestSite.aprilLater)
        #expect(decide.code == 3, "\(decide.out)\(decide.err)")
        #expect(decide.err.contains("R3 belongs to 2026-03, closed"), "\(decide.err)")
    }

    /// A record changed inside the index: the writer that needs it refuses (exit 4) and
    /// appends nothing, naming the file; `recon verify` names it too. Deleted, it comes back
    /// byte for byte from the archived drops, and the ingest goes through.
    @Test func aChangedIndexRecordStopsTheWriterUntilTheFileIsDeleted() throws {
        let site = try Self.closedMarch()
        let original = try bytes(site, Self.indexPath)
        var damaged = original
        damaged[4 * 8 + 20] ^= 1  // past the four fingerprints: inside the records
        try write(damaged, site, Self.indexPath)
        try site.drop("usage-2026-04.csv", Self.aprilRepeatingR1Changed)
        let before = try ledger(site)
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 4, "\(ingest.out)\(ingest.err)")
        #expect(ingest.err.contains(Self.indexPath), "\(ingest.err)")
        #expect(try ledger(site) == before)
        #expect(site.exists("Inbox/usage-2026-04.csv"))
        let verify = try site.recon(["verify"])
        #expect(verify.code == 4 && verify.out.contains(Self.indexPath), "\(verify.out)")

        try FileManager.default.removeItem(atPath: site.path(Self.indexPath))
        let again = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(again.code == 2, "\(again.out)\(again.err)")  // R1 with other values, as it should be
        #expect(try bytes(site, Self.indexPath) == original)
        #expect(try site.recon(["verify"]).code == 0)
    }

    /// A changed table is never trusted: a reader reads the month's drops instead (saying so),
    /// `recon verify` names the file, and a writer appends nothing over it (exit 4) until it is
    /// deleted; then the ingest's answer is the one the month's reports give.
    @Test func aChangedIndexTableIsNotRead() throws {
        let site = try Self.closedMarch()
        var damaged = try bytes(site, Self.indexPath)
        damaged[damaged.count - 12] ^= 1  // inside the table, before its length
        try write(damaged, site, Self.indexPath)
        try site.drop("usage-2026-04.csv", Self.aprilRepeatingR1Changed)
        try? FileManager.default.removeItem(atPath: site.path(".recon/status.cache"))
        let status = try site.recon(["status"], env: TestSite.aprilLater)
        #expect(status.code == 0 && status.err.contains(Self.indexPath) && status.err.contains("not read"), "\(status.err)")
        let before = try ledger(site)
        let refused = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(refused.code == 4 && refused.err.contains(Self.indexPath), "\(refused.out)\(refused.err)")
        #expect(try ledger(site) == before && site.exists("Inbox/usage-2026-04.csv"))
        let verify = try site.recon(["verify"])
        #expect(verify.code == 4 && verify.out.contains(Self.indexPath), "\(verify.out)")
        try FileManager.default.removeItem(atPath: site.path(Self.indexPath))
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 2, "\(ingest.out)\(ingest.err)")  // R1 with other values, as it should be
        #expect(try site.recon(["verify"]).code == 0)
    }

    /// A rerun settles the period again with the held drops applied: its entry records the new
    /// index, which now holds R5, so a later R5 with other values is refused.
    @Test func aRerunRecordsTheIndexWithTheHeldReports() throws {
        let site = try TestSite.trustSite()
        let closed = try #require(try site.bodies("period.closed").first?["report_index_sha256"] as? String)
        let rerun = try #require(try site.bodies("rerun").first?["report_index_sha256"] as? String)
        #expect(rerun != closed)
        #expect(tableSha(try bytes(site, Self.indexPath)) == rerun)
        try site.drop("usage-2026-04-more.csv", """
            report_id,reported_at,client_id,radiologist_id,modality,image_count
            R5,2026-03-20T10:00:00Z,C2,D1,CT,1
            """)
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 2, "\(ingest.out)\(ingest.err)")
        #expect(try site.recon(["verify"]).code == 0)
        site.expectAuditorAccepts()
    }

    /// A rerun killed between its entry and putting its index in place leaves no index (the
    /// old one goes before the append): the next command rebuilds the rerun's, byte for byte.
    @Test func aRerunsIndexComesBackWhenItWasNeverPutInPlace() throws {
        let site = try TestSite.trustSite()
        let original = try bytes(site, Self.indexPath)
        try FileManager.default.removeItem(atPath: site.path(Self.indexPath))
        #expect(try site.recon(["status"], env: TestSite.aprilLater).code == 0)
        #expect(try bytes(site, Self.indexPath) == original)
        #expect(tableSha(original) == (try site.bodies("rerun").first?["report_index_sha256"] as? String))
        #expect(try site.recon(["verify"]).code == 0)
    }

    /// A refused close settles nothing: the index it began encoding beside the pricing is
    /// stopped and removed, and nothing is left in `.recon/closed/`.
    @Test func aRefusedCloseLeavesNoIndex() throws {
        let site = try TestSite.marchSite()
        try site.drop("usage-over.csv", """
            report_id,reported_at,client_id,radiologist_id,modality,image_count
            R9,2026-03-09T10:00:00Z,C1,D1,CT,12
            """)
        #expect(try site.recon(["ingest"], env: TestSite.closeDay).code == 0)
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 3, "\(close.out)\(close.err)")
        #expect(FileIO.list(site.path(".recon/closed")).isEmpty, "\(FileIO.list(site.path(".recon/closed")))")
        #expect(try site.bodies("period.closed").isEmpty)
    }

    /// An open month's drop that repeated a settled report keeps only its new rows: read again
    /// from its CSV (its cache deleted), the repeat is found in the index and left out, and the
    /// cache comes back as the ledger recorded it.
    @Test func aReparsedDropLeavesOutTheSettledReportsItRepeated() throws {
        let site = try Self.closedMarch()
        try site.drop("usage-2026-04.csv", Self.aprilRepeatingR1)
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 0)
        let april = try #require(try site.bodies("drop.accepted").last)
        let cache = ".recon/cache/\(try #require(april["sha256"] as? String)).bin"
        let recorded = try #require(april["cache_sha256"] as? String)
        try FileManager.default.removeItem(atPath: site.path(cache))
        #expect(try site.recon(["status"], env: TestSite.aprilLater).code == 0)
        #expect(site.exists(cache))
        #expect(SHA256.hash(data: try bytes(site, cache)).map { String(format: "%02x", $0) }.joined() == recorded)
    }
}
