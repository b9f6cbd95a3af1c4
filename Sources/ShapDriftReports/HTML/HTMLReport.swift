import Foundation
import ShapDriftCore
import ShapDriftDrift

/// `report.html`: one self-contained page a person reads in a minute and a ticket can carry —
/// the verdict banner (what triggered it, NDCG with its interval against the threshold), what
/// was checked, and per model output the charts (mean |φ| baseline vs current for the features
/// that shifted most, the rank slope chart, each breached feature's φ and input-value
/// distributions) above the full ranked table that holds the numbers behind them.
///
/// Rendered from the `DriftReport` alone (`report.json` is enough: `shapdrift report DIR`), with
/// no row of data in it: the distributions come from the report's `distributions`, histograms of
/// the profiles' sketches. Inline CSS and SVG, no script, nothing fetched (`HTMLTemplates`).
public enum HTMLReport {
    /// Features in the mean |φ| chart at most (the largest shifts).
    public static let barFeatures = 20

    /// The page.
    /// - Complexity: O(outputs × features log features).
    public static func page(_ report: DriftReport) -> String {
        HTMLTemplates.render(ReportPage(report), template: "report")
    }
}

/// The view model of `report.html`: every value the template shows, formatted.
struct ReportPage {
    struct Fact { var key: String; var value: String }
    struct Row { var breached: Bool; var cells: [String] }

    struct Distribution {
        var name: String
        var sentence: String
        var outputNote: String
        var shap: SVGScene
        var values: SVGScene?
        var missingNote: String
    }

    struct Output {
        var anchor: String
        var heading: String
        var multiple: Bool
        var ndcg: String
        var ndcgInterval: String?
        var belowThreshold: Bool
        var breachedSentence: String
        var bars: SVGScene
        var barCount: Int
        var slopes: SVGScene
        var hasDistributions: Bool
        var distributions: [Distribution]
        var omitted: String?
        var noBreach: Bool
        var columns: [String]
        var rows: [Row]
    }

    var writer: String
    var pageTitle: String
    var verdictClass: String
    var verdictWord: String
    var verdictSentence: String
    var hasReasons: Bool
    var reasons: [String]
    var besides: String?
    var ndcg: String
    var ndcgInterval: String?
    var threshold: String
    var ndcgRule: String
    var straddles: Bool
    var facts: [Fact]
    var hasWarnings: Bool
    var warnings: [String]
    var outputs: [Output]
    var hasRecords: Bool
    var records: [Fact]
    var run: [Fact]
    var values: ValuesSection
    var predictions: PredictionsSection?
    var hasViolations: Bool
    var violations: [String]
    var unavailable: [String]
    var rule: String
    var note: String

    static let columns = ["rank", "feature", "shift", "95 % interval", "adjusted p", "cause", "mean |SHAP| baseline", "mean |SHAP| current",
                          "rank baseline → current", "mean SHAP baseline", "mean SHAP current", "sign flip", "PSI", "breached"]

