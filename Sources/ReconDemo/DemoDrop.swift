import ReconKit

/// A drop the demo writes into the Inbox.
enum DemoDrop {
    enum ClientCard { case y2025, y2026, y2026Agreed }
    enum ProviderCard { case y2025, y2026 }

    case clients(young: Bool)
    case radiologists
    case providerCard(ProviderCard)
    case clientCard(ClientCard)
    case fx(Period)
    /// Reports of a month signed on these days.
    case usage(Period, ClosedRange<Int>)
    case rejectedUsage
    /// Reports of a closed period found late: held until a rerun.
    case lateUsage

    /// The file name, as finance staff would name it.
    var fileName: String {
        switch self {
        case .clients(let young): return young ? "clients-2026-07-27-nova.csv" : "clients-2025-11-01.csv"
        case .radiologists: return "radiologists-2025-11-01.csv"
        case .providerCard(let c): return c == .y2025 ? "provider_rates-2025-01-01.csv" : "provider_rates-2026-04-01.csv"
        case .clientCard(let c):
            switch c {
            case .y2025: return "client_rates-2025-01-01.csv"
            case .y2026: return "client_rates-2026-01-01.csv"
            case .y2026Agreed: return "client_rates-2026-01-01-agreed-2026-01-30.csv"
            }
        case .fx(let p): return "fx_rates-\(p.firstDay).csv"
        case .usage(let p, let days):
            return "usage-\(p)-\(Digits.padded(days.lowerBound, 2))-to-\(Digits.padded(days.upperBound, 2)).csv"
        case .rejectedUsage: return "usage-2026-03-walkin-clinic.csv"
        case .lateUsage: return "usage-2026-09-lakeside-backup-pacs.csv"
        }
    }
}
