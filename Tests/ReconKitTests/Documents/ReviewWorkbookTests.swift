import Foundation
import Testing

@testable import ReconKit

/// The review workbook: flags marked provisional or final, and a list longer than a sheet
/// continued on the next one.
struct ReviewWorkbookTests {
    static let period = Period("2026-03")!

    static func review(hard: Int, soft: Int, final: Bool) -> PeriodReview {
        var hardFlags: [PeriodReview.FlagState] = []
        hardFlags.reserveCapacity(hard)
        for i in 0..<hard {
            hardFlags.append(.init(flag: AuditFlag(
                id: "HARD-\(i)", severity: .hard, code: "IMAGES_OVER_CONTRACT", subject: "R\(i)", period: period,
                reason: "9 images in one case; the contract of C1 allows 5", score: "1")))
        }
        let softFlags = (0..<soft).map { i in
            PeriodReview.FlagState(flag: AuditFlag(
                id: "SOFT-\(i)", severity: .soft, code: "SOFT_IMAGES_PER_CASE", subject: "C\(i)", period: period,
                reason: "High images per case: 9.0, up from 3.0", score: "0.7\(i)"))
        }
        return PeriodReview(period: period, book: PeriodBook(period: period, fxDate: period.lastDay), hardFlags: hardFlags,
                            softFlags: softFlags, blockOnSoft: false, stats: [], softFlagsFinal: final)
    }

    static func state() -> SiteState {
        SiteState(name: "s", base: Currency(code: "INR")!, zone: SiteTimeZone(identifier: "UTC")!, publicKey: "")
    }

    /// Three soft flags' trend charts, two a row: the third was anchored two rows above the foot
    /// of the first, hiding its legend. Each chart starts below the one above it ends.
    @Test func trendChartsDoNotCoverOneAnother() throws {
        let path = FileManager.default.temporaryDirectory.path + "/review-\(UUID().uuidString).xlsx"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ReviewWorkbook.write(Self.review(hard: 0, soft: 5, final: true), state: Self.state(), to: path, rowsPerSheet: 10,
                                 created: Date(timeIntervalSince1970: 1_775_120_400))
        let drawing = try zipEntry(path, "xl/drawings/drawing1.xml")
        func rows(_ tag: String) -> [Int] {
            drawing.matches(of: try! Regex("<xdr:\(tag)><xdr:col>[0-9]+</xdr:col><xdr:colOff>[0-9]+</xdr:colOff><xdr:row>([0-9]+)</xdr:row>"))
                .map { Int($0.output[1].substring!)! }
        }
        let (from, to) = (rows("from"), rows("to"))
        #expect(from.count == 5 && to.count == 5, "\(drawing)")
        // Charts 0, 2, 4 share the left column, 1 and 3 the right.
        for i in 2..<from.count { #expect(from[i] > to[i - 2], "chart \(i) starts at row \(from[i]), above the foot of chart \(i - 2) (\(to[i - 2]))") }
        // Side by side: the right one starts in a column after the one the left one ends in.
        func columns(_ tag: String) -> [Int] {
            drawing.matches(of: try! Regex("<xdr:\(tag)><xdr:col>([0-9]+)</xdr:col>")).map { Int($0.output[1].substring!)! }
        }
        let (left, right) = (columns("to"), columns("from"))
        #expect(right[1] > left[0], "the right chart starts in column \(right[1]), where the left one ends (\(left[0]))")
    }

    /// The score column's shading is fixed — 0.5 (nothing stands out) yellow, 1 red — not
    /// relative to the flags listed: every one is over the threshold, and a soft flag (0.7)
    /// listed under hard ones (1) was shaded as the lowest, green, as if fine.
    @Test func scoresAreShadedOnAFixedScale() throws {
        let path = FileManager.default.temporaryDirectory.path + "/review-\(UUID().uuidString).xlsx"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ReviewWorkbook.write(Self.review(hard: 2, soft: 1, final: true), state: Self.state(), to: path,
                                 created: Date(timeIntervalSince1970: 1_775_120_400))
        let sheet = try zipEntry(path, "xl/worksheets/sheet1.xml")
        #expect(sheet.contains(#"<conditionalFormatting sqref="F2:F4"><cfRule type="colorScale" priority="1"><colorScale>"#
            + #"<cfvo type="num" val="0"/><cfvo type="num" val="0.5"/><cfvo type="num" val="1"/>"#), "\(sheet)")
    }

    @Test(arguments: [false, true])
    func flagsContinueOnTheNextSheetAndSoftOnesSayWhetherTheyAreFinal(final: Bool) throws {
        // 25 hard + 3 soft flags on sheets of 10 rows (1 header + 9 flags): 9 + 9 + 9 + 1.
        let path = FileManager.default.temporaryDirectory.path + "/review-\(UUID().uuidString).xlsx"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ReviewWorkbook.write(Self.review(hard: 25, soft: 3, final: final), state: Self.state(), to: path, rowsPerSheet: 10,
                                 created: Date(timeIntervalSince1970: 1_775_120_400))  // 2026-04-02T09:00:00Z
        let book = try XLSXCells(path: path)
        let pages = ["Flags", "Flags (2)", "Flags (3)", "Flags (4)"]
        #expect(Array(book.sheetNames.prefix(5)) == pages + ["Trends"])
        var ids: [String] = []
        for name in pages {
            let sheet = try #require(book.sheets[name])
            #expect(sheet.text("A1") == "severity" && sheet.text("B1") == "status" && sheet.text("C1") == "flag_id")
            #expect(sheet.text("A11") == nil, "\(name) holds more than 10 rows")
            var r = 2
            while let id = sheet.text("C\(r)") {
                ids.append(id)
                let status = sheet.text("B\(r)")
                #expect(status == (id.hasPrefix("HARD") ? "raised" : final ? "final" : "provisional"))
                r += 1
            }
        }
        #expect(ids.count == 28 && Set(ids).count == 28)
        #expect(Array(ids.prefix(25)).allSatisfy { $0.hasPrefix("HARD-") })
    }

    /// Two minutes and 1.9 GB in a debug build, so it runs when `RECON_LONG_TESTS` is set
    /// (`RECON_LONG_TESTS=1 swift test --filter aMillionFlags`); the test above checks the
    /// same paging on sheets of 10 rows in every run.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["RECON_LONG_TESTS"] != nil))
    func aMillionFlagsOutgrowOneSheet() throws {
        // 1,050,000 hard flags: 1,048,575 under the header of `Flags`, 1,425 on `Flags (2)`.
        let path = FileManager.default.temporaryDirectory.path + "/review-big-\(UUID().uuidString).xlsx"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ReviewWorkbook.write(Self.review(hard: 1_050_000, soft: 0, final: false), state: Self.state(), to: path,
                                 created: Date(timeIntervalSince1970: 1_775_120_400))  // 2026-04-02T09:00:00Z
        let script = """
            import re, sys, zipfile
            z = zipfile.ZipFile(sys.argv[1])
            names = re.findall(r'<sheet name="([^"]+)"', z.read("xl/workbook.xml").decode())
            dims = []
            for i in (1, 2):
                head = z.open("xl/worksheets/sheet%d.xml" % i).read(2000).decode("utf-8", "replace")
                dims.append(re.search(r'<dimension ref="([^"]+)"', head).group(1))
            print("|".join(names[:2] + dims))
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines) == "Flags|Flags (2)|A1:K1048576|A1:K1426")
    }
}
