/// An Isolation Forest (Liu, Ting and Zhou 2008), as scikit-learn implements it.
///
/// Each tree is grown on a subsample of ψ = min(`sampleSize`, n) rows drawn without
/// replacement. A node picks a feature uniformly among those that are not constant on
/// its rows and a threshold uniformly between their minimum and maximum; a row goes
/// left when its value is ≤ the threshold. A node becomes a leaf when it holds one row,
/// when every feature is constant on its rows, or at the depth limit ⌈log₂ ψ⌉. The path
/// length of a row in a tree is the depth of the leaf it reaches plus c(size), the
/// average depth of the subtree that was not grown below that leaf
/// (``AveragePathLength``). The anomaly score is 2^(−E[h] / c(ψ)), the quantity
/// scikit-learn's `-score_samples` returns.
///
/// The whole forest lives in a few flat arrays: one 16-byte node per tree node, the
/// nodes of all trees back to back, the two children of a split side by side (right =
/// left + 1). A leaf points at itself with an infinite threshold, so a row can walk any
/// tree in exactly that tree's height steps with no test for leaves and no branch; rows
/// are scored in blocks, tree by tree, so the tree and the block stay in the L1 cache
/// and the independent walks of a block overlap in the processor.
///
/// The forest is a pure function of the data, the parameters and the seed: the same
/// inputs give the same trees and bit-for-bit the same scores.
public struct IsolationForest: Sendable {
    /// One node: a split sends a row to `left` when `row[feature] <= threshold`, else to
    /// `left + 1`; a leaf has `threshold = +∞` and `left` = its own index.
    struct Node: Sendable {
        var threshold: Double
        var feature: Int32
        var left: Int32
    }

    /// The number of columns a row must have.
    public let featureCount: Int
    /// The number of trees.
    public let treeCount: Int
    /// ψ: the number of rows each tree was grown on, min(`sampleSize`, n).
    public let subsampleSize: Int
    /// The depth limit ⌈log₂ max(ψ, 2)⌉.
    public let depthLimit: Int

    /// All nodes of all trees.
    private(set) var nodes: [Node]
    /// Per node: for a leaf, its depth plus c(rows at the leaf); 0 for a split.
    private(set) var leafPathLengths: [Double]
    /// Per tree: the index of its root in `nodes`.
    private(set) var roots: [Int32]
    /// Per tree: the depth of its deepest leaf.
    private(set) var heights: [Int32]

    /// Rows scored together, tree by tree.
    private static let blockSize = 256
    /// Two values closer than this are one value, as scikit-learn's `FEATURE_THRESHOLD`.
    private static let constantTolerance = 1e-7

    /// Grows a forest on `rows`, a row-major matrix of `featureCount` columns.
    ///
    /// - Parameters:
    ///   - rows: n × `featureCount` finite values, row after row.
    ///   - featureCount: the number of columns, at least 1.
    ///   - trees: the number of trees, at least 1 (scikit-learn's `n_estimators`).
    ///   - sampleSize: rows per tree before the cap at n, at least 1 (`max_samples`).
    ///   - seed: the seed of the only source of randomness.
    /// - Precondition: at least one row, `rows.count` a multiple of `featureCount`,
    ///   every value finite.
    public init(rows: [Double], featureCount: Int, trees: Int = 100, sampleSize: Int = 256, seed: UInt64 = 0) {
        precondition(featureCount >= 1, "an Isolation Forest needs at least one feature")
        precondition(!rows.isEmpty && rows.count % featureCount == 0, "rows must hold n × featureCount values, n ≥ 1")
        precondition(trees >= 1 && sampleSize >= 1, "trees and sampleSize must be at least 1")
        precondition(rows.allSatisfy { $0.isFinite }, "Isolation Forest values must be finite")
        let rowCount = rows.count / featureCount
        let psi = min(sampleSize, rowCount)
        self.featureCount = featureCount
        self.treeCount = trees
        self.subsampleSize = psi
        self.depthLimit = IsolationForest.depthLimit(forSubsample: psi)
        self.nodes = []
        self.leafPathLengths = []
        self.roots = []
        self.heights = []
        nodes.reserveCapacity(trees * (2 * psi - 1))
        leafPathLengths.reserveCapacity(trees * (2 * psi - 1))
        var grower = TreeGrower(rows: rows, rowCount: rowCount, featureCount: featureCount, subsampleSize: psi, seed: seed)
        for _ in 0..<trees {
            let root = nodes.count
            let height = grower.growTree(depthLimit: depthLimit, into: &nodes, leafPathLengths: &leafPathLengths)
            roots.append(Int32(root))
            heights.append(Int32(height))
        }
    }

