-- Version 2 (Litige 0.4): creditor identity and SIREN, amounts owed per invoice from the ledger,
-- penalties and the recovery indemnity, dates in long form.
return [[
{{creditor_name}}{{creditor_legal}}
{{creditor_address}}

REGISTERED LETTER WITH ACKNOWLEDGEMENT OF RECEIPT

{{customer_name}}
{{today}}

Subject: formal notice to pay — case no. {{case_id}}

Dear Sir or Madam,

Despite our exchanges since {{opened_on}}, the following invoices remain unpaid:

{{invoice_lines}}
Principal still due: {{outstanding}}.
{{penalty_lines}}
We hereby give you formal notice to pay {{total}} by {{pay_by}} at the latest.
Failing payment within this time, we will refer the matter to the competent court without further notice.

Yours faithfully,

{{creditor_name}}
]]
