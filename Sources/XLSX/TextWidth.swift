/// How wide text prints, in the widths of a digit, and how many lines it takes wrapped: a
/// full-width (East Asian) character is about two digits wide. Row heights reckoned from the
/// count of characters gave Japanese addresses, bank details and notes half the lines they
/// need, and a merged or fixed-height row never grows: the rest was cut.
public enum TextWidth {
    /// Digit widths of `text`: 2 a wide or full-width character, 1 any other.
    public static func of<S: StringProtocol>(_ text: S) -> Int {
        text.reduce(0) { $0 + (isWide($1) ? 2 : 1) }
    }

    /// Lines `text` takes wrapped at `perLine` digit widths, breaking after a space where it
    /// can and inside a word longer than a line where it must; each line break starts one.
    public static func lines(_ text: String, perLine: Int) -> Int {
        let width = max(perLine, 1)
        return text.split(separator: "\n", omittingEmptySubsequences: false).reduce(0) { total, paragraph in
            var lines = 1, used = 0
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: false) {
                let w = of(word)
                let needed = used == 0 ? w : used + 1 + w
                if needed <= width { used = needed; continue }
                if used > 0 { lines += 1 }
                // A word longer than a line breaks inside it (as wide text does between characters).
                lines += max(w - 1, 0) / width
                used = w - (max(w - 1, 0) / width) * width
            }
            return total + lines
        }
    }

    /// Whether `c` prints two digits wide: the East Asian Wide and Fullwidth blocks.
    static func isWide(_ c: Character) -> Bool {
        guard let v = c.unicodeScalars.first?.value, v >= 0x1100 else { return false }
        switch v {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}
