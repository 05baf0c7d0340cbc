/// What a document prints beyond its lines: dates, seller, party details, paper.
extension DocumentRecord {
    /// Fills the details from the site as it is at issue: the issue date in site time, an
    /// invoice's due date (issue date + the client's payment terms), the `[seller]` of
    /// `recon.toml`, the party's details from the master data in force, and the paper. A
    /// credit note (payout adjustment) names its party as the document it gives back on does
    /// (`credited`): name, address, tax ID and PO together, as the invoice's recipient — a
    /// GST credit note names the invoice's GSTIN, and accounts payable match it by them.
    /// `parties`: the clients and radiologists whose details it prints (the site's now, or for a
    /// rerun's documents those its period closed under).
    mutating func addDetails(issuedOn date: LocalDate, state: SiteState, config: SiteConfig, credited: DocumentRecord? = nil,
                             parties: PricingContext? = nil) {
        let pricing = parties ?? state.pricing
        issuedOn = date
        paper = config.paper
        if let credited, credited.partyId == partyId {
            seller = config.seller
            partyName = credited.partyName
            party = credited.party
            return
        }
        if kind.isClientSide {
            seller = config.seller
            if let client = pricing.clients[partyId] {
                // Name and address as they are now, together (a credit note's draft carries the invoice's name).
                partyName = client.name
                party = PartyDetails(client: client)
                if kind == .invoice {
                    paymentTermsDays = client.paymentTermsDays
                    dueOn = LocalDate(dayNumber: date.dayNumber + Int32(client.paymentTermsDays))
                }
            } else if kind == .invoice {
                paymentTermsDays = 30
                dueOn = LocalDate(dayNumber: date.dayNumber + 30)
            }
        } else if let radiologist = pricing.radiologists[partyId] {
            seller = config.seller
            partyName = radiologist.name
            party = PartyDetails(radiologist: radiologist)
            // The grade and seniority that set its rates, printed from layout 16.
            if layout < 16 { (party.grade, party.seniorityYears) = ("", nil) }
        }
    }

    /// The tax components it charged; an entry written before components were recorded
    /// counts its whole tax as one component `Tax`.
    var chargedTaxes: [TaxAmount] {
        if !taxes.isEmpty || !kind.isClientSide { return taxes }
        return [TaxAmount(name: "Tax", rate: taxRate, amount: tax)]
    }
}
