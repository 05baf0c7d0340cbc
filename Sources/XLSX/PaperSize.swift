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
}
