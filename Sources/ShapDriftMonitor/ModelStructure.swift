import ShapDriftAttribution
import ShapDriftCore
import ShapDriftDrift

/// What a check needs to know about a model's structure: which features it splits on as
/// categories, and which features its trees combine (`FeatureCoupling`).
public enum ModelStructure {
    /// Features (model order) with a categorical split somewhere in the model.
    /// - Complexity: O(nodes).
    public static func categoricalFeatures(_ model: Model) -> [Int] {
        guard case .trees(let ensemble) = model.predictor else { return [] }
        var features = Set<Int>()
        for node in 0..<ensemble.nodeCount where ensemble.left[node] >= 0 && ensemble.flags[node] & TreeEnsemble.categoricalFlag != 0 {
            features.insert(Int(ensemble.feature[node]))
        }
        return features.sorted()
    }

    /// Leaf-path work above which coupling counts trees instead of paths (keeps huge forests fast).
    static let pathWorkLimit = 20_000_000

    /// Which features the attributions of `method` can carry between: for tree models, the
    /// features their paths combine; none for linear SHAP with independent features (φⱼ depends
    /// on xⱼ alone); `nil` when the method mixes features in ways the structure does not show
    /// (the correlation-aware linear method).
    /// - Complexity: O(leaves × depth²), or O(trees × features²) for very large forests.
    public static func coupling(_ model: Model, method: AttributionMethod) -> FeatureCoupling? {
        let count = model.numFeatures
        switch model.predictor {
        case .linear:
            return method == .linearCorrelation ? nil : .none(featureCount: count)
        case .trees(let ensemble):
            var weights = [Double](repeating: 0, count: count * count)
            let byPath = ensemble.leafCount * ensemble.maxDepth * ensemble.maxDepth <= pathWorkLimit
            for root in ensemble.treeRoot {
                let rootCover = ensemble.cover[Int(root)]
                if byPath {
                    // Depth-first over the tree with the path's features (a feature may repeat).
                    var stack: [(node: Int, path: [Int])] = [(Int(root), [])]
                    while let (node, path) = stack.popLast() {
                        if ensemble.left[node] < 0 {
                            let share = rootCover > 0 ? ensemble.cover[node] / rootCover : 0
                            add(Set(path), weight: share, to: &weights, count: count)
                            continue
                        }
                        let next = path + [Int(ensemble.feature[node])]
                        stack.append((Int(ensemble.left[node]), next))
                        stack.append((Int(ensemble.right[node]), next))
                    }
                } else {
                    var used = Set<Int>()
                    var stack = [Int(root)]
                    while let node = stack.popLast() {
                        guard ensemble.left[node] >= 0 else { continue }
                        used.insert(Int(ensemble.feature[node]))
                        stack.append(Int(ensemble.left[node]))
                        stack.append(Int(ensemble.right[node]))
                    }
                    add(used, weight: 1, to: &weights, count: count)
                }
            }
            return FeatureCoupling(featureCount: count, weights: weights)
        }
    }

    private static func add(_ features: Set<Int>, weight: Double, to weights: inout [Double], count: Int) {
        let list = features.sorted()
        for (position, i) in list.enumerated() {
            for j in list[(position + 1)...] {
                weights[i * count + j] += weight
                weights[j * count + i] += weight
            }
        }
    }
}
