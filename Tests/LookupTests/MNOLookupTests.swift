import Testing

@Suite("GET /mnoLookup/1.0 and GET /lookupCountryPrefix/1.0")
struct MNOLookupTests {
    @Test("the operator by the longest matching prefix; 9010, 9020 and 9090")
    func mno() async throws {
        try await LookupHarness.with { harness in
            try await harness.db.query("""
                INSERT INTO catalogue.mno_prefixes (country_calling_code, prefix, operator_code, operator_name)
                VALUES ('27', '831', 'SOUMVN', 'MTN Virtual'), ('1', '212', 'USNYC', 'New York Mobile')
                """)
            try await harness.db.query("""
                INSERT INTO catalogue.countries (country_code, country_name, dialing_prefix)
                VALUES ('US', 'United States', '1'), ('CA', 'Canada', '1')
                """)
            try await harness.serve { client in
                func lookup(_ msisdn: String, _ code: String = "27", extra: String = "") async throws -> Answer {
                    try await harness.get(client, "/mnoLookup/1.0?clientId=200&msisdn=\(msisdn)&countryCallingCode=\(code)\(extra)")
                }
                let mtn = try await lookup("27835551234", extra: "&clientTxnRef=abc&channelId=3")
                #expect(mtn.status == .ok && mtn.responseCode == "0000" && mtn.responseMessage == "SUCCESS")
                #expect(mtn.object["operatorCode"] as? String == "SOUMFB" && mtn.object["operatorName"] as? String == "MTN")
                #expect(mtn.object["msisdn"] as? String == "27835551234" && mtn.object["countryCallingCode"] as? Int == 27)
                #expect(mtn.object["countryCode"] as? String == "ZA" && !((mtn.object["lookupRef"] as? String) ?? "").isEmpty)
                #expect(try await lookup("27831551234").object["operatorCode"] as? String == "SOUMVN")
                #expect(try await lookup("27825551234").object["operatorName"] as? String == "Vodacom")
                #expect(try await lookup("2348031234567", "234").object["operatorCode"] as? String == "MTNNG")
                #expect(try await lookup("12125550123", "1").object["countryCode"] as? String == "CA")

                for (msisdn, code) in [("26835551234", "27"), ("2783555", "27"), ("27835551234567890", "27"), ("2783555123x", "27"), ("27", "27")] {
                    let answer = try await lookup(msisdn, code)
                    #expect(answer.status == .badRequest && answer.responseCode == "9010", "\(msisdn)")
                    #expect(answer.responseMessage == "Msisdn format incorrect or countryCallingCode does not match msisdn")
                }
                let unknownOperator = try await lookup("27845551234")
                #expect(unknownOperator.status == .notFound && unknownOperator.responseCode == "9020")
                #expect(unknownOperator.responseMessage == "Unable to identify operator")
                let unknownCountry = try await lookup("99935551234", "999")
                #expect(unknownCountry.status == .badRequest && unknownCountry.responseCode == "9090")
                #expect(unknownCountry.responseMessage == "Unknown country code/prefix")

                let missing = try await harness.get(client, "/mnoLookup/1.0?clientId=200&msisdn=27835551234")
                #expect(missing.status == .badRequest && missing.responseMessage == "countryCallingCode :may not be null")
                let badCode = try await lookup("27835551234", "27a")
                #expect(badCode.status == .badRequest && badCode.responseMessage == "Transaction request not valid")
                #expect(try await harness.get(client, "/mnoLookup/1.0?clientId=201&msisdn=27835551234&countryCallingCode=27").status == .forbidden)
            }
        }
    }

    @Test("all countries, or the one named; [] for an unknown one; 400 for a malformed code")
    func countries() async throws {
        try await LookupHarness.with { harness in
            try await harness.serve { client in
                let all = try await harness.get(client, "/lookupCountryPrefix/1.0")
                #expect(all.status == .ok)
                #expect(all.text == #"[{"countryCode":"NG","countryName":"Nigeria","dialingPrefix":234},{"countryCode":"ZA","countryName":"South Africa","dialingPrefix":27}]"#)
                let za = try await harness.get(client, "/lookupCountryPrefix/1.0?countryCode=za")
                #expect(za.text == #"[{"countryCode":"ZA","countryName":"South Africa","dialingPrefix":27}]"#)
                #expect(try await harness.get(client, "/lookupCountryPrefix/1.0?countryCode=FR").text == "[]")
                for bad in ["ZAF", "Z1"] {
                    let answer = try await harness.get(client, "/lookupCountryPrefix/1.0?countryCode=\(bad)")
                    #expect(answer.status == .badRequest && answer.responseCode == "4000" && answer.responseMessage?.hasPrefix("countryCode :") == true)
                }
                let anonymous = try await client.execute(uri: "/lookupCountryPrefix/1.0", method: .get) { $0.status }
                #expect(anonymous == .unauthorized)
            }
        }
    }
}
