/// Reports and images counted by a pair of name numbers, for a closed period's breakdown:
/// (client, modality) and (radiologist, client).
///
/// A month counts millions of reports into some thousands of pairs: every radiologist with
/// every client is 60,000 pairs at 300 by 200. Held in a hash table of 24-byte slots those
/// counts spread over three megabytes, and nearly every report's count waited on memory (two
/// thirds of the index's first pass at 1M). Here they are a grid, a row per first name and a
/// column per second, of 8-byte cells: the same pairs take 600 KB, which stay in the core's
/// cache, and a count is an add at a place worked out from two small arrays.
///
/// A grid that would grow past `gridCells` (a site of thousands of parties on both sides)
/// moves its counts into the hash table (``Sparse``), which then takes every count; so does a
/// pair whose counts no longer fit a cell's 32 bits. The pairs and their sums are the same
/// either way; only the order ``forEach(_:)`` gives them in differs, which no reader relies on.
struct ClosedPeriodIndexTally {
    /// A pair's counts; no reports while uncounted, and ``spilled`` reports once the pair is counted in ``sparse``.
    private struct Cell {
        var reports: UInt32 = 0
        var images: UInt32 = 0
    }

    private static let spilled = UInt32.max
    /// The most cells a grid holds: 8 MB at most, a tenth of the hash table the same pairs would fill.
    static let defaultGridCells = 1 << 20

    private let gridCells: Int
    /// Row and column of each name number (-1: none yet), and the name number of each row and column.
    private var rowOf: [Int32] = [], columnOf: [Int32] = []
    private var rowName: [UInt32] = [], columnName: [UInt32] = []
    /// Row after row, `width` cells each (room for more columns than there are).
    private var cells: [Cell] = []
    private var width = 16
    /// Pairs counted in the grid.
    private var gridPairs = 0
    /// Whether the grid gave up its counts to ``sparse`` for good.
    private var sparseOnly = false
    private var sparse = Sparse()

    init(gridCells: Int = ClosedPeriodIndexTally.defaultGridCells) {
        self.gridCells = gridCells
    }

    /// How many pairs were counted.
    var count: Int { gridPairs + sparse.count }

    /// Counts `reportCount` reports of `imageCount` images under `first` and `second`.
    mutating func add(_ first: UInt32, _ second: UInt32, reports reportCount: Int = 1, images imageCount: Int) {
        guard !sparseOnly, let at = cell(first, second) else {
            return sparse.add(first, second, reports: reportCount, images: imageCount)
        }
        let held = cells[at]
        if held.reports != Self.spilled, reportCount > 0, imageCount >= 0 {
            let reports = Int(held.reports) + reportCount, images = Int(held.images) + imageCount
            if reports < Int(Self.spilled), images <= Int(UInt32.max) {
                if held.reports == 0 { gridPairs += 1 }
                cells[at] = Cell(reports: UInt32(reports), images: UInt32(images))
                return
            }
        }
        // Counts a cell cannot hold: the pair is counted in the hash table from now on.
        if held.reports != Self.spilled {
            if held.reports != 0 {
                sparse.add(first, second, reports: Int(held.reports), images: Int(held.images))
                gridPairs -= 1
            }
            cells[at].reports = Self.spilled
        }
        sparse.add(first, second, reports: reportCount, images: imageCount)
    }

    /// Every pair counted, in no particular order.
    func forEach(_ body: (_ first: Int, _ second: Int, _ reports: Int, _ images: Int) -> Void) {
        forEachInGrid { body(Int($0), Int($1), $2, $3) }
        sparse.forEach(body)
    }

    // MARK: - The grid

    /// The cell of a pair, given a row and a column when new; nil once the grid would outgrow
    /// `gridCells`, its counts then moved to the hash table.
    private mutating func cell(_ first: UInt32, _ second: UInt32) -> Int? {
        let f = Int(first), s = Int(second)
        if f < rowOf.count, s < columnOf.count, rowOf[f] >= 0, columnOf[s] >= 0 {
            return Int(rowOf[f]) * width + Int(columnOf[s])
        }
        let newRow = f >= rowOf.count || rowOf[f] < 0, newColumn = s >= columnOf.count || columnOf[s] < 0
        let rows = rowName.count + (newRow ? 1 : 0), columns = columnName.count + (newColumn ? 1 : 0)
        var wider = width
        while wider < columns { wider *= 2 }
        guard rows * wider <= gridCells else {
            giveUpGrid()
            return nil
        }
        if wider != width { widen(to: wider) }
        if newRow {
            if f >= rowOf.count { rowOf += [Int32](repeating: -1, count: f + 1 - rowOf.count) }
            rowOf[f] = Int32(rowName.count)
            rowName.append(first)
            cells += repeatElement(Cell(), count: width)
        }
        if newColumn {
            if s >= columnOf.count { columnOf += [Int32](repeating: -1, count: s + 1 - columnOf.count) }
            columnOf[s] = Int32(columnName.count)
            columnName.append(second)
        }
        return Int(rowOf[f]) * width + Int(columnOf[s])
    }

    /// Lays the rows out `wider` cells apart.
    private mutating func widen(to wider: Int) {
        var next = [Cell](repeating: Cell(), count: rowName.count * wider)
        for row in rowName.indices {
            for column in columnName.indices { next[row * wider + column] = cells[row * width + column] }
        }
        cells = next
        width = wider
    }

    /// Moves every count of the grid into the hash table, which takes all later ones.
    private mutating func giveUpGrid() {
        let grid = self
        grid.forEachInGrid { first, second, reports, images in sparse.add(first, second, reports: reports, images: images) }
        sparseOnly = true
        gridPairs = 0
        cells = []
        rowOf = []
        columnOf = []
        rowName = []
        columnName = []
    }

    private func forEachInGrid(_ body: (_ first: UInt32, _ second: UInt32, _ reports: Int, _ images: Int) -> Void) {
        for row in rowName.indices {
            for column in columnName.indices {
                let cell = cells[row * width + column]
                guard cell.reports != 0, cell.reports != Self.spilled else { continue }
                body(rowName[row], columnName[column], Int(cell.reports), Int(cell.images))
            }
        }
    }
}
