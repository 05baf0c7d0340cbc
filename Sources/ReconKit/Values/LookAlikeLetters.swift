import Foundation

/// Letters of other scripts that print as Latin ones: a header name typed or pasted with a
/// Cyrillic `а` (`tax_rаte`) reads exactly as the column's name, yet matches none.
enum LookAlikeLetters {
    /// The Cyrillic and Greek letters drawn as a Latin letter, with that letter; fullwidth
    /// forms are folded by compatibility normalization (NFKC) instead.
    private static let latin: [Unicode.Scalar: Character] = [
        "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "һ": "h", "і": "i", "ј": "j", "к": "k", "ӏ": "l", "м": "m",
        "н": "h", "о": "o", "р": "p", "ԛ": "q", "г": "r", "ѕ": "s", "т": "t", "у": "y", "х": "x", "ԝ": "w",
        "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "І": "I", "Ј": "J", "К": "K", "М": "M", "О": "O", "Р": "P",
        "Ѕ": "S", "Т": "T", "Х": "X", "У": "Y",
        "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P",
        "Τ": "T", "Υ": "Y", "Χ": "X",
    ]

    /// The name among `names` (plain ASCII, lower case) that `text` is typed as, with letters
    /// that are not ASCII standing in for some of its own, and the first such code point (an
    /// accent is named as itself): a Cyrillic `а`, a Latin `ɡ`, a Cherokee `Ꭲ`, an Armenian
    /// `օ` — no list of look-alikes is whole, so any character may stand in. Each character
    /// that is ASCII must be the name's own (in any case), and they must be at least half of
    /// the name: a name written in another script (`Город`, `検査部位の名称`) is a column of its
    /// own, whatever its length. Nil when `text` is ASCII or is no such name.
    static func name(in names: [String], typedAs text: String) -> (name: String, first: Unicode.Scalar)? {
        if let (latin, first) = latinLookAlike(of: text), names.contains(latin.lowercased()) { return (latin.lowercased(), first) }
        let typed = Array(text)
        let ascii = typed.filter(\.isASCII).count
        guard ascii < typed.count, ascii * 2 >= typed.count else { return nil }
        for name in names where name.count == typed.count {
            var first: Unicode.Scalar?
            let matches = zip(typed, name).allSatisfy { t, n in
                if t.isASCII { return t.lowercased() == String(n) }
                first = first ?? t.unicodeScalars.first { !$0.isASCII }
                return true
            }
            if matches, let first { return (name, first) }
        }
        return nil
    }

    /// `text` as the Latin text it looks like, with the first letter that is not what it looks
    /// like; nil when `text` is plain ASCII already or holds a letter that looks like no Latin one.
    private static func latinLookAlike(of text: String) -> (latin: String, first: Unicode.Scalar)? {
        guard !text.unicodeScalars.allSatisfy(\.isASCII) else { return nil }
        var out = "", first: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            if scalar.isASCII { out.unicodeScalars.append(scalar); continue }
            first = first ?? scalar
            if let letter = latin[scalar] { out.append(letter); continue }
            let folded = String(scalar).precomposedStringWithCompatibilityMapping
            guard folded.unicodeScalars.allSatisfy(\.isASCII) else { return nil }
            out += folded
        }
        return first.map { (out, $0) }
    }
}
