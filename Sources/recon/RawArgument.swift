#if canImport(Glibc)
import Glibc
#endif
import ReconKit

/// The bytes of a command-line argument: the arguments as strings hold a name that is not UTF-8
/// only with U+FFFD in place of its odd bytes, which names no file.
enum RawArgument {
    /// The folder and entry `file` names when its name is not UTF-8 and the entry is there.
    static func undecodableFile(named file: String) -> (folder: String, name: UndecodableName)? {
        for i in 1..<Int(CommandLine.argc) {
            guard let pointer = CommandLine.unsafeArgv[i] else { continue }
            let raw = Array(UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)))
            guard String(decoding: raw, as: UTF8.self) == file else { continue }
            let slash = raw.lastIndex(of: UInt8(ascii: "/"))
            let nameBytes = Array(slash.map { raw[($0 + 1)...] } ?? raw[...])
            let folderBytes = slash.map { raw[..<$0] } ?? []
            guard let name = UndecodableName(nameBytes),
                  let folder = slash == nil ? "." : folderBytes.isEmpty ? "/" : String(validating: folderBytes, as: UTF8.self),
                  name.exists(in: folder)
            else { continue }
            return (folder, name)
        }
        return nil
    }

    /// The options before `--` (the rest are arguments, whatever they look like).
    private static func options(_ words: [String]) -> ArraySlice<String> { words.prefix { $0 != "--" } }

    /// Two spellings of one option (`keygen --dir` or `--out`): one of each is given twice.
    static let aliases = ["--out": "--dir"]

    /// A long option given more than once (`--amount 1.00 --amount 200.00`), with the values it
    /// was given; nil when none is. A value never starts with `-` (ArgumentParser reads it as an option).
    static func optionGivenTwice(_ words: [String]) -> (name: String, values: [String])? {
        let given = Array(options(words))
        var seen: [String: [String]] = [:]
        var order: [String] = []
        for (i, word) in given.enumerated() where word.hasPrefix("--") && word.count > 2 {
            let parts = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = aliases[String(parts[0])] ?? String(parts[0])
            let value = parts.count > 1 ? String(parts[1])
                : i + 1 < given.count && !given[i + 1].hasPrefix("-") ? given[i + 1] : "given"
            if seen[name] == nil { order.append(name) }
            seen[name, default: []].append("\"" + value + "\"")
        }
        return order.first { seen[$0]!.count > 1 }.map { ($0, seen[$0]!.filter { $0 != "\"given\"" }) }
    }

    /// Whether the raw words ask for JSON (`--json` before any `--`).
    static func wantsJSON(_ words: [String]) -> Bool { options(words).contains("--json") }

    /// The log format the raw words ask for (parsing failed, or was not reached).
    static func logFormat(_ words: [String]) -> ConsoleLog.Format {
        let given = Array(options(words))
        return zip(given, given.dropFirst()).contains { $0 == "--log-format" && $1 == "json" } || given.contains("--log-format=json")
            ? .json : .text
    }

    /// For "Missing value for '--reason <reason>'" when the word after `--reason` was given and
    /// starts with `-` ("-10% goodwill"): how to give it.
    static func dashValueHint(_ message: String, _ words: [String]) -> String {
        guard message.hasPrefix("Missing value for '--") else { return "" }
        let given = Array(options(words))
        for (i, word) in given.enumerated() where i + 1 < given.count && given[i + 1].hasPrefix("-") && word.hasPrefix("--")
            && message.hasPrefix("Missing value for '\(word) ") {
            return "; a value that starts with '-' is written \(word)=VALUE (e.g. \(word)=\"\(given[i + 1])\")"
        }
        return ""
    }

    /// A text option (`--by`, `--note`, `--reason`) or a path (`--site`, `--key`, `--dir`, …)
    /// whose bytes are not UTF-8: as a string it holds U+FFFD in their place, so the ledger would
    /// keep "Jos\u{FFFD}" for good, and a path would name another folder.
    static func undecodableText() -> String? {
        let paths = ["--site", "--key", "--key-dir", "--dir", "--out", "--public-key", "--checkpoint", "--document", "--input"]
        let texts = ["--by", "--note", "--reason"] + paths
        var previous = ""
        for i in 1..<Int(CommandLine.argc) {
            guard let pointer = CommandLine.unsafeArgv[i] else { continue }
            let raw = Array(UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)))
            defer { previous = String(decoding: raw, as: UTF8.self) }
            if previous == "--" { return nil }
            let name = texts.first { previous == $0 } ?? texts.first { raw.starts(with: Array(($0 + "=").utf8)) }
            guard let name, String(validating: raw, as: UTF8.self) == nil else { continue }
            let why = paths.contains(name)
                ? "read as text it names another path (U+FFFD in place of those bytes) — name a folder or file whose path is UTF-8"
                : "the ledger keeps it as text for good — give it in UTF-8 (a terminal or script in another encoding wrote it)"
            return "\(name) holds bytes that are not UTF-8 (\"\(String(decoding: raw, as: UTF8.self))\"): \(why)"
        }
        return nil
    }
}
