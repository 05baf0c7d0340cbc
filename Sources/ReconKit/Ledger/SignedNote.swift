/// Signed notes in the Go `golang.org/x/mod/sumdb/note` format, used for checkpoints.
///
/// A note is a text, a blank line, and signature lines:
///
/// ```text
/// example-site
/// 42
/// 3q2+7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
///
/// — example-site Gq/3uW…base64 of (key hash ‖ Ed25519 signature)…
/// ```
///
/// Each signature line is `— NAME BASE64` (U+2014 EM DASH, a space, the key name, a
/// space), where BASE64 encodes the 4-byte big-endian key hash followed by the 64-byte
/// Ed25519 signature of the text (every byte up to and including its final newline).
public enum SignedNote {
    /// `— ` (U+2014 EM DASH and a space) in UTF-8, the start of every signature line.
    private static let signaturePrefix: [UInt8] = Array("\u{2014} ".utf8)

    /// Notes with more signatures than this are refused, as Go's reader does.
    private static let maxSignatures = 100

    /// Signs `text` with `key` and returns the whole note.
    ///
    /// - Parameter text: ends with `"\n"` and holds no control characters other than
    ///   newlines.
    /// - Throws: ``SignedNoteError/invalidText(_:)`` when the text breaks those rules,
    ///   ``NoteKeyError/signingFailed(_:)`` if signing itself fails.
    public static func sign(text: String, with key: SigningKey) throws -> String {
        String(decoding: try sign(text: Array(text.utf8), with: key), as: UTF8.self)
    }

    /// ``sign(text:with:)`` on the text's UTF-8 bytes, giving the note's bytes: a large
    /// text (a status cache) is never copied into a `String` and back.
    public static func sign(text: [UInt8], with key: SigningKey) throws -> [UInt8] {
        guard text.last == 10 else {
            throw SignedNoteError.invalidText("a note's text must end with a newline")
        }
        // In UTF-8 a byte below 0x20 is always that control character itself.
        if let bad = text.first(where: { $0 < 0x20 && $0 != 10 }) {
            throw SignedNoteError.invalidText(
                "it holds the control character U+\(String(bad, radix: 16, uppercase: true)); only newlines are allowed")
        }
        let signature = try key.rawSignature(for: text)
        let hash = key.keyHash
        let hashBytes: [UInt8] = [UInt8(hash >> 24), UInt8(hash >> 16 & 0xFF), UInt8(hash >> 8 & 0xFF), UInt8(hash & 0xFF)]
        return text + Array("\n\u{2014} \(key.name) \(NoteBase64.encode(hashBytes + signature))\n".utf8)
    }

    /// The text of the signed cache `file` (relative to `site`), checked as `open` checks
    /// it; nil when there is no such file.
    /// - Throws: ``SignedCacheProblem`` naming the file when it cannot be read or opened.
    static func openCache(_ file: String, of site: Site, verifier: VerifierKey) throws -> String? {
        try openCacheBytes(file, of: site, verifier: verifier).map { String(decoding: $0, as: UTF8.self) }
    }

    /// ``openCache(_:of:verifier:)`` giving the text as bytes of the file as read.
    static func openCacheBytes(_ file: String, of site: Site, verifier: VerifierKey) throws -> ArraySlice<UInt8>? {
        let path = site.path(file)
        guard FileIO.exists(path) else { return nil }
        do {
            return try openBytes(try FileIO.read(path), verifier: verifier)
        } catch {
            throw SignedCacheProblem(file: file, reason: "\(error)", unreadable: (error as? FileIO.Failure).flatMap { $0.isPermission ? $0 : nil })
        }
    }

    /// Signs `text` with `key` into the file at `path`, through a temporary file and a
    /// rename (a reader sees the old note or the new one). For the site's signed caches:
    /// the file is synced before the rename, so a power cut leaves the old note or the new
    /// one, never a torn one that `recon verify` would report (a megabyte: a few
    /// milliseconds). The folder is not synced: a lost rename leaves the old note (a seal
    /// still true of the files it names, figures of an older ledger that `status` passes by).
    static func writeFile(_ path: String, text: [UInt8], key: SigningKey) throws {
        let note = try sign(text: text, with: key)
        try FileIO.makeDirectory(FileIO.parent(of: path))
        let temp = FileIO.temporaryName(for: path)
        try FileIO.writeSynced(temp, note)
        try FileIO.renameQuietly(temp, to: path)
    }

    /// Checks that `note` carries a valid signature by `verifier` and returns its text.
    ///
    /// Signatures by other keys are skipped; the note must still be well formed.
    /// - Throws: ``SignedNoteError/malformed(_:)``, ``SignedNoteError/noSignature(key:)``
    ///   or ``SignedNoteError/invalidSignature(key:)``.
    public static func open(_ note: String, verifier: VerifierKey) throws -> String {
        try open(Array(note.utf8), verifier: verifier)
    }

    /// Checks that the note bytes carry a valid signature by `verifier` and returns its text.
    ///
    /// - Throws: ``SignedNoteError/malformed(_:)``, ``SignedNoteError/noSignature(key:)``
    ///   or ``SignedNoteError/invalidSignature(key:)``.
    public static func open(_ note: [UInt8], verifier: VerifierKey) throws -> String {
        String(decoding: try openBytes(note, verifier: verifier), as: UTF8.self)
    }

