import Foundation
import Testing

@testable import ReconKit

/// A close writes its review and the margin summary on two threads, each then recording its
/// workbook's stamp in `.recon/derived.stamps`. Both read the file, changed their own line and
/// wrote it back through one temporary name: one thread's stamp was lost or put back as it
/// was, and the next command warned that the margin summary "was not the one recon last wrote".
struct DerivedStampsTests {
    @Test func workbooksKeptOnSeveralThreadsAtOnceAreAllRecorded() throws {
        try withTemporaryFolder { folder in
            let site = Site(root: folder)
            try FileManager.default.createDirectory(atPath: folder + "/.recon", withIntermediateDirectories: true)
            let names = (0..<8).map { "Outbox/book-\($0).xlsx" }
            try FileManager.default.createDirectory(atPath: folder + "/Outbox", withIntermediateDirectories: true)
            for round in 1...20 {
                // Each workbook written anew with a size of its own this round, then kept at once by all.
                for (i, name) in names.enumerated() {
                    try Data(repeating: 0x41, count: round * 10 + i).write(to: URL(fileURLWithPath: folder + "/" + name))
                }
                DispatchQueue.concurrentPerform(iterations: names.count) { i in DerivedStamps(site: site).keep([names[i]]) }
                let recorded = DerivedStamps(site: site).recorded()
                let stale = names.filter { recorded[$0] != DerivedStamps.mark(folder + "/" + $0) }
                #expect(stale.isEmpty, "round \(round): \(stale) recorded \(stale.map { recorded[$0] ?? "nothing" })")
                if !stale.isEmpty { return }
            }
        }
    }
}
