import ReconKit

/// A hospital of the demo site: its master-data row, the shape of its monthly usage, and the
/// story its history tells the auditor.
struct DemoClient {
    /// What the auditor should find in this client's history.
    enum Story {
        /// Ordinary months with seasonal noise.
        case steady
        /// Images per case multiply in one month, yet every case stays within the contract's maximum.
        case imageJump(Period, factor: Int)
        /// Reports multiply in one month.
        case volumeJump(Period, factor: Int)
        /// Onboarded late in the year: reports per month as given, none before.
        case young([Period: Int])
    }

    var id: String
    /// Short code used in report ids (`SUNRISE-2601-00042`).
    var code: String
    var name: String
    var currency: String
    var contractType: String
    var onboardedOn: String
    var maxImagesPerCase: Int
    var taxRate: String
    /// Reports in an ordinary 30-day month.
    var monthlyReports: Int
    /// Modality weights in ``DemoClient/modalities`` order.
    var mix: [Int]
    var story: Story = .steady

    /// The modalities the demo site reads, with the images a case usually holds.
    static let modalities: [(code: String, images: ClosedRange<Int>)] = [
        ("XR", 1...3), ("CT", 2...6), ("MR", 3...8), ("US", 1...4), ("MG", 2...5),
    ]

    var isYoung: Bool {
        if case .young = story { return true }
        return false
    }

    /// The client's row in a `clients` drop, with the billing details its invoices print.
    var csvFields: [String] {
        return [id, name, currency, contractType, onboardedOn, String(maxImagesPerCase), taxRate,
                "Accounts Payable | \(10 + code.count * 7) Hospital Road | \(place.city)", taxIdText, "PO-\(code)-2026", id == DemoClient.overdueId ? "15" : "30",
                "accounts@\(code.lowercased()).example", taxComponents]
    }

    static let csvHeader = ["client_id", "name", "currency", "contract_type", "onboarded_on", "max_images_per_case", "tax_rate",
                            "billing_address", "tax_id", "po_number", "payment_terms_days", "email", "tax_components"]

    /// The client whose last invoice is left unpaid past its (short) terms.
    static let overdueId = "C-DECCAN-HYD"

    /// Indian GST: CGST + SGST within Karnataka (the seller's state), IGST across states.
    var taxComponents: String {
        guard currency == "INR", let rate = try? FieldValue.decimal(Substring(taxRate)), !rate.isZero,
            let half = try? Rounding.divide(rate, by: ExactDecimal(2), toScale: 6).normalized
        else { return "" }
        return name.hasSuffix("Bengaluru") || name.hasSuffix("Mysuru") ? "CGST:\(half);SGST:\(half)" : "IGST:\(taxRate)"
    }

    /// The city of its billing address, and for an Indian hospital its state's GST code (a
    /// GSTIN starts with it: 29 is Karnataka, the seller's state, where CGST + SGST apply).
    private var place: (city: String, gstState: String) {
        Self.places[code] ?? (name.split(separator: " ").last.map(String.init) ?? name, "")
    }

    /// ``place`` by client code.
    private static let places: [String: (city: String, gstState: String)] = [
        "SUNRISE": ("Chennai", "33"), "RIDGE": ("New Delhi", "07"), "LOTUS": ("Bengaluru", "29"),
        "DECCAN": ("Hyderabad", "36"), "HOOGHLY": ("Kolkata", "19"), "SAHYADRI": ("Pune", "27"),
        "CAUVERY": ("Mysuru", "29"), "MALABAR": ("Kochi", "32"), "ARAVALI": ("Gurugram", "06"),
        "KALINGA": ("Bhubaneswar", "21"), "NOVA": ("Jaipur", "08"),
        "LAKESIDE": ("Madison, WI", ""), "BAYVIEW": ("San Francisco, CA", ""), "PRAIRIE": ("Lincoln, NE", ""),
        "GULFCOAST": ("Houston, TX", ""), "ATLAS": ("Dubai", ""), "RHEIN": ("Köln", ""), "ISAR": ("München", ""),
        "LIFFEY": ("Dublin", ""), "TAGUS": ("Lisboa", ""), "SAKURA": ("Osaka", ""), "KANSAI": ("Kobe", ""),
        "SALMIYA": ("Salmiya", ""), "JAHRA": ("Al Jahra", ""),
    ]

    private var taxIdText: String {
        guard currency == "INR" else { return taxRate == "0" ? "" : "VAT-\(code)" }
        return "\(place.gstState)AAAC\(code.prefix(4).uppercased())1Z5"
    }

