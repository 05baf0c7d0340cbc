/// The paper every workbook prints on (`paper` in `recon.toml`, SPEC §1).
public enum PaperSize: String, Sendable, Equatable, CaseIterable {
    case a4 = "A4"
    case letter = "Letter"

    /// libxlsxwriter's paper index (Excel's `paperSize`): 9 is A4, 1 is US Letter.
    public var excelIndex: UInt8 {
        switch self {
        case .a4: return 9
        case .letter: return 1
        }
    }

    /// What a portrait page holds inside libxlsxwriter's default margins (0.7 in left and
    /// right, 0.75 in top and bottom), in points: A4 is 595 × 842 points, Letter 612 × 792.
    public var printableSize: (width: Double, height: Double) {
        switch self {
        case .a4: return (595.3 - 100.8, 841.9 - 108)
        case .letter: return (612 - 100.8, 792 - 108)
        }
    }
}
