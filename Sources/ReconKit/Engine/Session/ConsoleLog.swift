import Foundation
import Logging

/// Log lines on standard error: `recon: message` for people, one JSON object a line for
/// machines (`--log-format json`).
public struct ConsoleLog: LogHandler {
    public enum Format: String, Sendable, CaseIterable { case text, json }

    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    let format: Format
    let label: String

    public init(label: String, format: Format) {
        self.label = label
        self.format = format
    }

    public static func logger(_ format: Format, verbose: Bool = false) -> Logger {
        var l = Logger(label: "recon") { ConsoleLog(label: $0, format: format) }
        l.logLevel = verbose ? .debug : .info
        return l
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        write(level: event.level, message: event.message, metadata: event.metadata)
    }

    private func write(level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?) {
        let text: String
        switch format {
        case .text:
            let prefix = level >= .warning ? "recon: \(level): " : "recon: "
            // Escaped: a file name holding a newline must not forge a second log line.
            text = prefix + SafeText.escaped(message.description) + "\n"
        case .json:
            var o: [String: JSONValue] = [
                "at": .string(SiteClock.text(Date())), "level": .string(level.rawValue), "message": .string(message.description),
            ]
            for (k, v) in metadata.merging(extra ?? [:], uniquingKeysWith: { $1 }) { o[k] = Self.json(v) }
            text = SafeText.lineSafeJSON(String(decoding: JCS.canonical(.object(o)), as: UTF8.self)) + "\n"
        }
        Terminal.writeBestEffort(text, to: Terminal.standardError)
    }

    /// A metadata value as JSON: integers stay numbers, lists arrays, dictionaries objects,
    /// so a machine reading the log does not have to re-parse strings.
    static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let s): return .string(s)
        case .stringConvertible(let c):
            if let b = c as? Bool { return .bool(b) }
            if let i = c as? any BinaryInteger, let v = JSONValue.integer(i) { return v }
            return .string(c.description)
        case .array(let a): return .array(a.map(json))
        case .dictionary(let d): return .object(d.mapValues(json))
        }
    }

    /// The reverse, for callers that hold JSON (an ingest outcome) and log it as metadata.
    public static func metadata(_ value: JSONValue) -> Logger.Metadata.Value {
        switch value {
        case .null: return .string("")
        case .bool(let b): return .stringConvertible(b)
        case .int(let i): return .stringConvertible(i)
        case .string(let s): return .string(s)
        case .array(let a): return .array(a.map(metadata))
        case .object(let o): return .dictionary(o.mapValues(metadata))
        }
    }

    /// Writes one line on standard error: `Error: MESSAGE` as text, or under json one object with
    /// the level `error`, the message's first line, its further lines as `details` and the exit code.
    public static func writeError(_ message: String, exit: Int32, format: Format) {
        switch format {
        case .text:
            Terminal.writeBestEffort("Error: \(message)\n", to: Terminal.standardError)
        case .json:
            var o = ErrorReport(message: message, exit: exit).fields
            o["at"] = .string(SiteClock.text(Date()))
            o["level"] = .string("error")
            Terminal.writeBestEffort(SafeText.lineSafeJSON(JCS.canonicalString(.object(o))) + "\n", to: Terminal.standardError)
        }
    }
}
