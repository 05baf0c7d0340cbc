import Foundation
import Testing

@testable import ReconKit

/// Keys, signatures and notes from Go's `golang.org/x/mod/sumdb/note` tests, so that
/// our format is the Go format and not merely self-consistent.
enum GoNoteVectors {
    static let peterVerifierKey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    static let peterPrivateKey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
    static let enochVerifierKey = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
    static let text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
    static let peterSignature =
        "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
    static let enochSignature =
        "\u{2014} EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"
}

@Suite("Note keys")
struct NoteKeyTests {
    @Test func goVerifierKeysParseWithTheirHashes() throws {
        let peter = try VerifierKey(text: GoNoteVectors.peterVerifierKey)
        #expect(peter.name == "PeterNeumann")
        #expect(peter.keyHash == 0xC74F_20A3)
        #expect(peter.publicKey.count == 32)
        #expect(peter.text == GoNoteVectors.peterVerifierKey)
        let enoch = try VerifierKey(text: GoNoteVectors.enochVerifierKey + "\n")
        #expect(enoch.keyHash == 0xAF0C_FE78)
    }

    /// The key-hash rule: first four bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ key), big-endian.
    @Test func keyHashRule() throws {
        let peter = try VerifierKey(text: GoNoteVectors.peterVerifierKey)
        #expect(VerifierKey.keyHash(name: "PeterNeumann", publicKey: peter.publicKey) == 0xC74F_20A3)
        #expect(VerifierKey.keyHash(name: "PeterNeumanm", publicKey: peter.publicKey) != 0xC74F_20A3)
        // Worked out with Python hashlib: sha256(b"x\n\x01" + bytes(32)) starts 48f9887e.
        #expect(VerifierKey.keyHash(name: "x", publicKey: [UInt8](repeating: 0, count: 32)) == 0x48F9_887E)
    }

    @Test func goPrivateKeyParsesToItsVerifierKey() throws {
        let key = try SigningKey(text: GoNoteVectors.peterPrivateKey + "\n")
        #expect(key.name == "PeterNeumann")
        #expect(key.keyHash == 0xC74F_20A3)
        #expect(key.verifierKey.text == GoNoteVectors.peterVerifierKey)
        #expect(key.privateKeyText == GoNoteVectors.peterPrivateKey)
        #expect(!key.description.contains("PRIVATE"))
    }

    @Test func generatedKeysRoundTrip() throws {
        let key = try SigningKey.generate(name: "example-site")
        let again = try SigningKey(text: key.privateKeyText)
        #expect(again.privateKeyText == key.privateKeyText)
        #expect(again.verifierKey == key.verifierKey)
        #expect(try VerifierKey(text: key.verifierKey.text) == key.verifierKey)
        #expect(key.privateKeyText.hasPrefix("PRIVATE+KEY+example-site+"))
        #expect(key.verifierKey.text.hasPrefix("example-site+"))
        #expect(try SigningKey.generate(name: "example-site").verifierKey != key.verifierKey)
    }

