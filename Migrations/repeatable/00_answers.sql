-- Every answer the service gives with a responseCode (API.md §10), named once, as TransactCore's `Answer` names
-- them: SQL uses a code or a message only by its name (catalogue.answer_code('insufficientVendorFloat')), and
-- AnswerCatalogueTests checks that this list and the Swift one agree. retryable_vend: a vendor outcome worth another
-- attempt (API.md §3.4); the code decides, so every answer with that code says the same.
--
-- A repeatable file (DESIGN.md §4): `transact migrate` re-applies the whole set, in file order, after the numbered
-- migrations, whenever any of it changed (or a migration was applied), in one transaction. Everything here is
-- CREATE OR REPLACE; a change of a function's arguments or result, or an object that goes, needs a numbered migration
-- that drops it first.

CREATE OR REPLACE FUNCTION catalogue.answers()
RETURNS TABLE (name text, code text, message text, retryable_vend boolean) LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    VALUES
        ('success', '0000', 'Success', false),
        ('processingRequest', '0000', 'Processing request', false),
        ('fundsReserved', '0000', 'Processing request (funds reserved)', false),
        ('operatorFound', '0000', 'SUCCESS', false),
        ('resultDeliveryQueued', '0000', 'One more transactResult delivery is queued', false),
        ('unexpectedError', '0001', 'Unexpected error', false),
        ('insufficientFunds', '2010', 'Insufficient funds', false),
        ('invalidAuthCode', '2020', 'Invalid auth code or unknown sourceIdentifier', false),
        ('accountNotMapped', '2030', 'Account not mapped', false),
        ('maximumAmountExceeded', '2040', 'Maximum amount exceeded', false),
        ('belowMinimumAmount', '2050', 'Below minimum amount', false),
        ('noFeeAmount', '2055', 'No feeAmount provided', false),
        ('invalidFeeAmount', '2055', 'Invalid Fee Amount', false),
        ('internalTimeout', '2060', 'Internal timeout', false),
        ('blacklisted', '2070', 'sourceIdentifier blacklisted', false),
        ('accountInactive', '2080', 'Account inactive', false),
        ('unknownBankError', '2090', 'Unknown error', false),
        ('bankReserved', '0000', 'Funds reserved', false),
        ('noReservation', '2090', 'No reservation', false),
        ('reservationState', '0000', 'Reservation <state>', false),
        ('supplierUnableToComplete', '2201', 'The supplier was unable to complete this request', true),
        ('vendorCommunicationError', '2202', 'Vendor communication error', true),
        ('vendorCommunicationTimeout', '2203', 'Vendor communication timeout', true),
        ('vendorConnectionTimeout', '2204', 'Vendor connection timeout', true),
        ('invalidDataFormat', '2210', 'Invalid data format', false),
        ('invalidAccountNumber', '2210', 'Invalid account number', false),
        ('invalidMSISDN', '2213', 'Invalid MSISDN', false),
        ('insufficientVendorFloat', '2221', 'Insufficient vendor float', false),
        ('cannotConnectToVendor', '2238', 'Cannot connect to the vendor', true),
        ('vendorNeverReceived', '2238', 'The vendor never received <reference>', true),
        ('vendorTimeout', '2239', 'Timeout connecting to the vendor', true),
        ('vendOutcomeUnknown', '2240', 'Vend outcome unknown', false),
        ('vendorBusy', '2241', 'Vendor busy', true),
        ('invalidAmountIncrement', '2511', 'Invalid amount increment: amounts go up in steps of <increment>', false),
        ('productInactive', '2512', 'Product inactive', false),
        ('productInactiveOnChannel', '2512', 'Product inactive on channel <channelId>', false),
        ('inProgress', '2604', 'Transaction with this clientTxnRef is in progress', false),
        ('duplicateClientTxnRef', '2604', 'Duplicate clientTxnRef', false),
        ('formatError', '4000', '<field> :<constraint>', false),
        ('headerSignatureInvalid', '4000', 'Header Signature invalid', false),
        ('productIdDoesNotExist', '4000', 'Product ID <productId> does not exist', false),
        ('productTypeIdDoesNotExist', '4000', 'Product type ID does not exist', false),
        ('channelNotConfigured', '4000', 'Channel not configured for client', false),
        ('transactionNotFound', '4000', 'Transaction not found', false),
        ('clientTransactionNotFound', '4000', 'Client transaction reference ID <reference> not found', false),
        ('missingTransactionReference', '4000', 'Missing parameter; at least one of these parameters are mandatory: raasTxnRef, clientTxnRef or reserveFundsTxnRef', false),
        ('notificationNotFound', '4000', 'Notification <notification> not found', false),
        ('noResultToDeliver', '4000', 'The transaction has no result to deliver (it reserved nothing, or is not final yet)', false),
        ('bodyNotAForm', '4000', 'body :must be a form', false),
        ('notificationTooLate', '4000', 'Notification can no longer be stopped', false),
        ('serviceNotFound', '4010', 'Service not found', false),
        ('msisdnMismatch', '9010', 'Msisdn format incorrect or countryCallingCode does not match msisdn', false),
        ('operatorUnknown', '9020', 'Unable to identify operator', false),
        ('unknownCountryCode', '9090', 'Unknown country code/prefix', false),
        ('totalNotSum', '4000', 'Total amount is not equal to the sum of tax and subtotal', false),
        ('chat2PayNotEnabled', '4000', 'Chat 2 Pay is not enabled for client', false),
        ('fundingSourceNotLinked', '4000', 'Funding source <fundingSourceId> is not linked to client', false),
        ('currencyNotServed', '4000', 'currency :must be the funding source''s currency', false),
        ('duplicateOrderNumber', '2604', 'Duplicate orderNumber', false),
        ('paymentRequestNotFound', '4000', 'There is no such transaction with transaction reference <reference>', false),
        ('paymentRequestCancelled', '4000', 'already cancelled', false),
        ('paymentRequestExpired', '4000', 'expired', false),
        ('paymentRequestPaid', '4000', 'A payment request already paid cannot be cancelled', false),
        ('paymentNotAuthorised', '4000', 'The payment request holds no authorisation to capture or reverse', false),
        ('captureExceedsAuthorisation', '4000', 'amount :must not exceed the authorised amount', false),
        ('paymentReversed', '2090', 'Payment reversed by the merchant', false),
        ('authorisationExpired', '2090', 'Authorisation not captured within the confirmation window', false),
        ('paymentNotCaptured', '4000', 'The payment request has not been paid: there is no receipt to send', false),
        ('transactResultURLRequired', '4000', 'A product bought by chat needs the client''s transactResultUrl', false)
