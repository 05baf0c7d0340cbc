import ArgumentParser
import Foundation
import ReconKit

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recompute every hash, the chain, every checkpoint signature, every archived drop and document.",
        discussion: "Prints `ok COUNT HEAD`, or the first thing wrong (seq and what) and exits 4.")

    @OptionGroup var options: SiteOptions

    @Option(help: "A checkpoint file kept elsewhere: check that it is a prefix of today's ledger.")
    var checkpoint: String?

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        try runReporting(options.logFormat, json: json) {
            do {
                let r = try Verifier(site: options.siteValue).verify(keptCheckpoint: checkpoint)
                for note in r.notes { options.log.notice("note: \(note)") }
                if json {
                    printJSON(.object(["ok": .bool(true), "entries": .int(Int64(r.count)), "head": .string(r.head)]))
                } else {
                    print("ok \(r.count) \(r.head)")
                }
                return 0
            } catch let damage as LedgerDamage {
                if json {
                    printJSON(.object(["ok": .bool(false), "exit": .int(4), "seq": damage.seq.map { .int(Int64($0)) } ?? .null,
                                       "problem": .string(damage.message)]))
                } else {
                    print(damage.description)
                }
                return 4
            } catch let failure as FileIO.Failure {
                print(failure.description)
                return 4
            }
        }
    }
}
