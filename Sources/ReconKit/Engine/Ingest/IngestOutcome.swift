/// What happened to one drop.
public enum IngestOutcome: Sendable {
    case accepted(name: String, kind: DropKind, rows: Int, skipped: Int, seq: Int)
    /// Already accepted: removed from the Inbox, or `leftInPlace` (a named file outside it is never
    /// moved; one the Inbox would not let go is said in a warning).
    case duplicate(name: String, seq: Int, leftInPlace: Bool)
    /// `keptAs`: where the drop went (`Inbox/rejected/NAME-2.csv`), when it was moved.
    case rejected(name: String, problems: [String], keptAs: String? = nil)
    /// `keptAs`: where the drop waits (`Inbox/held/NAME`), when it was moved there now.
    case held(name: String, periods: [Period], keptAs: String? = nil)
    case ignored(name: String, why: String)
    /// A file gone when its turn came (another command, a watcher say, took it): ignored too,
    /// but a command that was named the file cannot say it went in.
    case gone(name: String)
    /// `--dry-run`: would be accepted with these rows; nothing was written.
    case wouldBeAccepted(name: String, kind: DropKind, rows: Int, skipped: Int)

    /// Exit code share (SPEC §2): 0 accepted or already accepted, 2 rejected, 3 held.
    public var exitCode: Int32 {
        switch self {
        case .accepted, .duplicate, .gone, .wouldBeAccepted: return 0
        // A file named on the command line whose name is never read (`.tmp`, `.part`, a dot
        // file) did not go in: a script must not take it for taken.
        case .rejected, .ignored: return 2
        case .held: return 3
        }
    }

    /// Why a file listed or named is ignored when it has gone before it was read.
    static let goneReason = "gone before it was read: taken by another command, or moved away"

    /// A file that was gone when its turn came.
    public var wasGone: Bool {
        if case .gone = self { return true }
        return false
    }

    /// The file the outcome is about.
    public var name: String {
        switch self {
        case .accepted(let name, _, _, _, _), .duplicate(let name, _, _), .rejected(let name, _, _), .held(let name, _, _),
             .ignored(let name, _), .gone(let name), .wouldBeAccepted(let name, _, _, _):
            return name
        }
    }

    /// One log line a drop.
    public var summary: String { summary(dryRun: false) }

    /// One line a drop; for a dry run, in the conditional (nothing was moved).
    public func summary(dryRun: Bool) -> String {
        switch self {
        case .accepted(let name, let kind, let rows, let skipped, let seq):
            return "\(name): accepted \(rows) \(kind.rawValue) row\(rows == 1 ? "" : "s")" + (skipped > 0 ? ", skipped \(skipped) already recorded with the same values" : "")
                + " (seq \(seq))"
        case .duplicate(let name, let seq, let leftInPlace):
            return "\(name): duplicate of the drop accepted at seq \(seq); "
                + (leftInPlace ? "left in place" : dryRun ? "would be removed" : "removed")
        case .rejected(let name, let problems, _):
            let count = ProblemList.count(ofReportLines: problems)
            return "\(name): rejected with \(count) problem\(count == 1 ? "" : "s"): \(problems.first ?? "")"
        case .held(let name, let periods, let keptAs):
            // Kept under another name (its own was taken, or the same bytes wait already): said.
            let place = keptAs.flatMap { FileIO.baseName($0) == name ? nil : " as \($0)" } ?? ""
            return "\(name): \(dryRun ? "would be held" : "held")\(place) — touches closed period \(periods.map(\.description).joined(separator: ", ")); waits for `recon rerun`"
        case .ignored(let name, let why): return "\(name): ignored (\(why))"
        case .gone(let name): return "\(name): ignored (\(Self.goneReason))"
        case .wouldBeAccepted(let name, let kind, let rows, let skipped):
            return "\(name): would be accepted with \(rows) \(kind.rawValue) row\(rows == 1 ? "" : "s")"
                + (skipped > 0 ? ", skipping \(skipped) already recorded with the same values" : "")
        }
    }
}

extension IngestOutcome {
    /// The outcome as `--json` prints it.
    public var json: JSONValue {
        switch self {
        case .accepted(let name, let kind, let rows, let skipped, let seq):
            return .object(["file": .string(name), "outcome": "accepted", "kind": .string(kind.rawValue),
                            "rows": .int(Int64(rows)), "skipped": .int(Int64(skipped)), "seq": .int(Int64(seq))])
        case .duplicate(let name, let seq, _):
            return .object(["file": .string(name), "outcome": "duplicate", "seq": .int(Int64(seq))])
        case .rejected(let name, let problems, let keptAs):
            var o: [String: JSONValue] = ["file": .string(name), "outcome": "rejected", "problems": .array(problems.map { .string($0) })]
            if let keptAs { o["kept_as"] = .string(keptAs) }
            return .object(o)
        case .held(let name, let periods, let keptAs):
            var o: [String: JSONValue] = ["file": .string(name), "outcome": "held", "periods": .array(periods.map { .string($0.description) })]
            if let keptAs { o["kept_as"] = .string(keptAs) }
            return .object(o)
        case .ignored(let name, let why):
            return .object(["file": .string(name), "outcome": "ignored", "why": .string(why)])
        case .gone(let name):
            return .object(["file": .string(name), "outcome": "ignored", "why": .string(Self.goneReason)])
        case .wouldBeAccepted(let name, let kind, let rows, let skipped):
            return .object(["file": .string(name), "outcome": "would_be_accepted", "kind": .string(kind.rawValue),
                            "rows": .int(Int64(rows)), "skipped": .int(Int64(skipped))])
        }
    }
}
