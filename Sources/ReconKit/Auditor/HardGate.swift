/// The hard gate (SPEC §4): a report with more images than its client's contract allows per
/// case raises `IMAGES_OVER_CONTRACT`, which must be decided before its period closes.
public enum HardGate {
    public static let code = "IMAGES_OVER_CONTRACT"

    public static func flagId(reportId: String) -> String {
        AuditFlag.stableId(prefix: "HARD", [code, reportId])
    }

    /// The flag a report raises under its client's contract, if any.
    public static func flag(for report: Report, client: Client?) -> AuditFlag? {
        guard let client, Int(report.imageCount) > client.maxImagesPerCase else { return nil }
        return AuditFlag(id: flagId(reportId: report.id), severity: .hard, code: code, subject: report.id,
                    period: report.period,
                    reason: "\(report.imageCount) images in one case; the contract of \(client.id) allows \(client.maxImagesPerCase)",
                    score: "1")
    }
}
