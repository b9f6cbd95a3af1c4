import Foundation
import ShapDriftCore

/// Compares a current profile with the baseline and decides (`docs/drift.md`).
///
/// Three families of two-sample permutation tests, each held at family-wise level α by Holm's
/// procedure: the **attributions** (per output and feature, the φ distribution by rank sum and
/// the mean |φ|), the **input values** (per feature, the distribution and the missing rate) and
/// the **predictions** (per output and space, distribution and mean). A feature *breaches* when
/// its attribution change is significant and its `shift` — the share of the attribution mass
/// that moved — is at least the floor; the verdict is drift when any feature breaches (and,
/// when asked, when Clarify's NDCG rule, the predictions or data quality find something).
/// The input tests say why an attribution moved: its own input shifted, or it moved through
/// other features that share tree paths with it.
public struct DriftComparator: Sendable {
    public var thresholds: DriftThresholds
    public var aggregation: AttributionAggregation
    /// The criteria that make the verdict besides the attributions.
    public var failOn: Set<VerdictCriterion> = [.attribution]
    /// Which features the model combines (for the partners of an interaction); `nil` when the
    /// method's attributions do not follow the model's structure.
    public var coupling: FeatureCoupling?
    /// Names of the outputs (classes), when known.
    public var outputNames: [String]?

    public init(thresholds: DriftThresholds = DriftThresholds(), aggregation: AttributionAggregation = .meanAbs) {
        self.thresholds = thresholds
        self.aggregation = aggregation
    }


