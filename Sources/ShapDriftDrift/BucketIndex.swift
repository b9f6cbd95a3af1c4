import Foundation
import ShapDriftCore

/// `QuantileSketch.index(of:)` without calling `log` or dividing, for the fold's hot loop
/// (the sketch's index was half of folding a value).
///
/// log x = e·ln 2 + log c + log1p(m/c − 1) for x = m·2^e, m ∈ [1, 2), with c the centre of m's
/// 1/128-wide interval (a table of log c and 1/c), |m/c − 1| < 2^-8 and log1p taken to its fifth
/// power (error < 1e-15). That q is within `errorBound` of libm's q, far more than both
/// roundings, so whenever no integer lies within `errorBound` of q its ceiling is the same
/// bucket; otherwise (about one value in 10^6) the libm definition decides.
struct BucketIndex: @unchecked Sendable {
    static let shared = BucketIndex()
    static let errorBound = 1e-6
    static let intervals = 128

    /// Per interval: log c, then 1/c; allocated once for the process (`shared`) and never freed.
    private let table: UnsafeMutablePointer<Double>
    private let inverseLogGamma = 1 / QuantileSketch.logGamma

    private init() {
        table = .allocate(capacity: 2 * Self.intervals)
        for interval in 0..<Self.intervals {
            let centre = 1 + (Double(interval) + 0.5) / Double(Self.intervals)
            table[2 * interval] = Foundation.log(centre)
            table[2 * interval + 1] = 1 / centre
        }
    }

    @inline(__always)
    func index(of magnitude: Double) -> Int {
        let bits = magnitude.bitPattern
        let exponent = Int((bits >> 52) & 0x7FF) - 1023
        let interval = Int((bits >> 45) & 0x7F)
        let significand = Double(bitPattern: (bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000)
        let r = significand * table[2 * interval + 1] - 1
        let log1p = r * (1 + r * (-0.5 + r * (1.0 / 3 + r * (-0.25 + r * 0.2))))
        let q = (Double(exponent) * 0.693_147_180_559_945_3 + table[2 * interval] + log1p) * inverseLogGamma
        let bucket = QuantileSketch.ceiling(q)
        if q + Self.errorBound <= Double(bucket), q - Self.errorBound > Double(bucket - 1) { return bucket }
        return QuantileSketch.index(of: magnitude)
    }
}
