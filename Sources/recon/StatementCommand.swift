import ArgumentParser
import ReconKit

struct Statement: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a client's account statement: every invoice and credit note, and the total due.")

    @OptionGroup var options: SiteOptions

    @Argument(help: "The client id.")
    var clientId: String

    @Flag(help: "Print the totals due as JSON.")
    var json = false

    func run() throws {
        try runReporting(options.logFormat, json: json) {
            let session = try SiteSession(site: options.siteValue, writing: false, log: options.log)
            let state = session.state
            guard state.pricing.clients[clientId] != nil || state.issued.contains(where: { $0.partyId == clientId }) else {
                throw ReconFailure.rejected("\(clientId) is not a client of this site")
            }
            let relative = "Outbox/statements/\(clientId).xlsx"
            let totals = try StatementWorkbook.write(clientId: clientId, clientName: state.pricing.clients[clientId]?.name ?? clientId,
                                                     documents: state.issued, site: state.name, to: session.site.path(relative))
            if json {
                printJSON(.object(["ok": .bool(true), "client_id": .string(clientId), "file": .string(relative),
                                   "total_due": .object(Dictionary(uniqueKeysWithValues: totals.map { ($0.0.code, .string($0.1.description)) }))]))
            } else {
                print("wrote \(relative)")
                for (c, v) in totals { print("total due: \(v) \(c)") }
                if totals.isEmpty { print("total due: nothing invoiced yet") }
            }
            return 0
        }
    }
}