    /// - Parameters:
    ///   - bootstrap: the current sample's streaming bootstrap: NDCG's interval, and its replicate
    ///     count and seed for the shift intervals.
    ///   - columns: which columns the current data carried (absent features, extra columns).
    /// - Precondition: the profiles have the same identity (`ProfileIdentity.mismatch` is `nil`).
    /// - Complexity: O(outputs × features × (sketch buckets × (Newton iterations + replicates))
    ///   + replicates × outputs × features log features).
    public func compare(baseline: AttributionProfile, current: AttributionProfile, bootstrap: PoissonBootstrap?,
                        columns: ColumnStatistics = ColumnStatistics()) -> DriftReport {

        let names = baseline.identity.featureNames
        let (values, valueAdjusted) = compareValues(baseline: baseline, current: current)
        let shiftedInputs = values.indices.filter { values[$0].shifted }
        let replicates = aggregation == .meanAbs ? bootstrap?.replicates ?? 0 : 0
        let seed = bootstrap?.seed ?? 0

        // The attribution family: two tests per output and feature.
        var pooledSamples: [[PooledSample]] = []
        var tests: [[AttributionTests]] = []
        for output in baseline.outputs.indices {
            let pooled = zip(baseline.outputs[output].features, current.outputs[output].features).map {
                PooledSample(baseline: $0.sketch, current: $1.sketch)
            }
            pooledSamples.append(pooled)
            tests.append(pooled.map { AttributionTests(distribution: $0.rankSumPValue, meanAbs: $0.meanPValue(score: abs)) })
        }
        let adjusted = HolmProcedure.adjusted(tests.flatMap { $0.flatMap { [$0.distribution, $0.meanAbs] } })
        // The shift intervals' resamples draw one Poisson count per bucket: a model with
        // thousands of features and outputs gets fewer replicates (at least 20), so they stay
        // within `ShiftBootstrap.drawBudget` draws.
        let buckets = pooledSamples.reduce(0) { $0 + $1.reduce(0) { $0 + 2 * $1.values.count } }
        let intervalReplicates = Swift.min(replicates, Swift.max(20, ShiftBootstrap.drawBudget / Swift.max(1, buckets)))
        let pairs = baseline.outputs.count * names.count
        let signFlipQuantile = NormalDistribution.quantile(1 - thresholds.alpha / Double(2 * Swift.max(1, pairs)))

        var outputs: [OutputDrift] = []
        for output in 0..<baseline.outputs.count {
            let base = baseline.outputs[output].features
            let now = current.outputs[output].features
            let baseMeans = base.map(\.meanAbs)
            let currentMeans = now.map(\.meanAbs)
            let baseGlobal = base.map(aggregation.globalAttribution)
            let currentGlobal = now.map(aggregation.globalAttribution)
            let ndcg = ClarifyNDCG.score(baseline: baseGlobal, current: currentGlobal)
            var interval: ConfidenceInterval? = nil
            // The streaming bootstrap keeps weighted sums of |φ|, so it serves mean_abs only.
            if let bootstrap, replicates > 0 {
                let scores = (0..<replicates).map { replicate in
                    ClarifyNDCG.score(baseline: baseMeans, current: bootstrap.meanAbsolute(replicate: replicate, output: output, features: names.count,
                                                                                           factors: current.linearFactors))
                }.sorted()
                interval = ConfidenceInterval(lower: Self.percentile(scores, 0.025), upper: Self.percentile(scores, 0.975), level: 0.95)
            }
            let baseTotal = baseMeans.reduce(0, +)
            let currentTotal = currentMeans.reduce(0, +)
            let mass = baseTotal + currentTotal
            let baseRanks = Self.ranks(baseGlobal)
            let currentRanks = Self.ranks(currentGlobal)
            var features: [FeatureShift] = []
            for (index, name) in names.enumerated() {
                let pooled = pooledSamples[output][index]
                let wasserstein = pooled.wasserstein1
                let shift = mass > 0 ? Swift.min(1, wasserstein / mass) : 0
                let test = tests[output][index]
                let hypothesis = 2 * (output * names.count + index)
                let adjustedPValue = Swift.min(adjusted[hypothesis], adjusted[hypothesis + 1])
                let significant = adjustedPValue <= thresholds.alpha
                let partners = coupling.map { $0.partners(of: index, among: shiftedInputs).prefix(3).map { names[$0] } } ?? []
                let cause: AttributionCause = !significant ? .none : values[index].shifted ? .input : .interaction
                let seedForFeature = SplitMix64.mix(seed ^ SplitMix64.mix(UInt64(output) << 32 | UInt64(index)))
                features.append(FeatureShift(
                    name: name, output: output, baselineMeanAbsShap: baseMeans[index], currentMeanAbsShap: currentMeans[index],
                    meanAbsChange: baseMeans[index] > 0 ? (currentMeans[index] - baseMeans[index]) / baseMeans[index] : nil,
                    baselineShare: baseTotal > 0 ? baseMeans[index] / baseTotal : 0,
                    currentShare: currentTotal > 0 ? currentMeans[index] / currentTotal : 0,
                    baselineRank: baseRanks[index], currentRank: currentRanks[index],
                    rankChange: baseRanks[index] - currentRanks[index],
                    baselineMeanShap: base[index].mean, currentMeanShap: now[index].mean,
                    signFlip: Self.significantSignFlip(base[index], now[index], quantile: signFlipQuantile),
                    wasserstein: wasserstein, psi: DistributionDistance.psi(baseline: base[index].sketch, current: now[index].sketch),
                    shift: shift,
                    shiftInterval: replicates > 0 ? ShiftBootstrap.interval(pooled, mass: mass, replicates: intervalReplicates, seed: seedForFeature) : nil,
                    tests: test, pValue: Swift.min(1, 2 * Swift.min(test.distribution, test.meanAbs)),
                    adjustedPValue: adjustedPValue, significant: significant,
                    breached: significant && shift >= thresholds.minShift,
                    cause: cause, partners: cause == .none ? [] : partners, values: values[index]))
            }
            features.sort(by: Self.byShift)
            outputs.append(OutputDrift(
                output: output, label: "label\(output)", name: outputName(output), ndcg: ndcg, ndcgInterval: interval,
                intervalStraddlesThreshold: interval.map { $0.straddles(thresholds.ndcg) },
                ndcgBelowThreshold: ndcg < thresholds.ndcg, baselineExpectedValue: baseline.outputs[output].baseValue,
                driftDetected: features.contains(where: \.breached), features: features))
        }
        let worst = outputs.min { $0.ndcg < $1.ndcg } ?? outputs[0]
        var strongest: [String: FeatureShift] = [:]
        for feature in outputs.flatMap(\.features) where (strongest[feature.name]?.shift ?? -1) < feature.shift {
            strongest[feature.name] = feature
        }
        let features = names.compactMap { strongest[$0] }.sorted(by: Self.byShift)
        let breached = names.filter { name in outputs.contains { $0.features.contains { $0.name == name && $0.breached } } }
        let breachedInOrder = features.map(\.name).filter { breached.contains($0) }

        let prediction = comparePredictions(baseline: baseline, current: current)
        let quality = dataQuality(baseline: baseline, current: current, values: values, valueAdjusted: valueAdjusted, columns: columns)
        let criteria = CriteriaFindings(attribution: !breachedInOrder.isEmpty, ndcg: outputs.contains(where: \.ndcgBelowThreshold),
                                        prediction: prediction?.drift ?? false, dataQuality: !quality.violations.isEmpty)
        let failing = VerdictCriterion.allCases.filter { failOn.contains($0) || $0 == .attribution }
        let drift = failing.contains { criteria.found($0) }
        var report = DriftReport(
            verdict: drift ? .drift : .noDrift, driftDetected: drift, failOn: failing, criteria: criteria,
            ndcg: worst.ndcg, ndcgInterval: worst.ndcgInterval, intervalStraddlesThreshold: worst.intervalStraddlesThreshold,
            threshold: thresholds.ndcg, thresholds: thresholds, hypotheses: 2 * pairs, rows: current.rows, baselineRows: baseline.rows,
            bootstrapReplicates: replicates, bootstrapSeed: seed, aggregation: aggregation, model: baseline.identity,
            breachedFeatures: breachedInOrder, features: features, outputs: outputs, values: values,
            prediction: prediction, dataQuality: quality, provenance: nil,
            note: "A drift finding means investigate: look at the breached features and the data feeding them. It is not a reason to retrain or roll back automatically.")
        report.sampling = SamplingSummary(baseline: baseline, current: current)
        return report
    }