    /// The young client, onboarded two months before the last closed period.
    static let youngId = "C-NOVA-JAI"
    /// Mature clients whose history holds one suspicious month.
    static let imageJumpId = "C-SUNRISE-MAA"
    static let volumeJumpId = "C-SAHYADRI-PNQ"
    /// The client whose January price was agreed at the end of January (the retroactive card).
    static let retroactiveId = "C-RIDGE-DEL"

    /// Twenty-four hospitals in five currencies (INR, USD, EUR, JPY with no minor unit, KWD with three).
    static let roster: [DemoClient] = [
        DemoClient(id: imageJumpId, code: "SUNRISE", name: "Sunrise Imaging Chennai", currency: "INR",
                   contractType: "standard", onboardedOn: "2019-03-11", maxImagesPerCase: 40, taxRate: "18",
                   monthlyReports: 300, mix: [35, 30, 15, 15, 5],
                   story: .imageJump(Period(year: 2026, month: 9), factor: 7)),
        DemoClient(id: retroactiveId, code: "RIDGE", name: "Ridgeview Diagnostics Delhi", currency: "INR",
                   contractType: "premium", onboardedOn: "2020-06-01", maxImagesPerCase: 50, taxRate: "18",
                   monthlyReports: 260, mix: [30, 35, 20, 10, 5]),
        DemoClient(id: "C-LOTUS-BLR", code: "LOTUS", name: "Lotus Hospitals Bengaluru", currency: "INR",
                   contractType: "standard", onboardedOn: "2018-09-17", maxImagesPerCase: 40, taxRate: "18",
                   monthlyReports: 280, mix: [40, 25, 15, 15, 5]),
        DemoClient(id: "C-DECCAN-HYD", code: "DECCAN", name: "Deccan Heart & Scan Hyderabad", currency: "INR",
                   contractType: "standard", onboardedOn: "2021-01-04", maxImagesPerCase: 35, taxRate: "18",
                   monthlyReports: 220, mix: [45, 25, 10, 15, 5]),
        DemoClient(id: "C-HOOGHLY-CCU", code: "HOOGHLY", name: "Hooghly Medical Kolkata", currency: "INR",
                   contractType: "premium", onboardedOn: "2022-02-14", maxImagesPerCase: 45, taxRate: "18",
                   monthlyReports: 180, mix: [30, 30, 20, 15, 5]),
        DemoClient(id: volumeJumpId, code: "SAHYADRI", name: "Sahyadri Care Pune", currency: "INR",
                   contractType: "standard", onboardedOn: "2019-11-20", maxImagesPerCase: 40, taxRate: "5",
                   monthlyReports: 160, mix: [40, 30, 10, 15, 5],
                   story: .volumeJump(Period(year: 2026, month: 6), factor: 10)),
        DemoClient(id: "C-CAUVERY-MYS", code: "CAUVERY", name: "Cauvery Clinic Mysuru", currency: "INR",
                   contractType: "standard", onboardedOn: "2020-08-03", maxImagesPerCase: 30, taxRate: "18",
                   monthlyReports: 150, mix: [50, 20, 5, 20, 5]),
        DemoClient(id: "C-MALABAR-COK", code: "MALABAR", name: "Malabar Coast Hospital Kochi", currency: "INR",
                   contractType: "premium", onboardedOn: "2017-05-02", maxImagesPerCase: 50, taxRate: "18",
                   monthlyReports: 240, mix: [30, 30, 20, 15, 5]),
        DemoClient(id: "C-ARAVALI-GGN", code: "ARAVALI", name: "Aravali Medicity Gurugram", currency: "INR",
                   contractType: "premium", onboardedOn: "2016-10-10", maxImagesPerCase: 60, taxRate: "18",
                   monthlyReports: 320, mix: [25, 35, 25, 10, 5]),
        DemoClient(id: "C-KALINGA-BBI", code: "KALINGA", name: "Kalinga Scan Centre Bhubaneswar", currency: "INR",
                   contractType: "standard", onboardedOn: "2023-03-01", maxImagesPerCase: 35, taxRate: "5",
                   monthlyReports: 170, mix: [45, 25, 10, 15, 5]),
        DemoClient(id: youngId, code: "NOVA", name: "Nova Teleclinic Jaipur", currency: "INR",
                   contractType: "standard", onboardedOn: "2026-07-27", maxImagesPerCase: 40, taxRate: "18",
                   monthlyReports: 900, mix: [40, 30, 10, 15, 5],
                   story: .young([Period(year: 2026, month: 8): 28, Period(year: 2026, month: 9): 280,
                                  Period(year: 2026, month: 10): 760])),
        DemoClient(id: "C-LAKESIDE-US", code: "LAKESIDE", name: "Lakeside Medical Center", currency: "USD",
                   contractType: "standard", onboardedOn: "2018-04-09", maxImagesPerCase: 40, taxRate: "0",
                   monthlyReports: 220, mix: [30, 35, 20, 10, 5]),
        DemoClient(id: "C-BAYVIEW-US", code: "BAYVIEW", name: "Bayview Community Hospital", currency: "USD",
                   contractType: "premium", onboardedOn: "2019-07-15", maxImagesPerCase: 50, taxRate: "0",
                   monthlyReports: 200, mix: [25, 35, 25, 10, 5]),
        DemoClient(id: "C-PRAIRIE-US", code: "PRAIRIE", name: "Prairie Rural Health Network", currency: "USD",
                   contractType: "standard", onboardedOn: "2021-09-01", maxImagesPerCase: 40, taxRate: "0",
                   monthlyReports: 160, mix: [50, 25, 5, 15, 5]),
        DemoClient(id: "C-GULFCOAST-US", code: "GULFCOAST", name: "Gulf Coast Imaging Partners", currency: "USD",
                   contractType: "standard", onboardedOn: "2020-02-24", maxImagesPerCase: 35, taxRate: "0",
                   monthlyReports: 180, mix: [35, 30, 15, 15, 5]),
        DemoClient(id: "C-ATLAS-AE", code: "ATLAS", name: "Atlas Specialty Hospital Dubai", currency: "USD",
                   contractType: "premium", onboardedOn: "2022-05-30", maxImagesPerCase: 45, taxRate: "5",
                   monthlyReports: 200, mix: [25, 35, 25, 10, 5]),
        DemoClient(id: "C-RHEIN-DE", code: "RHEIN", name: "Rheinufer Radiologie Köln", currency: "EUR",
                   contractType: "standard", onboardedOn: "2019-01-21", maxImagesPerCase: 40, taxRate: "19",
                   monthlyReports: 210, mix: [30, 30, 25, 10, 5]),
        DemoClient(id: "C-ISAR-DE", code: "ISAR", name: "Isarklinik München", currency: "EUR",
                   contractType: "premium", onboardedOn: "2020-10-05", maxImagesPerCase: 50, taxRate: "19",
                   monthlyReports: 190, mix: [25, 30, 30, 10, 5]),
        DemoClient(id: "C-LIFFEY-IE", code: "LIFFEY", name: "Liffey Valley Clinic Dublin", currency: "EUR",
                   contractType: "standard", onboardedOn: "2021-03-08", maxImagesPerCase: 40, taxRate: "0",
                   monthlyReports: 150, mix: [40, 25, 15, 15, 5]),
        DemoClient(id: "C-TAGUS-PT", code: "TAGUS", name: "Clínica Tejo Lisboa", currency: "EUR",
                   contractType: "standard", onboardedOn: "2022-06-13", maxImagesPerCase: 40, taxRate: "0",
                   monthlyReports: 170, mix: [40, 25, 15, 15, 5]),
        DemoClient(id: "C-SAKURA-JP", code: "SAKURA", name: "Sakura Imaging Osaka", currency: "JPY",
                   contractType: "standard", onboardedOn: "2019-04-01", maxImagesPerCase: 40, taxRate: "0",
                   monthlyReports: 200, mix: [25, 40, 20, 10, 5]),
        DemoClient(id: "C-KANSAI-JP", code: "KANSAI", name: "Kansai Medical Group", currency: "JPY",
                   contractType: "premium", onboardedOn: "2021-11-15", maxImagesPerCase: 50, taxRate: "0",
                   monthlyReports: 160, mix: [25, 35, 25, 10, 5]),
        DemoClient(id: "C-SALMIYA-KW", code: "SALMIYA", name: "Salmiya Diagnostic Centre", currency: "KWD",
                   contractType: "standard", onboardedOn: "2018-12-02", maxImagesPerCase: 40, taxRate: "0",
                   monthlyReports: 180, mix: [35, 30, 20, 10, 5]),
        DemoClient(id: "C-JAHRA-KW", code: "JAHRA", name: "Al Jahra Medical Centre", currency: "KWD",
                   contractType: "premium", onboardedOn: "2020-09-27", maxImagesPerCase: 45, taxRate: "0",
                   monthlyReports: 150, mix: [30, 30, 25, 10, 5]),
    ]
}
