import ArgumentParser
import ReconKit

extension Rerunner.Terms: ExpressibleByArgument {}

struct Rerun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rerun",
        abstract: "Privileged: apply a closed period's held drops, reprice it, issue credit notes and new documents.",
        discussion: "FILE holds the private key of an operator the ledger lists (`recon operator add`); without it the rerun is refused (exit 3).")

    @OptionGroup var options: SiteOptions

    @Argument(help: "The closed period, YYYY-MM.", transform: Period.argument)
    var period: Period

    @Option(help: "Why the period is rerun (recorded and signed).")
    var reason: String

    @Option(help: "The operator's private key file (required: without it the command is refused).")
    var key: String?

    @Option(help: ArgumentHelp("Whose terms each client and radiologist is billed on: closed (tax, contract and seniority as when the period closed; the default) or now (the master data in force today, to correct a closed month's terms; signed with the request).",
                               valueName: "closed|now"))
    var terms: Rerunner.Terms?

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        try runReporting(options.logFormat, json: json) {
            guard let key else {
                throw ReconFailure.refused("this command is privileged: give --key FILE, the private key of an operator the ledger lists (`recon operator list`)")
            }
            let session = try SiteSession(site: options.siteValue, writing: true, log: options.log, useCache: false, settled: false, clock: options.clock)
            keepUntilExit(session)
            try session.repair()
            let r = try Rerunner(session: session).rerun(period, reason: reason, keyFile: key, terms: terms)
            // The rerun is done, but an input was turned away: as for an ingest with a rejected
            // file, the exit code says so (SPEC §8: 2), so a script checking it looks; the JSON
            // answer says the same code, beside `"ok": true` for what was committed.
            let exit = r.rejectedDrops.isEmpty ? 0 : ReconFailure.Code.rejected.rawValue
            if json {
                printJSON(.object(["ok": .bool(true), "exit": .int(Int64(exit)), "period": .string(period.description),
                                   "applied_drops": .array(r.appliedDrops.map { .string($0) }),
                                   "rejected_drops": .array(r.rejectedDrops.map { .string($0) }),
                                   "taken_earlier": .array(r.takenEarlier.map { .string($0) }),
                                   "documents": .array(r.documents.map { .string($0) }), "checkpoint": CheckpointWords.json(r.checkpoint)]))
            } else {
                // A drop an earlier rerun took is billed here, not applied again: said apart.
                let takenNow = r.appliedDrops.count - r.takenEarlier.count
                let earlier = r.takenEarlier.isEmpty ? "" : "; billed \(r.takenEarlier.count) drop(s) an earlier rerun took: "
                    + r.takenEarlier.joined(separator: ", ")
                print("rerun \(period): applied \(takenNow) held drop(s)\(earlier); issued \(r.documents.count) document(s)"
                      + (r.documents.isEmpty ? " — totals unchanged" : ": " + r.documents.joined(separator: ", ")))
                if !r.rejectedDrops.isEmpty {
                    print("rejected \(r.rejectedDrops.count) held drop(s) that no longer pass the site's rules: "
                          + r.rejectedDrops.joined(separator: ", ") + " — see Inbox/rejected/NAME.errors.txt")
                }
                print(CheckpointWords.text(r.checkpoint))
            }
            return exit
        }
    }
}