    func outputName(_ output: Int) -> String? {
        guard let outputNames, outputNames.indices.contains(output) else { return nil }
        return outputNames[output]
    }

    /// The input-values family: per feature, the distribution and the missing rate. Returns the
    /// comparisons and the Holm-adjusted p-value of each hypothesis (distribution, missing rate).
    func compareValues(baseline: AttributionProfile, current: AttributionProfile) -> ([FeatureValuesDrift], [(distribution: Double, missing: Double)]) {
        let names = baseline.identity.featureNames
        var drafts: [FeatureValuesDrift] = []
        for (index, name) in names.enumerated() {
            let (before, after) = (baseline.featureValues[index], current.featureValues[index])
            let missing = Self.proportionPValue(baselineHits: Double(before.missing), baselineTotal: Double(before.count + before.missing),
                                                currentHits: Double(after.missing), currentTotal: Double(after.count + after.missing))
            var draft = FeatureValuesDrift(
                name: name, categorical: false, baseline: ValueSummary(before), current: ValueSummary(after), distance: 0,
                distanceKind: "kolmogorov_smirnov", tests: ValueTests(distribution: 1, missingRate: missing), pValue: 1,
                adjustedPValue: 1, shifted: false, categories: nil)
            if let counts = Self.categoryCounts(baseline, index), let now = Self.categoryCounts(current, index) {
                let comparison = Self.compareCategories(counts, now)
                draft.categorical = true
                draft.distanceKind = "category_share_linf"
                draft.distance = comparison.distance
                draft.tests.distribution = comparison.pValue
                draft.categories = comparison.shares
            } else {
                let pooled = PooledSample(baseline: before.sketch, current: after.sketch)
                draft.distance = pooled.kolmogorovDistance
                draft.tests.distribution = pooled.rankSumPValue
            }
            draft.pValue = Swift.min(1, 2 * Swift.min(draft.tests.distribution, draft.tests.missingRate))
            drafts.append(draft)
        }
        let adjusted = HolmProcedure.adjusted(drafts.flatMap { [$0.tests.distribution, $0.tests.missingRate] })
        var pairs: [(distribution: Double, missing: Double)] = []
        for index in drafts.indices {
            let pair = (adjusted[2 * index], adjusted[2 * index + 1])
            pairs.append(pair)
            drafts[index].adjustedPValue = Swift.min(pair.0, pair.1)
            drafts[index].shifted = drafts[index].adjustedPValue <= thresholds.alpha
        }
        return (drafts, pairs)
    }

    /// The counts of a categorical feature, when the profile holds them (and they did not overflow).
    static func categoryCounts(_ profile: AttributionProfile, _ feature: Int) -> CategoryCounts? {
        guard let counts = profile.categories?.first(where: { $0.feature == feature }), !counts.overflowed else { return nil }
        return counts
    }

