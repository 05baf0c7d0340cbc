import ReconKit

/// How a command that appended names the checkpoint after it: its path, or that it is owed
/// (its write failed after the entries were recorded; the next writer signs it).
enum CheckpointWords {
    static func json(_ checkpoint: String?) -> JSONValue { checkpoint.map(JSONValue.string) ?? .null }

    static func text(_ checkpoint: String?) -> String {
        checkpoint.map { "checkpoint \($0)" } ?? "checkpoint owed: not written (see the warning above); the next writing command signs it"
    }
}
