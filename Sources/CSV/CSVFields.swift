/// The fields of one CSV record as bytes (quotes removed, doubled quotes undone, every
/// field valid UTF-8), lent to a reader's callback: valid only during that call.
///
/// A reader that takes the bytes as they are (a million usage rows) makes no `String`
/// per field; ``strings`` gives the fields as text.
public struct CSVFields {
    /// The bytes the fields lie in.
    let bytes: UnsafeRawBufferPointer
    /// Where each field starts in `bytes`.
    let starts: UnsafeBufferPointer<Int>
    /// Where the last field ends in `bytes`.
    let end: Int

    /// How many fields the record has.
    public var count: Int { starts.count }

    /// The bytes of field `index` (0-based).
    public subscript(index: Int) -> UnsafeRawBufferPointer {
        let last = index + 1 == starts.count
        return UnsafeRawBufferPointer(rebasing: bytes[starts[index]..<(last ? end : starts[index + 1])])
    }

    /// Field `index` as text.
    public func string(_ index: Int) -> String {
        String(decoding: self[index], as: UTF8.self)
    }

    /// Every field as text, in order.
    public var strings: [String] {
        (0..<count).map(string)
    }
}
