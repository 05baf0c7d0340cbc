import Foundation
import Testing
import TestSupport

@testable import ReconKit
@testable import XLSX

/// The margin summary's closed periods' `Detail` rows, kept between commands
/// (`MarginDetailCache`): the summary shows with them exactly what it shows without them, and
/// rows the site key did not sign never reach a workbook. Each runs the real `recon`.
@Suite("The margin summary's kept rows: the same sheet, and only rows the site key signed")
struct MarginDetailCacheTests {
    static let detail = "xl/worksheets/sheet3.xml"
    static let byMonth = "xl/worksheets/sheet1.xml"
    static let byClient = "xl/worksheets/sheet2.xml"
    static let summary = "Outbox/margin-summary.xlsx"
    static let moreApril = """
        report_id,reported_at,client_id,radiologist_id,modality,image_count
        R8,2026-04-05T10:00:00Z,C2,D2,CT,1
        """

    /// March closed: the close's summary keeps March's rows.
    static func closedMarch() throws -> TestSite {
        let site = try TestSite.marchSite()
        let close = try site.recon(["close", "2026-03"], env: TestSite.closeDay)
        #expect(close.code == 0, "\(close.err)")
        #expect(site.exists(MarginDetailCache.notePath) && site.exists(MarginDetailCache.bytesPath))
        return site
    }

    static func ingest(_ site: TestSite, _ name: String, _ csv: String) throws {
        try site.drop(name, csv)
        let run = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(run.code == 0, "\(run.out)\(run.err)")
    }

