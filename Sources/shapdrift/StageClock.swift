import Dispatch
import Foundation

/// Wall time per named stage of a command, for `--timings`; laps of the same stage add up.
struct StageClock {
    private var last = DispatchTime.now().uptimeNanoseconds
    private var stages: [(name: String, seconds: Double, rows: Int?)] = []

    mutating func lap(_ name: String, rows: Int? = nil) {
        let now = DispatchTime.now().uptimeNanoseconds
        let seconds = Double(now - last) / 1e9
        last = now
        if let index = stages.firstIndex(where: { $0.name == name }) {
            stages[index].seconds += seconds
            if let rows { stages[index].rows = (stages[index].rows ?? 0) + rows }
        } else {
            stages.append((name, seconds, rows))
        }
    }

    var summary: String {
        stages.map { stage in
            let rate = stage.rows.map { stage.seconds > 0 ? " (\(Int((Double($0) / stage.seconds).rounded())) rows/s)" : "" } ?? ""
            return String(format: "%@ %.3f s", stage.name, stage.seconds) + rate
        }.joined(separator: ", ")
    }
}