    init(_ report: DriftReport) {
        writer = report.writer
        let drift = report.driftDetected
        verdictClass = drift ? "drift" : "quiet"
        verdictWord = drift ? "DRIFT" : "NO DRIFT"
        pageTitle = "\(verdictWord): ShapDrift report, NDCG \(ChartNumbers.fixed(report.ndcg, 3))"
        verdictSentence = drift
            ? "The features driving the model's attributions have shifted. Investigate the features named below and the data feeding them."
            : "The features driving the model's attributions have not shifted beyond the thresholds."
        // What made the verdict, then what was found beside it (ReportText's wording, as report.md).
        reasons = report.failOn.compactMap { ReportText.finding($0, report) }
        let others = VerdictCriterion.allCases.filter { !report.failOn.contains($0) }.compactMap { ReportText.finding($0, report) }
        besides = others.isEmpty ? nil : others.joined(separator: "; ")
        hasReasons = !reasons.isEmpty
        ndcg = ChartNumbers.fixed(report.ndcg, 3)
        ndcgInterval = report.ndcgInterval.map { "\(ChartNumbers.fixed($0.lower, 3))–\(ChartNumbers.fixed($0.upper, 3))" }
        threshold = ChartNumbers.fixed(report.threshold, 3)
        let decides = report.failOn.contains(.ndcg)
        ndcgRule = (report.ndcg < report.threshold ? "below it (SageMaker Clarify's rule for drift)" : "at or above it")
            + (decides ? "; part of this verdict." : "; reported, not part of this verdict.")
        straddles = report.intervalStraddlesThreshold == true
        facts = Self.provenance(report)
        warnings = report.warnings
        hasWarnings = !warnings.isEmpty
        outputs = report.outputs.map { Self.output($0, report: report) }
        records = Self.records(report)
        hasRecords = !records.isEmpty
        run = Self.run(report)
        values = ValuesSection(report)
        predictions = report.prediction.map { PredictionsSection($0) }
        violations = report.dataQuality.violations.map { "\($0.featureName): \($0.checkType.rawValue): \($0.description)" }
        hasViolations = !violations.isEmpty
        unavailable = report.dataQuality.unavailable
        rule = "A feature breaches when its attributions moved significantly — the smaller Holm-adjusted p-value of its two permutation tests "
            + "(the SHAP distribution and the mean |SHAP|) at most α = \(report.thresholds.alpha) over all \(report.hypotheses) tests of features and outputs — "
            + "and by at least \(ChartNumbers.percent(report.thresholds.minShift)) of the attribution mass (the shift column: Wasserstein-1 as a share of "
            + "the total mean |SHAP|). The verdict counts \(report.failOn.map(\.rawValue).joined(separator: ", ")). "
            + "NDCG is SageMaker Clarify's score of the global SHAP ranking, with its threshold \(report.threshold.description)."
        note = report.note
    }

    static func provenance(_ report: DriftReport) -> [Fact] {
        let model = report.model
        var facts = [
            Fact(key: "Model", value: "\(model.modelFormat.rawValue) \(model.objective), SHA-256 \(model.modelSHA256.prefix(16))…, \(model.featureNames.count) features, \(model.numOutputs) output\(model.numOutputs == 1 ? "" : "s")"
                + (report.provenance?.model.map { ", \($0.path)" } ?? "")),
            Fact(key: "Method", value: "\(model.method.rawValue), attributions in the \(model.outputSpace.rawValue) output space; global SHAP by \(report.aggregation.rawValue)"),
            Fact(key: "Rows", value: "\(report.rows) current, \(report.baselineRows) baseline"),
        ]
        if let inputs = report.provenance?.inputs, !inputs.isEmpty { facts.append(Fact(key: "Data", value: inputs.joined(separator: ", "))) }
        if let records = report.records {
            if let window = records.window { facts.append(Fact(key: "Time window", value: window.description)) }
            if let read = records.timesRead { facts.append(Fact(key: "Captured data read", value: "inferenceTime \(read.description)")) }
        }
        if let baseline = report.provenance?.baseline {
            var text = "\(baseline.rows) rows"
            if let path = baseline.path { text += ", \(path)" }
            if let created = baseline.created { text += ", created \(created)" }
            if let writer = baseline.writer { text += " by \(writer)" }
            if let sha = baseline.sha256 { text += ", SHA-256 \(sha.prefix(16))…" }
            facts.append(Fact(key: "Baseline", value: text))
        } else {
            facts.append(Fact(key: "Baseline", value: "\(report.baselineRows) rows"))
        }
        if let sampling = report.sampling {
            facts.append(Fact(key: "Sampling", value: "\(ChartNumbers.percent(sampling.rate)) of the records (seed \(sampling.seed)): \(sampling.rowsProfiled) of \(sampling.rowsSeen) rows"))
        }
        facts.append(Fact(key: "Bootstrap", value: report.bootstrapReplicates > 0 ? "\(report.bootstrapReplicates) replicates, seed \(report.bootstrapSeed)" : "none"))
        return facts
    }