    /// The kept rows, inflated, and the site key that signs a note for them.
    static func keptXML(_ site: TestSite) throws -> (xml: String, key: SigningKey, note: MarginDetailCache.Note) {
        let s = Site(root: site.root), key = try SiteKeyFile.load(s)
        let note = try #require(try MarginDetailCache.note(s, verifier: key.verifierKey))
        let cache = MarginDetailCache(site: s, verifier: key.verifierKey, signing: nil)
        let packed = try #require(cache.packed(note))
        return (String(decoding: try #require(packed.inflated()), as: UTF8.self), key, note)
    }

    /// `xml` deflated as kept rows into the cache's bytes; the note signed again for them
    /// with the site key when `signing`.
    static func plant(_ site: TestSite, _ xml: String, note: MarginDetailCache.Note, signing: SigningKey?) throws {
        let bytes = Array(xml.utf8)
        let (deflated, crc, size) = RawDeflate.deflate([.xml(bytes[...])], final: false)
        try Data(deflated).write(to: URL(fileURLWithPath: site.path(MarginDetailCache.bytesPath)))
        guard let signing else { return }
        var planted = note
        planted.crc = crc
        planted.size = size
        planted.sha256 = try HashedFileWindow.sha256(of: site.path(MarginDetailCache.bytesPath))
        try SignedNote.writeFile(site.path(MarginDetailCache.notePath), text: MarginDetailCache.text(of: planted), key: signing)
    }

    /// March's rows taken as kept and built afresh make the same `Detail` sheet, byte for
    /// byte; the site without them builds and keeps them again; both verify.
    @Test func keptRowsMakeTheSheetTheyWouldBeBuiltAs() throws {
        let kept = try Self.closedMarch(), built = try Self.closedMarch()
        try FileManager.default.removeItem(atPath: built.path(MarginDetailCache.notePath))
        try FileManager.default.removeItem(atPath: built.path(MarginDetailCache.bytesPath))
        for site in [kept, built] { try Self.ingest(site, "usage-2026-04.csv", TestSite.april) }
        let sheet = try zipEntry(kept.path(Self.summary), Self.detail)
        #expect(try zipEntry(built.path(Self.summary), Self.detail) == sheet)
        // The other two sheets add up from the kept sums what the built ones add up from the rows.
        for other in [Self.byMonth, Self.byClient] {
            #expect(try zipEntry(built.path(Self.summary), other) == zipEntry(kept.path(Self.summary), other), "\(other)")
        }
        // March's rows closed, April's drafts below them.
        #expect(sheet.contains("<c r=\"B2\" t=\"inlineStr\"><is><t>closed</t></is></c>"), "\(sheet.prefix(600))")
        #expect(sheet.contains("<t>2026-04</t></is></c><c r=\"B") && sheet.contains("<t>draft</t>"))
        #expect(built.exists(MarginDetailCache.notePath) && built.exists(MarginDetailCache.bytesPath))
        for site in [kept, built] {
            let verify = try site.recon(["verify"], env: TestSite.aprilLater)
            #expect(verify.code == 0, "\(verify.out)\(verify.err)")
        }
    }

    /// Rows changed in the cache without the site key are passed by (built again); changed
    /// and signed with it they are shown — the cache is used — and `recon verify` finds them.
    @Test func rowsTheSiteKeyDidNotSignAreNeverShown() throws {
        let site = try Self.closedMarch()
        let (xml, key, note) = try Self.keptXML(site)
        #expect(xml.contains("<t>C1</t>"))
        let forged = xml.replacingOccurrences(of: "<t>C1</t>", with: "<t>C9</t>")

        try Self.plant(site, forged, note: note, signing: nil)
        try Self.ingest(site, "usage-2026-04.csv", TestSite.april)
        let rebuilt = try zipEntry(site.path(Self.summary), Self.detail)
        #expect(rebuilt.contains("<t>C1</t>") && !rebuilt.contains("<t>C9</t>"))
        #expect(try site.recon(["verify"], env: TestSite.aprilLater).code == 0)

        // The rows as they are now kept (April's ingest kept them again), changed and signed.
        let (now, _, current) = try Self.keptXML(site)
        try Self.plant(site, now.replacingOccurrences(of: "<t>C1</t>", with: "<t>C9</t>"), note: current, signing: key)
        try Self.ingest(site, "usage-2026-04-more.csv", Self.moreApril)
        #expect(try zipEntry(site.path(Self.summary), Self.detail).contains("<t>C9</t>"), "the planted rows show: the cache is used")
        let verify = try site.recon(["verify"], env: TestSite.aprilLater)
        #expect(verify.code == 4, "\(verify.out)")
        #expect(verify.out.contains("margin-detail.deflate holds other rows than the ledger gives the margin summary"), "\(verify.out)")

        // A note changed without the key: verify says so; a writer builds the rows again.
        let text = try site.read(MarginDetailCache.notePath)
        try text.replacingOccurrences(of: current.key, with: String(current.key.reversed()))
            .write(toFile: site.path(MarginDetailCache.notePath), atomically: true, encoding: .utf8)
        let unsigned = try site.recon(["verify"], env: TestSite.aprilLater)
        #expect(unsigned.code == 4 && unsigned.out.contains("margin-detail.cache"), "\(unsigned.out)")
        try site.drop("usage-2026-04-last.csv", """
            report_id,reported_at,client_id,radiologist_id,modality,image_count
            R9,2026-04-06T10:00:00Z,C1,D1,CT,1
            """)
        #expect(try site.recon(["ingest"], env: TestSite.aprilLater).code == 0)
        let last = try zipEntry(site.path(Self.summary), Self.detail)
        #expect(last.contains("<t>C1</t>") && !last.contains("<t>C9</t>"))
        #expect(try site.recon(["verify"], env: TestSite.aprilLater).code == 0)
    }

    /// Rows signed with a CRC-32 or length that is not theirs (only a holder of the site key
    /// can sign them) never make a workbook fail: the rows are built, and verify finds the note.
    @Test func rowsSignedWithAnotherChecksumAreBuiltInstead() throws {
        let site = try Self.closedMarch()
        let (xml, key, note) = try Self.keptXML(site)
        let bytes = Array(xml.utf8)
        let (deflated, crc, size) = RawDeflate.deflate([.xml(bytes[...])], final: false)
        for (badCRC, badSize) in [(crc ^ 1, size), (crc, size + 1)] {
            try Data(deflated).write(to: URL(fileURLWithPath: site.path(MarginDetailCache.bytesPath)))
            var planted = note
            planted.crc = badCRC
            planted.size = badSize
            planted.sha256 = try HashedFileWindow.sha256(of: site.path(MarginDetailCache.bytesPath))
            try SignedNote.writeFile(site.path(MarginDetailCache.notePath), text: MarginDetailCache.text(of: planted), key: key)
            let verify = try site.recon(["verify"], env: TestSite.closeDay)
            #expect(verify.code == 4 && verify.out.contains("margin-detail"), "\(verify.out)")
            try Self.ingest(site, "usage-2026-04-\(badSize).csv", """
                report_id,reported_at,client_id,radiologist_id,modality,image_count
                A\(badSize),2026-04-03T10:00:00Z,C1,D1,CT,1
                """)
            let sheet = try zipEntry(site.path(Self.summary), Self.detail)
            #expect(sheet.contains("<t>C1</t>") && sheet.contains("<t>draft</t>"))
            #expect(try site.recon(["verify"], env: TestSite.aprilLater).code == 0)
        }
    }

    /// The kept sums are the site key's word too: changed without it they are passed by (the
    /// rows are built again); changed and signed they are shown, and `recon verify` finds them.
    @Test func sumsTheSiteKeyDidNotSignAreNeverShown() throws {
        let site = try Self.closedMarch()
        let (_, key, note) = try Self.keptXML(site)
        let march = try #require(note.months.first)
        #expect(note.months.count == 1 && march.name == "2026-03" && march.reports > 0 && !note.clients.isEmpty)
        var forged = note
        forged.months[0].reports += 1000
        let forgedReports = "<v>\(march.reports + 1000)</v>"
        try Data(MarginDetailCache.text(of: forged)).write(to: URL(fileURLWithPath: site.path(MarginDetailCache.notePath)))
        let unsigned = try site.recon(["verify"], env: TestSite.aprilLater)
        #expect(unsigned.code == 4 && unsigned.out.contains("margin-detail.cache"), "\(unsigned.out)")
        try Self.ingest(site, "usage-2026-04.csv", TestSite.april)
        #expect(!(try zipEntry(site.path(Self.summary), Self.byMonth)).contains(forgedReports))
        #expect(try site.recon(["verify"], env: TestSite.aprilLater).code == 0)

        let (_, _, current) = try Self.keptXML(site)
        forged = current
        forged.months[0].reports += 1000
        try SignedNote.writeFile(site.path(MarginDetailCache.notePath), text: MarginDetailCache.text(of: forged), key: key)
        try Self.ingest(site, "usage-2026-04-more.csv", Self.moreApril)
        #expect(try zipEntry(site.path(Self.summary), Self.byMonth).contains(forgedReports), "the planted sums show: the cache is used")
        let verify = try site.recon(["verify"], env: TestSite.aprilLater)
        #expect(verify.code == 4, "\(verify.out)")
        #expect(verify.out.contains("margin-detail.cache holds other sums or styles than the ledger gives the margin summary"),
                "\(verify.out)")
    }

    /// A note an earlier program wrote (rows keyed by their figures, no sums) is no note: it
    /// is not an error for `recon verify`, and the next writer keeps the closed part anew.
    @Test func anEarlierProgramsNoteIsPassedBy() throws {
        let site = try Self.closedMarch()
        let (_, key, note) = try Self.keptXML(site)
        try SignedNote.writeFile(site.path(MarginDetailCache.notePath),
                                 text: Array((MarginDetailCache.earlierHeader + "\n{\"key\":\"\(note.key)\"}\n").utf8), key: key)
        let s = Site(root: site.root)
        #expect(try MarginDetailCache.note(s, verifier: key.verifierKey) == nil)
        #expect(try site.recon(["verify"], env: TestSite.aprilLater).code == 0)
        try Self.ingest(site, "usage-2026-04.csv", TestSite.april)
        #expect(try MarginDetailCache.note(s, verifier: key.verifierKey) == note)
    }

    /// The closed part is keyed by the entries that recorded the closed periods' margins: the
    /// next close keeps it anew, with both months, under another key.
    @Test func theNextCloseKeepsTheClosedPartAnew() throws {
        let site = try Self.closedMarch()
        let (_, _, march) = try Self.keptXML(site)
        try Self.ingest(site, "usage-2026-04.csv", TestSite.april)
        let close = try site.recon(["close", "2026-04"], env: ["RECON_NOW": "2026-05-02T09:00:00Z"])
        #expect(close.code == 0, "\(close.err)")
        let (xml, _, both) = try Self.keptXML(site)
        #expect(both.key != march.key && both.months.map(\.name) == ["2026-03", "2026-04"])
        #expect(both.months.first == march.months.first)
        #expect(xml.contains("<t>2026-04</t>") && !xml.contains("<t>draft</t>"))
        #expect(try site.recon(["verify"], env: ["RECON_NOW": "2026-05-02T10:00:00Z"]).code == 0)
    }

    /// `recon verify` rebuilds the kept rows outside the site, in $TMPDIR: a `/tmp` full or
    /// read-only ended it with exit 1 and no verdict on an intact site. It builds them elsewhere
    /// then (a TMPDIR naming a file, no folder, stands for one that takes nothing).
    @Test func verifyChecksTheKeptRowsWhenTMPDIRTakesNothing() throws {
        let site = try Self.closedMarch()
        let file = site.root + "-not-a-folder"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let verify = try site.recon(["verify"], env: ["TMPDIR": file])
        #expect(verify.code == 0 && verify.out.hasPrefix("ok "), "\(verify.code) \(verify.out)\(verify.err)")
    }
}
