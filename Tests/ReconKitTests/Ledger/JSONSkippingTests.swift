import Testing

@testable import ReconKit

/// Checking a ledger line's `body.lines` (and `body.party`, a member of any value) without
/// building them must judge the text exactly as building them does: the same error at the
/// same offset with the same message, or the same canonical verdict and the same value but
/// for the skipped members.
@Suite("JSON skipping parse agrees with the building parse")
struct JSONSkippingTests {
    /// A small deterministic generator (SplitMix64), so a failure names a case that comes back.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
        mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
    }

    /// Member names, written as JSON strings: plain, escaped, equivalent under Unicode
    /// (`é` raw, escaped, decomposed; `K` and the Kelvin sign), and the same name twice over.
    static let names: [[UInt8]] = [
        #""amount""#, #""quantity""#, #""unit""#, #""per""#, #""a\u006dount""#, #""K""#, #""\u212a""#,
        "\"\u{212A}\"", "\"é\"", #""e\u0301""#, #""\u00e9""#, #""a/b""#, #""a\/b""#, #""""#, #""\n""#, #""\u000a""#,
    ].map { Array($0.utf8) }

    /// Values the parser accepts, canonical or not.
    static let validValues: [[UInt8]] = [
        #""CT""#, #""\/""#, #""\u00e9""#, #""\u00E9""#, #""\u001f""#, #""\u001F""#, #""\n""#, #""\u000a""#, #""\"\\""#,
        "\"é — ü\"", #""\ud83d\ude00""#, "0", "-0", "12", "-12", "9007199254740992", "-9007199254740992", "true",
        "false", "null", "[]", "[1,2]", "[ 1]", "{}", #"{"a":1}"#, #"{"b":1,"a":2}"#, " 1", "1 ",
    ].map { Array($0.utf8) } + [
        Array(repeating: UInt8(ascii: "["), count: 120) + Array(repeating: UInt8(ascii: "]"), count: 120),
    ]

    /// Values the parser refuses: every check it makes.
    static let invalidValues: [[UInt8]] = [
        #""\ud800""#, #""\udc00x""#, #""\ud800\u0041""#, #""\ud800\""#, #""\x""#, #""\u12g4""#, #""\u12"#,
        "9007199254740993", "-9007199254740993", "12345678901234567", "1.5", "1e3", "2E1", "01", "-", "-a", "tru",
        "nul", "[1,]", "[,1]", #"{"a":1,}"#, #"{"a"}"#, #"{"a" 1}"#, #"{1:2}"#, "[1 2]", "[", "{", "}", "]",
        #""a"#, "x",
    ].map { Array($0.utf8) } + [
        [0x22, 0xFF, 0x22], [0x22, 0xC3, 0x28, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],
        [0x22, 0xE2, 0x82, 0x22], [0x22, 0x01, 0x22], [0x22, 0x09, 0x22],
        Array(repeating: UInt8(ascii: "["), count: 130) + Array(repeating: UInt8(ascii: "]"), count: 130),
    ]

    /// A value, now and then one the parser refuses.
    static func value(_ g: inout Generator) -> [UInt8] {
        g.chance(3) ? g.pick(invalidValues) : g.pick(validValues)
    }

    /// One `lines` item: an object of a few members, often in JCS order so that the order
    /// check and the canonical verdict are reached, sometimes spaced or naming a member twice.
    static func item(_ g: inout Generator) -> [UInt8] {
        if g.chance(8) { return value(&g) }
        var members = (0..<g.below(6)).map { _ in (g.pick(names), value(&g)) }
        if g.chance(70) {
            members.sort { a, b in
                let x = (try? JSONParser.parse(a.0).stringValue ?? "") ?? ""
                let y = (try? JSONParser.parse(b.0).stringValue ?? "") ?? ""
                return JCS.precedesInUTF16(x, y)
            }
        }
        let spaced = g.chance(10)
        let parts = members.map { $0.0 + (spaced ? Array(" : ".utf8) : [UInt8(ascii: ":")]) + $0.1 }
        return [UInt8(ascii: "{")] + Array(parts.joined(separator: [UInt8(ascii: ",")])) + [UInt8(ascii: "}")]
    }

    /// A ledger-like line whose `body.lines` is generated; now and then `lines` is empty,
    /// not an array, given twice, or also found outside `body`, and the text cut or a byte changed.
    static func line(_ g: inout Generator) -> [UInt8] {
        var lines: [UInt8]
        switch g.below(20) {
        case 0: lines = Array("[]".utf8)
        case 1: lines = value(&g)
        default: lines = [UInt8(ascii: "[")] + Array((0..<(1 + g.below(4))).map { _ in item(&g) }.joined(separator: [UInt8(ascii: ",")])) + [UInt8(ascii: "]")]
        }
        var body = Array(#"{"client":"C1","#.utf8) + Array(#""lines":"#.utf8) + lines
        // Another member left out, whatever its value: an object now and then.
        if g.chance(40) { body += Array(#","party":"#.utf8) + (g.chance(50) ? item(&g) : value(&g)) }
        body += Array(#","total":"1.00"}"#.utf8)
        if g.chance(5) { body = Array(#"{"lines":[1],"#.utf8) + body.dropFirst() }
        if g.chance(5) { body = Array(#"{"total":"1.00","#.utf8) + body.dropFirst() }
        var text = Array(#"{"at":"2026-01-01T00:00:00Z","body":"#.utf8) + body
        if g.chance(5) { text += Array(#","lines":[{"a":1}]"#.utf8) }
        text += Array(#","hash":"h","kind":"invoice.issued","prev":"p","seq":1}"#.utf8)
        if g.chance(5) { text = Array(#"{"seq":1,"body":"#.utf8) + body + [UInt8(ascii: "}")] }
        if g.chance(5) { text.insert(UInt8(ascii: " "), at: g.below(text.count + 1)) }
        if g.chance(3) { text += g.pick([" x", "}", ",", "{}"]).utf8 }
        if g.chance(5) { text = Array(text.prefix(g.below(text.count))) }
        if g.chance(5) { text[g.below(text.count)] = UInt8(truncatingIfNeeded: g.next()) }
        return text
    }

    /// What a parse came to: its error, or its value and verdict.
    enum Outcome: Equatable {
        case failed(JSONParseError)
        case parsed(JSONValue, canonical: Bool, skipped: [String])
    }

    static func building(_ text: [UInt8]) -> Outcome {
        text.withUnsafeBufferPointer { buffer in
            do {
                let (value, canonical) = try JSONParser.parseNotingCanonical(buffer)
                // What skipping should give: the same value without body.lines and body.party,
                // but for an empty array, kept.
                if case .object(var root) = value, case .object(var body)? = root["body"] {
                    var skipped: [String] = []
                    for key in Self.skipped.names.sorted() where body[key] != nil && body[key] != .array([]) {
                        body[key] = nil
                        skipped.append(key)
                    }
                    root["body"] = .object(body)
                    return .parsed(.object(root), canonical: canonical, skipped: skipped)
                }
                return .parsed(value, canonical: canonical, skipped: [])
            } catch {
                return .failed(error as! JSONParseError)
            }
        }
    }

    static let skipped = SkippedMemberNames(["lines", "party"])

    static func skipping(_ text: [UInt8]) -> Outcome {
        text.withUnsafeBufferPointer { buffer in
            do {
                let (value, canonical, skipped) = try JSONParser.parseNotingCanonical(buffer, skipping: Self.skipped, of: "body")
                // Met in the text's order, which is JCS order here: by name.
                return .parsed(value, canonical: canonical, skipped: skipped.sorted())
            } catch {
                return .failed(error as! JSONParseError)
            }
        }
    }

    @Test func everyGeneratedLineIsJudgedAlikeWhetherLinesAreBuiltOrSkipped() {
        var g = Generator(state: 20_260_301)
        var reasons: [String: Int] = [:]
        var canonicalSkipped = 0, nonCanonicalSkipped = 0, partySkipped = 0
        for n in 0..<6000 {
            let text = Self.line(&g)
            let built = Self.building(text)
            let skipped = Self.skipping(text)
            #expect(skipped == built, "case \(n): \(String(decoding: text, as: UTF8.self))")
            if skipped != built { break }
            switch built {
            case .failed(let error): reasons["\(error.reason)".prefix(while: { $0 != "(" }).description, default: 0] += 1
            case .parsed(_, let canonical, let skipped) where !skipped.isEmpty:
                if canonical { canonicalSkipped += 1 } else { nonCanonicalSkipped += 1 }
                if skipped.contains("party") { partySkipped += 1 }
            case .parsed: break
            }
        }
        // The generator reaches every check, and lines skipped on both sides of the canonical verdict.
        #expect(reasons.count == 12, "\(reasons)")
        #expect(reasons.values.allSatisfy { $0 >= 5 }, "\(reasons)")
        #expect(canonicalSkipped >= 200 && nonCanonicalSkipped >= 200, "\(canonicalSkipped) \(nonCanonicalSkipped)")
        #expect(partySkipped >= 300, "\(partySkipped)")
    }

    /// Hand-picked cases the generator might miss: the first duplicate reported is the
    /// earliest second naming, after any error further inside the object.
    @Test(arguments: [
        #"{"body":{"lines":[{"b":1,"a":2,"b":3,"a":4}]}}"#,
        #"{"body":{"lines":[{"a":1,"a":[1.5]}]}}"#,
        #"{"body":{"lines":[{"K":1,"\u212a":2}]}}"#,
        #"{"body":{"lines":[{"é":1,"e\u0301":2}]}}"#,
        #"{"body":{"lines":[{"a":1,"a\/":2,"a/":3}]}}"#,
        #"{"body":{"lines":[1],"lines":[2]}}"#,
        #"{"body":{"lines":[],"lines":[2]}}"#,
        #"{"body":{"lines":[1]},"lines":[2]}"#,
        #"{"b\u006fdy":{"lin\u0065s":[1]}}"#,
        #"{"body":{"lines":[{"\u00e9":1,"é":2}]}}"#,
        #"{"body":{"lines":[{"b":1,"a" 2}]}}"#,
        #"{"body":{"lines":[{"b\n":1,"a" 2}]}}"#,
        #"{"body":{"lines":[{"b\n":1 "a":2}]}}"#,
        #"{"body":{"lines":[],"party":{"a":1,"a":2}}}"#,
        #"{"body":{"party":"x","party":[]}}"#,
        #"{"body":{"party":{"b":1,"a":2},"total":"1"}}"#,
        #"{"body":{"party":"\ud800"}}"#,
        #"{"body":{"party":[[]],"lines":[1]}}"#,
        #"{"body":{"party":nul}}"#,
        #"{"body":{"p\u0061rty":{"a":1},"total":"1"}}"#,
        #"{"body":{"party":1,"p\u0061rty":2}}"#,
        #"{"body":{"total":"1","party":{"b":1},"lines":[1]}}"#,
        #"{"body":{"lines":[1],"party":{},"party":2}}"#,
        #"{"body":{"a":1,"lines":[1],"party":"x","z":[]}}"#,
    ])
    func aHandPickedLineIsJudgedAlike(text: String) {
        let bytes = Array(text.utf8)
        #expect(Self.skipping(bytes) == Self.building(bytes))
    }

    @Test func aLargeObjectRepeatingANameIsRefusedAlike() {
        let members = (0..<40).map { #""m\#($0)":1"# } + [#""m\u0037":2"#, #""m3":3"#]
        let bytes = Array((#"{"body":{"lines":[{"# + members.joined(separator: ",") + "}]}}").utf8)
        let outcome = Self.skipping(bytes)
        #expect(outcome == Self.building(bytes))
        guard case .failed(let error) = outcome else { Issue.record("\(outcome)"); return }
        #expect(error.reason == .duplicateMember("m7"))
    }
}
