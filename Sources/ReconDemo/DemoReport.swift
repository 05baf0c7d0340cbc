import ReconKit

/// One report of the demo's usage, before it is written into a `usage` drop.
struct DemoReport {
    var id: String
    /// The local date (site time) it was signed on.
    var day: LocalDate
    /// Seconds after local midnight.
    var second: Int
    var clientId: String
    var radiologistId: String
    var modality: String
    var images: Int
    var stat: Bool

    static let csvHeader = ["report_id", "reported_at", "client_id", "radiologist_id", "modality", "image_count", "urgency"]

    /// `2026-01-14T10:23:05+05:30`: local time with the site's offset.
    var reportedAt: String {
        "\(day)T\(Digits.padded(second / 3600, 2)):\(Digits.padded(second / 60 % 60, 2)):\(Digits.padded(second % 60, 2))"
            + DemoData.utcOffset
    }

    var csvFields: [String] {
        [id, reportedAt, clientId, radiologistId, modality, String(images), stat ? "stat" : "routine"]
    }

    /// Billing order: by time, then id.
    static func chronological(_ a: DemoReport, _ b: DemoReport) -> Bool {
        (a.day, a.second, a.id) < (b.day, b.second, b.id)
    }
}
