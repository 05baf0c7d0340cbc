import Crypto
import Foundation
import Testing

@testable import ReconKit

@Suite("JCS (RFC 8785) canonical form")
struct JCSTests {
    @Test func smallObjectIsSortedAndCompact() {
        let value: JSONValue = ["b": 2, "a": [true, nil, "x"], "c": ["d": -1, "": false]]
        #expect(JCS.canonicalString(value) == #"{"a":[true,null,"x"],"b":2,"c":{"":false,"d":-1}}"#)
        #expect(JCS.canonical(value) == Array(#"{"a":[true,null,"x"],"b":2,"c":{"":false,"d":-1}}"#.utf8))
    }

    /// Members given as canonical bytes take their place among the others by name, as they are.
    @Test func rawMembersAreWrittenAsTheyAreInNameOrder() {
        let members: JSONValue = ["b": 2, "d": ["y": 1, "x": "é"]]
        guard case .object(let object) = members else { return }
        #expect(JCS.canonicalObject(object, raw: ["c": Array("[1,2]".utf8), "a": Array("{}".utf8)])
            == Array(#"{"a":{},"b":2,"c":[1,2],"d":{"x":"é","y":1}}"#.utf8))
        #expect(JCS.canonicalObject([:], raw: [:]) == Array("{}".utf8))
        // Names sort as UTF-16 units whichever side they come from: U+1F600 before U+E000.
        #expect(JCS.canonicalObject(["\u{E000}": 1], raw: ["\u{1F600}": Array("2".utf8)])
            == Array("{\"\u{1F600}\":2,\"\u{E000}\":1}".utf8))
    }

    @Test func emptyContainersAndScalars() {
        #expect(JCS.canonicalString([:]) == "{}")
        #expect(JCS.canonicalString([]) == "[]")
        #expect(JCS.canonicalString(nil) == "null")
        #expect(JCS.canonicalString(true) == "true")
        #expect(JCS.canonicalString(false) == "false")
        #expect(JCS.canonicalString("") == #""""#)
    }

    @Test(arguments: [
        (Int64(0), "0"), (1, "1"), (-1, "-1"), (120, "120"), (-305, "-305"),
        (9_007_199_254_740_992, "9007199254740992"), (-9_007_199_254_740_992, "-9007199254740992"),
    ])
    func integersArePlainDecimal(value: Int64, text: String) {
        #expect(JCS.canonicalString(.int(value)) == text)
    }

