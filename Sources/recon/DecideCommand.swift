import ArgumentParser
import ReconKit

struct Decide: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decide",
        abstract: "Record a decision about a flag or a report: approve bills it as it is, exclude removes it from both sides.")

    @OptionGroup var options: SiteOptions

    @Argument(help: "A flag id (HARD-…, SOFT-…) or a report id.")
    var subject: String

    @Argument(help: "approve or exclude.")
    var decision: DecisionKind

    @Option(help: "Who decides (required).")
    var by: String

    @Option(help: "Why.")
    var note: String = ""

    @Flag(help: "Print the result as JSON (also when the command refuses).")
    var json = false

    func run() throws {
        try runReporting(options.logFormat, json: json) {
            let session = try SiteSession(site: options.siteValue, writing: true, log: options.log, clock: options.clock)
            keepUntilExit(session)
            session.refreshesDrafts = true
            try session.repair()
            session.readAheadForDrafts()
            let (entry, appended) = try Decider(session: session).decide(
                Decision(subject: subject, decision: decision, by: by, note: note))
            if json {
                // `appended`: false for the same decision again, whose entry (seq) was already there.
                printJSON(.object(["ok": .bool(true), "subject": .string(subject), "decision": .string(decision.rawValue),
                                   "by": .string(by), "seq": .int(Int64(entry.seq)), "appended": .bool(appended)]))
            } else {
                // The same decision again records nothing new: say so, not "recorded".
                print((appended ? "recorded: " : "already recorded, nothing appended: ")
                    + "\(subject) \(decision.rawValue) by \(by) (seq \(entry.seq))")
            }
            return 0
        }
    }
}
