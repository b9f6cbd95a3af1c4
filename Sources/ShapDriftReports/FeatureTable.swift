import ShapDriftCore
import ShapDriftDrift

/// `features.csv`: the ranked feature table of every output, one line per output and feature.
public enum FeatureTable {
    /// - Complexity: O(outputs × features).
    public static func csv(_ report: DriftReport) -> String {
        var lines = ["rank,output,feature,shift,psi,wasserstein,baseline_mean_abs_shap,current_mean_abs_shap,baseline_share,current_share,baseline_rank,current_rank,rank_change,baseline_mean_shap,current_mean_shap,sign_flip,breached"]
        for output in report.outputs {
            for (rank, f) in output.features.enumerated() {
                let fields: [String] = [
                    "\(rank + 1)", "\(f.output)", AttributionCSVWriter.csvField(f.name), f.shift.description, f.psi.description,
                    f.wasserstein.description, f.baselineMeanAbsShap.description, f.currentMeanAbsShap.description,
                    f.baselineShare.description, f.currentShare.description, "\(f.baselineRank)", "\(f.currentRank)",
                    "\(f.rankChange)", f.baselineMeanShap.description, f.currentMeanShap.description, "\(f.signFlip)", "\(f.breached)",
                ]
                lines.append(fields.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