    /// As Go's TestNewVerifier / TestNewSigner: every cut and every one-byte change is refused.
    @Test func mangledKeysAreRefused() {
        for text in [GoNoteVectors.peterVerifierKey, GoNoteVectors.peterPrivateKey] {
            let parse: (String) throws -> Void = text.hasPrefix("PRIVATE")
                ? { _ = try SigningKey(text: $0) } : { _ = try VerifierKey(text: $0) }
            let bytes = Array(text.utf8)
            for i in 0..<bytes.count {
                for j in (i + 1)...bytes.count where !(i == 0 && j == bytes.count) {
                    let cut = String(decoding: bytes[i..<j], as: UTF8.self)
                    #expect(throws: NoteKeyError.self, "cut \(cut)") { try parse(cut) }
                }
                var changed = bytes
                changed[i] &+= 1
                let mangled = String(decoding: changed, as: UTF8.self)
                #expect(throws: NoteKeyError.self, "changed \(mangled)") { try parse(mangled) }
            }
        }
        // Go's extra cases: a wrong-length key and an unknown algorithm, each with a matching hash.
        #expect(throws: NoteKeyError.self) {
            try VerifierKey(text: "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==")
        }
        #expect(throws: NoteKeyError.self) {
            try VerifierKey(text: "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
        }
    }

    @Test func hashMismatchIsReportedAsSuch() {
        #expect(throws: NoteKeyError.keyHashMismatch(name: "PeterNeumann", written: 0xC74F_20A4, computed: 0xC74F_20A3)) {
            try VerifierKey(text: "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
        }
    }

    @Test(arguments: ["", "a+b", "a b", "a\tb", "a\nb", "a\u{A0}b", "a\u{3000}b", "a\u{2028}b", "a\u{1C}b", "a\u{7F}b"])
    func invalidNamesAreRefused(name: String) {
        #expect(!VerifierKey.isValidName(name))
        #expect(throws: NoteKeyError.invalidName(name)) { try SigningKey.generate(name: name) }
    }

    @Test(arguments: ["example-site", "PeterNeumann", "Zoë.Ärztin", "a/b_c", "例"])
    func validNamesAreAccepted(name: String) throws {
        #expect(VerifierKey.isValidName(name))
        #expect(try SigningKey.generate(name: name).name == name)
    }

    @Test func detachedSignatures() throws {
        let key = try SigningKey.generate(name: "alice")
        let other = try SigningKey.generate(name: "alice")
        let request = Array("rerun 2026-10 because the rates were wrong".utf8)
        let signature = try key.signature(for: request)
        #expect(signature.count == 88)  // 64 bytes in padded base64
        #expect(key.verifierKey.isValidSignature(signature, for: request))
        #expect(!key.verifierKey.isValidSignature(signature, for: request + [0x21]))
        #expect(!other.verifierKey.isValidSignature(signature, for: request))
        #expect(!key.verifierKey.isValidSignature("not base64!", for: request))
        #expect(!key.verifierKey.isValidSignature(String(signature.dropLast(4)), for: request))
    }

    /// RFC 8032 §7.1 test 1: the seed gives the published public key and signature.
    @Test func rfc8032TestVector() throws {
        let seed = bytes("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
        let key = try SigningKey(name: "rfc8032", seed: seed)
        #expect(key.verifierKey.publicKey == bytes("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"))
        let expected = bytes(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
        #expect(key.verifierKey.isValidSignature(NoteBase64.encode(expected), for: []))
        #if os(Linux)
        // BoringSSL signs deterministically (RFC 8032); Apple's CryptoKit adds randomness.
        #expect(try key.signature(for: []) == NoteBase64.encode(expected))
        #endif
    }

    @Test func keyFilesArePrivateFromTheStart() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recon-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("site.key").path
        let key = try SigningKey.generate(name: "example-site")

        try key.write(to: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == key.privateKeyText + "\n")
        #expect(try SigningKey.read(from: path).privateKeyText == key.privateKeyText)

        #expect(throws: NoteKeyError.fileExists(path: path)) { try key.write(to: path) }

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect(throws: NoteKeyError.exposedKeyFile(path: path, mode: 0o100644)) { try SigningKey.read(from: path) }

        let missing = directory.appendingPathComponent("none/site.key").path
        #expect(throws: NoteKeyError.self) { try key.write(to: missing) }
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    @Test func aFileThatIsNoKeyIsRefused() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recon-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("site.key").path
        _ = FileManager.default.createFile(atPath: path, contents: Data("hello\n".utf8), attributes: [.posixPermissions: 0o600])
        #expect(throws: NoteKeyError.self) { try SigningKey.read(from: path) }
    }
}

@Suite("Signed notes (checkpoints)")
struct SignedNoteTests {
    @Test func signingMatchesGoByteForByte() throws {
        let key = try SigningKey(text: GoNoteVectors.peterPrivateKey)
        let note = try SignedNote.sign(text: GoNoteVectors.text, with: key)
        #expect(note.hasPrefix(GoNoteVectors.text + "\n\u{2014} PeterNeumann "))
        #if os(Linux)
        #expect(note == GoNoteVectors.text + "\n" + GoNoteVectors.peterSignature)
        #endif
        #expect(try SignedNote.open(note, verifier: key.verifierKey) == GoNoteVectors.text)
    }

    @Test func opensGoNotes() throws {
        let peter = try VerifierKey(text: GoNoteVectors.peterVerifierKey)
        let enoch = try VerifierKey(text: GoNoteVectors.enochVerifierKey)
        let both = GoNoteVectors.text + "\n" + GoNoteVectors.peterSignature + GoNoteVectors.enochSignature
        #expect(try SignedNote.open(both, verifier: peter) == GoNoteVectors.text)
        #expect(try SignedNote.open(Array(both.utf8), verifier: enoch) == GoNoteVectors.text)
    }

