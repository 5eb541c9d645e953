import TransactCore
import TransactCrypto

/// The simulated vendor of API.md §5.3, decided by the last four digits of `targetIdentifier`:
/// `2213` a definite decline; `2201` the first attempt fails with retryable 2201 and the second succeeds; `2239`
/// every attempt times out (retryable 2239, ending FAILED 2239 when retries run out); `2240` unknown, settled as a
/// success by the first status query; anything else succeeds. Token products return a 20-digit numeric token or
/// a 16-character voucher PIN, derived from the transaction so that a status query returns the same one.
/// Account validation declines an account number ending in `0000` (2210) and otherwise describes a plausible
/// customer and account, derived from the account number so that asking twice gives the same answer.
public struct SimulatedVendor: Sendable {
    public init() {}

    public func vend(_ request: VendRequest) -> VendOutcome {
        switch String(request.targetIdentifier.suffix(4)) {
        case Answer.invalidMSISDN.code: return .declined(Answer.invalidMSISDN.coded)
        case Answer.supplierUnableToComplete.code where request.attempt == 0: return .retryable(Answer.supplierUnableToComplete.coded)
        case Answer.vendorTimeout.code: return .retryable(Answer.vendorTimeout.coded)
        case Answer.vendOutcomeUnknown.code: return .unknown
        default: return .success(token: token(for: request))
        }
    }

    /// The status of an earlier vend by its reference: the simulator settles every unknown vend as a success.
    public func status(of request: VendRequest) -> VendOutcome {
        switch String(request.targetIdentifier.suffix(4)) {
        case Answer.invalidMSISDN.code: .declined(Answer.invalidMSISDN.coded)
        case Answer.vendorTimeout.code: .retryable(Answer.vendorTimeout.coded)
        default: .success(token: token(for: request))
        }
    }

    /// Deterministic per transaction (the reference without its attempt suffix): derived from its SHA-256.
    func token(for request: VendRequest) -> String? {
        guard let kind = request.tokenKind else { return nil }
        let transaction = request.reference.split(separator: "-").dropLast().joined(separator: "-")
        let bytes = SHA256.hash(transaction)
        switch kind {
        case .numeric20:
            return String(bytes.prefix(20).map { Character(String($0 % 10)) })
        case .voucherPIN16:
            // 32 symbols divide 256 evenly, so every symbol is equally likely.
            let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
            return String(bytes.prefix(16).map { alphabet[Int($0) % alphabet.count] })
        }
    }

    public func validateAccount(_ request: AccountValidationRequest) -> AccountValidationOutcome {
        let account = request.targetIdentifier
        // The simulator's own rule (API.md §5.3), not a response code.
        guard !account.hasSuffix("0000") else { return .refused(Answer.invalidAccountNumber.coded) }
        let bytes = SHA256.hash(account)
        func pick(_ choices: [String], _ byte: Int) -> String { choices[Int(bytes[byte]) % choices.count] }
        let customer = CustomerInfo(
            name: pick(["Thandi", "Sipho", "Lerato", "Pieter", "Ayanda", "Naledi", "Johan", "Zanele"], 0) + " "
                + pick(["Mokoena", "Nkosi", "van der Merwe", "Dlamini", "Botha", "Khumalo", "Naidoo", "Smith"], 1),
            address: "\(Int(bytes[2]) + 1) " + pick(["Main Road", "Church Street", "Jan Smuts Avenue", "Long Street"], 3) + ", "
                + pick(["Soweto", "Randburg", "Sandton", "Midrand", "Roodepoort"], 4),
            phone: "2782" + String(bytes[5...11].map { Character(String($0 % 10)) }),
            district: pick(["Johannesburg Central", "Johannesburg North", "Johannesburg South", "Ekurhuleni"], 12))
        let accountInfo = AccountInfo(
            accountNumber: account, amount: request.amount, arrears: Int64(bytes[13] % 4) * 2_500,
            minimumAmount: 2_000, tariff: pick(["Prepaid Residential", "Prepaid Lifeline", "Prepaid Business"], 14),
            providerName: "Simulated Utility")
        return .valid(customer, accountInfo)
    }
}
