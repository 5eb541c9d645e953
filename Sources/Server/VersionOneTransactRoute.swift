import Hummingbird
import ReserveAndTransact
import ServiceHTTP
import Transact
import Purchases
import TransactCore

/// `POST /raas/v1/transact` (API.md §3.2a): version 1 had one path for both flows. A body that names
/// `reserveFundsTxnRef` is a Transact (the client reserved the funds); without it, a Reserve and Transact. The two
/// flows live in modules that do not know each other, so the composition root routes between them.
struct VersionOneTransactRoute {
    let reserveAndTransact: ReserveAndTransactRoutes
    let transact: TransactRoutes

    static let path = "raas/v1/transact"

    func add(to group: RouterGroup<TransactRequestContext>) {
        group.post(RouterPath(Self.path)) { request, context -> Response in
            var request = request
            return try await PurchaseHTTP.namesReserveFundsTxnRef(&request)
                ? try await transact.handle(request, context: context, version: .v1)
                : try await reserveAndTransact.handle(request, context: context, version: .v1)
        }
    }
}
