/// Checks, a piece at a time, that bytes are one whole XML document as libxlsxwriter writes
/// them: every `<` opens a tag, no `<` stands inside a tag or an attribute value, every end
/// tag closes the element open, one root element, nothing but blanks around it.
///
/// Not a validating parser: entities, names and the declaration's contents are not checked.
/// It exists to catch a part that lost bytes on the way to the zip — cut short, or missing a
/// stretch in the middle (a temporary file whose 4 KB writes failed while its folder was full
/// and succeeded again once room came back). A stretch cut at two points mostly leaves a tag
/// open, a `<` inside a tag or unbalanced elements behind; one cut from a cell's value to
/// another's at the same depth does not, so the two large parts are also checked against
/// what they say of themselves: in a worksheet every cell's `r` names the row it is in, and
/// a shared-strings part holds as many strings as its `uniqueCount`. Element and attribute
/// names are compared by a 64-bit hash of their bytes.
struct XMLShape {
    private enum State: UInt8 {
        case text, open, startName, inTag, quoted, endName, afterEndName, markup
    }
    private var state = State.text
    private var quote: UInt8 = 0
    /// Whether the last byte inside a start tag was `/` (the tag closes itself at `>`).
    private var slash = false
    private var name: UInt64 = XMLShape.fnvBasis
    private var open: [UInt64] = []
    private var elements = 0
    /// The attribute being read in a start tag (hash of its name), and whether its name is done.
    private var attribute: UInt64 = XMLShape.fnvBasis
    private var attributeDone = true
    /// The digits of an attribute value this checks (a row's or cell's `r`, `uniqueCount`).
    private var capturing = false
    private var captured = 0
    private var row = -1
    private var strings = 0
    private var declaredStrings: Int?
    /// Bytes read so far.
    private(set) var length = 0
    /// The first thing found wrong, with the offset of its byte.
    private var failure: (offset: Int, what: String)?

    private static let fnvBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let fnvPrime: UInt64 = 0x100_0000_01b3
    private static func hash(_ text: String) -> UInt64 { text.utf8.reduce(fnvBasis) { ($0 ^ UInt64($1)) &* fnvPrime } }
    private static let rowName = hash("row"), cellName = hash("c"), stringsName = hash("sst"), stringName = hash("si")
    private static let rName = hash("r"), uniqueCountName = hash("uniqueCount")

    mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard failure == nil, let base = bytes.baseAddress else { return }
        let end = bytes.count
        var i = 0
        while i < end {
            // Text inside the root and attribute values are skipped in a tight loop up to the
            // byte that matters (a third faster over a year's margin summary).
            if state == .quoted && !capturing {
                let q = quote
                while i < end && base[i] != q && base[i] != UInt8(ascii: "<") { i += 1 }
                if i == end { break }
            } else if state == .text && !open.isEmpty {
                while i < end && base[i] != UInt8(ascii: "<") { i += 1 }
                if i == end { break }
            }
            if let what = step(base[i]) {
                failure = (length + i, what)
                return
            }
            i += 1
        }
        length += bytes.count
    }

    /// Why the bytes are not one whole document, or nil when they are.
    var problem: String? {
        if let failure { return "has bytes missing or out of place: at byte \(failure.offset), \(failure.what)" }
        if elements == 0 { return "holds no XML element (\(length) bytes)" }
        if state != .text || !open.isEmpty {
            return "is cut short: \(length) bytes, ending with \(open.count) element\(open.count == 1 ? "" : "s") still open"
        }
        if let declaredStrings, declaredStrings != strings {
            return "has bytes missing or out of place: it holds \(strings) strings where it declares \(declaredStrings)"
        }
        return nil
    }

    private static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

    /// Takes one byte; what is wrong with it, if anything.
    private mutating func step(_ b: UInt8) -> String? {
        switch state {
        case .text:
            if b == UInt8(ascii: "<") {
                state = .open
            } else if open.isEmpty && !Self.isBlank(b) {
                return "text outside the root element"
            }
        case .open:
            switch b {
            case UInt8(ascii: "/"):
                state = .endName
                name = Self.fnvBasis
            case UInt8(ascii: "?"), UInt8(ascii: "!"):
                state = .markup
            case UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "="):
                return "a '<' that opens no tag"
            default:
                if Self.isBlank(b) { return "a '<' that opens no tag" }
                if open.isEmpty && elements > 0 { return "a second root element" }
                state = .startName
                name = (Self.fnvBasis ^ UInt64(b)) &* Self.fnvPrime
            }
        case .startName:
            if b == UInt8(ascii: ">") || b == UInt8(ascii: "/") || Self.isBlank(b) {
                open.append(name)
                elements += 1
                if name == Self.stringName { strings += 1 }
                state = .inTag
                slash = false
                attributeDone = true
                return step(b)
            }
            if b == UInt8(ascii: "<") || b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") { return "a '<' inside a tag" }
            name = (name ^ UInt64(b)) &* Self.fnvPrime
        case .inTag:
            switch b {
            case UInt8(ascii: ">"):
                if slash { open.removeLast() }
                state = .text
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                quote = b
                state = .quoted
                slash = false
                let element = open.last ?? 0
                capturing = (attribute == Self.rName && (element == Self.rowName || element == Self.cellName))
                    || (attribute == Self.uniqueCountName && element == Self.stringsName)
                captured = 0
            case UInt8(ascii: "<"):
                return "a '<' inside a tag"
            default:
                slash = b == UInt8(ascii: "/")
                if Self.isBlank(b) || b == UInt8(ascii: "=") || slash {
                    attributeDone = true
                } else {
                    if attributeDone { attribute = Self.fnvBasis }
                    attributeDone = false
                    attribute = (attribute ^ UInt64(b)) &* Self.fnvPrime
                }
            }
        case .quoted:
            if b == quote {
                state = .inTag
                attributeDone = true
                if capturing { return checkCaptured() }
            } else if b == UInt8(ascii: "<") {
                return "a '<' inside an attribute value"
            } else if capturing, b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") {
                captured = captured &* 10 &+ Int(b - UInt8(ascii: "0"))
            }
        case .endName:
            if b == UInt8(ascii: ">") { return close() }
            if Self.isBlank(b) {
                state = .afterEndName
            } else if b == UInt8(ascii: "<") || b == UInt8(ascii: "/") || b == UInt8(ascii: "\"") {
                return "a broken end tag"
            } else {
                name = (name ^ UInt64(b)) &* Self.fnvPrime
            }
        case .afterEndName:
            if b == UInt8(ascii: ">") { return close() }
            if !Self.isBlank(b) { return "a broken end tag" }
        case .markup:
            if b == UInt8(ascii: ">") { state = .text }
        }
        return nil
    }

    /// A row's, cell's or string table's attribute just read: a cell must be in the row its
    /// reference names.
    private mutating func checkCaptured() -> String? {
        capturing = false
        switch open.last {
        case Self.rowName: row = captured
        case Self.cellName: if captured != row { return "a cell of row \(captured) inside row \(row)" }
        default: declaredStrings = captured
        }
        return nil
    }

    /// An end tag's `>`: it must close the element open.
    private mutating func close() -> String? {
        guard let innermost = open.popLast() else { return "an end tag with no element open" }
        guard innermost == name else { return "an end tag that does not close the element open" }
        state = .text
        return nil
    }
}