    /// ``open(_:verifier:)`` giving the text as the note's own bytes: a signed cache of a
    /// megabyte (the document seal) is read on bytes, and copying it into a `String` and back
    /// cost more than checking its signature.
    static func openBytes(_ note: [UInt8], verifier: VerifierKey) throws -> ArraySlice<UInt8> {
        guard isUTF8(note) else {
            throw SignedNoteError.malformed("it is not UTF-8 text")
        }
        // In UTF-8 a byte below 0x20 is always that control character itself.
        if note.contains(where: { $0 < 0x20 && $0 != 0x0A }) {
            throw SignedNoteError.malformed("it holds a control character other than a newline")
        }
        guard let split = lastBlankLine(in: note) else {
            throw SignedNoteError.malformed("no blank line separates the text from the signatures")
        }
        let text = note[..<(split + 1)]
        let block = note[(split + 2)...]
        guard block.last == 0x0A else {
            throw SignedNoteError.malformed("the signature block must end with a newline")
        }
        let lines = block.dropLast().split(separator: 0x0A, omittingEmptySubsequences: false)
        guard lines.count <= maxSignatures else {
            throw SignedNoteError.malformed("more than \(maxSignatures) signatures")
        }
        let keyID = "\(verifier.name)+\(NoteKeyError.hex(verifier.keyHash))"
        var verified = false
        for line in lines {
            guard line.starts(with: signaturePrefix) else {
                throw SignedNoteError.malformed("a signature line must start with '\u{2014} ' (em dash, space)")
            }
            let rest = String(decoding: line.dropFirst(signaturePrefix.count), as: UTF8.self)
            let fields = rest.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(fields[0])
            let encoded = fields.count > 1 ? fields[1] : ""
            guard VerifierKey.isValidName(name), !encoded.isEmpty,
                  let bytes = NoteBase64.decode(encoded), bytes.count >= 5
            else {
                throw SignedNoteError.malformed("the signature line \"\(rest.prefix(40))\" is not 'NAME BASE64'")
            }
            let hash = UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
            guard name == verifier.name, hash == verifier.keyHash else { continue }
            guard verifier.isValidRawSignature(Array(bytes[4...]), for: text) else {
                throw SignedNoteError.invalidSignature(key: keyID)
            }
            verified = true
        }
        guard verified else { throw SignedNoteError.noSignature(key: keyID) }
        return text
    }

    /// Whether `bytes` are UTF-8, read in place: ASCII runs (nearly all of a cache) are passed
    /// a byte at a time, and only the rest is decoded.
    private static func isUTF8(_ bytes: [UInt8]) -> Bool {
        guard let first = bytes.firstIndex(where: { $0 >= 0x80 }) else { return true }
        var iterator = bytes[first...].makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    /// Offset of the last `"\n\n"` in `bytes`.
    private static func lastBlankLine(in bytes: [UInt8]) -> Int? {
        var i = bytes.count - 2
        while i >= 0 {
            if bytes[i] == 0x0A, bytes[i + 1] == 0x0A { return i }
            i -= 1
        }
        return nil
    }

    // MARK: Checkpoints

    /// The text of a checkpoint: `origin`, the entry `count`, and the head hash as
    /// standard base64 of its 32 raw bytes, each on its own line.
    ///
    /// - Parameters:
    ///   - origin: the site name; one line, no control characters.
    ///   - count: how many entries the ledger holds (≥ 0).
    ///   - headHex: the `hash` of entry `count`, 64 hex digits.
    /// - Throws: ``SignedNoteError/invalidCheckpoint(_:)`` for an origin, count or hash
    ///   that cannot be written.
    public static func checkpointText(origin: String, count: Int, headHex: String) throws -> String {
        guard !origin.isEmpty, !origin.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
            throw SignedNoteError.invalidCheckpoint("the origin must be one non-empty line, got \(origin.debugDescription)")
        }
        guard count >= 0 else {
            throw SignedNoteError.invalidCheckpoint("the entry count \(count) is negative")
        }
        guard let head = Hex.bytes(headHex), head.count == 32 else {
            throw SignedNoteError.invalidCheckpoint("the head hash must be 64 hex digits, got \(headHex.debugDescription)")
        }
        return "\(origin)\n\(count)\n\(NoteBase64.encode(head))\n"
    }

    /// Reads the text of a checkpoint (as ``open(_:verifier:)`` returns it).
    ///
    /// Lines after the third are allowed and ignored, as in the Go checkpoint format.
    /// - Returns: the origin, the entry count, and the head hash as 64 lowercase hex digits.
    /// - Throws: ``SignedNoteError/invalidCheckpoint(_:)`` saying what is wrong.
    public static func parseCheckpoint(_ text: String) throws -> (origin: String, count: Int, headHex: String) {
        guard text.hasSuffix("\n") else {
            throw SignedNoteError.invalidCheckpoint("the text does not end with a newline")
        }
        let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 3 else {
            throw SignedNoteError.invalidCheckpoint("the text must hold origin, count and head hash on three lines")
        }
        let countText = lines[1]
        let isCanonicalDecimal = !countText.isEmpty && countText.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
            && (countText == "0" || countText.first != "0")
        guard isCanonicalDecimal, let count = Int(countText) else {
            throw SignedNoteError.invalidCheckpoint("the entry count \"\(countText)\" is not a decimal number")
        }
        guard let head = NoteBase64.decode(lines[2]) else {
            throw SignedNoteError.invalidCheckpoint("the head hash is not base64")
        }
        if head.count == 64, head.allSatisfy({ Hex.value($0) != nil && !(0x41...0x46).contains($0) }) {
            throw SignedNoteError.invalidCheckpoint(
                "the head is base64 of the hash's hex text; it must be base64 of the 32 hash bytes")
        }
        guard head.count == 32 else {
            throw SignedNoteError.invalidCheckpoint("the head hash is \(head.count) bytes, expected 32")
        }
        return (String(lines[0]), count, Hex.string(head))
    }
}