$$;

-- An answer's code by its name. IMMUTABLE, so that a statement naming a constant is planned with the code folded
-- in; an unknown name is an error where it is used, never a NULL.
CREATE OR REPLACE FUNCTION catalogue.answer_code(p_name text) RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    found_code text;
BEGIN
    SELECT a.code INTO found_code FROM catalogue.answers() a WHERE a.name = p_name;
    IF found_code IS NULL THEN
        RAISE EXCEPTION 'no answer is named %', p_name USING ERRCODE = '22023';
    END IF;
    RETURN found_code;
END $$;

-- An answer's message by its name (its placeholders, if any, left for the caller to fill).
CREATE OR REPLACE FUNCTION catalogue.answer_message(p_name text) RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    found_message text;
BEGIN
    SELECT a.message INTO found_message FROM catalogue.answers() a WHERE a.name = p_name;
    IF found_message IS NULL THEN
        RAISE EXCEPTION 'no answer is named %', p_name USING ERRCODE = '22023';
    END IF;
    RETURN found_message;
END $$;

-- The vendor codes that are worth another attempt (API.md §3.4). PL/pgSQL: a SQL function with a subquery is not
-- inlined, and is then parsed and planned again at every call with a value that is not a constant.
CREATE OR REPLACE FUNCTION catalogue.is_retryable_vend_code(p_code text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM catalogue.answers() a WHERE a.code = p_code AND a.retryable_vend);
END $$;