    @Test func noteWithoutTheKeysSignatureIsRefused() throws {
        let enoch = try VerifierKey(text: GoNoteVectors.enochVerifierKey)
        let note = GoNoteVectors.text + "\n" + GoNoteVectors.peterSignature
        #expect(throws: SignedNoteError.noSignature(key: "EnochRoot+af0cfe78")) {
            try SignedNote.open(note, verifier: enoch)
        }
        // Same name, other key: the key hash does not match, so it is not this key's signature.
        let impostor = try SigningKey.generate(name: "PeterNeumann")
        #expect(throws: SignedNoteError.noSignature(key: "PeterNeumann+\(NoteKeyError.hex(impostor.keyHash))")) {
            try SignedNote.open(note, verifier: impostor.verifierKey)
        }
    }

    @Test func alteredNotesAreRefused() throws {
        let peter = try VerifierKey(text: GoNoteVectors.peterVerifierKey)
        let signature = GoNoteVectors.peterSignature
        let cut = signature.index(signature.startIndex, offsetBy: 60)
        let badSignature = String(signature[..<cut]) + "ABCD" + String(signature[cut...])
        #expect(throws: SignedNoteError.invalidSignature(key: "PeterNeumann+c74f20a3")) {
            try SignedNote.open(GoNoteVectors.text + "\n" + badSignature, verifier: peter)
        }
        let otherText = GoNoteVectors.text.replacingOccurrences(of: "problem,", with: "problem;")
        #expect(throws: SignedNoteError.invalidSignature(key: "PeterNeumann+c74f20a3")) {
            try SignedNote.open(otherText + "\n" + signature, verifier: peter)
        }
    }

    /// Go's TestOpen "invalid encoded message syntax" cases, and a few more.
    @Test func malformedNotesAreRefused() throws {
        let peter = try VerifierKey(text: GoNoteVectors.peterVerifierKey)
        let text = GoNoteVectors.text, sig = GoNoteVectors.peterSignature
        let bad: [[UInt8]] = [
            Array(text.utf8),
            Array((text + "\n").utf8),
            Array((text + "\n" + sig.dropLast()).utf8),
            Array(("\u{1}" + text + "\n" + sig).utf8),
            [0xFF] + Array((text + "\n" + sig).utf8),
            Array((text + "\n\u{2014} Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=").utf8),
            Array((text + "\n" + sig + "Unexpected line.\n").utf8),
            Array((text + "\n" + String(repeating: sig, count: 101)).utf8),
            Array((text + "\n- PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n").utf8),
            Array((text + "\n\u{2014} PeterNeumann AAAA\n").utf8),
            Array((text + "\n\u{2014} PeterNeumann \n").utf8),
            Array((text.replacingOccurrences(of: "\n", with: "\r\n") + "\n" + sig).utf8),
        ]
        for note in bad {
            #expect(performing: { try SignedNote.open(note, verifier: peter) }, throws: { error in
                if case SignedNoteError.malformed = error { return true }
                return false
            })
        }
        // A hundred signatures is still a note.
        #expect(try SignedNote.open(text + "\n" + String(repeating: sig, count: 100), verifier: peter) == text)
    }

    /// A note is read on its bytes (a signed cache is a megabyte): bytes that are not UTF-8
    /// anywhere in it, after any run of ASCII, are still refused as such; a text with other
    /// characters than ASCII opens as written.
    @Test func utf8IsCheckedOnTheBytes() throws {
        let key = try SigningKey.generate(name: "example-site")
        let verifier = key.verifierKey
        let note = try SignedNote.sign(text: Array("Zoë Ärztin, 例\nsecond line\n".utf8), with: key)
        #expect(try SignedNote.open(note, verifier: verifier) == "Zoë Ärztin, 例\nsecond line\n")
        let at = note.firstIndex(of: UInt8(ascii: "s"))!  // inside the text, after its non-ASCII first line
        for bad: [UInt8] in [[0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE4, 0xBE]] {
            var damaged = note
            damaged.replaceSubrange(at..<(at + 1), with: bad)
            #expect(throws: SignedNoteError.malformed("it is not UTF-8 text")) { try SignedNote.open(damaged, verifier: verifier) }
        }
    }

    @Test func signRefusesTextsThatNoNoteCanHold() throws {
        let key = try SigningKey.generate(name: "example-site")
        #expect(throws: SignedNoteError.self) { try SignedNote.sign(text: "no newline", with: key) }
        #expect(throws: SignedNoteError.self) { try SignedNote.sign(text: "", with: key) }
        #expect(throws: SignedNoteError.self) { try SignedNote.sign(text: "tab\there\n", with: key) }
        #expect(throws: SignedNoteError.self) { try SignedNote.sign(text: "cr\r\n", with: key) }
    }

    // MARK: Checkpoints

    /// The head is the SHA-256 of the empty string, whose base64 is well known.
    static let emptySHA256Hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    @Test func checkpointTextIsOriginCountAndBase64Head() throws {
        let text = try SignedNote.checkpointText(origin: "example-site", count: 42, headHex: Self.emptySHA256Hex)
        #expect(text == "example-site\n42\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n")
        let parsed = try SignedNote.parseCheckpoint(text)
        #expect(parsed.origin == "example-site")
        #expect(parsed.count == 42)
        #expect(parsed.headHex == Self.emptySHA256Hex)
        #expect(try SignedNote.checkpointText(origin: "s", count: 1, headHex: Self.emptySHA256Hex.uppercased()) == "s\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n")
    }

    @Test func checkpointTextRefusesBadParts() {
        #expect(throws: SignedNoteError.self) { try SignedNote.checkpointText(origin: "", count: 1, headHex: Self.emptySHA256Hex) }
        #expect(throws: SignedNoteError.self) { try SignedNote.checkpointText(origin: "a\nb", count: 1, headHex: Self.emptySHA256Hex) }
        #expect(throws: SignedNoteError.self) { try SignedNote.checkpointText(origin: "s", count: -1, headHex: Self.emptySHA256Hex) }
        #expect(throws: SignedNoteError.self) { try SignedNote.checkpointText(origin: "s", count: 1, headHex: "abcd") }
        #expect(throws: SignedNoteError.self) {
            try SignedNote.checkpointText(origin: "s", count: 1, headHex: String(Self.emptySHA256Hex.dropLast()) + "g")
        }
    }

    @Test(arguments: [
        "s\n42\n",                                                        // no head line
        "s\n042\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",          // leading zero
        "s\n4x\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
        "s\n42\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\n",           // padding missing
        "s\n42\nAAAA\n",                                                  // 3 bytes
        "s\n42\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",            // no final newline
    ])
    func parseCheckpointRefuses(text: String) {
        #expect(throws: SignedNoteError.self) { try SignedNote.parseCheckpoint(text) }
    }

    @Test func parseCheckpointNamesTheHexTextMistake() {
        let wrong = "s\n1\n" + NoteBase64.encode(Array(Self.emptySHA256Hex.utf8)) + "\n"
        #expect {
            try SignedNote.parseCheckpoint(wrong)
        } throws: { error in
            "\(error)".contains("32 hash bytes")
        }
    }

    // MARK: Against the auditor's verifier

    @Test(.enabled(if: LedgerVerifyPython.isAvailable, LedgerVerifyPython.skipReason))
    func checkpointOpensWithLedgerVerify() throws {
        let key = try SigningKey.generate(name: "example-site")
        let text = try SignedNote.checkpointText(origin: "example-site", count: 7, headHex: Self.emptySHA256Hex)
        let note = try SignedNote.sign(text: text, with: key)
        let code = """
            pub, name = lv.parse_public_key(sys.argv[1])
            msg = sys.stdin.buffer.read()
            sys.stdout.write(name + "|" + lv.open_note(msg, pub, name))
            bad = msg.replace(b"\\n7\\n", b"\\n8\\n")
            try:
                lv.open_note(bad, pub, name)
                sys.stdout.write("|tampered note accepted")
            except lv.Problem as e:
                sys.stdout.write("|" + str(e))
            """
        let result = try LedgerVerifyPython.run(code, arguments: [key.verifierKey.text], input: Data(note.utf8))
        try #require(result.status == 0, "python3 failed: \(result.errors)")
        #expect(result.output == "example-site|" + text + "|invalid signature by example-site")
    }

    @Test(.enabled(if: LedgerVerifyPython.isAvailable, LedgerVerifyPython.skipReason))
    func ledgerVerifyRefusesANoteByAnotherKey() throws {
        let site = try SigningKey.generate(name: "example-site")
        let other = try SigningKey.generate(name: "example-site")
        let text = try SignedNote.checkpointText(origin: "example-site", count: 7, headHex: Self.emptySHA256Hex)
        let note = try SignedNote.sign(text: text, with: other)
        let code = """
            pub, name = lv.parse_public_key(sys.argv[1])
            try:
                lv.open_note(sys.stdin.buffer.read(), pub, name)
                print("accepted")
            except lv.Problem as e:
                print(e)
            """
        let result = try LedgerVerifyPython.run(code, arguments: [site.verifierKey.text], input: Data(note.utf8))
        try #require(result.status == 0, "python3 failed: \(result.errors)")
        #expect(result.output == "no signature by the site key\n")
    }
}

private func bytes(_ hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        out.append(UInt8(hex[index..<next], radix: 16) ?? 0)
        index = next
    }
    return out
}
