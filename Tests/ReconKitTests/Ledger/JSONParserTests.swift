import Testing

@testable import ReconKit

@Suite("Strict JSON parser for ledger lines")
struct JSONParserTests {
    @Test func parsesALedgerEntry() throws {
        let line = #"{"seq":12,"at":"2026-11-21T10:00:00Z","kind":"drop.accepted","body":{"name":"u.csv","rows":120,"ok":true,"note":null,"tags":["a","b"]},"prev":"ab"}"#
        let entry = try JSONParser.parse(line)
        #expect(entry["seq"]?.intValue == 12)
        #expect(entry["kind"]?.stringValue == "drop.accepted")
        #expect(entry["body"]?["rows"] == .int(120))
        #expect(entry["body"]?["ok"]?.boolValue == true)
        #expect(entry["body"]?["note"]?.isNull == true)
        #expect(entry["body"]?["tags"]?[1] == "b")
        #expect(entry["body"]?["tags"]?[2] == nil)
        #expect(entry["missing"] == nil)
        #expect(entry["body"]?.objectValue?.count == 5)
        #expect(entry["body"]?["tags"]?.arrayValue == ["a", "b"])
    }

    @Test func whitespaceAroundTokensIsAllowed() throws {
        let value = try JSONParser.parse(" \t\r\n{ \"a\" : [ 1 , -2 ] , \"b\" : { } }\r\n")
        #expect(value == ["a": [1, -2], "b": [:]])
    }