    /// Per-category share tests (Bonferroni over the categories seen), the largest share change
    /// and the share of current values in categories the baseline never saw.
    static func compareCategories(_ before: CategoryCounts, _ after: CategoryCounts)
        -> (pValue: Double, distance: Double, shares: CategoryShares) {
        let (baseTotal, currentTotal) = (Double(before.total), Double(after.total))
        let categories = Array(Set(before.values).union(after.values)).sorted()
        var smallest = 1.0
        var shares: [CategoryShares.Share] = []
        var unseen = 0.0
        for value in categories {
            let (b, c) = (Double(before.counts[value] ?? 0), Double(after.counts[value] ?? 0))
            if b == 0 { unseen += c }
            smallest = Swift.min(smallest, proportionPValue(baselineHits: b, baselineTotal: baseTotal, currentHits: c, currentTotal: currentTotal))
            shares.append(CategoryShares.Share(value: value, baseline: baseTotal > 0 ? b / baseTotal : 0,
                                               current: currentTotal > 0 ? c / currentTotal : 0))
        }
        let distance = shares.map { abs($0.current - $0.baseline) }.max() ?? 0
        shares.sort { abs($0.current - $0.baseline) != abs($1.current - $1.baseline)
            ? abs($0.current - $0.baseline) > abs($1.current - $1.baseline) : $0.value < $1.value }
        let pValue = categories.count > 1 ? Swift.min(1, Double(categories.count) * smallest) : 1
        return (pValue, distance, CategoryShares(shares: Array(shares.prefix(20)), unseenShare: currentTotal > 0 ? unseen / currentTotal : 0,
                                                 baselineCategories: before.counts.count, currentCategories: after.counts.count))
    }

    /// Two-sided permutation (Fisher-type) test that a share is the same in both samples.
    static func proportionPValue(baselineHits: Double, baselineTotal: Double, currentHits: Double, currentTotal: Double) -> Double {
        PermutationTest.twoSidedPValue(scores: [0, 1], pooled: [baselineTotal - baselineHits + currentTotal - currentHits, baselineHits + currentHits],
                                       current: [currentTotal - currentHits, currentHits])
    }

    /// The prediction family: per output, the value in the attributions' space and, for
    /// classifiers in raw space, the probability; rank-sum and mean tests, Holm at α.
    func comparePredictions(baseline: AttributionProfile, current: AttributionProfile) -> PredictionDrift? {
        guard let before = baseline.predictions, let after = current.predictions, before.count == after.count else { return nil }
        var drafts: [OutputPredictionDrift] = []
        for (b, c) in zip(before, after) {
            var spaces: [(String, StreamSummary, StreamSummary)] = [("raw", b.value, c.value)]
            if baseline.identity.outputSpace == .probability { spaces[0].0 = "probability" }
            if let bp = b.probability, let cp = c.probability { spaces.append(("probability", bp, cp)) }
            for (space, x, y) in spaces {
                let pooled = PooledSample(baseline: x.sketch, current: y.sketch)
                let tests = PredictionTests(distribution: pooled.rankSumPValue, mean: pooled.meanPValue { $0 })
                drafts.append(OutputPredictionDrift(
                    output: b.output, label: "label\(b.output)", name: outputName(b.output), space: space, baseline: ValueSummary(x),
                    current: ValueSummary(y), distance: pooled.kolmogorovDistance, tests: tests,
                    pValue: Swift.min(1, 2 * Swift.min(tests.distribution, tests.mean)), adjustedPValue: 1, drifted: false))
            }
        }
        let adjusted = HolmProcedure.adjusted(drafts.flatMap { [$0.tests.distribution, $0.tests.mean] })
        for index in drafts.indices {
            drafts[index].adjustedPValue = Swift.min(adjusted[2 * index], adjusted[2 * index + 1])
            drafts[index].drifted = drafts[index].adjustedPValue <= thresholds.alpha
        }
        return PredictionDrift(drift: drafts.contains(where: \.drifted), outputs: drafts)
    }

