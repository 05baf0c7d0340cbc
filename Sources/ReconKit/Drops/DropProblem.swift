/// One thing wrong with a drop, written as `line L, column C (NAME): message`.
public struct DropProblem: Error, Equatable, Sendable, CustomStringConvertible {
    public let line: Int?
    public let column: Int?
    public let field: String?
    public let message: String

    public init(line: Int? = nil, column: Int? = nil, field: String? = nil, _ message: String) {
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    public var description: String {
        var place: [String] = []
        if let line { place.append("line \(line)") }
        if let column { place.append("column \(column)" + (field.map { " (\($0))" } ?? "")) }
        else if let field { place.append("(\(field))") }
        return place.isEmpty ? message : place.joined(separator: ", ") + ": " + message
    }
}

/// A client or radiologist a row names that did not parse for another reason: checked
/// against the site's parties all the same, so a report lists every problem at once.
public struct PartyReference: Sendable {
    public var line: Int
    /// `client_id`, `radiologist_id` or a decision's `subject` (its column is the file's, as for
    /// any problem of the site's rules).
    public var field: String
    public var id: String
}

/// Collects a drop's problems, up to the 1,000 a report lists.
public final class ProblemList {
    public static let limit = 1_000
    public private(set) var problems: [DropProblem] = []
    public private(set) var total = 0
    /// Parties named by rows that failed to parse, for the site's check (``DropValidator``).
    public private(set) var partiesOfFailedRows: [PartyReference] = []
    /// The ids rows that failed to parse give themselves (`report_id`, `client_id`, …): a row
    /// repeating one is still named, not found only once the failed row is corrected.
    public private(set) var idsOfFailedRows: [PartyReference] = []
    /// The parties named by failed rows past the limit, counted by field and id (each row
    /// noted whole would cost some 1 KB a row): what the site's check finds unknown among them
    /// is counted in the total, though not listed — 1,200 rows of an unknown client and a bad
    /// code were said to be 2,199 problems, not 2,400. At most ``pastLimitParties`` ids.
    public private(set) var partiesPastLimit: [String: (field: String, id: String, rows: Int)] = [:]
    static let pastLimitParties = 50_000

    public init() {}

    /// The same problems ordered by line (file-level ones first), keeping the total.
    public convenience init(sorted other: ProblemList) {
        self.init(merging: [other])
    }

    /// The problems of several lists in line order (file-level ones first), up to the limit,
    /// with the total of all of them.
    public convenience init(merging lists: [ProblemList]) {
        self.init()
        problems = Array(lists.flatMap(\.problems)
            .sorted { ($0.line ?? 0, $0.column ?? 0) < ($1.line ?? 0, $1.column ?? 0) }
            .prefix(ProblemList.limit))
        total = lists.reduce(0) { $0 + $1.total }
        partiesOfFailedRows = lists.flatMap(\.partiesOfFailedRows)
        idsOfFailedRows = lists.flatMap(\.idsOfFailedRows)
        for list in lists {
            for (key, party) in list.partiesPastLimit {
                partiesPastLimit[key, default: (party.field, party.id, 0)].rows += party.rows
            }
        }
    }

    /// Kept only while the list is short of its limit: what they give is checked at lines after
    /// a thousand problems, which no report lists (a file of a million bad rows noted them all,
    /// some 1 KB a row, gigabytes). Those problems then go uncounted in the total too.
    public func note(_ party: PartyReference) {
        if total < ProblemList.limit { return partiesOfFailedRows.append(party) }
        let key = party.field + "\u{1F}" + party.id
        guard partiesPastLimit[key] != nil || partiesPastLimit.count < Self.pastLimitParties else { return }
        partiesPastLimit[key, default: (party.field, party.id, 0)].rows += 1
    }

    /// Counts `n` problems more, none listed (the site's check of ``partiesPastLimit``).
    public func countUnlisted(_ n: Int) { total += n }

    /// A failed row's own id (``idsOfFailedRows``).
    public func note(ownId: PartyReference) { if total < ProblemList.limit { idsOfFailedRows.append(ownId) } }

    public var isEmpty: Bool { total == 0 }

    /// The same list without the problems of `line` (listed ones: what a list counts beyond its
    /// limit lies after them), its notes kept.
    func removing(line: Int) -> ProblemList {
        let out = ProblemList()
        out.problems = problems.filter { $0.line != line }
        out.total = total - (problems.count - out.problems.count)
        out.partiesOfFailedRows = partiesOfFailedRows
        out.idsOfFailedRows = idsOfFailedRows
        return out
    }

    public func add(_ p: DropProblem) {
        total += 1
        if problems.count < ProblemList.limit { problems.append(p) }
    }

    /// Every problem of `other` after these, as adding them one by one would (those it
    /// counted beyond its limit are counted here too).
    public func add(all other: ProblemList) {
        for p in other.problems { add(p) }
        total += other.total - other.problems.count
    }

    /// The report's lines, with a last line counting any beyond the limit.
    public var reportLines: [String] {
        var lines = problems.map(\.description)
        if total > problems.count { lines.append("… and \(total - problems.count)\(Self.moreNotListed)") }
        return lines
    }

    private static let moreNotListed = " more problems not listed"

    /// How an errors file's last line starts when its drop is kept under a shortened name: the
    /// line names the file, it is not a problem.
    public static let keptAsPrefix = "this file was named "

    /// How an errors file's closing line starts when it points to another drop of the same run
    /// whose rejection may be the cause (``Ingestor``'s unknown parties): a pointer, not a problem.
    public static let seeAlsoPrefix = "see also: "

    /// How many problems ``reportLines`` stand for: its last line may count those beyond the
    /// limit, and lines after the problems that name a file (``keptAsPrefix``, ``seeAlsoPrefix``) are none.
    public static func count(ofReportLines lines: [String]) -> Int {
        var lines = lines[...]
        while let last = lines.last, last.hasPrefix(keptAsPrefix) || last.hasPrefix(seeAlsoPrefix) { lines = lines.dropLast() }
        guard let last = lines.last, last.hasPrefix("… and "), last.hasSuffix(moreNotListed),
              let more = Int(last.dropFirst("… and ".count).dropLast(moreNotListed.count)) else { return lines.count }
        return lines.count - 1 + more
    }
}
