import Notifications
import Testing

@Suite("Message statuses and the simulated channel (API.md §7)")
struct SimulatedChannelTests {
    @Test("the status table: every code of API.md §7 once, WhatsApp's with their prefix")
    func table() {
        let codes = MessageStatus.all.map(\.code)
        #expect(codes == codes.sorted() && Set(codes).count == codes.count)
        #expect(codes == [1, 2, 3, 4, 5, 6, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 60, 61, 80, 81, 82, 83, 84, 85, 100,
                          130, 131, 132, 133, 139] + Array(140...149))
        #expect(MessageStatus(code: 29)?.name == "RECIPIENT_DOES_NOT_EXIST" && MessageStatus(code: 7) == nil)
        #expect(MessageStatus.all.filter { $0.code >= 130 }.allSatisfy { $0.name.hasPrefix("WHATSAPP_") })
        #expect(MessageStatus.all.filter(\.isPending).map(\.code) == [2, 3, 4])
    }

    func send(_ destination: String, on channel: ChannelKind) async -> SendOutcome {
        await SimulatedChannel().send(OutgoingMessage(
            notificationId: "n-1", channel: channel, destinationIdentifier: destination, message: "Your token is 1234"))
    }

    @Test("an ordinary number is delivered; on WhatsApp it is also read")
    func delivered() async {
        #expect(await send("27831234567", on: .sms)
            == .accepted(supplierReference: "sim-n-1", receipts: [.sentToSupplier, .deviceAck]))
        #expect(await send("27831234567", on: .whatsApp)
            == .accepted(supplierReference: "sim-n-1", receipts: [.sentToSupplier, .deviceAck, .read]))
    }

    @Test("the last three digits choose every outcome a supplier can report, and nothing the service decides")
    func chosenByDigits() async throws {
        for status in MessageStatus.all {
            let destination = "27831234" + String(repeating: "0", count: 3 - String(status.code).count) + String(status.code)
            let outcome = await send(destination, on: .whatsApp)
            if [1, 2, 3, 4, 5, 6, 20, 21, 22, 25, 26, 27, 28].contains(status.code) {
                #expect(outcome == .accepted(supplierReference: "sim-n-1", receipts: [.sentToSupplier, .deviceAck, .read]), "\(status)")
            } else {
                #expect(outcome == .accepted(supplierReference: "sim-n-1", receipts: [.sentToSupplier, status]), "\(status)")
            }
        }
    }
}
