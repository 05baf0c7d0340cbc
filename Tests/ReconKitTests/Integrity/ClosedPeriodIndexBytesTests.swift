import Crypto
import Foundation
import Testing

@testable import ReconKit

/// A closed period's index is vouched for by its SHA-256 in the ledger, so the same reports
/// must give the same bytes whichever version of recon writes them. The expected hashes
/// below are regression pins: they were computed by the encoding as it stood at commit
/// 9ae60bb, and any change to the encoding that moves one byte fails here.
@Suite("Closed-period index bytes are pinned")
struct ClosedPeriodIndexBytesTests {
    static let period = Period(year: 2026, month: 3)

    /// A fixed pseudo-random month: ids of many lengths (some longer than fifteen bytes, some
    /// not ASCII), 37 clients, 13 radiologists, five modalities, and reports of other months
    /// among `all` that the period's positions leave out, arriving out of order.
    struct Month {
        var all: [Report] = []
        var positions: [Int32] = []
        var excluded: Set<String> = []
    }

    /// `asciiExclusions`: only ASCII ids are excluded (the encoding then skips most look-ups in
    /// the set); `asciiNames`: PET for PÉT (the breakdown is then written straight from its counts).
    static func month(_ count: Int, asciiExclusions: Bool = false, asciiNames: Bool = false) -> Month {
        var random = SplitMix64(seed: 20_260_301)
        let modalities = ["CT", "MR", "XR", "US", asciiNames ? "PET" : "PÉT"]
        var month = Month()
        for i in 0..<count {
            let r = random.next()
            let id: String
            switch r % 4 {
            case 0: id = "R-\(i)"
            case 1: id = "ACC-2026-03-\(String(r >> 20, radix: 16))-\(i)"
            case 2: id = "Ré-\(i)"
            default: id = "\(i)"
            }
            let day = Int((r >> 8) % 28)
            month.all.append(Report(
                id: id, reportedAt: Timestamp(nanoseconds: 1_772_409_600_000_000_000 + Int64((r >> 24) % 2_000_000_000_000)),
                localDate: LocalDate(year: 2026, month: 3, day: 1 + day % 28)!,
                clientId: "CLIENT-\((r >> 32) % 37)", radiologistId: "D\((r >> 40) % 13)", modality: modalities[Int((r >> 48) % 5)],
                imageCount: Int32(truncatingIfNeeded: (r >> 52) % 400), urgency: r % 7 == 0 ? .stat : .routine, line: Int32(i + 2)))
            // One report in ten is another month's, not the period's.
            if r % 10 != 3 { month.positions.append(Int32(i)) }
            if r % 53 == 0 && (!asciiExclusions || id.utf8.allSatisfy { $0 < 0x80 }) { month.excluded.insert(id) }
        }
        // Arrival order is not id order.
        for k in stride(from: month.positions.count - 1, to: 0, by: -1) {
            month.positions.swapAt(k, Int(random.next() % UInt64(k + 1)))
        }
        return month
    }

    /// The SHA-256 of the whole file, and the table's (what the ledger records).
    /// `parallel`: encoded on both cores, which must not change a byte.
    static func hashes(_ m: Month, parallel: Bool) throws -> (file: String, table: String) {
        var file = SHA256()
        let table = try ClosedPeriodIndex.encode(period: period, all: m.all, positions: m.positions, excluded: m.excluded,
                                                 parallel: parallel) {
            file.update(bufferPointer: $0)
        }
        return (Hex.string(file.finalize()), table)
    }

    @Test(arguments: [false, true]) func aMonthOfSixThousandReportsGivesThePinnedBytes(parallel: Bool) throws {
        let got = try Self.hashes(Self.month(6000), parallel: parallel)
        #expect(got.file == "4d1b98c93cb0904076954035e6b93d602bed2d2c939d73407ba7c85132af9328")
        #expect(got.table == "2aaaefcea7478d6e793ab06736b531cb69490b718bbb1f5376ea7a0c2a6f3012")
    }

    /// 512 buckets: written in several rounds (on one core or two), and every excluded id is
    /// ASCII, so most ids are told apart from them by fingerprint.
    @Test(arguments: [false, true]) func aMonthOfManyBucketsGivesThePinnedBytes(parallel: Bool) throws {
        let month = Self.month(150_000, asciiExclusions: true)
        #expect(month.positions.count == 134_751 && month.excluded.count == 2146)
        let got = try Self.hashes(month, parallel: parallel)
        #expect(got.file == "1366f2f0ff0903f90a62d35a06431db00867b824973366f80795f198eb617659")
        #expect(got.table == "80eafd2e1842f38c3ce63c39be4f964a1aea8dc4c4b856f7b4cd6c0174a9b865")
    }

    /// The same with every name ASCII.
    @Test(arguments: [false, true]) func aMonthOfManyBucketsAndASCIINamesGivesThePinnedBytes(parallel: Bool) throws {
        let got = try Self.hashes(Self.month(150_000, asciiExclusions: true, asciiNames: true), parallel: parallel)
        #expect(got.file == "7920c65e43eaecd52ea054e461bf99be9757126246b88d0efc10cf7723bf5432")
        #expect(got.table == "354f6cd3b82b791b97a7804b48a78595f78c67a15bd7a634be6417be2bc4c359")
    }

    @Test(arguments: [false, true]) func aMonthOfOneReportGivesThePinnedBytes(parallel: Bool) throws {
        let got = try Self.hashes(Self.month(1), parallel: parallel)
        #expect(got.file == "c84e986357793b90fb2d867e61d0345b3519aad4be360f3530fc2233a3244951")
        #expect(got.table == "f545e49d40c2f60db3ad42ae043ad2e263a8464dc8b2d4f4c232ef65e3de7632")
    }

    @Test(arguments: [false, true]) func aMonthWithNoReportsGivesThePinnedBytes(parallel: Bool) throws {
        let got = try Self.hashes(Month(), parallel: parallel)
        #expect(got.file == "6ce7f764293206ea0a58c8e1b8edd03c673ecfa87a5f7f31d24b7408f3debf6c")
        #expect(got.table == "b7e136a3c33fdda8e65acea72163f597e843449556d6651697f8702b1e5ce3b0")
    }
}
