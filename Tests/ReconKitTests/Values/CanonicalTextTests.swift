import Foundation
import Testing

@testable import ReconKit

/// `JSONParser.parseNotingCanonical` says a text is canonical exactly when `JCS.canonical`
/// of what it holds gives back the same bytes: the ledger hashes a canonical line in place
/// on that word alone, so a wrong "yes" would let a hash over other bytes pass.
@Suite("JSON texts that are already their JCS form")
struct CanonicalTextTests {
    /// Values whose JCS forms cover every escape, member order across UTF-16 surrogates,
    /// escaped member names, negative integers and empty containers.
    static let values: [JSONValue] = [
        ["seq": 3, "at": "2026-04-02T09:00:00Z", "body": ["path": "Ledger/drops/a.csv", "rows": -12, "ok": true, "n": nil]],
        ["": 0, "a\nb": ["x\"y": "\\", "tab\t": "\u{1F}\u{7F}\u{8}\u{C}\r"], "a": [[:], [], ["z": []]]],
        ["\u{E000}": 1, "😀": 2, "é": 3, "e\u{301}x": 4, "\u{1}": "\u{0}"],
        ["list": [1, -1, 0, 9_007_199_254_740_992, "€ — 日本", ["k": "/"]]],
    ]

    /// Ways to write a value that JCS does not use, each applied to a canonical text.
    static let variants: [(name: String, change: (String) -> String)] = [
        ("a space after the first colon", { replaceFirst($0, ":", ": ") }),
        ("a newline at the end", { $0 + "\n" }),
        ("a tab at the start", { "\t" + $0 }),
        ("a space before a comma", { replaceFirst($0, ",", " ,") }),
        ("an escaped slash", { replaceFirst($0, "/", "\\/") }),
        ("a letter as \\u escape", { replaceFirst($0, "a", "\\u0061") }),
        ("a control escape in upper case", { replaceFirst($0, "\\u001f", "\\u001F") }),
        ("a newline as \\u000a", { replaceFirst($0, "\\n", "\\u000a") }),
        ("a tab as \\u0009", { replaceFirst($0, "\\t", "\\u0009") }),
        ("negative zero", { replaceFirst($0, ",0,", ",-0,") }),
        ("an emoji as a surrogate pair", { replaceFirst($0, "😀", "\\ud83d\\ude00") }),
        ("€ as \\u20ac", { replaceFirst($0, "€", "\\u20ac") }),
    ]

    @Test func canonicalTextsAreSaidToBe() throws {
        for value in Self.values {
            let text = JCS.canonical(value)
            let (parsed, isCanonical) = try text.withUnsafeBufferPointer { try JSONParser.parseNotingCanonical($0) }
            #expect(parsed == value)
            #expect(isCanonical, "\(String(decoding: text, as: UTF8.self))")
        }
    }

    /// Every variant that changes a text is not canonical, and the parser's word agrees
    /// with writing the value out again and comparing bytes.
    @Test func everyOtherWayOfWritingIsNot() throws {
        var changed = 0
        for value in Self.values {
            let canonical = JCS.canonicalString(value)
            for variant in Self.variants {
                let text = variant.change(canonical)
                guard text != canonical else { continue }
                changed += 1
                let bytes = Array(text.utf8)
                let (parsed, isCanonical) = try bytes.withUnsafeBufferPointer { try JSONParser.parseNotingCanonical($0) }
                #expect(parsed == value, "\(variant.name): \(text)")
                #expect(!isCanonical, "\(variant.name): \(text)")
                #expect(isCanonical == (JCS.canonical(parsed) == bytes), "\(variant.name): \(text)")
            }
        }
        #expect(changed >= Self.variants.count)
    }

    /// Members out of JCS order, among them U+E000 before an emoji (right by UTF-8 bytes,
    /// wrong by UTF-16 code units) and names that hold escapes.
    @Test(arguments: [
        #"{"b":1,"a":2}"#, #"{"\#u{E000}":2,"😀":1}"#, #"{"a\nb":1,"a":2}"#, #"{"é":1,"e\#u{301}x":2}"#,
        #"{"a":{"y":1,"x":2}}"#, #"{"a":[{"d":1,"c":2}]}"#, #"{"\u0001":1,"":2}"#,
    ])
    func membersOutOfOrderAreNot(text: String) throws {
        let bytes = Array(text.utf8)
        let (parsed, isCanonical) = try bytes.withUnsafeBufferPointer { try JSONParser.parseNotingCanonical($0) }
        #expect(!isCanonical)
        #expect(JCS.canonical(parsed) != bytes)
    }

    /// The same members in JCS order are.
    @Test(arguments: [
        #"{"a":2,"b":1}"#, #"{"😀":1,"\#u{E000}":2}"#, #"{"a":2,"a\nb":1}"#, #"{"e\#u{301}x":2,"é":1}"#,
        #"{"a":{"x":2,"y":1}}"#, #"{"a":[{"c":2,"d":1}]}"#, #"{"":2,"\u0001":1}"#,
    ])
    func membersInOrderAre(text: String) throws {
        let bytes = Array(text.utf8)
        let (parsed, isCanonical) = try bytes.withUnsafeBufferPointer { try JSONParser.parseNotingCanonical($0) }
        #expect(isCanonical)
        #expect(JCS.canonical(parsed) == bytes)
    }

    static func replaceFirst(_ text: String, _ target: String, _ replacement: String) -> String {
        guard let range = text.range(of: target) else { return text }
        return text.replacingCharacters(in: range, with: replacement)
    }
}