    /// ⌈log₂ max(ψ, 2)⌉, computed exactly on integers.
    public static func depthLimit(forSubsample psi: Int) -> Int {
        psi <= 2 ? 1 : Int.bitWidth - (psi - 1).leadingZeroBitCount
    }

    /// E[h(x)] for each row of a row-major matrix: the path length averaged over trees.
    ///
    /// - Precondition: `rows.count` is a multiple of ``featureCount``.
    public func meanPathLengths(rows: [Double]) -> [Double] {
        precondition(rows.count % featureCount == 0, "rows must hold n × featureCount values")
        let rowCount = rows.count / featureCount
        var sums = [Double](repeating: 0, count: rowCount)
        guard rowCount > 0 else { return sums }
        let width = featureCount
        rows.withUnsafeBufferPointer { values in
            nodes.withUnsafeBufferPointer { nodes in
                leafPathLengths.withUnsafeBufferPointer { leafLengths in
                    sums.withUnsafeMutableBufferPointer { sums in
                        withUnsafeTemporaryAllocation(of: Int.self, capacity: IsolationForest.blockSize) { cursor in
                            var start = 0
                            while start < rowCount {
                                let count = min(IsolationForest.blockSize, rowCount - start)
                                let block = UnsafeBufferPointer(rebasing: values[(start * width)..<((start + count) * width)])
                                for tree in 0..<treeCount {
                                    let root = Int(roots[tree])
                                    for r in 0..<count { cursor[r] = root }
                                    for _ in 0..<Int(heights[tree]) {
                                        for r in 0..<count {
                                            let node = nodes[cursor[r]]
                                            let value = block[r * width + Int(node.feature)]
                                            cursor[r] = Int(node.left) + (value > node.threshold ? 1 : 0)
                                        }
                                    }
                                    for r in 0..<count { sums[start + r] += leafLengths[cursor[r]] }
                                }
                                start += count
                            }
                        }
                    }
                }
            }
        }
        let trees = Double(treeCount)
        return sums.map { $0 / trees }
    }

    /// The anomaly score of each row of a row-major matrix, in (0, 1], higher is more
    /// anomalous: scikit-learn's `-score_samples`.
    ///
    /// - Precondition: `rows.count` is a multiple of ``featureCount``.
    public func scores(rows: [Double]) -> [Double] {
        meanPathLengths(rows: rows).map {
            AveragePathLength.anomalyScore(meanPathLength: $0, subsampleSize: subsampleSize)
        }
    }

    /// The anomaly score of one row of ``featureCount`` values.
    public func score(_ row: [Double]) -> Double {
        precondition(row.count == featureCount, "a row must have featureCount values")
        return scores(rows: row)[0]
    }
}

extension IsolationForest {
    /// Grows the trees of one forest: the subsample, the partition buffer and the
    /// random stream live here and are reused from tree to tree.
    private struct TreeGrower {
        let rows: [Double]
        let rowCount: Int
        let featureCount: Int
        let subsampleSize: Int
        var generator: SeededGenerator
        /// A permutation of 0..<n whose first ψ entries are the current subsample.
        var permutation: [Int]
        /// The subsample's rows, copied row-major, ψ × featureCount.
        var sample: [Double]
        /// Positions in `sample`, partitioned in place as the tree grows.
        var order: [Int]
        /// Features still to try at the current node.
        var candidates: [Int]
        /// Nodes waiting to be grown: (node index, start, end in `order`, depth).
        var pending: [(node: Int, start: Int, end: Int, depth: Int)] = []

