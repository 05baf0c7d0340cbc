/// The printed pages of a portrait sheet fitted to one page's width, laid out by the sheet
/// itself: a page break before each page's first row, so that a block a reader takes as one
/// (an invoice's totals, its payment instructions) starts a page instead of being cut by a
/// page's foot.
///
/// Spreadsheets paginate differently: LibreOffice prints a default row some 12.8 points tall
/// and fits the columns at a smaller scale, 71 such rows to an A4 page where Excel fits 53. A
/// sheet broken only before its blocks, where one of them would end its page, is cut elsewhere
/// by the other. So every page is broken here, at Excel's reckoning less `slack` points (a
/// row), which both fill before their own page ends: both then print the same pages. More
/// slack printed a page of nothing but an invoice's two ledger lines.
public struct PrintedPages {
    /// Sheet points a page holds in Excel: the paper's printable height over the scale that
    /// fits the columns to its width.
    public let pageHeight: Double
    /// The rows printed again at the top of every later page, and their height.
    let repeated: ClosedRange<Int>?
    let repeatedHeight: Double
    let slack: Double
    /// A row's height in points.
    let height: (Int) -> Double

    /// `height`: each row's height in points (those the sheet was given, else what the
    /// spreadsheet makes of it).
    public init(paper: PaperSize, columnWidths: [Double], repeated: ClosedRange<Int>?, slack: Double = 15,
                height: @escaping (Int) -> Double) {
        // A column `w` digits wide is w × 7 + 5 pixels in Calibri 11 (less than a digit: 12 a digit), ¾ point each.
        let width = columnWidths.reduce(0.0) { total, w in
            total + 0.75 * (w < 1 ? (w * 12 + 0.5).rounded(.down) : (w * 7 + 0.5).rounded(.down) + 5)
        }
        let printable = paper.printableSize
        // Spreadsheets fit to the width at a whole percentage, rounded down.
        let percent = width > 0 ? min(100, max(10, (100 * printable.width / width).rounded(.down))) : 100
        pageHeight = printable.height * 100 / percent
        self.repeated = repeated
        repeatedHeight = repeated.map { $0.reduce(0.0) { $0 + height($1) } } ?? 0
        self.slack = slack
        self.height = height
    }

    /// The rows, counted from 0, to break the pages before over rows 0 to `lastRow`: a page
    /// ends before the row that would overfill it, or before a block of `blocks` that would not
    /// fit in what is left of it (a block taller than a page breaks where it must).
    public func breaks(keeping blocks: [ClosedRange<Int>], lastRow: Int) -> [Int] {
        let starting = Dictionary(blocks.map { ($0.lowerBound, $0) }, uniquingKeysWith: { first, _ in first })
        let holds = pageHeight - slack
        var breaks: [Int] = []
        var used = 0.0, top = 0  // points used on the page that starts at row `top`
        for row in 0...max(lastRow, 0) {
            let tall = height(row)
            let block = starting[row].map { $0.reduce(0.0) { $0 + height($1) } } ?? tall
            let fits = used + tall <= holds && (used + block <= holds || topHeight(from: row) + block > holds)
            if !fits, row > top {
                breaks.append(row)
                (used, top) = (topHeight(from: row), row)
            }
            used += tall
        }
        return breaks
    }

    /// What a page starting at `row` holds before it: the repeated rows, once they are passed.
    private func topHeight(from row: Int) -> Double {
        guard let repeated, row > repeated.upperBound else { return 0 }
        return repeatedHeight
    }
}
