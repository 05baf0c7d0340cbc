import Testing

@testable import ReconKit

/// Keys, signatures and checkpoint heads are base64 exactly as Go's `StdEncoding` reads it.
struct NoteBase64Tests {
    /// Texts Go refuses; Foundation alone would decode `QU=I` (to "A\u{8}") and `====`.
    @Test(arguments: ["QQ", "QQ=", "Q===", "====", "QU=I", "QQ==QQ==", " QQ==", "QQ==\n", "-_8=", "QQ\n=="])
    func refusesWhatIsNotStrictPaddedBase64(_ text: String) {
        #expect(NoteBase64.decode(text) == nil)
    }

    @Test(arguments: [("", ""), ("QQ==", "A"), ("QUI=", "AB"), ("QUJD", "ABC"), ("QUJDRA==", "ABCD")])
    func decodesAndEncodesBackTheSameText(_ text: String, _ plain: String) {
        #expect(NoteBase64.decode(text) == Array(plain.utf8))
        #expect(NoteBase64.encode(Array(plain.utf8)) == text)
    }

    @Test func every64ByteSignatureRoundTrips() {
        var generator = SplitMix64(seed: 8)
        for _ in 0..<200 {
            let bytes = (0..<64).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            #expect(NoteBase64.decode(NoteBase64.encode(bytes)) == bytes)
        }
    }
}
