import Foundation

/// A command's failure as machines read it: the message's first line, its further lines as a
/// list (a refused close lists what blocks it one a line) and the exit code (SPEC §8).
public struct ErrorReport: Sendable, Equatable {
    public let summary: String
    public let details: [String]
    public let exit: Int32

    public init(message: String, exit: Int32) {
        let lines = message.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        summary = lines.first ?? message
        details = lines.dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }
        self.exit = exit
    }

    /// The members of the JSON log line (`at` and `level` are added by the log).
    public var fields: [String: JSONValue] {
        ["message": .string(summary), "details": .array(details.map(JSONValue.string)), "exit": .int(Int64(exit))]
    }

    /// What `--json` prints on standard output when the command fails.
    public var answer: JSONValue {
        .object(["ok": .bool(false), "exit": .int(Int64(exit)), "error": .string(summary),
                 "details": .array(details.map(JSONValue.string))])
    }
}
