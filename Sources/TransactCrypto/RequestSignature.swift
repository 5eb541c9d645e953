import Foundation

/// The `Signature` header of API.md §1.4, used wherever one party signs a request body for another (clients to
/// the service, the service to banks, vendors and gateways, gateways' delivery receipts back): Base64 of
/// HMAC-SHA256(secret, the exact bytes of the body).
public enum RequestSignature {
    public static func header(signing body: some Collection<UInt8>, secret: some Collection<UInt8>) -> String {
        Data(HMACSHA256.authenticationCode(key: secret, message: body)).base64EncodedString()
    }

    /// Whether `header` signs `body` under `secret`, compared in constant time.
    public static func isValid(_ header: String?, body: some Collection<UInt8>, secret: some Collection<UInt8>) -> Bool {
        guard let header, let presented = Data(base64Encoded: header) else { return false }
        return ConstantTime.equals(HMACSHA256.authenticationCode(key: secret, message: body), [UInt8](presented))
    }
}
