import Foundation

/// c(n): the average path length of an unsuccessful search in a binary search tree of
/// n points, the normaliser of the Isolation Forest (Liu, Ting and Zhou 2008).
///
/// It is used twice: at a leaf that still holds n training points, the path length
/// gets c(n) added (the depth the unbuilt subtree would have had on average), and the
/// anomaly score divides the mean path length by c(ψ) for the subsample size ψ.
///
/// The values are scikit-learn's `_average_path_length`, which approximates the
/// harmonic number H(n − 1) by ln(n − 1) + γ:
///
///     c(n) = 0                                  for n ≤ 1
///     c(n) = 1                                  for n = 2
///     c(n) = 2 (ln(n − 1) + γ) − 2 (n − 1) / n   for n > 2
public enum AveragePathLength {
    /// The Euler–Mascheroni constant γ.
    public static let eulerGamma = 0.577_215_664_901_532_9

    /// c(n) for a node or subsample holding `size` points.
    public static func of(_ size: Int) -> Double {
        if size <= 1 { return 0 }
        if size == 2 { return 1 }
        let n = Double(size)
        return 2.0 * (log(n - 1.0) + eulerGamma) - 2.0 * (n - 1.0) / n
    }

    /// The anomaly score s = 2^(−E[h] / c(ψ)) for a mean path length E[h] over the
    /// trees of a forest built on subsamples of `subsampleSize` points.
    ///
    /// The score is in (0, 1]: close to 1 for points isolated at once, 0.5 for a point
    /// whose path is as long as an average unsuccessful search, lower for points deep
    /// inside the data. When c(ψ) is 0 (ψ = 1, nothing to compare against), the ratio
    /// is taken as 1 and the score is 0.5, as scikit-learn does.
    public static func anomalyScore(meanPathLength: Double, subsampleSize: Int) -> Double {
        let normaliser = of(subsampleSize)
        let ratio = normaliser == 0 ? 1.0 : meanPathLength / normaliser
        return exp2(-ratio)
    }
}
