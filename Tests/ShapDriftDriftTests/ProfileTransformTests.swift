import Foundation
import Testing
@testable import ShapDriftCore
@testable import ShapDriftDrift

/// A profile's identity records the model's output transform by name; profiles of format 1
/// recorded only the raw space's description, which still reads back as its transform.
@Suite("Profile identities and output transforms")
struct ProfileTransformTests {
    func identity(_ members: String) throws -> ProfileIdentity {
        let json = #"{"model_sha256": "ab", "model_format": "lightgbm-text", "objective": "binary sigmoid:2.5", "feature_names": ["a"], "method": "tree-path-dependent", "n_outputs": 1, "#
            + members + "}"
        return try JSONDecoder().decode(ProfileIdentity.self, from: Data(json.utf8))
    }

    @Test("format 1's raw-space descriptions read back as the transforms they describe")
    func formatOneDescriptions() throws {
        for (space, transform) in [("raw (log-odds)", OutputTransform.logistic), ("raw (model output)", .identity),
                                   ("raw (per-class margin (softmax input))", .softmax), ("raw (log of the predicted mean)", .exponential)] {
            let decoded = try identity(#""output_space": "\#(space)""#)
            #expect(decoded.transform == transform && decoded.outputSpace == .raw, "\(space)")
        }
    }

    @Test("a transform with a parameter is written by name and reads back")
    func parameterisedTransformRoundTrip() throws {
        let decoded = try identity(#""output_space": "raw", "transform": "logistic(sigmoid=2.5)""#)
        #expect(decoded.transform == .scaledLogistic(sigmoid: 2.5))
        let again = try JSONDecoder().decode(ProfileIdentity.self, from: JSONEncoder().encode(decoded))
        #expect(again == decoded)
        #expect(decoded.outputSpaceDescription == "raw (log-odds divided by the sigmoid parameter 2.5)")
    }
}
