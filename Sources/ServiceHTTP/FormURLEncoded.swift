import Foundation

/// `application/x-www-form-urlencoded` bodies (the form of `POST /token`, and of every page's form).
public enum FormURLEncoded {
    /// The fields of `body`; nil when it is not valid form encoding. A repeated field keeps its first value.
    public static func fields(_ body: String) -> [String: String]? {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]), let value = decode(parts.count > 1 ? parts[1] : "") else { return nil }
            if fields[name] == nil { fields[name] = value }
        }
        return fields
    }

    /// Percent-decoding with `+` as space; nil for malformed escapes or invalid UTF-8.
    public static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
