import Foundation
import ReconKit

/// A generated marketplace history with known suspicious cases planted in it: the
/// ground truth on which the soft gate is measured.
///
/// Normal behaviour: every client has its own volume (40 to 1,500 reports a month, with
/// a slow drift and month-to-month noise), its own case mix (1.8 to 4.2 images per case,
/// noisier when volume is small) and its own prices and payout costs (a per-report and
/// a per-image part, so revenue, cost and margin move with the mix). Mature clients were
/// onboarded 1 to 10 years before the first period. Young clients start with a pilot
/// month at 5–15 % of their eventual volume and reach 50–90 % of it the month after:
/// growth of ×3 to ×18 in their second month is their ordinary course. Radiologists have
/// their own volume, case mix and pay; a few are juniors, and now and then one takes a
/// holiday and reads half as much.
///
/// Planted, each in one period:
/// - ``Kind/matureRatioSpike``: a mature client's images per case triple;
/// - ``Kind/matureVolumeSpike``: a mature client's volume quadruples;
/// - ``Kind/radiologistSpike``: a senior radiologist reads four times as many reports;
/// - ``Kind/youngClientGrowth``: a young client grows tenfold from its pilot month,
///   ordinary for its age, and must not be flagged;
/// - ``Kind/youngLateStart``: a client onboarded on the 8th with 2, 5, 44 and 50 reports in
///   its first four months (its third and fourth months planted): ordinary ramp-up.
///
/// Revenue and cost are `Double` here because they are scoring inputs, not money.
public struct PlantedCases: Sendable {
    /// What was planted.
    public enum Kind: String, Sendable, CaseIterable {
        /// A mature client's images per case triple for one period.
        case matureRatioSpike
        /// A mature client's volume quadruples for one period.
        case matureVolumeSpike
        /// A senior radiologist reads four times the usual number of reports in one period.
        case radiologistSpike
        /// A young client grows tenfold after its pilot month: ordinary, not suspicious.
        case youngClientGrowth
        /// A client onboarded on the 8th of a month with 2, 5, 44 and 50 reports in its first
        /// four months: its third and fourth months are ordinary ramp-up, not suspicious.
        case youngLateStart

        /// Whether the gate should flag it.
        public var isSuspicious: Bool { self != .youngClientGrowth && self != .youngLateStart }
    }

    /// One planted case: what, who and when.
    public struct Plant: Sendable, Hashable {
        /// What was planted.
        public let kind: Kind
        /// Client or radiologist.
        public let party: PartyPeriodStats.Party
        /// The party's id.
        public let partyId: String
        /// The period it was planted in.
        public let period: String
    }

    /// The size and seed of a generated history.
    public struct Configuration: Sendable {
        /// Clients in all, young ones included.
        public var clients: Int
        /// Clients in their first year during the history, the planted one included.
        public var youngClients: Int
        /// Radiologists in all.
        public var radiologists: Int
        /// Periods of history, at least 8.
        public var months: Int
        /// The seed of the generator.
        public var seed: UInt64

        /// Creates a configuration; the defaults are the benchmark's.
        public init(clients: Int = 56, youngClients: Int = 10, radiologists: Int = 24, months: Int = 12, seed: UInt64 = 2026) {
            precondition(months >= 8 && youngClients >= 2 && clients >= youngClients + 10 && radiologists >= 6,
                "a planted history needs 8+ months, 2+ young clients, 10+ mature clients and 6+ radiologists")
            self.clients = clients
            self.youngClients = youngClients
            self.radiologists = radiologists
            self.months = months
            self.seed = seed
        }

        /// A small history for tests: 24 clients (6 young), 10 radiologists, 8 months.
        public static let small = Configuration(clients: 24, youngClients: 6, radiologists: 10, months: 8, seed: 7)
    }

    /// The periods, oldest first, from 2025-01.
    public let periods: [String]
    /// Every party-period with at least one report.
    public let history: [PartyPeriodStats]
    /// The planted cases.
    public let plants: [Plant]

