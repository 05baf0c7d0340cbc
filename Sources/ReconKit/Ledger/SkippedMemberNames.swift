import Foundation

/// The member names a parse leaves out (``JSONParser/parseNotingCanonical(_:skipping:of:)``),
/// found by a name's bytes where they are its text: every member of a year's six thousand
/// ledger bodies is looked for, and hashing each name for a `Set` cost more than the lookup.
/// Made once for all the lines a parse reads (``DeferredMembers/documentMembers``).
struct SkippedMemberNames: Sendable {
    let names: Set<String>
    /// The names' UTF-8 bytes, by their length.
    private let byLength: [[[UInt8]]]

    init(_ names: Set<String>) {
        self.names = names
        var byLength = [[[UInt8]]](repeating: [], count: (names.map(\.utf8.count).max() ?? 0) + 1)
        for name in names { byLength[name.utf8.count].append(Array(name.utf8)) }
        self.byLength = byLength
    }

    /// Whether `key` is one of the names. `raw`: its bytes in the text, when it held no
    /// escape; an ASCII one is compared byte for byte (no other text equals an ASCII name
    /// but the same bytes), any other as a `String` (`"\u212a"`, the Kelvin sign, is "K").
    func contains(_ key: String, raw: UnsafeBufferPointer<UInt8>?) -> Bool {
        guard let raw, let base = raw.baseAddress, raw.count > 0, !raw.contains(where: { $0 >= 0x80 }) else { return names.contains(key) }
        guard raw.count < byLength.count else { return false }
        for name in byLength[raw.count] where name.withUnsafeBufferPointer({ memcmp($0.baseAddress!, base, raw.count) == 0 }) {
            return true
        }
        return false
    }
}
