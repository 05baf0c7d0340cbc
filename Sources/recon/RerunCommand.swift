import ArgumentParser
import ReconKit

struct Rerun: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Privileged: apply a closed period's held drops, reprice it, issue credit notes and new documents.",
        discussion: "FILE holds the private key of an operator listed in recon.toml; without it the rerun is refused (exit 3).")

    @OptionGroup var options: SiteOptions

    @Argument(help: "The closed period, YYYY-MM.")
    var period: String

    @Option(help: "Why the period is rerun (recorded and signed).")
    var reason: String

    @Option(help: "The operator's private key file (required: without it the command is refused).")
    var key: String?

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        guard Period(period) != nil else { throw ValidationError("\"\(period)\" is not a period; write YYYY-MM") }
    }

    func run() throws {
        try runReporting {
            guard let key else {
                throw ReconFailure.refused("this command is privileged: give --key FILE, the private key of an operator listed in recon.toml")
            }
            let session = try SiteSession(site: options.siteValue, writing: true, log: options.log, useCache: false)
            let r = try Rerunner(session: session).rerun(Period(period)!, reason: reason, keyFile: key)
            if json {
                printJSON(.object(["period": .string(period), "applied_drops": .array(r.appliedDrops.map { .string($0) }),
                                   "documents": .array(r.documents.map { .string($0) }), "checkpoint": .string(r.checkpoint)]))
            } else {
                print("rerun \(period): applied \(r.appliedDrops.count) held drop(s); issued \(r.documents.count) document(s)"
                      + (r.documents.isEmpty ? " — totals unchanged" : ": " + r.documents.joined(separator: ", ")))
                print("checkpoint \(r.checkpoint)")
            }
            return 0
        }
    }
}
