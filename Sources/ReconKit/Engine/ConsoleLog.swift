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
            for (k, v) in metadata.merging(extra ?? [:], uniquingKeysWith: { $1 }) { o[k] = .string("\(v)") }
            text = String(decoding: JCS.canonical(.object(o)), as: UTF8.self) + "\n"
        }
        FileHandle.standardError.write(Data(text.utf8))
    }
}
