/// A command's failure with the exit code SPEC §8 gives it.
public struct ReconFailure: Error, CustomStringConvertible {
    public enum Code: Int32, Sendable {
        case usage = 1, rejected = 2, refused = 3, verification = 4
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func usage(_ m: String) -> ReconFailure { ReconFailure(.usage, m) }
    public static func refused(_ m: String) -> ReconFailure { ReconFailure(.refused, m) }
    public static func rejected(_ m: String) -> ReconFailure { ReconFailure(.rejected, m) }
    public static func verification(_ m: String) -> ReconFailure { ReconFailure(.verification, m) }
}