    /// How this check was run: what changes from one run to the next (the page's last section).
    static func run(_ report: DriftReport) -> [Fact] {
        guard let provenance = report.provenance else { return [Fact(key: "Tool", value: report.writer)] }
        var facts = [Fact(key: "Tool", value: provenance.tool)]
        if let started = provenance.startedAt { facts.append(Fact(key: "Started", value: started)) }
        if let seconds = provenance.runSeconds { facts.append(Fact(key: "Run time", value: "\(ChartNumbers.fixed(seconds, 2)) s")) }
        if let line = provenance.commandLine { facts.append(Fact(key: "Command line", value: line.joined(separator: " "))) }
        return facts
    }

    static func records(_ report: DriftReport) -> [Fact] {
        guard let records = report.records else { return [] }
        var facts = [Fact(key: "Records", value: "\(records.read) read, \(records.skipped.count) skipped as bad, \(records.outsideWindow) outside the window")]
        facts.append(Fact(key: "Files", value: "\(records.filesRead) read\(records.filesOutsideWindow > 0 ? ", \(records.filesOutsideWindow) outside the window not opened" : "")"))
        if !records.variants.isEmpty { facts.append(Fact(key: "Capture variants", value: records.variants.joined(separator: ", "))) }
        if records.skipped.count > 0 {
            let reasons = records.skipped.byReason.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")
            facts.append(Fact(key: "Skipped by reason", value: reasons))
        }
        return facts
    }

