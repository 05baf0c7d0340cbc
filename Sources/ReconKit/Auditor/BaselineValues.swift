/// A party's values over its baseline months (one a month, at most
/// ``FeatureBuilder/baselineMonths``), kept inline rather than in an array: a year of history
/// builds some 3,000 rows a command, each with a dozen of these, and their small arrays were
/// most of the rows' time.
///
/// Median, least and greatest come out as the sorted array's middle (the mean of the middle two
/// for an even count) and `Array`'s `min()` and `max()` come out: bit for bit, so the soft gate's
/// scores and reasons do not move.
struct BaselineValues {
    /// Room for four; a baseline has three months.
    private var slots: (Double, Double, Double, Double) = (0, 0, 0, 0)
    private(set) var count = 0

    init() {}

    /// `value(m)` for each month `m` of `months`, in order.
    init(_ months: Range<Int>, _ value: (Int) -> Double) {
        for m in months { append(value(m)) }
    }

    mutating func append(_ x: Double) {
        precondition(count < 4, "a baseline holds at most four months")
        let at = count
        withUnsafeMutableBytes(of: &slots) { $0.storeBytes(of: x, toByteOffset: at * 8, as: Double.self) }
        count += 1
    }

    subscript(k: Int) -> Double {
        get { withUnsafeBytes(of: slots) { $0.load(fromByteOffset: k * 8, as: Double.self) } }
        set { withUnsafeMutableBytes(of: &slots) { $0.storeBytes(of: newValue, toByteOffset: k * 8, as: Double.self) } }
    }

    /// `f` of each value, in order.
    func map(_ f: (Double) -> Double) -> BaselineValues {
        var out = BaselineValues()
        for k in 0..<count { out.append(f(self[k])) }
        return out
    }

    /// The least; of equal ones the first, as `Array.min()`.
    var min: Double? {
        guard count > 0 else { return nil }
        var least = self[0]
        for k in 1..<count where self[k] < least { least = self[k] }
        return least
    }

    /// The greatest; of equal ones the first, as `Array.max()`.
    var max: Double? {
        guard count > 0 else { return nil }
        var greatest = self[0]
        for k in 1..<count where greatest < self[k] { greatest = self[k] }
        return greatest
    }

    /// The middle value once sorted (stably, by insertion), the mean of the middle two for an
    /// even count; nil when empty.
    var median: Double? {
        guard count > 0 else { return nil }
        var sorted = self
        for i in 1..<count {
            let x = sorted[i]
            var j = i
            while j > 0 && x < sorted[j - 1] {
                sorted[j] = sorted[j - 1]
                j -= 1
            }
            sorted[j] = x
        }
        let middle = count / 2
        return count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
