/// A value for some of the six measures, read and written like a dictionary keyed by
/// measure. Its slots are fixed fields: a year of history builds four of these for each of
/// thousands of party-periods on every command, and hashed tables made that a tenth of a
/// `recon status`.
public struct FeatureMap<Value: Sendable>: Sendable {
    private var imagesPerCase: Value?
    private var costPerCase: Value?
    private var revenuePerCase: Value?
    private var margin: Value?
    private var volumeGrowth: Value?
    private var age: Value?

    public init() {}

    public subscript(_ feature: FeatureBuilder.Feature) -> Value? {
        get {
            switch feature {
            case .imagesPerCase: return imagesPerCase
            case .costPerCase: return costPerCase
            case .revenuePerCase: return revenuePerCase
            case .margin: return margin
            case .volumeGrowth: return volumeGrowth
            case .age: return age
            }
        }
        set {
            switch feature {
            case .imagesPerCase: imagesPerCase = newValue
            case .costPerCase: costPerCase = newValue
            case .revenuePerCase: revenuePerCase = newValue
            case .margin: margin = newValue
            case .volumeGrowth: volumeGrowth = newValue
            case .age: age = newValue
            }
        }
    }

    /// Whether no measure has a value.
    public var isEmpty: Bool { FeatureBuilder.Feature.allCases.allSatisfy { self[$0] == nil } }
}

extension FeatureMap: Equatable where Value: Equatable {}