    static func output(_ output: OutputDrift, report: DriftReport) -> Output {
        let multiple = report.outputs.count > 1
        let byShift = output.features
        let top = Array(byShift.prefix(HTMLReport.barFeatures))
        let breached = byShift.filter(\.breached)
        let id = "o\(output.output)"
        let chosen = (report.distributions?.attributions ?? []).filter { $0.output == output.output }
        let values = Dictionary((report.distributions?.values ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let shifts = Dictionary(byShift.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let distributions = chosen.enumerated().map { index, pick -> ReportPage.Distribution in
            let shift = shifts[pick.name]
            let value = values[pick.name]
            let categorical = shift?.values.categorical == true ? shift?.values.categories : nil
            let sentence = shift.map { "\(ReportText.explanation($0)). Shift \(ChartNumbers.percent($0.shift)), adjusted p \(ReportText.pValue($0.adjustedPValue))." } ?? pick.name
            return ReportPage.Distribution(
                name: pick.name, sentence: sentence, outputNote: multiple ? " for \(output.label)" : "",
                shap: ReportCharts.histogram(pick.histogram, title: "SHAP values of \(pick.name), baseline and current", id: "\(id)-shap\(index)", zeroLine: true),
                values: categorical.map { ReportCharts.categoryShares($0, name: pick.name, id: "\(id)-values\(index)") }
                    ?? value.map { ReportCharts.histogram($0.histogram, title: "Input values of \(pick.name), baseline and current", id: "\(id)-values\(index)", zeroLine: false) },
                missingNote: value.map { " (missing: \(ChartNumbers.percent($0.baselineMissingRate)) → \(ChartNumbers.percent($0.currentMissingRate)))" } ?? "")
        }
        let omitted = breached.count > distributions.count
            ? "\(breached.count - distributions.count) more breached feature\(breached.count - distributions.count == 1 ? "" : "s") not drawn (a report draws at most \(ReportDistributions.maxFeaturesPerOutput) per output); the table has their numbers."
            : nil
        let rows = byShift.enumerated().map { rank, f in
            Row(breached: f.breached, cells: [
                "\(rank + 1)", f.name + (f.breached ? " ▲" : ""), ChartNumbers.percent(f.shift, 2),
                f.shiftInterval.map { "\(ChartNumbers.percent($0.lower, 2))–\(ChartNumbers.percent($0.upper, 2))" } ?? "",
                ReportText.pValue(f.adjustedPValue), f.cause == .none ? "" : f.cause.rawValue + (f.partners.isEmpty ? "" : " (\(f.partners.joined(separator: ", ")))"),
                ChartNumbers.significant(f.baselineMeanAbsShap, 4), ChartNumbers.significant(f.currentMeanAbsShap, 4),
                "\(f.baselineRank) → \(f.currentRank)", ChartNumbers.significant(f.baselineMeanShap, 4), ChartNumbers.significant(f.currentMeanShap, 4),
                f.signFlip ? "yes" : "", ChartNumbers.fixed(f.psi, 3), f.breached ? "yes" : "",
            ])
        }
        let names = breached.map(\.name)
        return Output(
            anchor: "output-\(output.output)",
            heading: multiple ? "Output \(output.output) (\(output.label)\(output.name.map { ", \($0)" } ?? ""))" : "Attributions",
            multiple: multiple, ndcg: ChartNumbers.fixed(output.ndcg, 3),
            ndcgInterval: output.ndcgInterval.map { "\(ChartNumbers.fixed($0.lower, 3))–\(ChartNumbers.fixed($0.upper, 3))" },
            belowThreshold: output.ndcgBelowThreshold,
            breachedSentence: names.isEmpty ? "No feature breached." : "Breached: \(names.joined(separator: ", ")).",
            bars: ReportCharts.meanAbsBars(top, id: "\(id)-bars"), barCount: top.count,
            slopes: ReportCharts.rankSlopes(byShift, id: "\(id)-ranks"),
            hasDistributions: !distributions.isEmpty || omitted != nil, distributions: distributions, omitted: omitted,
            noBreach: breached.isEmpty, columns: columns, rows: rows)
    }
}

/// The input values of every feature, baseline → current (`report.json`'s `values`).
struct ValuesSection {
    struct Row { var shifted: Bool; var cells: [String] }
    var columns = ["feature", "median baseline → current", "mean baseline → current", "p95 baseline → current", "missing baseline → current",
                   "distance", "adjusted p", "shifted"]
    var rows: [Row]
    var hasRows: Bool

    init(_ report: DriftReport) {
        func pair(_ a: Double?, _ b: Double?) -> String {
            guard let a, let b else { return "" }
            return "\(ChartNumbers.significant(a)) → \(ChartNumbers.significant(b))"
        }
        rows = report.values.map { v in
            Row(shifted: v.shifted, cells: [
                v.name, pair(v.baseline.p50, v.current.p50), pair(v.baseline.mean, v.current.mean), pair(v.baseline.p95, v.current.p95),
                "\(ChartNumbers.percent(v.baseline.missingRate)) → \(ChartNumbers.percent(v.current.missingRate))",
                "\(ChartNumbers.fixed(v.distance, 3)) (\(v.distanceKind == "kolmogorov_smirnov" ? "KS" : "category share"))",
                ReportText.pValue(v.adjustedPValue), v.shifted ? "yes" : "",
            ])
        }
        hasRows = !rows.isEmpty
    }
}

/// The model's predictions, baseline → current (`report.json`'s `prediction`).
struct PredictionsSection {
    var sentence: String
    var columns = ["output", "space", "median baseline → current", "mean baseline → current", "KS distance", "adjusted p", "moved"]
    var rows: [ValuesSection.Row]

    init(_ prediction: PredictionDrift) {
        sentence = prediction.drift ? "The model's predictions moved significantly." : "The model's predictions did not move significantly."
        rows = prediction.outputs.map { p in
            func pair(_ a: Double?, _ b: Double?) -> String {
                guard let a, let b else { return "" }
                return "\(ChartNumbers.significant(a)) → \(ChartNumbers.significant(b))"
            }
            return ValuesSection.Row(shifted: p.drifted, cells: [
                p.label + (p.name.map { " (\($0))" } ?? ""), p.space, pair(p.baseline.p50, p.current.p50), pair(p.baseline.mean, p.current.mean),
                ChartNumbers.fixed(p.distance, 3), ReportText.pValue(p.adjustedPValue), p.drifted ? "yes" : "",
            ])
        }
    }
}
