import Testing
import TransactCore

@Suite("Field rules")
struct FieldRulesTests {
    @Test("ISO 8601 timestamps with a zone: dates that exist, times of day that do")
    func timestamps() {
        for valid in ["2016-06-29T16:39:42Z", "2016-06-29T16:39:42.735Z", "2016-06-29T18:39:42+02:00", "2016-06-29T18:39:42.1+0200",
                      "2016-06-29T18:39:42.123456789-05:30", "2016-02-29T00:00:00Z", "2000-02-29T23:59:59Z", "2026-12-31T23:59:59+14:00"] {
            #expect(FieldRules.isTimestamp(valid), "\(valid)")
        }
        for invalid in ["", "2016-06-29 16:39:42Z", "2016-06-29T16:39:42", "2016-13-29T16:39:42Z", "2016-00-29T16:39:42Z",
                        "2016-06-31T16:39:42Z", "2015-02-29T16:39:42Z", "1900-02-29T16:39:42Z", "2016-06-29T24:00:00Z",
                        "2016-06-29T16:60:42Z", "2016-06-29T16:39:60Z", "2016-06-29T16:39:42.Z", "2016-06-29T16:39:42.1234567890Z",
                        "2016-06-29T16:39:42+2:00", "2016-06-29T16:39:42+24:00", "2016-06-29T16:39:42+02:60", "2016-06-29T16:39:42Z ",
                        "2016-6-29T16:39:42Z", "２016-06-29T16:39:42Z", "2016-06-29T16:39:42z"] {
            #expect(!FieldRules.isTimestamp(invalid), "\(invalid)")
        }
    }

    @Test("integers as digits within their range; text within its length, without NUL, alphanumeric when asked; Clickatell's words")
    func integersAndText() throws {
        #expect(try FieldRules.integer("00042", field: "n", .digits(5)) == 42)
        #expect(throws: FormatError("n", "may not be null")) { try FieldRules.integer("", field: "n", .digits(5)) }
        for unreadable in ["1.5", "1e3", " 1", "٣", "-", "1-"] {
            #expect(throws: FormatError.unreadable("n"), "\(unreadable)") { try FieldRules.integer(unreadable, field: "n", .digits(5)) }
        }
        #expect(FormatError.unreadable("n").message == "Transaction request not valid")
        #expect(throws: FormatError("n", "must be less than or equal to 99999")) { try FieldRules.integer("123456", field: "n", .digits(5)) }
        #expect(throws: FormatError("n", "must be greater than or equal to 0")) { try FieldRules.integer("-1", field: "n", .digits(5)) }
        #expect(throws: FormatError("amount", "must be less than or equal to 999999999999")) {
            try FieldRules.integer("1000000000000", field: "purchaseAmount", .amount)
        }
        #expect(throws: FormatError("amount", "must be less than or equal to 999999999999")) {
            try FieldRules.integer("99999999999999999999", field: "feeAmount", .amount)
        }
        #expect(try FieldRules.text("abc", field: "t", length: 1...3, alphanumeric: true) == "abc")
        #expect(throws: FormatError("t", "size must be between 1 and 3")) { try FieldRules.text("abcd", field: "t", length: 1...3) }
        #expect(throws: FormatError("t", "must not contain NUL")) { try FieldRules.text("a\u{0}", field: "t", length: 1...3) }
        #expect(FormatError.notAlphanumeric("t").message == "t : must be an alphanumeric")
        #expect(throws: FormatError.notAlphanumeric("t")) { try FieldRules.text("a-b", field: "t", length: 1...3, alphanumeric: true) }
    }
}
