import ArgumentParser
import ReconKit

struct Statement: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "statement",
        abstract: "Write a client's account statement: invoices, credit notes, payments, the total due and its age.")

    @OptionGroup var options: SiteOptions

    @Argument(help: "The client id (or --all).")
    var clientId: String?

    @Flag(help: "Write every client's statement.")
    var all = false

    @Option(name: .customLong("as-of"), help: "The statement's date, YYYY-MM-DD (default: today in the site's time zone).")
    var asOf: String?

    @Flag(help: "Print the totals due as JSON.")
    var json = false

    func run() throws {
        try runReporting(options.logFormat, json: json) {
            guard (clientId != nil) != all else {
                throw ReconFailure.usage("name one client id, or --all for every client")
            }
            // A statement goes to a client: it is written only from a ledger that checks as a writer's does.
            let session = try SiteSession.openedChecking(options.siteValue) {
                try SiteSession(site: options.siteValue, writing: false, checked: true, log: options.log, clock: options.clock)
            }
            keepUntilExit(session)
            let writer = StatementWriter(session: session)
            var date = writer.today
            if let asOf {
                // Dates lie in the years 1970–2199 (SPEC §2), as a drop's do.
                guard let d = try? FieldValue.date(Substring(asOf)) else {
                    // A day the calendar lacks (2029-02-29) is said as such, as a drop's is.
                    if let why = LocalDate.calendarProblem(Substring(asOf)), asOf.utf8.count == 10 {
                        throw ReconFailure.usage("--as-of \(why); write YYYY-MM-DD (e.g. 2026-06-30)")
                    }
                    throw ReconFailure.usage("--as-of \(asOf) is not a date in the years 1970–2199; write YYYY-MM-DD (e.g. 2026-06-30)")
                }
                date = d
            }
            let ids = all ? writer.clientIds : [clientId!]
            if all { for id in ids { _ = try writer.requireWritable(id) } }
            var reports: [JSONValue] = []
            for id in ids {
                let (file, r) = try writer.write(id, asOf: date)
                let due = r.accounts.map { ($0.currency.code, JSONValue.string($0.totalDue.description)) }
                reports.append(.object(["ok": .bool(true), "client_id": .string(id), "file": .string(file), "as_of": .string(date.description),
                                        "total_due": .object(Dictionary(uniqueKeysWithValues: due))]))
                if !json {
                    print("wrote \(file)")
                    for a in r.accounts {
                        let aged = zip(["current", "1-30", "31-60", "61-90", "over 90"], a.buckets).map { "\($0) \($1)" }
                        print("  total due: \(a.totalDue) \(a.currency) (\(aged.joined(separator: ", ")))"
                              + (a.unapplied.isZero ? "" : "; unapplied credit \(a.unapplied)"))
                    }
                    if r.accounts.isEmpty { print("  total due: nothing invoiced yet") }
                }
            }
            if json { printJSON(all ? .array(reports) : reports[0]) }
            return 0
        }
    }
}
