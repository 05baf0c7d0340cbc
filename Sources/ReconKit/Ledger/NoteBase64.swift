import Foundation

/// Standard base64 (RFC 4648 §4, with `=` padding), as the Go note formats use it.
///
/// Foundation does the coding. Decoding is strict, as Go's `base64.StdEncoding` is: only
/// the 64 letters of the alphabet, padding to a multiple of four, at most two `=` and
/// only at the end. Foundation alone would take `=` inside the text (`QU=I`) or a group
/// of four `=`, so those are refused first. Keys and signatures read from files are
/// either exactly right or refused.
enum NoteBase64 {
    /// The padded base64 text of `bytes`.
    static func encode(_ bytes: some Collection<UInt8>) -> String {
        Data(bytes).base64EncodedString()
    }

    /// The bytes `text` encodes, or `nil` when it is not strict padded base64.
    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let input = Array(text.utf8)
        let padding = input.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        guard input.count % 4 == 0, padding <= 2, input.dropLast(padding).allSatisfy(isLetter) else { return nil }
        return Data(base64Encoded: String(decoding: input, as: UTF8.self)).map { Array($0) }
    }

    private static func isLetter(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"):
            return true
        default: return false
        }
    }
}
