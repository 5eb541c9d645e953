import Postgres
import TestSupport
import Testing
import TransactCore

@Suite("One answer catalogue: Swift's and SQL's agree")
struct AnswerCatalogueTests {
    @Test("catalogue.answers() holds exactly Answer's cases, each with its code, message and retry class")
    func sameCatalogue() async throws {
        try await TestDatabase.with { db, _ in
            let rows = try await db.query("SELECT name, code, message, retryable_vend FROM catalogue.answers()")
            var inSQL: [String: (CodedMessage, Bool)] = [:]
            for row in rows {
                let name = try row.decode(String.self, "name")
                #expect(inSQL[name] == nil, "\(name) is named twice in SQL")
                inSQL[name] = (
                    CodedMessage(code: try row.decode(String.self, "code"), message: try row.decode(String.self, "message")),
                    try row.decode(Bool.self, "retryable_vend"))
            }
            #expect(Set(inSQL.keys) == Set(Answer.allCases.map(\.rawValue)))
            for answer in Answer.allCases {
                let (coded, retryable) = try #require(inSQL[answer.rawValue], "\(answer) is missing in SQL")
                #expect(coded == answer.coded, "\(answer)")
                #expect(retryable == ResponseCode(answer.code)?.isRetryableVendorOutcome, "\(answer)")
            }
            // By name from SQL: a known name is its code; an unknown one is an error, never a NULL.
            #expect(try await db.query("SELECT catalogue.answer_code('insufficientVendorFloat') AS c").single()
                .decode(String.self, "c") == Answer.insufficientVendorFloat.code)
            await #expect(throws: PostgresError.self) { try await db.query("SELECT catalogue.answer_code('noSuchAnswer')") }
        }
    }
}
