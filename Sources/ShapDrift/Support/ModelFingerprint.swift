import Crypto

/// The identity of a model file: SHA-256 of its bytes, as lowercase hex.
///
/// A baseline records it so `check` can refuse a baseline made for another model: attributions of
/// two different models are not comparable, however similar their feature names.
public enum ModelFingerprint {
    public static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
