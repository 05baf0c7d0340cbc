/// The hard gate (SPEC §4): a report with more images than its client's contract allows per
/// case raises `IMAGES_OVER_CONTRACT`, which must be decided before its period closes.
public enum HardGate {
    public static let code = "IMAGES_OVER_CONTRACT"

    static let idPrefix = "HARD"

    public static func flagId(reportId: String) -> String {
        AuditFlag.stableId(prefix: idPrefix, [code, reportId])
    }

    /// Whether `id` is shaped like a hard flag's (``flagId(reportId:)``: `HARD-` and ten
    /// lowercase hex digits). The prefix alone is no flag: `HARD-2026-0001` is a report id.
    static func isFlagId(_ id: String) -> Bool { id.hasPrefix(idPrefix + "-") && AuditFlag.isFlagShaped(id) }

    /// The images per case a flag's reason gives, as ``flag(for:client:)`` writes it ("7 images
    /// in one case; …"); nil for a reason written otherwise.
    static func statedImages(in reason: String) -> Int? {
        let digits = reason.prefix { $0.isNumber }
        guard !digits.isEmpty, reason.dropFirst(digits.count).hasPrefix(imagesInOneCase) else { return nil }
        return Int(digits)
    }

    private static let imagesInOneCase = " images in one case"

    /// The flag a report raises under its client's contract, if any.
    public static func flag(for report: Report, client: Client?) -> AuditFlag? {
        guard let client, Int(report.imageCount) > client.maxImagesPerCase else { return nil }
        return AuditFlag(id: flagId(reportId: report.id), severity: .hard, code: code, subject: report.id,
                    period: report.period,
                    reason: "\(report.imageCount)\(imagesInOneCase); the contract of \(client.id) allows \(client.maxImagesPerCase)",
                    score: "1")
    }
}
