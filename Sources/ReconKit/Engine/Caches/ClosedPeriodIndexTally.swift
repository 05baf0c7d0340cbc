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

    /// The rows (first names) or the columns (second names) of the grid, in the order met.
    private struct Axis {
        /// The place of each name number, -1 for none yet.
        private var placeOf: [Int32] = []
        /// The name number at each place.
        private(set) var names: [UInt32] = []

        func place(_ name: UInt32) -> Int? {
            Int(name) < placeOf.count && placeOf[Int(name)] >= 0 ? Int(placeOf[Int(name)]) : nil
        }

        /// Gives `name` the next place.
        mutating func add(_ name: UInt32) -> Int {
            if Int(name) >= placeOf.count { placeOf += [Int32](repeating: -1, count: Int(name) + 1 - placeOf.count) }
            placeOf[Int(name)] = Int32(names.count)
            names.append(name)
            return names.count - 1
        }
    }

    private let gridCells: Int
    private var rows = Axis(), columns = Axis()
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
        let row = rows.place(first), column = columns.place(second)
        if let row, let column { return row * width + column }
        var wider = width
        while wider < columns.names.count + (column == nil ? 1 : 0) { wider *= 2 }
        guard (rows.names.count + (row == nil ? 1 : 0)) * wider <= gridCells else {
            giveUpGrid()
            return nil
        }
        if wider != width { widen(to: wider) }
        if row == nil { cells += repeatElement(Cell(), count: width) }
        return (row ?? rows.add(first)) * width + (column ?? columns.add(second))
    }

    /// Lays the rows out `wider` cells apart.
    private mutating func widen(to wider: Int) {
        var next = [Cell](repeating: Cell(), count: rows.names.count * wider)
        for row in rows.names.indices {
            for column in columns.names.indices { next[row * wider + column] = cells[row * width + column] }
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
        rows = Axis()
        columns = Axis()
    }

    private func forEachInGrid(_ body: (_ first: UInt32, _ second: UInt32, _ reports: Int, _ images: Int) -> Void) {
        for (row, first) in rows.names.enumerated() {
            for (column, second) in columns.names.enumerated() {
                let cell = cells[row * width + column]
                guard cell.reports != 0, cell.reports != Self.spilled else { continue }
                body(first, second, Int(cell.reports), Int(cell.images))
            }
        }
    }
}
