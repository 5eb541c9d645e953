import Foundation
public import Hummingbird
public import ServiceHTTP
public import TransactCore

/// `GET /mnoLookup/1.0` (API.md §6): the mobile operator of an MSISDN, by the longest number prefix of the
/// operators of its country (the cached catalogue's `mnoPrefixes`). The MSISDN is in international form: the
/// country calling code, then the national number.
///
/// In order: the parameters' format (400 `4000`); the calling code must be a country's (400 `9090`); the MSISDN
/// must be 8–15 digits that begin with it and go on (400 `9010`); an operator's prefix must match (404 `9020`).
/// `9030` (timeout) belongs to an operator lookup made over the network, which this table lookup never is.
public struct MNOLookupRoutes: Sendable {
    let catalogue: CatalogueCache

    public init(catalogue: CatalogueCache) {
        self.catalogue = catalogue
    }

    struct OperatorAnswer: Encodable {
        let msisdn: String
        let countryCallingCode: Int64
        let countryCode: String
        let operatorCode: String
        let operatorName: String
        let lookupRef: String
        let responseCode: String
        let responseMessage: String
    }

    public func add(to group: RouterGroup<TransactRequestContext>) {
        group.get("mnoLookup/1.0") { request, context -> Response in
            let clientId = try request.integerParameter("clientId", .digits(5))
            let msisdn = try request.stringParameter("msisdn", length: 1...32)
            let countryCallingCode = try request.integerParameter("countryCallingCode", .digits(4))
            _ = try request.optionalStringParameter("clientTxnRef", length: 1...64)
            _ = try request.optionalIntegerParameter("channelId", .channelId)
            _ = try context.authorize(clientId: clientId, allowing: [.support])

            let catalogue = try await catalogue.catalogue()
            let callingCode = String(countryCallingCode)
            // Several countries may share a calling code (1: the NANP); the first by country code names it.
            guard let country = catalogue.countries(dialingPrefix: callingCode).first else {
                throw APIError(status: .badRequest, Answer.unknownCountryCode.coded)
            }
            guard (8...15).contains(msisdn.utf8.count), msisdn.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                msisdn.hasPrefix(callingCode), msisdn.utf8.count > callingCode.utf8.count
            else {
                throw APIError(status: .badRequest, Answer.msisdnMismatch.coded)
            }
            let nationalNumber = String(msisdn.dropFirst(callingCode.count))
            guard let found = catalogue.mobileOperator(countryCallingCode: callingCode, nationalNumber: nationalNumber) else {
                throw APIError(status: .notFound, Answer.operatorUnknown.coded)
            }
            return JSONResponse.make(
                OperatorAnswer(
                    msisdn: msisdn, countryCallingCode: countryCallingCode, countryCode: country.countryCode,
                    operatorCode: found.operatorCode, operatorName: found.operatorName, lookupRef: UUID().uuidString.lowercased(),
                    responseCode: Answer.operatorFound.code, responseMessage: Answer.operatorFound.message),
                status: .ok)
        }
    }
}
