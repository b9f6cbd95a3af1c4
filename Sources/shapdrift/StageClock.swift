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

    /// Seconds per stage (`<stage>_seconds`) and rows per second of the stages that count rows.
    var fields: [String: Double] {
        var fields: [String: Double] = [:]
        for stage in stages {
            fields["\(stage.name)_seconds"] = stage.seconds
            if let rows = stage.rows {
                fields["\(stage.name)_rows"] = Double(rows)
                if stage.seconds > 0 { fields["\(stage.name)_rows_per_second"] = Double(rows) / stage.seconds }
            }
        }
        return fields
    }

    var summary: String {
        stages.map { stage in
            let rate = stage.rows.map { stage.seconds > 0 ? " (\(Int((Double($0) / stage.seconds).rounded())) rows/s)" : "" } ?? ""
            return String(format: "%@ %.3f s", stage.name, stage.seconds) + rate
        }.joined(separator: ", ")
    }
}