        init(rows: [Double], rowCount: Int, featureCount: Int, subsampleSize: Int, seed: UInt64) {
            self.rows = rows
            self.rowCount = rowCount
            self.featureCount = featureCount
            self.subsampleSize = subsampleSize
            self.generator = SeededGenerator(seed: seed)
            self.permutation = Array(0..<rowCount)
            self.sample = [Double](repeating: 0, count: subsampleSize * featureCount)
            self.order = Array(0..<subsampleSize)
            self.candidates = Array(0..<featureCount)
        }

        /// Grows one tree at the end of `nodes` and returns its height.
        mutating func growTree(depthLimit: Int, into nodes: inout [Node], leafPathLengths: inout [Double]) -> Int {
            drawSubsample()
            for i in 0..<subsampleSize { order[i] = i }
            let root = nodes.count
            nodes.append(Node(threshold: 0, feature: 0, left: 0))
            leafPathLengths.append(0)
            pending.append((root, 0, subsampleSize, 0))
            var height = 0
            while let item = pending.popLast() {
                let size = item.end - item.start
                if item.depth < depthLimit, size > 1, let split = drawSplit(start: item.start, end: item.end) {
                    let left = nodes.count
                    nodes[item.node] = Node(threshold: split.threshold, feature: Int32(split.feature), left: Int32(left))
                    nodes.append(Node(threshold: 0, feature: 0, left: 0))
                    nodes.append(Node(threshold: 0, feature: 0, left: 0))
                    leafPathLengths.append(0)
                    leafPathLengths.append(0)
                    pending.append((left + 1, split.middle, item.end, item.depth + 1))
                    pending.append((left, item.start, split.middle, item.depth + 1))
                } else {
                    nodes[item.node] = Node(threshold: .infinity, feature: 0, left: Int32(item.node))
                    leafPathLengths[item.node] = Double(item.depth) + AveragePathLength.of(size)
                    height = max(height, item.depth)
                }
            }
            return height
        }

        /// Draws ψ rows without replacement (a partial Fisher–Yates shuffle) and copies
        /// them into `sample`.
        private mutating func drawSubsample() {
            for i in 0..<subsampleSize {
                let j = i + generator.nextInt(below: rowCount - i)
                permutation.swapAt(i, j)
                let source = permutation[i] * featureCount
                for f in 0..<featureCount {
                    sample[i * featureCount + f] = rows[source + f]
                }
            }
        }

        /// Picks a random non-constant feature and a uniform threshold in its range on
        /// `order[start..<end]`, partitions those positions (≤ threshold first) and
        /// returns the split; nil when every feature is constant there.
        private mutating func drawSplit(start: Int, end: Int) -> (feature: Int, threshold: Double, middle: Int)? {
            for f in 0..<featureCount { candidates[f] = f }
            var remaining = featureCount
            while remaining > 0 {
                let pick = generator.nextInt(below: remaining)
                let feature = candidates[pick]
                var low = Double.infinity
                var high = -Double.infinity
                for k in start..<end {
                    let value = sample[order[k] * featureCount + feature]
                    low = min(low, value)
                    high = max(high, value)
                }
                if high <= low + IsolationForest.constantTolerance {
                    candidates.swapAt(pick, remaining - 1)
                    remaining -= 1
                    continue
                }
                var threshold = generator.nextDouble(from: low, to: high)
                if threshold == high { threshold = low }
                return (feature, threshold, partition(start: start, end: end, feature: feature, threshold: threshold))
            }
            return nil
        }

        /// Moves the positions whose value is ≤ `threshold` to the front of the range and
        /// returns where the others begin.
        private mutating func partition(start: Int, end: Int, feature: Int, threshold: Double) -> Int {
            var i = start
            var j = end - 1
            while i <= j {
                if sample[order[i] * featureCount + feature] <= threshold {
                    i += 1
                } else {
                    order.swapAt(i, j)
                    j -= 1
                }
            }
            return i
        }
    }
}
