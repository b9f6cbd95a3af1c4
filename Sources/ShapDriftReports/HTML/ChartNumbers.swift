import Foundation

/// Number formats of the charts and the page.
enum ChartNumbers {
    /// `digits` significant digits, plain decimal notation for the magnitudes attributions have.
    static func significant(_ value: Double, _ digits: Int = 3) -> String {
        guard value.isFinite else { return "\(value)" }
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1e6 || magnitude < 1e-4 { return String(format: "%.\(digits - 1)e", value) }
        let decimals = max(0, digits - 1 - Int(floor(log10(magnitude))))
        return String(format: "%.\(decimals)f", value)
    }

    static func fixed(_ value: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", value) }

    static func percent(_ share: Double, _ decimals: Int = 1) -> String { String(format: "%.\(decimals)f %%", share * 100) }

    /// About `count` round tick values covering [low, high] (1, 2 or 5 × a power of ten apart).
    static func ticks(_ low: Double, _ high: Double, count: Int = 5) -> [Double] {
        guard high > low, low.isFinite, high.isFinite else { return [low] }
        let raw = (high - low) / Double(max(1, count))
        let power = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= raw } ?? 10 * power
        var ticks: [Double] = []
        var tick = (low / step).rounded(.up) * step
        while tick <= high + step * 1e-9 {
            ticks.append(abs(tick) < step * 1e-9 ? 0 : tick)
            tick += step
        }
        return ticks
    }
}
