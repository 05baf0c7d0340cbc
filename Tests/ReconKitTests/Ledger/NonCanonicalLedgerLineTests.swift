import Crypto
import Foundation
import Testing

@testable import ReconKit

/// A ledger line is hashed in place only when it is exactly the JCS form of its entry.
/// Any other valid line is judged from what it holds: its hash must be that of the JCS
/// form of the entry without `hash`, as the auditor's verifier computes it — never that
/// of the line's own bytes.
@Suite("Ledger lines that are valid JSON but not canonical", .serialized)
struct NonCanonicalLedgerLineTests {
    /// A way of writing JSON that JCS does not use.
    struct Style: Sendable, CustomTestStringConvertible {
        let name: String
        var reversed = false
        var spaced = false
        var escaped = false
        var testDescription: String { name }
    }

    static let styles = [
        Style(name: "members in reverse order", reversed: true),
        Style(name: "spaces around colons and commas", spaced: true),
        Style(name: "slashes and the letter e escaped", escaped: true),
        Style(name: "all three", reversed: true, spaced: true, escaped: true),
    ]

    /// Seq 2 — a drop.accepted, whose body holds a path with slashes — written in `style`
    /// with its hash unchanged (that of its JCS form): both verifiers accept the ledger as
    /// they accept the original.
    @Test(arguments: styles)
    func aLineWrittenOtherwiseWithItsJCSHashIsAccepted(style: Style) throws {
        let site = try TestSite.marchSite()
        let original = try site.recon(["verify"])
        #expect(original.code == 0, "\(original.out)")
        var lines = try site.ledgerLines()
        let entry = try JSONParser.parse(Array(lines[1]))
        #expect(entry["kind"] == "drop.accepted" && entry["body"]?["path"]?.stringValue?.contains("/") == true)
        // The whole line written otherwise, and, apart, only its body within a canonical frame.
        for text in [Self.write(entry, style), try Self.frame(entry, body: style, hash: #require(entry["hash"]?.stringValue))] {
            lines[1] = Data(text.utf8)
            #expect(lines[1] != Data(JCS.canonical(entry)))
            try Self.writeLedger(lines, of: site)
            let run = try site.recon(["verify"])
            #expect(run.code == 0, "\(text)\n\(run.out)")
            #expect(run.out == original.out)
            if let audit = try site.auditorVerify() { #expect(audit.code == 0, "\(audit.out)") }
        }
    }

    /// After a close the same holds, though `.recon/ledger-prefix.jsonl` vouches for the
    /// ledger's bytes as the close wrote them: with seq 2 written in `style`, or every line
    /// ended CR LF (a text-mode copy), `verify` says ok (the outside verifier too) and notes
    /// the first line no longer as written, which writers read the ledger whole past; a writer
    /// appends, and the next close writes the prefix anew. A prefix holding other entries
    /// than the ledger's is still named.
    @Test(arguments: styles.map(Optional.some) + [nil])
    func afterACloseALineWrittenOtherwiseIsNotedNotRefused(style: Style?) throws {
        let site = try TestSite.marchSite()
        #expect(try site.recon(["close", "2026-03"], env: TestSite.closeDay).code == 0)
        let closed = try site.recon(["verify"], env: TestSite.aprilLater)
        #expect(closed.code == 0, "\(closed.out)")
        var lines = try site.ledgerLines()
        if let style {
            lines[1] = Data(Self.write(try JSONParser.parse(Array(lines[1])), style).utf8)
        } else {
            lines = lines.map { $0 + Data([13]) }
        }
        try Self.writeLedger(lines, of: site)
        let run = try site.recon(["verify"], env: TestSite.aprilLater)
        #expect(run.code == 0, "\(run.out)\(run.err)")
        #expect(run.out.hasPrefix(closed.out), "\(run.out)")
        let first = style == nil ? 1 : 2
        #expect(run.err.contains("seq \(first) is the first line not as the close that wrote .recon/ledger-prefix.jsonl found it"), "\(run.err)")
        if let audit = try site.auditorVerify() { #expect(audit.code == 0, "\(audit.out)") }
        try site.drop("usage-2026-04.csv", TestSite.april)
        let ingest = try site.recon(["ingest"], env: TestSite.aprilLater)
        #expect(ingest.code == 0, "\(ingest.err)")
        #expect(try site.recon(["verify"], env: TestSite.aprilLater).code == 0)
        // The prefix itself edited (an entry's kind) is still damage.
        let prefix = site.path(LedgerPrefix.relativePath)
        let text = try String(contentsOfFile: prefix, encoding: .utf8)
        #expect(text.contains("drop.accepted"))
        try text.replacingOccurrences(of: "drop.accepted", with: "drop.acceptex").write(toFile: prefix, atomically: false, encoding: .utf8)
        let edited = try site.recon(["verify"], env: TestSite.aprilLater)
        #expect(edited.code == 4 && edited.out.contains("is not the ledger prefix any period.closed entry records"), "\(edited.out)")
    }

    /// Seq 2 with its body written in `style` inside a frame that is otherwise exactly
    /// canonical, and a hash over those bytes without the hash member — what hashing the
    /// line in place would accept — and every later entry chained to it. Refused at seq 2,
    /// naming the hash of the JCS form as the computed one, by both verifiers.
    @Test(arguments: styles)
    func aLineHashedOverItsOwnBytesIsRefused(style: Style) throws {
        let site = try TestSite.marchSite()
        var lines = try site.ledgerLines()
        #expect(lines.count >= 3)
        let entry = try JSONParser.parse(Array(lines[1]))
        let jcsHash = try #require(entry["hash"]?.stringValue)
        let unhashed = try Self.frame(entry, body: style, hash: nil)
        let ownHash = Hex.string(SHA256.hash(data: Data(unhashed.utf8)))
        #expect(ownHash != jcsHash)
        lines[1] = Data(try Self.frame(entry, body: style, hash: ownHash).utf8)
        var prev = ownHash
        for i in 2..<lines.count {
            let later = try JSONParser.parse(Array(lines[i]))
            let rechained = LedgerEntry(seq: Int(later["seq"]!.intValue!), at: later["at"]!.stringValue!, kind: later["kind"]!.stringValue!,
                                        body: later["body"]!.objectValue!, prev: prev)
            lines[i] = Data(rechained.line.dropLast())
            prev = rechained.hash
        }
        try Self.writeLedger(lines, of: site)
        let run = try site.recon(["verify"])
        #expect(run.code == 4)
        #expect(run.out == "seq 2: hash does not match the content (recorded \(ownHash), computed \(jcsHash))\n",
                "\(run.out)")
        if let audit = try site.auditorVerify() {
            #expect(audit.code == 4)
            #expect(audit.out.hasPrefix("seq 2: hash does not match content"), "\(audit.out)")
        }
    }

    /// The entry's members as JCS writes them, but `body` written in `style`; the hash
    /// member left out when `hash` is nil.
    static func frame(_ entry: JSONValue, body style: Style, hash: String?) throws -> String {
        let canonical = { (name: String) throws -> String in JCS.canonicalString(try #require(entry[name])) }
        return #"{"at":"# + (try canonical("at")) + #","body":"# + write(try #require(entry["body"]), style)
            + (hash.map { #","hash":""# + $0 + "\"" } ?? "")
            + #","kind":"# + (try canonical("kind")) + #","prev":"# + (try canonical("prev")) + #","seq":"# + (try canonical("seq")) + "}"
    }

    /// `value` as JSON text in `style`.
    static func write(_ value: JSONValue, _ style: Style) -> String {
        let comma = style.spaced ? " , " : ",", colon = style.spaced ? " : " : ":"
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .string(let s): return quote(s, style)
        case .array(let elements): return "[" + elements.map { write($0, style) }.joined(separator: comma) + "]"
        case .object(let members):
            let names = members.keys.sorted(by: JCS.precedesInUTF16)
            return "{" + (style.reversed ? names.reversed() : names).map { quote($0, style) + colon + write(members[$0]!, style) }
                .joined(separator: comma) + "}"
        }
    }

    static func quote(_ text: String, _ style: Style) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/" where style.escaped: out += "\\/"
            case "e" where style.escaped: out += "\\u0065"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func writeLedger(_ lines: [Data], of site: TestSite) throws {
        try site.writeLedgerLines(lines)
    }
}
