return [[
REGISTERED LETTER WITH ACKNOWLEDGEMENT OF RECEIPT

Subject: formal notice to pay — case no. {{case_id}}

For the attention of {{customer_name}},

Despite our exchanges since {{opened_on}} ({{attempts}} attempt(s) at an amicable settlement, the last
on {{last_attempt_on}}), the following invoices remain unpaid:

{{invoice_lines}}
Amount still due: {{outstanding}}.

We hereby give you formal notice to pay this amount by {{pay_by}} at the latest.
Failing that, we will refer the matter to the competent court without further notice.

Legal department
]]
