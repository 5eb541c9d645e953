import TransactCore
/// The JSON of the `http` vendor adapter (decided here; API.md leaves vendors' own protocols to their adapters):
/// `POST <url>/vend` with a `VendWireRequest`, `GET <url>/status?reference=…`, both answered by a `VendWireAnswer`.
public struct VendWireRequest: Codable, Sendable, Equatable {
    public var reference: String
    public var productId: Int64
    public var productTypeId: Int64
    public var amount: Int64
    public var currencyCode: String
    public var targetIdentifier: String
    /// `numeric20` or `voucherPIN16` for token products.
    public var tokenKind: String?

    public init(_ request: VendRequest) {
        reference = request.reference
        productId = request.productId
        productTypeId = request.productTypeId
        amount = request.amount
        currencyCode = request.currencyCode
        targetIdentifier = request.targetIdentifier
        tokenKind = request.tokenKind?.rawValue
    }

    public var vendRequest: VendRequest {
        VendRequest(
            reference: reference, productId: productId, productTypeId: productTypeId, amount: amount,
            currencyCode: currencyCode, targetIdentifier: targetIdentifier, tokenKind: tokenKind.flatMap(VendRequest.TokenKind.init))
    }
}

/// `responseCode` `0000` dispensed (with `token` for token products), `2240` unknown, a code of API.md §10
/// otherwise; `retryable` tells a retryable failure from a definite decline.
public struct VendWireAnswer: Codable, Sendable, Equatable {
    public var reference: String
    public var responseCode: String
    public var responseMessage: String
    public var retryable: Bool
    public var token: String?

    public init(reference: String, outcome: VendOutcome) {
        self.reference = reference
        switch outcome {
        case .success(let token):
            (responseCode, responseMessage, retryable, self.token) = (Answer.success.code, Answer.success.message, false, token)
        case .declined(let code, let message):
            (responseCode, responseMessage, retryable, self.token) = (code, message, false, nil)
        case .retryable(let code, let message), .uncertain(let code, let message):
            (responseCode, responseMessage, retryable, self.token) = (code, message, true, nil)
        case .unknown:
            (responseCode, responseMessage, retryable, self.token) =
                (Answer.vendOutcomeUnknown.code, Answer.vendOutcomeUnknown.message, false, nil)
        }
    }

    public var outcome: VendOutcome {
        switch responseCode {
        case Answer.success.code: .success(token: token)
        case Answer.vendOutcomeUnknown.code: .unknown
        default: retryable ? .retryable(code: responseCode, message: responseMessage) : .declined(code: responseCode, message: responseMessage)
        }
    }
}