    /// RFC 8785 §3.2.3: members sort by UTF-16 code units, so U+1F600 (first unit
    /// 0xD83D) comes before U+FB33 although its code point is larger.
    @Test func rfc8785SortingExample() throws {
        let input = #"""
            {
              "\u20ac": "Euro Sign",
              "\r": "Carriage Return",
              "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "1": "One",
              "\ud83d\ude00": "Emoji: Grinning Face",
              "\u0080": "Control",
              "\u00f6": "Latin Small Letter O With Diaeresis"
            }
            """#
        let expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\","
            + "\"\u{F6}\":\"Latin Small Letter O With Diaeresis\",\"\u{20AC}\":\"Euro Sign\","
            + "\"\u{1F600}\":\"Emoji: Grinning Face\",\"\u{FB33}\":\"Hebrew Letter Dalet With Dagesh\"}"
        #expect(JCS.canonicalString(try JSONParser.parse(input)) == expected)
    }

    /// RFC 8785 §3.2.4 sample, without its numbers (the ledger holds no fractions).
    @Test func rfc8785StringAndLiteralsSample() throws {
        let input = #"""
            {
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """#
        let expected = #"{"literals":[null,true,false],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        #expect(JCS.canonicalString(try JSONParser.parse(input)) == expected)
    }

    /// The byte-wise comparison agrees with a plain comparison of UTF-16 code units on
    /// strings mixing every range where UTF-8 and UTF-16 orders could part.
    @Test func keyOrderIsUTF16Order() {
        let pool: [Unicode.Scalar] = [
            "\u{0}", "\u{1F}", "A", "a", "~", "\u{7F}", "\u{80}", "\u{FF}", "\u{7FF}", "\u{800}", "\u{D7FF}",
            "\u{E000}", "\u{EFFF}", "\u{F000}", "\u{FB33}", "\u{FFFF}", "\u{10000}", "\u{1F600}", "\u{10FFFF}",
        ]
        var generator = SplitMix64(seed: 0x4A43_5301)  // seeded: a failure is reproducible
        var strings: [String] = []
        for _ in 0..<400 {
            let length = Int.random(in: 0...3, using: &generator)
            var scalars = String.UnicodeScalarView()
            for _ in 0..<length { scalars.append(pool.randomElement(using: &generator) ?? "A") }
            strings.append(String(scalars))
        }
        for a in strings.prefix(200) {
            for b in strings.suffix(200) {
                #expect(JCS.precedesInUTF16(a, b) == a.utf16.lexicographicallyPrecedes(b.utf16), "\(a.debugDescription) vs \(b.debugDescription)")
            }
        }
        #expect(JCS.precedesInUTF16("\u{1F600}", "\u{FB33}"))
        #expect(!JCS.precedesInUTF16("\u{FB33}", "\u{1F600}"))
        #expect(JCS.precedesInUTF16("a", "ab"))
        #expect(!JCS.precedesInUTF16("ab", "ab"))
    }

    @Test func rfc8785NumbersAreRefusedByTheLedgerParser() {
        let numbers = "[333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001]"
        #expect(throws: JSONParseError.self) { try JSONParser.parse(numbers) }
    }

    @Test func escapesFollowJSONStringify() {
        let value = JSONValue.string("q\" b\\ \u{8}\u{C}\n\r\t \u{0}\u{1}\u{1F} \u{7F} / \u{2028} é 😀")
        let expected = #""q\" b\\ \b\f\n\r\t \u0000\u0001\u001f "# + "\u{7F} / \u{2028} é 😀\""
        #expect(JCS.canonicalString(value) == expected)
    }

    @Test func keysAreEscapedLikeValues() {
        let value: JSONValue = ["a\nb": 1, "\"": 2]
        #expect(JCS.canonicalString(value) == #"{"\"":2,"a\nb":1}"#)
    }

    @Test func canonicalFormParsesBackToTheSameValue() throws {
        let value: JSONValue = [
            "seq": 7, "kind": "flag.raised", "at": "2026-11-21T10:00:00Z",
            "body": ["score": "0.93", "reason": "tab\there \u{1}", "lines": [["quantity": 3], [:], []]],
        ]
        #expect(try JSONParser.parse(JCS.canonical(value)) == value)
    }

    @Test func canRepresentChecksTheExactIntegerRange() {
        #expect(JCS.canRepresent(["a": [9_007_199_254_740_992, -9_007_199_254_740_992]]))
        #expect(!JCS.canRepresent(["a": [9_007_199_254_740_993]]))
        #expect(!JCS.canRepresent(.int(Int64.min)))
        #expect(JSONValue.integer(UInt64(9_007_199_254_740_993)) == nil)
        #expect(JSONValue.integer(42) == .int(42))
    }

    // MARK: Against the auditor's verifier

    /// Texts whose canonical form Swift and `ledger_verify.jcs()` must agree on, byte for byte.
    static let comparisonTexts: [String] = [
        #"{"b":2,"a":1,"c":{"z":[],"y":{}}}"#,
        #"{"\u20ac":1,"\r":2,"\ufb33":3,"1":4,"\ud83d\ude00":5,"\u0080":6,"\u00f6":7,"\uffff":8,"\ud800\udc00":9}"#,
        #"["\u0000\u0007\b\t\n\u000b\f\r\u000e\u001f\u007f\u0080\u2028\u2029\ufeff","\/\\\"",""]"#,
        #"[9007199254740992,-9007199254740992,0,-0,1,-1,1234567890123]"#,
        #"{"seq":1,"at":"2026-11-21T10:00:00Z","kind":"site.init","body":{"site":"Ex Site","base_currency":"INR","timezone":"Asia/Kolkata","public_key":"ex+01234567+AQ=="},"prev":"0000000000000000000000000000000000000000000000000000000000000000"}"#,
        #"{"lines":[{"modality":"CT","urgency":"stat","per":"report","quantity":3,"unit_amount":"1250.00","unit_currency":"INR","amount":"3750.00"}],"note":"Ärztin Zoë — ✓ 日本語 \ud83e\udd7c","ok":true,"none":null}"#,
        #"{"aa":1,"a":2,"ab":3,"b":4,"A":5,"_":6,"~":7,"é":8,"e\u0301x":9}"#,
    ]

    @Test(.enabled(if: LedgerVerifyPython.isAvailable, LedgerVerifyPython.skipReason))
    func agreesWithLedgerVerifyJCS() throws {
        var swiftLines: [String] = []
        for text in Self.comparisonTexts {
            swiftLines.append(hex(JCS.canonical(try JSONParser.parse(text))))
        }
        let code = """
            for line in sys.stdin.buffer.read().split(b"\\n"):
                if line:
                    print(lv.jcs(lv.parse_line(line)).encode("utf-8").hex())
            """
        let input = Data(Self.comparisonTexts.joined(separator: "\n").utf8)
        let result = try LedgerVerifyPython.run(code, input: input)
        try #require(result.status == 0, "python3 failed: \(result.errors)")
        let pythonLines = result.output.split(separator: "\n").map(String.init)
        #expect(pythonLines.count == swiftLines.count)
        for (n, (swift, python)) in zip(swiftLines, pythonLines).enumerated() {
            #expect(swift == python, "canonical forms differ for comparison text \(n)")
        }
    }

    @Test(.enabled(if: LedgerVerifyPython.isAvailable, LedgerVerifyPython.skipReason))
    func entryHashAgreesWithLedgerVerify() throws {
        let entry: JSONValue = [
            "seq": 1, "at": "2026-11-21T10:00:00Z", "kind": "site.init",
            "body": ["site": "example-site", "base_currency": "INR", "timezone": "UTC", "public_key": "k"],
            "prev": .string(String(repeating: "0", count: 64)),
        ]
        let swiftHash = hex(Array(SHA256.hash(data: JCS.canonical(entry))))
        let result = try LedgerVerifyPython.run(
            "print(lv.entry_hash(lv.parse_line(sys.stdin.buffer.read())))", input: Data(JCS.canonical(entry)))
        try #require(result.status == 0, "python3 failed: \(result.errors)")
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == swiftHash)
    }

    private func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