    /// SageMaker Model Monitor's data-quality checks that apply (rules in `docs/drift.md`).
    func dataQuality(baseline: AttributionProfile, current: AttributionProfile, values: [FeatureValuesDrift],
                     valueAdjusted: [(distribution: Double, missing: Double)], columns source: ColumnStatistics) -> DataQuality {
        let names = baseline.identity.featureNames
        var violations: [DataQualityViolation] = []
        var unavailable: [String] = []
        func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
        for (index, value) in values.enumerated() {
            let name = names[index]
            if let absent = source.absentFeatureRows[index], absent > 0 {
                let share = source.rows > 0 ? Double(absent) / Double(source.rows) : 1
                violations.append(DataQualityViolation(
                    featureName: name, checkType: .missingColumn,
                    description: "Column \(name), which the model needs, was absent from \(absent) of \(source.rows) rows (\(percent(share))); its values were taken as missing",
                    value: share, threshold: 0))
            }
            let rise = value.current.missingRate - value.baseline.missingRate
            if rise >= thresholds.completeness, valueAdjusted[index].missing <= thresholds.alpha {
                violations.append(DataQualityViolation(
                    featureName: name, checkType: .completeness,
                    description: "Missing values of \(name) rose from \(percent(value.baseline.missingRate)) to \(percent(value.current.missingRate)) (threshold: a significant rise of \(percent(thresholds.completeness)))",
                    value: rise, threshold: thresholds.completeness))
            }
            if value.distance >= thresholds.valueDistance, valueAdjusted[index].distribution <= thresholds.alpha {
                let kind = value.categorical ? "largest change of a category's share" : "Kolmogorov–Smirnov distance"
                violations.append(DataQualityViolation(
                    featureName: name, checkType: .baselineDrift,
                    description: "Distribution of \(name) moved from the baseline's: \(kind) \(String(format: "%.3f", value.distance)) (threshold \(thresholds.valueDistance), significant at α = \(thresholds.alpha))",
                    value: value.distance, threshold: thresholds.valueDistance))
            }
            if let shares = value.categories, shares.unseenShare > thresholds.unseenCategories {
                violations.append(DataQualityViolation(
                    featureName: name, checkType: .categoricalValues,
                    description: "\(percent(shares.unseenShare)) of the values of \(name) are categories the baseline never saw (threshold \(percent(thresholds.unseenCategories)))",
                    value: shares.unseenShare, threshold: thresholds.unseenCategories))
            }
        }
        if baseline.categories == nil, current.categories?.isEmpty == false {
            unavailable.append("categorical_values_check: the baseline predates category counts (profile format 3); make a new baseline")
        }
        let featureNames = Set(names)
        let unknown = source.extraColumns.keys.filter { !featureNames.contains($0) }.sorted()
        if let known = baseline.columns.map(Set.init) {
            for column in unknown where !known.contains(column) {
                let rows = source.extraColumns[column] ?? 0
                violations.append(DataQualityViolation(
                    featureName: column, checkType: .extraColumn,
                    description: "Column \(column) is neither a model feature nor in the baseline's data; \(rows) of \(source.rows) rows carried it",
                    value: source.rows > 0 ? Double(rows) / Double(source.rows) : 0, threshold: 0))
            }
        } else if !unknown.isEmpty {
            unavailable.append("extra_column_check: the baseline does not record its data's columns (header-less data, or profile format before 3)")
        }
        // Unreadable records are the read's to count (`RecordSummary`); `DriftMonitor` adds them.
        return DataQuality(violations: violations, unreadableRecords: 0, unreadableByReason: [:], unavailable: unavailable)
    }

    /// A sign flip that is itself significant: each sample's mean φ lies outside its
    /// normal-approximation interval around zero at the Bonferroni quantile, on opposite sides.
    static func significantSignFlip(_ base: StreamSummary, _ now: StreamSummary, quantile: Double) -> Bool {
        func side(_ summary: StreamSummary) -> Int {
            guard summary.count > 1 else { return 0 }
            let n = Double(summary.count)
            let variance = Swift.max(0, summary.meanSquare - summary.mean * summary.mean) * n / (n - 1)
            let margin = quantile * (variance / n).squareRoot()
            if summary.mean - margin > 0 { return 1 }
            if summary.mean + margin < 0 { return -1 }
            return 0
        }
        return side(base) * side(now) < 0
    }

    /// Largest shift first; ties by p-value, then by name.
    static func byShift(_ a: FeatureShift, _ b: FeatureShift) -> Bool {
        if a.shift != b.shift { return a.shift > b.shift }
        if a.adjustedPValue != b.adjustedPValue { return a.adjustedPValue < b.adjustedPValue }
        return a.name < b.name
    }

    /// 1-based rank of each feature by descending value, ties by feature order.
    static func ranks(_ values: [Double]) -> [Int] {
        var ranks = [Int](repeating: 0, count: values.count)
        for (position, index) in ClarifyNDCG.ranking(values).enumerated() { ranks[index] = position + 1 }
        return ranks
    }

    /// Linear-interpolation percentile of sorted values.
    static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = Swift.min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }
}
