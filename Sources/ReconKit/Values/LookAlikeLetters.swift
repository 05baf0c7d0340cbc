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
    /// accent is named as itself): a Latin `ɡ` or `ɑ`, a dotless `ı`, the Cyrillic and Greek
    /// ones below. Each character that is ASCII must be the name's own (in any case); each other
    /// one may stand for any of its letters if it could be taken for a Latin letter at all
    /// (``standsForALatinLetter(_:)``), as no list of look-alikes is whole. Nil when `text` is
    /// ASCII or is no such name.
    static func name(in names: [String], typedAs text: String) -> (name: String, first: Unicode.Scalar)? {
        if let (latin, first) = latinLookAlike(of: text), names.contains(latin.lowercased()) { return (latin.lowercased(), first) }
        let typed = Array(text)
        guard typed.contains(where: { !$0.isASCII }) else { return nil }
        for name in names where name.count == typed.count {
            var first: Unicode.Scalar?
            let matches = zip(typed, name).allSatisfy { t, n in
                if t.isASCII { return t.lowercased() == String(n) }
                guard standsForALatinLetter(t) else { return false }
                first = first ?? t.unicodeScalars.first { !$0.isASCII }
                return true
            }
            if matches, let first { return (name, first) }
        }
        return nil
    }

    /// Whether `c` could be taken for a Latin letter: one with accents or in another width (it
    /// decomposes to an ASCII letter and marks), a Cyrillic or Greek one drawn as Latin (below),
    /// or a letter of the Latin blocks beyond ASCII (`ɡ`, `ɑ`, `ı`, `ᴀ`) or a letterlike symbol
    /// (the Kelvin sign). A letter of another script (`Город`, `検査`) is a name of its own.
    private static func standsForALatinLetter(_ c: Character) -> Bool {
        let base = String(c).decomposedStringWithCompatibilityMapping.unicodeScalars.filter {
            ![.nonspacingMark, .spacingMark, .enclosingMark].contains($0.properties.generalCategory)
        }
        if base.count == 1, let only = base.first, only.isASCII { return true }
        guard let scalar = c.unicodeScalars.first else { return false }
        if latin[scalar] != nil { return true }
        switch scalar.value {
        case 0x0100...0x024F, 0x0250...0x02AF, 0x1D00...0x1DBF, 0x1E00...0x1EFF, 0x2100...0x214F, 0xA720...0xA7FF: return true
        default: return false
        }
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
