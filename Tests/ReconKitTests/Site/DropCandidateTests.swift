import Testing

@testable import ReconKit

/// Which Inbox names are never read, and the order of a batch.
@Suite struct DropCandidateTests {
    @Test(arguments: [
        ".usage.csv", ".part", "usage.csv.part", "usage.PART", "usage.tmp", "Clients.TMP", ".x.part",
    ])
    func temporaryAndHiddenNamesAreIgnored(name: String) {
        #expect(DropCandidate.reasonToIgnore(name: name) != nil)
    }

    @Test(arguments: ["usage.csv", "usage_part.csv", "usage.partial", "tmp.csv", "usage.csv.bak", "x"])
    func otherNamesMayBeDrops(name: String) {
        #expect(DropCandidate.reasonToIgnore(name: name) == nil)
    }

    @Test(arguments: [
        ("clients.csv", 0), ("CLIENTS_2026.csv", 0), ("radiologists.csv", 1), ("provider_rates_q1.csv", 2),
        ("Client_Rates.csv", 3), ("fx_rates.csv", 4), ("usage-march.csv", 5), ("decisions.csv", 6),
        ("Payments-2026-04.csv", 7), ("client.csv", 8), ("rates.csv", 8), ("xusage.csv", 8),
    ])
    func kindComesFromTheNameStartInAnyCase(name: String, rank: Int) {
        #expect(DropCandidate.kindRank(of: name) == rank)
    }

    @Test func sameKindSortsByNameBytes() {
        func candidate(_ name: String) -> DropCandidate {
            DropCandidate(
                name: name, path: "/i/" + name, device: 1, inode: 1, size: 0, modifiedSeconds: 0,
                modifiedNanoseconds: 0)
        }
        let names = ["usage_b.csv", "usage_a.csv", "Usage_z.csv", "usage_é.csv", "usage_B.csv"]
        let sorted = names.map(candidate).sorted(by: DropCandidate.handsOverBefore).map(\.name)
        // Byte order: upper case before lower case, non-ASCII (0xC3…) after ASCII.
        #expect(sorted == ["Usage_z.csv", "usage_B.csv", "usage_a.csv", "usage_b.csv", "usage_é.csv"])
    }
}
