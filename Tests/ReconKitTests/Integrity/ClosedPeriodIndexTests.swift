import Crypto
import Foundation
import Testing

@testable import ReconKit

/// The closed-period index on its own: every report comes back exactly, ids it does not hold
/// are not found, the bytes depend only on the reports, and the table check refuses a file
/// that is not the one recorded.
@Suite("Closed-period index")
struct ClosedPeriodIndexTests {
    static let period = Period(year: 2026, month: 3)

    /// 3,000 reports over a few clients and radiologists: eight buckets.
    static func reports() -> [Report] {
        (0..<3000).map { i in
            Report(id: "R-\(i)", reportedAt: Timestamp(nanoseconds: 1_772_409_600_000_000_000 + Int64(i) * 60_000_000_000),
                   localDate: LocalDate(year: 2026, month: 3, day: 1 + i % 28)!,
                   clientId: "C\(i % 7)", radiologistId: "D\(i % 11)", modality: ["CT", "MR", "XR"][i % 3],
                   imageCount: Int32(1 + i % 9), urgency: i % 5 == 0 ? .stat : .routine, line: Int32(i + 2))
        }
    }

    func encoded(_ list: [Report]) throws -> (bytes: [UInt8], sha: String) {
        var bytes: [UInt8] = []
        let sha = try ClosedPeriodIndex.encode(period: Self.period, all: list, positions: list.indices.map { Int32($0) }, excluded: []) {
            bytes += $0
        }
        return (bytes, sha)
    }

    @Test func everyReportIsFoundAsItWasAndNoOther() throws {
        try withTemporaryFolder { dir in
            let list = Self.reports()
            let path = dir + "/2026-03.idx"
            let sha = try ClosedPeriodIndex.write(period: Self.period, all: list, positions: list.indices.map { Int32($0) }, excluded: [], to: path)
            guard case .index(let index) = ClosedPeriodIndex.open(period: Self.period, path: path, tableSha256: sha, seq: 9) else {
                Issue.record("the index does not open against its own table's SHA-256")
                return
            }
            #expect(index.reportCount == 3000)
            var history = ClosedHistory()
            history.add(index)
            let found = try history.lookup(list.map(\.id) + ["R-3000", "R-x", "C1"])
            #expect(found.count == 3000)
            for r in list { #expect(found[r.id] == r, "\(r.id)") }
        }
    }

    /// The same reports in another order of arrival give the same bytes: a rebuilt index is
    /// the one the ledger recorded.
    @Test func theBytesDependOnlyOnTheReports() throws {
        let list = Self.reports()
        let first = try encoded(list), second = try encoded(list.reversed())
        #expect(first.bytes == second.bytes && first.sha == second.sha)
        var changed = list
        changed[1234].imageCount += 1
        #expect(try encoded(changed).sha != first.sha)
    }

    @Test func aFileWhoseTableIsNotTheRecordedOneIsNotOpened() throws {
        try withTemporaryFolder { dir in
            let list = Self.reports()
            let path = dir + "/2026-03.idx"
            let sha = try ClosedPeriodIndex.write(period: Self.period, all: list, positions: list.indices.map { Int32($0) }, excluded: [], to: path)
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            bytes[bytes.count - 100] ^= 1
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            guard case .mismatch = ClosedPeriodIndex.open(period: Self.period, path: path, tableSha256: sha, seq: 9) else {
                Issue.record("a changed table was opened")
                return
            }
            let other = Period(year: 2026, month: 4)
            guard case .missing = ClosedPeriodIndex.open(period: other, path: dir + "/2026-04.idx", tableSha256: sha, seq: 9) else {
                Issue.record("a missing file was not reported missing")
                return
            }
        }
    }

    /// The auditor's breakdown of the month comes back as computed from the reports, the
    /// excluded ones left out.
    @Test func theMonthsBreakdownComesBackAsComputed() throws {
        try withTemporaryFolder { dir in
            let list = Self.reports()
            let excluded: Set<String> = ["R-5", "R-77", "R-2999"]
            let path = dir + "/2026-03.idx"
            let sha = try ClosedPeriodIndex.write(period: Self.period, all: list, positions: list.indices.map { Int32($0) },
                                                  excluded: excluded, to: path)
            guard case .index(let index) = ClosedPeriodIndex.open(period: Self.period, path: path, tableSha256: sha, seq: 9) else {
                Issue.record("the index does not open")
                return
            }
            func plain(_ b: SoftFindingDetail.Breakdown) -> [String: [String: [Int]]] {
                b.mapValues { $0.mapValues { [$0.reports, $0.images] } }
            }
            let read = plain(try index.breakdown().whole)
            #expect(read == plain(SoftFindingDetail.breakdown(list, excluding: excluded)))
            // C5 (i % 7 == 5) holds 428 of the 3,000 reports; R-5 is left out: 427.
            #expect(read["client|C5"]?.values.reduce(0) { $0 + $1[0] } == 427)
        }
    }
}
