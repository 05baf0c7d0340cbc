import ReconKit

/// A radiologist of the demo site: the master-data row and how much of the work they read.
struct DemoRadiologist {
    var id: String
    var name: String
    var grade: String
    var seniorityYears: Int
    var currency: String
    /// Relative share of the reports they sign.
    var weight: Int
    /// A month in which their images per case multiply (the auditor should notice), and by how much.
    var imageSpike: (period: Period, factor: Int)?

    /// The row in a `radiologists` drop.
    /// The radiologist's row, with the payee details its payout statements print.
    var csvFields: [String] {
        let code = id.dropFirst(2)
        let bank = currency == "INR" ? "ICICI Bank, IFSC ICIC0000104, account 0104\(code.count)0\(code.utf8.count * 73)"
            : "IBAN \(currency == "EUR" ? "DE89 3704 0044 0532" : "GB29 NWBK 6016 1331") \(code.utf8.count * 7)926 19 (SWIFT RECNDEMO)"
        return [id, name, grade, String(seniorityYears), currency, "\(code.capitalized) Residence | Reading Room Lane | Bengaluru",
                "PAN-\(code.prefix(5))", bank]
    }

    static let csvHeader = ["radiologist_id", "name", "grade", "seniority_years", "currency", "address", "tax_id", "bank_details"]

    /// Juniors do not read MR or mammography at this site.
    func reads(_ modality: String) -> Bool { grade != "junior" || (modality != "MR" && modality != "MG") }

    static let spikeId = "R-NAIR"

    /// Fifteen radiologists: three grades, 1–25 years of seniority, paid in INR, USD or EUR.
    static let roster: [DemoRadiologist] = [
        DemoRadiologist(id: "R-ANAND", name: "Dr. Meera Anand", grade: "consultant", seniorityYears: 22, currency: "INR", weight: 10),
        DemoRadiologist(id: "R-BHATT", name: "Dr. Rohan Bhatt", grade: "consultant", seniorityYears: 14, currency: "INR", weight: 10),
        DemoRadiologist(id: "R-CHEN", name: "Dr. Lily Chen", grade: "consultant", seniorityYears: 9, currency: "USD", weight: 8),
        DemoRadiologist(id: "R-DIAZ", name: "Dr. Mateo Diaz", grade: "senior", seniorityYears: 11, currency: "USD", weight: 8),
        DemoRadiologist(id: "R-EKSTROM", name: "Dr. Sara Ekström", grade: "consultant", seniorityYears: 18, currency: "EUR", weight: 7),
        DemoRadiologist(id: "R-FARAH", name: "Dr. Omar Farah", grade: "senior", seniorityYears: 7, currency: "INR", weight: 9),
        DemoRadiologist(id: "R-GUPTA", name: "Dr. Kavya Gupta", grade: "senior", seniorityYears: 12, currency: "INR", weight: 9),
        DemoRadiologist(id: "R-HOFFMANN", name: "Dr. Jonas Hoffmann", grade: "senior", seniorityYears: 5, currency: "EUR", weight: 6),
        DemoRadiologist(id: "R-IYER", name: "Dr. Arjun Iyer", grade: "junior", seniorityYears: 3, currency: "INR", weight: 7),
        DemoRadiologist(id: "R-JOSHI", name: "Dr. Neha Joshi", grade: "junior", seniorityYears: 1, currency: "INR", weight: 6),
        DemoRadiologist(id: "R-KAPOOR", name: "Dr. Vikram Kapoor", grade: "consultant", seniorityYears: 25, currency: "INR", weight: 6),
        DemoRadiologist(id: "R-LOPEZ", name: "Dr. Ana López", grade: "junior", seniorityYears: 4, currency: "USD", weight: 5),
        DemoRadiologist(id: "R-MEHTA", name: "Dr. Sanjay Mehta", grade: "senior", seniorityYears: 9, currency: "INR", weight: 8),
        DemoRadiologist(id: spikeId, name: "Dr. Divya Nair", grade: "junior", seniorityYears: 2, currency: "INR", weight: 3,
                        imageSpike: (Period(year: 2026, month: 7), 6)),
        DemoRadiologist(id: "R-OKAFOR", name: "Dr. Chidi Okafor", grade: "consultant", seniorityYears: 6, currency: "EUR", weight: 6),
    ]
}