    @Test func escapesAreDecoded() throws {
        let value = try JSONParser.parse(#""\"\\\/\b\f\n\r\t\u00e9\u20AC\ud83d\ude00x""#)
        #expect(value == .string("\"\\/\u{8}\u{C}\n\r\t\u{E9}\u{20AC}\u{1F600}x"))
    }

    @Test func nonASCIIIsKeptAsWritten() throws {
        #expect(try JSONParser.parse("\"Zoë — 日本 😀\"") == .string("Zoë — 日本 😀"))
    }

    @Test func integerLimitsAreInclusive() throws {
        #expect(try JSONParser.parse("9007199254740992") == .int(9_007_199_254_740_992))
        #expect(try JSONParser.parse("-9007199254740992") == .int(-9_007_199_254_740_992))
        #expect(try JSONParser.parse("-0") == .int(0))
        #expect(try JSONParser.parse("0") == .int(0))
    }

    @Test func otherEntryPointsAgree() throws {
        let line = "xx[1,\"é\"]"
        let expected: JSONValue = [1, "é"]
        #expect(try JSONParser.parse(line.dropFirst(2)) == expected)
        #expect(try JSONParser.parse(Array(line.utf8).dropFirst(2)) == expected)
        #expect(try JSONParser.parse(Array(line.utf8.dropFirst(2))) == expected)
    }

    struct BadInput: Sendable, CustomTestStringConvertible {
        let bytes: [UInt8]
        let reason: JSONParseError.Reason
        let offset: Int
        var testDescription: String { String(decoding: bytes, as: UTF8.self).debugDescription }

        init(_ text: String, _ reason: JSONParseError.Reason, at offset: Int) {
            self.init(Array(text.utf8), reason, at: offset)
        }

        init(_ bytes: [UInt8], _ reason: JSONParseError.Reason, at offset: Int) {
            self.bytes = bytes
            self.reason = reason
            self.offset = offset
        }
    }

    static let badInputs: [BadInput] = [
        BadInput("", .unexpectedEnd, at: 0),
        BadInput("   ", .unexpectedEnd, at: 3),
        BadInput(#"{"a":1,"a":2}"#, .duplicateMember("a"), at: 7),
        BadInput(#"{"x":{"k":1,"j":2,"k":3}}"#, .duplicateMember("k"), at: 18),
        BadInput("1.5", .nonIntegerNumber, at: 0),
        BadInput(#"{"amount":12.50}"#, .nonIntegerNumber, at: 10),
        BadInput("[1e3]", .nonIntegerNumber, at: 1),
        BadInput("-2E-1", .nonIntegerNumber, at: 0),
        BadInput("9007199254740993", .integerOutOfRange, at: 0),
        BadInput("[-9007199254740993]", .integerOutOfRange, at: 1),
        BadInput("123456789012345678901234567890", .integerOutOfRange, at: 0),
        BadInput("01", .leadingZero, at: 0),
        BadInput("-007", .leadingZero, at: 0),
        BadInput("-", .unexpectedCharacter, at: 0),
        BadInput("-a", .unexpectedCharacter, at: 0),
        BadInput("+1", .unexpectedCharacter, at: 0),
        BadInput("[1,]", .unexpectedCharacter, at: 3),
        BadInput(#"{"a":1,}"#, .unexpectedCharacter, at: 7),
        BadInput("[1 2]", .unexpectedCharacter, at: 3),
        BadInput(#"{"a" 1}"#, .unexpectedCharacter, at: 5),
        BadInput("{a:1}", .unexpectedCharacter, at: 1),
        BadInput("NaN", .unexpectedCharacter, at: 0),
        BadInput("[Infinity]", .unexpectedCharacter, at: 1),
        BadInput("tru", .unexpectedCharacter, at: 0),
        BadInput("nulll", .trailingData, at: 4),
        BadInput(#"{"a":1} x"#, .trailingData, at: 8),
        BadInput("{}{}", .trailingData, at: 2),
        BadInput("[1", .unexpectedEnd, at: 2),
        BadInput(#"{"a":"#, .unexpectedEnd, at: 5),
        BadInput(#""abc"#, .unexpectedEnd, at: 0),
        BadInput(#""\ud800""#, .loneSurrogate, at: 1),
        BadInput(#""\udc00""#, .loneSurrogate, at: 1),
        BadInput(#""a\ud800\u0041""#, .loneSurrogate, at: 2),
        BadInput(#""\ud800\ud800""#, .loneSurrogate, at: 1),
        BadInput(#""\x""#, .invalidEscape, at: 1),
        BadInput(#""\u12g4""#, .invalidEscape, at: 1),
        BadInput("\"a\tb\"", .controlCharacterInString, at: 2),
        BadInput("\"a\nb\"", .controlCharacterInString, at: 2),
        BadInput([0x22, 0xC3, 0x28, 0x22], .invalidUTF8, at: 1),        // bad continuation
        BadInput([0x22, 0x61, 0xC0, 0xAF, 0x22], .invalidUTF8, at: 2),  // overlong '/'
        BadInput([0x22, 0xED, 0xA0, 0x80, 0x22], .invalidUTF8, at: 1),  // encoded surrogate
        BadInput([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], .invalidUTF8, at: 1),  // beyond U+10FFFF
        BadInput([0x22, 0xE2, 0x82, 0x22], .invalidUTF8, at: 1),        // cut short
        BadInput([0x22, 0x80, 0x22], .invalidUTF8, at: 1),              // lone continuation
        BadInput([0xEF, 0xBB, 0xBF, 0x7B, 0x7D], .unexpectedCharacter, at: 0),  // byte order mark
        BadInput([0x5B, 0x31, 0x5D, 0xFF], .trailingData, at: 3),
    ]

    @Test(arguments: badInputs)
    func refusesBadInput(_ input: BadInput) {
        do {
            let value = try JSONParser.parse(input.bytes)
            Issue.record("accepted as \(value)")
        } catch let error as JSONParseError {
            #expect(error.reason == input.reason)
            #expect(error.offset == input.offset)
            #expect(error.description.hasPrefix("invalid JSON at byte \(input.offset): "))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func messagesSayWhatIsWrong() {
        #expect {
            try JSONParser.parse(#"{"amount":12.50}"#)
        } throws: { error in
            let message = (error as? JSONParseError)?.message ?? ""
            return message.contains("12.50") && message.contains("not an integer") && message.contains("decimal strings")
        }
        #expect {
            try JSONParser.parse(#"{"seq":1,"seq":2}"#)
        } throws: { error in
            (error as? JSONParseError)?.message.contains("\"seq\" twice") == true
        }
    }

    @Test func nestingIsBounded() throws {
        let deepest = String(repeating: "[", count: JSONParser.maxDepth) + String(repeating: "]", count: JSONParser.maxDepth)
        #expect(try JSONParser.parse(deepest).arrayValue?.count == 1)
        let tooDeep = String(repeating: "[", count: JSONParser.maxDepth + 1) + String(repeating: "]", count: JSONParser.maxDepth + 1)
        #expect(throws: JSONParseError(.tooDeep, at: JSONParser.maxDepth, "")) {
            do { _ = try JSONParser.parse(tooDeep) } catch let error as JSONParseError {
                throw JSONParseError(error.reason, at: error.offset, "")
            }
        }
    }
}
