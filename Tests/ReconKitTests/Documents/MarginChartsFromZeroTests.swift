import Foundation
import Testing

@testable import ReconKit

/// A chart program starts a value axis near the smallest value when the values are close:
/// two clients' margins of 40.00 and 38.00 drew bars from 37, one three times the other's
/// length. The margin summary's charts start their value axis at 0 whenever every value they
/// plot is 0 or more; a loss (a negative margin) leaves the axis to the chart program, which
/// then shows 0.
@Suite("Margin summary — charts measure from 0")
struct MarginChartsFromZeroTests {
    static let usd = Currency(code: "USD")!

    /// The margin summary's two charts (`By month`'s line chart, `By client`'s bar chart) for
    /// clients A and B with these revenues and a cost of 10.00 each.
    func charts(revenue a: String, _ b: String) throws -> (byMonth: String, byClient: String) {
        let period = Period("2026-03")!
        let rows = [("A", a), ("B", b)].map { id, revenue in
            MarginSummaryWorkbook.Row(period, "closed", MarginRow(clientId: id, modality: "CT", reports: 1,
                                                                  revenue: Fixture.d(revenue), cost: Fixture.d("10.00")))
        }
        let path = FileManager.default.temporaryDirectory.path + "/margin-\(UUID().uuidString).xlsx"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try MarginSummaryWorkbook.write(rows: rows, base: Self.usd, site: "s", to: path,
                                        created: Date(timeIntervalSince1970: 1_775_811_600))
        return (try zipEntry(path, "xl/charts/chart1.xml"), try zipEntry(path, "xl/charts/chart2.xml"))
    }

    /// The value axis's scaling (`<c:valAx>…<c:scaling>…</c:scaling>`) of a chart's XML.
    func valueAxisScaling(_ chart: String) throws -> String {
        let match = try #require(chart.firstMatch(of: try Regex(#"(?s)<c:valAx>.*?<c:scaling>(.*?)</c:scaling>"#)), "\(chart)")
        return String(match.output[1].substring!)
    }

    @Test func marginsOfZeroOrMoreAreDrawnFromZero() throws {
        let (byMonth, byClient) = try charts(revenue: "50.00", "48.00")
        #expect(byClient.contains("Top clients by margin"))
        #expect(try valueAxisScaling(byClient).contains(#"<c:min val="0"/>"#), "\(byClient)")
        #expect(try valueAxisScaling(byMonth).contains(#"<c:min val="0"/>"#), "\(byMonth)")
    }

    @Test func aLossLeavesTheAxisToTheChartProgram() throws {
        let (byMonth, byClient) = try charts(revenue: "50.00", "4.00")
        #expect(!(try valueAxisScaling(byClient)).contains("<c:min"), "\(byClient)")
        // The month's margin is 34.00, its revenue and cost above 0: drawn from 0.
        #expect(try valueAxisScaling(byMonth).contains(#"<c:min val="0"/>"#), "\(byMonth)")
    }

    /// The review's "Images per case by client" chart too: ratios of 2.4 and 2.6 drew one bar
    /// several times the other.
    @Test func theReviewsImagesPerCaseChartStartsAtZero() throws {
        let site = try TestSite.closedMarchSite()
        let path = site.path("Outbox/2026-03/review.xlsx")
        // The chart whose title names it, among the review's charts (its trends have charts of their own).
        let script = "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nfor n in z.namelist():\n"
            + "    t = z.read(n).decode()\n    if n.startswith('xl/charts/') and 'Images per case by client' in t: sys.stdout.write(t)"
        let found = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", script, path])
        let chart = found.out
        #expect(found.code == 0 && chart.contains("Images per case by client"), "no images-per-case chart: \(found.err)")
        #expect(try valueAxisScaling(chart).contains(#"<c:min val="0"/>"#), "\(chart)")
    }
}