    /// Generates a history; the same configuration always gives the same history.
    public init(configuration: Configuration = Configuration()) {
        var generator = SeededGenerator(seed: configuration.seed)
        let months = configuration.months
        periods = (0..<months).map { String(format: "%04d-%02d", 2025 + $0 / 12, $0 % 12 + 1) }
        let ratioSpikeMonth = months - 4
        let volumeSpikeMonth = months - 2
        let radiologistSpikeMonth = months - 3
        let youngOnboardMonth = months - 6
        let mature = configuration.clients - configuration.youngClients
        var history: [PartyPeriodStats] = []
        var plants: [Plant] = []

        let ratioClient = generator.nextInt(below: mature)
        var volumeClient = generator.nextInt(below: mature - 1)
        if volumeClient >= ratioClient { volumeClient += 1 }
        plants.append(Plant(kind: .matureRatioSpike, party: .client, partyId: PlantedCases.clientId(ratioClient), period: periods[ratioSpikeMonth]))
        plants.append(Plant(kind: .matureVolumeSpike, party: .client, partyId: PlantedCases.clientId(volumeClient), period: periods[volumeSpikeMonth]))
        let youngPlanted = mature
        plants.append(Plant(kind: .youngClientGrowth, party: .client, partyId: PlantedCases.clientId(youngPlanted), period: periods[youngOnboardMonth + 1]))
        let lateStarter = configuration.clients - 1
        let lateOnboardMonth = months - 5
        for age in [2, 3] {
            plants.append(Plant(kind: .youngLateStart, party: .client, partyId: PlantedCases.clientId(lateStarter), period: periods[lateOnboardMonth + age]))
        }

        for index in 0..<configuration.clients {
            var client = ClientProfile(generator: &generator)
            if index < mature {
                client.onboardMonth = -12 - generator.nextInt(below: 109)
            } else if index == youngPlanted {
                client.onboardMonth = youngOnboardMonth
                client.baseVolume = 110
                client.pilotShare = 10.0 / 110.0
                client.secondShare = 100.0 / 110.0
            } else if index == lateStarter {
                client.onboardMonth = lateOnboardMonth
            } else {
                // Half of the other young clients join during the history, half shortly before it.
                let position = index - mature - 1
                let joiningDuring = configuration.youngClients / 2
                client.onboardMonth = position % 2 == 0
                    ? (position / 2) * (months - 2) / joiningDuring
                    : -2 - generator.nextInt(below: 8)
            }
            for month in 0..<months where month >= client.onboardMonth {
                var reports = client.reports(month: month, generator: &generator)
                if index == youngPlanted { reports = client.plantedReports(month: month) }
                if index == lateStarter {
                    let ramp = [2, 5, 44, 50]
                    let age = month - client.onboardMonth
                    reports = age < ramp.count ? ramp[age] : 50 + (month % 3) * 2
                }
                var imagesFactor = 1.0
                if index == volumeClient, month == volumeSpikeMonth { reports *= 4 }
                if index == ratioClient, month == ratioSpikeMonth { imagesFactor = 3 }
                guard reports > 0 else { continue }
                history.append(
                    client.stats(
                        id: PlantedCases.clientId(index), period: periods[month], month: month, reports: reports,
                        imagesFactor: imagesFactor, generator: &generator))
            }
        }

        let spikeRadiologist = 2 + generator.nextInt(below: configuration.radiologists - 2)
        plants.append(Plant(kind: .radiologistSpike, party: .radiologist, partyId: PlantedCases.radiologistId(spikeRadiologist), period: periods[radiologistSpikeMonth]))
        for index in 0..<configuration.radiologists {
            let radiologist = RadiologistProfile(junior: index < 2, generator: &generator)
            for month in 0..<months {
                var reports = radiologist.reports(generator: &generator)
                if index == spikeRadiologist, month == radiologistSpikeMonth { reports *= 4 }
                guard reports > 0 else { continue }
                history.append(
                    radiologist.stats(
                        id: PlantedCases.radiologistId(index), period: periods[month], reports: reports, generator: &generator))
            }
        }
        self.history = history
        self.plants = plants.sorted { ($0.period, $0.partyId) < ($1.period, $1.partyId) }
    }

    /// `C001`, `C002`, …
    public static func clientId(_ index: Int) -> String { String(format: "C%03d", index + 1) }
    /// `R001`, `R002`, …
    public static func radiologistId(_ index: Int) -> String { String(format: "R%03d", index + 1) }
}

