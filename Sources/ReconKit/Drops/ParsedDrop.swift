/// A drop's rows, parsed and typed, before they are checked against the site.
public enum ParsedDrop: Sendable {
    case usage([Report])
    case clients([Client])
    case radiologists([Radiologist])
    case providerRates([ProviderRate])
    case clientRates([ClientRate])
    case fxRates([FXRate])
    case decisions([Decision])
    case payments([Payment])

    public var rowCount: Int {
        switch self {
        case .usage(let r): return r.count
        case .clients(let r): return r.count
        case .radiologists(let r): return r.count
        case .providerRates(let r): return r.count
        case .clientRates(let r): return r.count
        case .fxRates(let r): return r.count
        case .decisions(let r): return r.count
        case .payments(let r): return r.count
        }
    }
}
