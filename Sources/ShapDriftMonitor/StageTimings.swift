import Dispatch
import Foundation

/// Where a profile build's wall time went, in seconds: attributing, folding into the profile and
/// bootstrap, and waiting for input the read-ahead had not parsed yet; and the CPU time the
/// process spent while attributing, so `attributingCores` says how many cores were busy then.
public struct StageTimings: Sendable {
    public var rows = 0
    public var attributing = 0.0
    /// User and system CPU seconds of the whole process during `attributing` (the read-ahead's
    /// parsing included: it runs at the same time).
    public var attributingCPU = 0.0
    public var folding = 0.0
    public var waitingForInput = 0.0
    public var total = 0.0

    public init() {}

    package static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// The same numbers by name, e.g. for `--timings-json`: seconds per stage, rows, rows per second.
    public var fields: [String: Double] {
        ["rows": Double(rows), "total_seconds": total, "attributing_seconds": attributing, "folding_seconds": folding,
         "waiting_for_input_seconds": waitingForInput, "rows_per_second": total > 0 ? Double(rows) / total : 0]
    }

    /// The process's user plus system CPU seconds so far (`getrusage`).
    package static func processCPU() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Cores busy on average while attributing.
    public var attributingCores: Double { attributing > 0 ? attributingCPU / attributing : 0 }

    /// One line for standard error, e.g. for `--timings`.
    public var summary: String {
        func rate(_ seconds: Double) -> String { seconds > 0 ? "\(Int((Double(rows) / seconds).rounded())) rows/s" : "-" }
        func format(_ seconds: Double) -> String { String(format: "%.3f s", seconds) }
        return "\(rows) rows in \(format(total)) (\(rate(total))): attributing \(format(attributing)) (\(rate(attributing)), "
            + String(format: "%.2f cores", attributingCores) + "), folding \(format(folding)), waiting for input \(format(waitingForInput))"
    }
}