extension PlantedCases {
    /// One generated client's habits.
    private struct ClientProfile {
        var baseVolume: Double
        let drift: Double
        let imagesPerCase: Double
        let pricePerReport: Double
        let pricePerImage: Double
        let costShare: Double
        var onboardMonth = 0
        var pilotShare: Double
        var secondShare: Double

        init(generator: inout SeededGenerator) {
            baseVolume = exp(generator.nextDouble(from: log(40), to: log(1500)))
            drift = 0.01 * generator.nextGaussian()
            imagesPerCase = generator.nextDouble(from: 1.8, to: 4.2)
            pricePerReport = generator.nextDouble(from: 700, to: 2000)
            pricePerImage = generator.nextDouble(from: 0, to: 60)
            costShare = generator.nextDouble(from: 0.45, to: 0.65)
            pilotShare = generator.nextDouble(from: 0.05, to: 0.15)
            secondShare = generator.nextDouble(from: 0.5, to: 0.9)
        }

        /// Reports in a month: the ramp of a young client, then volume with drift and noise.
        func reports(month: Int, generator: inout SeededGenerator) -> Int {
            let age = month - onboardMonth
            let share = age == 0 ? pilotShare : age == 1 ? secondShare : 1.0
            let mean = baseVolume * share * exp(drift * Double(month) + 0.08 * generator.nextGaussian())
            return max(0, Int((mean + mean.squareRoot() * generator.nextGaussian()).rounded()))
        }

        /// The planted young client: 10 reports in its pilot month, 100 the next.
        func plantedReports(month: Int) -> Int {
            let age = month - onboardMonth
            return age == 0 ? 10 : age == 1 ? 100 : Int(baseVolume) + (month % 3) * 4
        }

        func stats(
            id: String, period: String, month: Int, reports: Int, imagesFactor: Double,
            generator: inout SeededGenerator
        ) -> PartyPeriodStats {
            let n = Double(reports)
            // Each case's image count varies (sd 0.6 × mean), so a small month's average is noisy.
            let meanImages = imagesPerCase * imagesFactor
            let images = max(reports, Int((n * meanImages + 0.6 * meanImages * n.squareRoot() * generator.nextGaussian()).rounded()))
            let mix = exp(0.03 * generator.nextGaussian())
            let revenue = n * pricePerReport * mix + Double(images) * pricePerImage
            let cost = revenue * costShare * exp(0.02 * generator.nextGaussian())
                + Double(images) * pricePerImage * 0.3 * (imagesFactor - 1)
            return PartyPeriodStats(
                party: .client, partyId: id, period: period, ageMonths: month - onboardMonth,
                reports: reports, images: images, revenueBase: revenue, costBase: cost)
        }
    }

    /// One generated radiologist's habits.
    private struct RadiologistProfile {
        let baseVolume: Double
        let imagesPerCase: Double
        let ratePerReport: Double
        let ratePerImage: Double
        let seniorityYears: Int

        init(junior: Bool, generator: inout SeededGenerator) {
            baseVolume = generator.nextDouble(from: 150, to: 900)
            imagesPerCase = generator.nextDouble(from: 2.2, to: 3.6)
            ratePerReport = generator.nextDouble(from: 300, to: 900)
            ratePerImage = generator.nextDouble(from: 0, to: 20)
            seniorityYears = junior ? 0 : 1 + generator.nextInt(below: 25)
        }

        /// Reports in a month: volume with noise, and a holiday at half volume now and then.
        func reports(generator: inout SeededGenerator) -> Int {
            let holiday = generator.nextUnit() < 0.04 ? 0.5 : 1.0
            let mean = baseVolume * holiday * exp(0.1 * generator.nextGaussian())
            return max(0, Int((mean + mean.squareRoot() * generator.nextGaussian()).rounded()))
        }

        func stats(id: String, period: String, reports: Int, generator: inout SeededGenerator) -> PartyPeriodStats {
            let n = Double(reports)
            let images = max(reports, Int((n * imagesPerCase + 0.6 * imagesPerCase * n.squareRoot() * generator.nextGaussian()).rounded()))
            let cost = n * ratePerReport + Double(images) * ratePerImage
            return PartyPeriodStats(
                party: .radiologist, partyId: id, period: period, ageMonths: seniorityYears * 12,
                reports: reports, images: images, revenueBase: 0, costBase: cost)
        }
    }
}
