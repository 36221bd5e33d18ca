-- Version 2 (Litige 0.4): creditor identity and SIREN, amounts owed per invoice from the ledger,
-- penalties and the recovery indemnity, dates in long form.
return [[
{{creditor_name}}{{creditor_legal}}
{{creditor_address}}

LETTRE RECOMMANDÉE AVEC ACCUSÉ DE RÉCEPTION

{{customer_name}}
Le {{today}}

Objet : mise en demeure de payer — dossier n° {{case_id}}

Madame, Monsieur,

Malgré nos échanges depuis le {{opened_on}}, les factures suivantes restent impayées :

{{invoice_lines}}
Montant principal restant dû : {{outstanding}}.
{{penalty_lines}}
Par la présente, nous vous mettons en demeure de régler la somme de {{total}} au plus tard le {{pay_by}}.
À défaut de paiement dans ce délai, nous saisirons la juridiction compétente sans autre avis.

Veuillez agréer, Madame, Monsieur, nos salutations distinguées.

{{creditor_name}}
]]
