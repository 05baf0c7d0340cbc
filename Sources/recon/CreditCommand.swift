import ArgumentParser
import ReconKit

struct Credit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credit",
        abstract: "Privileged: issue a credit note of at most an invoice's outstanding net.")

    @OptionGroup var options: SiteOptions

    @Argument(help: "The invoice number, e.g. INV-2026-000001.")
    var invoice: String

    // A value starting with "-" is the value, not an option: `--amount -10` is told what an amount is.
    @Option(parsing: .unconditional, help: "Amount to credit, tax included, in the invoice's currency.")
    var amount: String

    @Option(help: "Why (recorded and signed).")
    var reason: String

    @Option(help: "The operator's private key file (required: without it the command is refused).")
    var key: String?

    @Flag(help: "Print the result as JSON (also when the command refuses).")
    var json = false

    func run() throws {
        try runReporting(options.logFormat, json: json) {
            guard let key else {
                throw ReconFailure.refused("this command is privileged: give --key FILE, the private key of an operator the ledger lists (`recon operator list`)")
            }
            let session = try SiteSession(site: options.siteValue, writing: true, log: options.log, useCache: false, clock: options.clock)
            keepUntilExit(session)
            try session.repair()
            let r = try Creditor(session: session).credit(invoice: invoice, amount: amount, reason: reason, keyFile: key)
            if json {
                printJSON(.object(["ok": .bool(true), "credit_note": .string(r.number), "invoice": .string(invoice),
                                   "outstanding": .string(r.outstandingAfter.description), "currency": .string(r.currency.code),
                                   "checkpoint": CheckpointWords.json(r.checkpoint)]))
            } else {
                // Not what the client owes: payments are not counted here (`recon statement` says that).
                print("issued \(r.number) against \(invoice); left to credit on it now \(r.outstandingAfter) \(r.currency) "
                      + "(the invoice less its credit notes, payments aside)")
                print(CheckpointWords.text(r.checkpoint))
            }
            return 0
        }
    }
}
